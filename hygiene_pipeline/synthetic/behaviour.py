"""What people do: their buying journeys, consent and do-not-call requests, how readily they
answer the phone, and how hard sales chases them.

A journey runs silent -> researching (web visits, pricing-page views, downloads, email clicks)
-> explicit need (a contact or pricing form, a demo request, a booked meeting, "interested" or a
callback request on a call) -> maybe refusal ("not interested" on a call, an unsubscribe, a
consent withdrawal, a do-not-call request). Nothing of the journey follows a refusal. People who
leave their company or whose company closes stop their journey there.

Consent is given on a date (often with an expiry) and may expire; an unsubscribe or a recorded
withdrawal takes it back for good. A do-not-call request is made once, on a call, through a CRM
flag or onto the internal do-not-call list, and is permanent; besides, some people's own numbers
are on a national do-not-call register.

Call acts happen on a number that worked for the person that day (else the person wrote in
instead); email acts come from a mailbox on file that delivered that day (else they are tracked
on the web by contact id).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from hygiene_pipeline.synthetic.columns import chance, row_choice
from hygiene_pipeline.synthetic.landing_layout import Source
from hygiene_pipeline.synthetic.lives import Lives
from hygiene_pipeline.synthetic.on_file import OnFile
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import EmailKind, Records
from hygiene_pipeline.synthetic.timeline import off_call_gaps, off_the_edges, uniform_days
from hygiene_pipeline.synthetic.world import NEVER, WINDOW_DAYS, Fate, World


class Act(IntEnum):
    """Something a person did."""

    WEB_VISIT = 0
    PRICING_VIEW = 1
    DOWNLOAD = 2
    EMAIL_CLICK = 3
    FORM_SUBMIT = 4
    DEMO_REQUEST = 5
    MEETING_BOOKED = 6
    SAID_INTERESTED = 7
    ASKED_CALLBACK = 8
    SAID_NOT_INTERESTED = 9
    UNSUBSCRIBED = 10
    WITHDREW_CONSENT = 11
    ASKED_DNC_ON_CALL = 12
    ASKED_DNC_IN_CRM = 13
    ASKED_DNC_BY_REQUEST = 14


RESEARCH = (Act.WEB_VISIT, Act.PRICING_VIEW, Act.DOWNLOAD, Act.EMAIL_CLICK)
NEEDS = (
    Act.FORM_SUBMIT,
    Act.DEMO_REQUEST,
    Act.MEETING_BOOKED,
    Act.SAID_INTERESTED,
    Act.ASKED_CALLBACK,
)
DNC_REQUESTS = (Act.ASKED_DNC_ON_CALL, Act.ASKED_DNC_IN_CRM, Act.ASKED_DNC_BY_REQUEST)
REFUSALS = (Act.SAID_NOT_INTERESTED, Act.UNSUBSCRIBED, Act.WITHDREW_CONSENT, *DNC_REQUESTS)
CONSENT_WITHDRAWALS = (Act.UNSUBSCRIBED, Act.WITHDREW_CONSENT)
ON_CALLS = (Act.SAID_INTERESTED, Act.ASKED_CALLBACK, Act.SAID_NOT_INTERESTED, Act.ASKED_DNC_ON_CALL)
BY_EMAIL = (Act.EMAIL_CLICK, Act.UNSUBSCRIBED)
# Two-way contact with the person: an answered call, a click, a form, a meeting.
GENUINE = (
    Act.EMAIL_CLICK,
    Act.FORM_SUBMIT,
    Act.DEMO_REQUEST,
    Act.MEETING_BOOKED,
    *ON_CALLS,
)


class Stage(IntEnum):
    """How far a person's journey went."""

    SILENT = 0
    RESEARCH = 1
    NEED = 2
    REFUSED = 3


class Cap(IntEnum):
    """Recent call attempts beyond any contact-frequency cap."""

    NONE = 0
    TODAY = 1  # 3-4 attempts on the as_of day
    WEEK = 2  # 8-10 attempts in the last 7 days


STAGE_WEIGHTS = (0.30, 0.38, 0.17, 0.15)
DNC_REQUEST_SHARE = 0.045
DNC_ROUTE_WEIGHTS = (0.45, 0.30, 0.25)  # on a call, CRM flag, internal list
REGISTER_SHARE = 0.035
CONSENT_GIVEN_SHARE = 0.75
CONSENT_EXPIRY_SHARE = 0.5
UNSUBSCRIBE_ALSO_RECORDED = 0.3
CAP_SHARES = (0.015, 0.015)  # today, week
PURSUED_SHARE = 0.8
_RESEARCH_WEIGHTS = (0.35, 0.15, 0.15, 0.35)
_NEED_WEIGHTS = (0.3, 0.25, 0.15, 0.15, 0.15)
_REFUSAL_WEIGHTS = (0.4, 0.4, 0.2)  # not interested, unsubscribe, withdrawal
_BY_WEB_SHARE = 0.15  # email acts tracked by contact id even when a mailbox delivers


@dataclass(frozen=True)
class Behaviour:
    """Per person, and every act with its day and channel."""

    acts: pd.DataFrame  # person, day, act, number (-1: none), mailbox (EmailKind, NONE: web)
    responsiveness: np.ndarray  # chance of answering a call that reaches them
    pursued: np.ndarray  # sales chases them (many recent attempts) or neglects them
    consent_given_day: np.ndarray  # NEVER: never given
    consent_expiry_day: np.ndarray  # NEVER: open-ended; negative: in the future
    consent_withdrawn_day: np.ndarray  # NEVER: not withdrawn
    withdrawal_on_record: np.ndarray  # a record says opted_out
    registered_number: np.ndarray  # a number of theirs on a national register, -1
    registered_day: np.ndarray
    cap: np.ndarray  # Cap

    def consent_valid(self) -> np.ndarray:
        """Consent given, unexpired and not withdrawn at `as_of`."""
        expired = self.consent_expiry_day > 0
        return (self.consent_given_day >= 0) & ~expired & (self.consent_withdrawn_day == NEVER)


def _mixture(
    rng: np.random.Generator,
    ranges: tuple[tuple[int, int], ...],
    weights: tuple[float, ...],
    size: int,
) -> np.ndarray:
    """Days from one of `ranges` per row (chosen by `weights`), uniform within it."""
    which = rng.choice(len(ranges), size=size, p=weights)
    low = np.array([r[0] for r in ranges])[which]
    high = np.array([r[1] for r in ranges])[which]
    return uniform_days(rng, low, high, size)


def _frame(person: np.ndarray, day: np.ndarray, act: np.ndarray | int) -> pd.DataFrame:
    act = np.broadcast_to(np.asarray(act, dtype=np.int64), np.shape(person))
    return pd.DataFrame({"person": person, "day": day, "act": act})


def _research(rng: np.random.Generator, person: np.ndarray, anchor: np.ndarray) -> pd.DataFrame:
    """1+ research acts per person, the latest on `anchor`, the others up to 90 days before."""
    count = 1 + rng.poisson(1.5, size=len(person))
    who = np.repeat(person, count)
    first = np.concatenate([[True], np.diff(np.repeat(np.arange(len(person)), count)) != 0])
    span = np.repeat(uniform_days(rng, 3, 90, len(person)), count)
    day = np.repeat(anchor, count) + np.where(first, 0, uniform_days(rng, 0, span, len(who)))
    kind = np.array(RESEARCH)[rng.choice(len(RESEARCH), size=len(who), p=_RESEARCH_WEIGHTS)]
    return _frame(who, day, kind)


def _journeys(rng: np.random.Generator, n: int, dnc: np.ndarray) -> pd.DataFrame:
    """Every person's journey acts (days before careers cut them short)."""
    people = np.arange(n)
    stage = rng.choice(len(Stage), size=n, p=STAGE_WEIGHTS)
    stage = np.where(dnc, Stage.REFUSED, stage)
    frames = []

    researching = people[stage == Stage.RESEARCH]
    anchor = _mixture(rng, ((0, 87), (94, 900)), (0.5, 0.5), len(researching))
    frames.append(_research(rng, researching, anchor))

    needing = people[stage == Stage.NEED]
    need_day = _mixture(rng, ((0, 27), (33, 87), (94, 900)), (0.45, 0.2, 0.35), len(needing))
    kind = np.array(NEEDS)[rng.choice(len(NEEDS), size=len(needing), p=_NEED_WEIGHTS)]
    frames.append(_frame(needing, need_day, kind))
    again = chance(rng, len(needing), 0.25)
    earlier = need_day[again] + uniform_days(rng, 2, 15, int(again.sum()))
    frames.append(_frame(needing[again], earlier, Act.FORM_SUBMIT))
    before = chance(rng, len(needing), 0.8)
    frames.append(
        _research(
            rng, needing[before], need_day[before] + uniform_days(rng, 1, 20, int(before.sum()))
        )
    )

    refusing = people[stage == Stage.REFUSED]
    refusal_day = uniform_days(rng, 0, 900, len(refusing))
    kind = np.array((Act.SAID_NOT_INTERESTED, Act.UNSUBSCRIBED, Act.WITHDREW_CONSENT))[
        rng.choice(3, size=len(refusing), p=_REFUSAL_WEIGHTS)
    ]
    kind = np.where(dnc[refusing], Act.ASKED_DNC_ON_CALL, kind)
    frames.append(_frame(refusing, refusal_day, kind))
    looked = chance(rng, len(refusing), 0.6)
    frames.append(
        _research(
            rng,
            refusing[looked],
            refusal_day[looked] + uniform_days(rng, 3, 60, int(looked.sum())),
        )
    )
    asked = chance(rng, len(refusing), 0.25)
    frames.append(
        _frame(
            refusing[asked],
            refusal_day[asked] + uniform_days(rng, 3, 60, int(asked.sum())),
            Act.FORM_SUBMIT,
        )
    )
    acts = pd.concat(frames, ignore_index=True)
    acts["day"] = off_the_edges(np.minimum(acts["day"].to_numpy(), WINDOW_DAYS))
    return acts


def _live_numbers(
    person: np.ndarray,
    day: np.ndarray,
    pop: Population,
    world: World,
    on_file: OnFile,
    lives: Lives,
) -> tuple[np.ndarray, np.ndarray]:
    """(numbers, mask): each row's numbers on file and which reached the person that day (a
    switchboard only while they worked there)."""
    numbers = on_file.number[person]
    safe = np.maximum(numbers, 0)
    board = lives.number_company[safe]
    first = pop.people.company[person][:, None]
    left = (world.leave_day[person] > day)[:, None]
    at_company = np.where(board == first, ~left, board >= 0)
    alive = ~(lives.number_death[safe] > day[:, None])
    personal = lives.number_person[safe] == person[:, None]
    usable = on_file.numbers_by(person, day) & alive & (personal | at_company)
    return numbers, usable


def _pick_number(
    rng: np.random.Generator, numbers: np.ndarray, usable: np.ndarray, lives: Lives
) -> np.ndarray:
    """A usable number per row (own numbers preferred to switchboards); -1 if none."""
    board = lives.number_company[np.maximum(numbers, 0)] >= 0
    weights = np.where(usable, np.where(board, 0.4, 1.0), 0.0)
    choice = row_choice(rng, weights)
    return np.where(
        choice >= 0, np.take_along_axis(numbers, np.maximum(choice, 0)[:, None], 1)[:, 0], -1
    )


def _live_mailbox(
    rng: np.random.Generator,
    person: np.ndarray,
    day: np.ndarray,
    on_file: OnFile,
    lives: Lives,
) -> np.ndarray:
    """A personal mailbox on file that delivered to the person that day; NONE if none."""
    by = on_file.mailboxes_by(person, day)
    weights = np.zeros((len(person), len(EmailKind)))
    for kind, weight in (
        (EmailKind.WORK, 0.7),
        (EmailKind.PERSONAL, 0.3),
        (EmailKind.NEW_WORK, 0.7),
    ):
        alive = ~lives.mailbox_dead(person, np.full(len(person), kind), day)
        weights[:, kind] = np.where(by[:, kind] & alive, weight, 0.0)
    choice = row_choice(rng, weights)
    return np.where(choice >= 0, choice, EmailKind.NONE)


def _channels(
    rng: np.random.Generator,
    acts: pd.DataFrame,
    pop: Population,
    world: World,
    records: Records,
    on_file: OnFile,
    lives: Lives,
) -> pd.DataFrame:
    """Numbers for call acts and internal do-not-call requests, mailboxes for email acts. A call
    act that found no working number becomes a form (needs) or an unsubscribe (not interested);
    a do-not-call request takes another route when its own is not open to the person (no working
    number for a call, no number of their own on file for the list, only HubSpot records for a
    flag), and is dropped when none is."""
    person = acts["person"].to_numpy()
    day = acts["day"].to_numpy()
    act = acts["act"].to_numpy().copy()
    numbers, usable = _live_numbers(person, day, pop, world, on_file, lives)
    dialled = _pick_number(rng, numbers, usable, lives)
    own = (numbers >= 0) & (lives.number_person[np.maximum(numbers, 0)] == person[:, None])
    listed = _pick_number(rng, numbers, own, lives)
    flaggable = (
        np.bincount(
            records.person[(records.person >= 0) & (records.source != Source.HUBSPOT)],
            minlength=len(pop.people),
        )[person]
        > 0
    )
    routes = (Act.ASKED_DNC_ON_CALL, Act.ASKED_DNC_BY_REQUEST, Act.ASKED_DNC_IN_CRM)
    open_route = np.column_stack([dialled >= 0, listed >= 0, flaggable])
    drawn = np.select([act == route for route in routes], [0, 1, 2], default=0)
    fallback = np.select(list(open_route.T), list(routes), default=-1)
    request = np.isin(act, DNC_REQUESTS)
    act = np.where(request & ~open_route[np.arange(len(act)), drawn], fallback, act)
    lost = np.isin(act, ON_CALLS) & (dialled < 0)
    act = np.select(
        [
            lost & np.isin(act, (Act.SAID_INTERESTED, Act.ASKED_CALLBACK)),
            lost & (act == Act.SAID_NOT_INTERESTED),
        ],
        [Act.FORM_SUBMIT, Act.UNSUBSCRIBED],
        default=act,
    )
    number = np.select(
        [np.isin(act, ON_CALLS), act == Act.ASKED_DNC_BY_REQUEST], [dialled, listed], default=-1
    )
    mailbox = np.where(
        np.isin(act, BY_EMAIL) & ~chance(rng, len(act), _BY_WEB_SHARE),
        _live_mailbox(rng, person, day, on_file, lives),
        EmailKind.NONE,
    )
    out = pd.DataFrame(
        {"person": person, "day": day, "act": act, "number": number, "mailbox": mailbox}
    )
    return out[out["act"] >= 0].reset_index(drop=True)


def _dnc_routes(rng: np.random.Generator, acts: pd.DataFrame) -> pd.DataFrame:
    """Spread do-not-call requests over their routes: on a call, a CRM flag, the internal list."""
    on_call = np.flatnonzero(acts["act"].to_numpy() == Act.ASKED_DNC_ON_CALL)
    route = rng.choice(3, size=len(on_call), p=DNC_ROUTE_WEIGHTS)
    acts.loc[on_call[route == 1], "act"] = Act.ASKED_DNC_IN_CRM
    acts.loc[on_call[route == 2], "act"] = Act.ASKED_DNC_BY_REQUEST
    return acts


def _one_recent_call(rng: np.random.Generator, acts: pd.DataFrame) -> pd.DataFrame:
    """At most one call act per person in the last 8 days (the rest moved to days 9-20), and
    call days off the days a reader could count either way (see `timeline`)."""
    calls = np.flatnonzero(np.isin(acts["act"].to_numpy(), ON_CALLS))
    day = off_call_gaps(acts["day"].to_numpy()[calls])
    person = acts["person"].to_numpy()[calls]
    recent = day <= 8
    order = np.lexsort((day, ~recent, person))
    later = np.zeros(len(calls), dtype=bool)
    sorted_person, sorted_recent = person[order], recent[order]
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = (sorted_person[1:] == sorted_person[:-1]) & sorted_recent[1:] & sorted_recent[:-1]
    later[order[repeat]] = True
    day = np.where(later, uniform_days(rng, 9, 20, len(calls)), day)
    acts.loc[calls, "day"] = day
    return acts


def _cut_short(acts: pd.DataFrame, pop: Population, world: World) -> pd.DataFrame:
    """Drop the acts from two days before a person left, or their company closed, onwards."""
    person = acts["person"].to_numpy()
    day = acts["day"].to_numpy()
    company = pop.people.company[person]
    leave = world.leave_day[person]
    closed = np.where(world.fate[company] == Fate.CLOSED, world.fate_day[company], NEVER)
    ended = ((leave >= 0) & (day < leave + 2)) | ((closed >= 0) & (day < closed + 2))
    return acts[~ended].reset_index(drop=True)


def _consent(
    rng: np.random.Generator, acts: pd.DataFrame, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(given day, expiry day, withdrawn day, withdrawal on a record) per person."""
    given = np.where(chance(rng, n, CONSENT_GIVEN_SHARE), uniform_days(rng, 60, 1200, n), NEVER)
    expiry = np.where(
        (given >= 0) & chance(rng, n, CONSENT_EXPIRY_SHARE),
        given - uniform_days(rng, 365, 1460, n),
        NEVER,
    )
    # Keep expiries a dozen days off `as_of`: no reading of "expired" is close.
    expiry = np.where((expiry >= -12) & (expiry <= 12) & (expiry != NEVER), expiry + 25, expiry)
    withdrawals = acts[acts["act"].isin(CONSENT_WITHDRAWALS)]
    withdrawn = np.full(n, NEVER)
    withdrawn[withdrawals["person"].to_numpy()] = withdrawals["day"].to_numpy()
    recorded = np.zeros(n, dtype=bool)
    by_record = withdrawals["act"].to_numpy() == Act.WITHDREW_CONSENT
    also = chance(rng, len(withdrawals), UNSUBSCRIBE_ALSO_RECORDED)
    recorded[withdrawals["person"].to_numpy()[by_record | also]] = True
    # Consent taken back was given before.
    shift = (withdrawn >= 0) & (given >= 0) & (given <= withdrawn)
    expiry = np.where(shift & (expiry != NEVER), expiry + (withdrawn + 30 - given), expiry)
    given = np.where(shift, withdrawn + 30, given)
    return given, expiry, withdrawn, recorded


def _registered(
    rng: np.random.Generator, n: int, on_file: OnFile, lives: Lives
) -> tuple[np.ndarray, np.ndarray]:
    """A number of some people's own, on file and still theirs, on a national register."""
    numbers = on_file.number
    safe = np.maximum(numbers, 0)
    own = (
        (numbers >= 0)
        & (lives.number_person[safe] == np.arange(n)[:, None])
        & (lives.number_death[safe] == NEVER)
    )
    who = chance(rng, n, REGISTER_SHARE) & own.any(axis=1)
    choice = row_choice(rng, own.astype(float))
    number = np.where(who, np.take_along_axis(numbers, np.maximum(choice, 0)[:, None], 1)[:, 0], -1)
    return number, np.where(who, uniform_days(rng, 30, 1500, n), NEVER)


def build_behaviour(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    records: Records,
    on_file: OnFile,
    lives: Lives,
) -> Behaviour:
    """Every person's acts, consent, do-not-call state, responsiveness and chase level."""
    n = len(pop.people)
    dnc = chance(rng, n, DNC_REQUEST_SHARE)
    acts = _cut_short(_journeys(rng, n, dnc), pop, world)
    acts = _dnc_routes(rng, acts)
    acts = _channels(rng, acts, pop, world, records, on_file, lives)
    acts = _one_recent_call(rng, acts)
    acts = acts.sort_values(["person", "day"], kind="stable").reset_index(drop=True)
    given, expiry, withdrawn, recorded = _consent(rng, acts, n)
    number, registered_day = _registered(rng, n, on_file, lives)
    reachable = (on_file.number >= 0).any(axis=1)
    draw = rng.random(n)
    cap = np.select(
        [reachable & (draw < CAP_SHARES[0]), reachable & (draw < sum(CAP_SHARES))],
        [Cap.TODAY, Cap.WEEK],
        default=Cap.NONE,
    )
    return Behaviour(
        acts=acts,
        responsiveness=rng.uniform(0.1, 0.5, size=n),
        pursued=chance(rng, n, PURSUED_SHARE),
        consent_given_day=given,
        consent_expiry_day=expiry,
        consent_withdrawn_day=withdrawn,
        withdrawal_on_record=recorded,
        registered_number=number,
        registered_day=registered_day,
        cap=cap,
    )

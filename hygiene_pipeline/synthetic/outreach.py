"""What the company does to reach people, and what comes back: sales call attempts and emails,
marketing campaigns, and the outcome of each given the state of the world that day.

A call to a live number of the person is answered now and then (`connected`), otherwise it rings
out (`no_answer`, `voicemail`, `busy`). A dead number gives `disconnected`, a stranger's
`wrong_number`, a former colleague on a leaver's old line `left_company`; the receptionist on the
switchboard says `left_company` once a person has gone. Mail to a dead mailbox bounces: 5.1.1 while
the domain lives, 5.1.2 / 5.4.4 once the company has closed; mail that is delivered gets opened
by people, security scanners and privacy proxies alike (an open says nothing about presence).

Some facts are reported by only a few calls: one colleague's call says the company moved
(`company_moved`), a few say it closed (`company_closed`). Where the everyday traffic would
leave a fact of the world unobservable, one more observation is added so that a careful reader
can know it: a departure gets a `left_company` call unless a job-change record or a 5.1.1 on the
work mailbox with a dead direct line already tells; every dead number on file of a person still
in the running gets one call that finds it dead; every mailbox of a person nobody can reach any
more gets a bounce.

Recent attempts stay unambiguous for any contact-frequency cap: a person has at most one attempt
in the last 8 days, unless they are clearly over (3-4 on the `as_of` day, or 8-10 in the last
week).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hygiene_pipeline.synthetic.behaviour import ON_CALLS, Act, Behaviour, Cap
from hygiene_pipeline.synthetic.columns import chance, row_choice
from hygiene_pipeline.synthetic.lives import LineEnd, Lives
from hygiene_pipeline.synthetic.on_file import OWN_MAILBOXES, OnFile
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import EmailKind
from hygiene_pipeline.synthetic.standing import OPEN
from hygiene_pipeline.synthetic.timeline import (
    CALL_OLD_FROM,
    off_call_gaps,
    off_the_edges,
    uniform_days,
)
from hygiene_pipeline.synthetic.world import WINDOW_DAYS, Fate, World

QUIET = np.array(("no_answer", "voicemail", "busy"), dtype=object)
QUIET_WEIGHTS = (0.5, 0.35, 0.15)
DEAD_LINE = ("disconnected", "wrong_number", "left_company")
ACT_DISPOSITIONS = {
    Act.SAID_INTERESTED: "interested",
    Act.ASKED_CALLBACK: "callback",
    Act.SAID_NOT_INTERESTED: "not_interested",
    Act.ASKED_DNC_ON_CALL: "do_not_call",
}
SALES_CALLS = (4.0, 1.0)  # mean attempts per person: pursued, neglected
SALES_EMAILS = (2.5, 0.8)
PURSUIT_SCALE_DAYS = 120  # pursued people's attempts are mostly recent
RECENT_ATTEMPT_SHARE = 0.12
CAMPAIGN_SHARE = 0.8  # mailboxes on the marketing list
OPENS_PER_MAILBOX = 1.2
NOISE_BOUNCES = {"soft": 0.04, "block": 0.03, "complaint": 0.012}
MOVE_REPORTERS, CLOSE_REPORTERS = (1, 2), (1, 3)


@dataclass(frozen=True)
class Outreach:
    """Every call and email outcome (per true person)."""

    calls: pd.DataFrame  # person, day, number (-1 none), disposition, answered, contact
    sent: pd.DataFrame  # person, day, mailbox: sales emails, logged on a CRM record
    bounces: pd.DataFrame  # person, day, mailbox, klass
    opens: pd.DataFrame  # person, day, mailbox


def _recent_days(rng: np.random.Generator, pursued: np.ndarray) -> np.ndarray:
    """Attempt days: pursued people mostly lately, neglected people long ago; never in the last
    8 days (those are drawn separately)."""
    size = len(pursued)
    recent = CALL_OLD_FROM + np.floor(rng.exponential(PURSUIT_SCALE_DAYS, size)).astype(np.int64)
    old = uniform_days(rng, 120, WINDOW_DAYS, size)
    return off_the_edges(np.minimum(np.where(pursued, recent, old), WINDOW_DAYS))


def _any_number(
    rng: np.random.Generator, person: np.ndarray, day: np.ndarray, on_file: OnFile, lives: Lives
) -> np.ndarray:
    """A number on file by `day` (dead or alive: dialers dial what the CRM has), own numbers
    preferred to switchboards; -1 if none."""
    numbers = on_file.number[person]
    board = lives.number_company[np.maximum(numbers, 0)] >= 0
    weights = np.where(on_file.numbers_by(person, day), np.where(board, 0.3, 1.0), 0.0)
    choice = row_choice(rng, weights)
    picked = np.take_along_axis(numbers, np.maximum(choice, 0)[:, None], 1)[:, 0]
    return np.where(choice >= 0, picked, -1)


def _outcomes(
    rng: np.random.Generator,
    calls: pd.DataFrame,
    pop: Population,
    world: World,
    lives: Lives,
    answer: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(disposition, answered) of attempts; `answer` is each attempt's chance to be answered
    when it reaches the person."""
    person = calls["person"].to_numpy()
    day = calls["day"].to_numpy()
    number = calls["number"].to_numpy()
    size = len(person)
    dead = lives.number_dead(number, day)
    end = lives.number_end[number]
    board = lives.number_company[number]
    left = world.leave_day[person] > day
    at_company = np.where(board == pop.people.company[person], ~left, True)
    draw = rng.random(size)
    quiet = QUIET[rng.choice(len(QUIET), size=size, p=QUIET_WEIGHTS)]
    reached = ~dead & ((board < 0) | at_company)
    chance_to_answer = np.where(board >= 0, 0.6, 1.0) * answer
    answered = reached & (draw < chance_to_answer)
    disposition = np.select(
        [
            dead & (end == LineEnd.DISCONNECTED),
            dead & (end == LineEnd.REASSIGNED) & (draw < 0.7),
            dead & (end == LineEnd.COLLEAGUE) & (draw < 0.6),
            ~dead & (board >= 0) & ~at_company & (draw < 0.5),
            answered,
        ],
        ["disconnected", "wrong_number", "left_company", "left_company", "connected"],
        default=quiet,
    )
    return disposition.astype(object), answered


def _calls(
    person: np.ndarray,
    day: np.ndarray,
    number: np.ndarray,
    disposition: np.ndarray | str,
    answered: np.ndarray | bool,
    contact: np.ndarray | bool,
) -> pd.DataFrame:
    size = len(person)
    return pd.DataFrame(
        {
            "person": np.asarray(person, dtype=np.int64),
            "day": np.asarray(day, dtype=np.int64),
            "number": np.asarray(number, dtype=np.int64),
            "disposition": np.broadcast_to(np.asarray(disposition, dtype=object), (size,)),
            "answered": np.broadcast_to(np.asarray(answered, dtype=bool), (size,)),
            "contact": np.broadcast_to(np.asarray(contact, dtype=bool), (size,)),
        }
    )


def _attempts(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    on_file: OnFile,
    lives: Lives,
    behaviour: Behaviour,
) -> pd.DataFrame:
    """Sales attempts (one recent one for some) and the attempts of people over the cap."""
    n = len(pop.people)
    pursued = behaviour.pursued
    count = rng.poisson(np.where(pursued, SALES_CALLS[0], SALES_CALLS[1]))
    who = np.repeat(np.arange(n), count)
    day = off_call_gaps(_recent_days(rng, pursued[who]))
    acts = behaviour.acts
    recent_act = np.bincount(
        acts.loc[acts["act"].isin(ON_CALLS) & (acts["day"] <= 8), "person"], minlength=n
    )
    lately = np.flatnonzero(
        chance(rng, n, RECENT_ATTEMPT_SHARE) & (behaviour.cap == Cap.NONE) & (recent_act == 0)
    )
    capped_today = np.repeat(
        np.flatnonzero(behaviour.cap == Cap.TODAY),
        rng.integers(3, 5, size=int((behaviour.cap == Cap.TODAY).sum())),
    )
    capped_week = np.repeat(
        np.flatnonzero(behaviour.cap == Cap.WEEK),
        rng.integers(8, 11, size=int((behaviour.cap == Cap.WEEK).sum())),
    )
    week_days = np.array([0, 2, 3, 4, 5])
    who = np.concatenate([who, lately, capped_today, capped_week])
    day = np.concatenate(
        [
            day,
            week_days[rng.integers(0, len(week_days), size=len(lately))],
            np.zeros(len(capped_today), dtype=np.int64),
            week_days[rng.integers(0, len(week_days), size=len(capped_week))],
        ]
    )
    hammered = np.concatenate(
        [
            np.zeros(len(who) - len(capped_today) - len(capped_week), dtype=bool),
            np.ones(len(capped_today) + len(capped_week), dtype=bool),
        ]
    )
    number = _any_number(rng, who, day, on_file, lives)
    calls = _calls(who, day, number, "", False, False)[number >= 0].reset_index(drop=True)
    hammered = hammered[number >= 0]
    answer = np.where(hammered, 0.0, behaviour.responsiveness[calls["person"].to_numpy()])
    disposition, answered = _outcomes(rng, calls, pop, world, lives, answer)
    calls["disposition"] = disposition
    calls["answered"] = answered
    personal = lives.number_company[calls["number"].to_numpy()] < 0
    calls["contact"] = ~personal | chance(rng, len(calls), 0.6)
    return calls


def _act_calls(rng: np.random.Generator, behaviour: Behaviour, lives: Lives) -> pd.DataFrame:
    """The calls on which people said what their journey says (always answered)."""
    acts = behaviour.acts[behaviour.acts["act"].isin(ON_CALLS)]
    number = acts["number"].to_numpy()
    disposition = acts["act"].map(ACT_DISPOSITIONS).to_numpy(dtype=object)
    personal = lives.number_company[number] < 0
    contact = ~personal | chance(rng, len(acts), 0.6)
    return _calls(acts["person"], acts["day"], number, disposition, True, contact)


def _reporters(
    rng: np.random.Generator, pop: Population, world: World, fate: Fate, reporters: tuple
) -> pd.DataFrame:
    """The few calls (one per colleague, on the old switchboard) saying a company moved or
    closed, after it did."""
    companies = np.flatnonzero(world.fate == fate)
    count = rng.integers(reporters[0], reporters[1] + 1, size=len(companies))
    people = pop.people.company
    order = np.lexsort((rng.random(len(people)), people))
    first = np.searchsorted(people[order], companies)
    size = np.bincount(people, minlength=len(world.fate))[companies]
    count = np.minimum(count, size)
    company = np.repeat(companies, count)
    rank = np.arange(len(company)) - np.repeat(np.cumsum(count) - count, count)
    person = order[np.repeat(first, count) + rank]
    day = off_call_gaps(uniform_days(rng, CALL_OLD_FROM, world.fate_day[company] - 1, len(person)))
    disposition = "company_moved" if fate == Fate.MOVED else "company_closed"
    return _calls(person, day, pop.companies.switchboard[company], disposition, False, True)


def _mailbox_choice(
    rng: np.random.Generator,
    person: np.ndarray,
    day: np.ndarray,
    on_file: OnFile,
    weights: dict[EmailKind, float],
    lives: Lives | None = None,
) -> np.ndarray:
    """A mailbox on file by `day` per row (only delivering ones when `lives` is given); NONE
    if none."""
    by = on_file.mailboxes_by(person, day)
    table = np.zeros((len(person), len(EmailKind)))
    for kind, weight in weights.items():
        ok = by[:, kind]
        if lives is not None:
            ok &= ~lives.mailbox_dead(person, np.full(len(person), kind), day)
        table[:, kind] = np.where(ok, weight, 0.0)
    choice = row_choice(rng, table)
    return np.where(choice >= 0, choice, EmailKind.NONE)


def _bounce_class(
    pop: Population, world: World, person: np.ndarray, mailbox: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """How mail to a dead mailbox bounces that day: the company's domain is gone, or only the
    mailbox is."""
    company = pop.people.company[person]
    domain_gone = (
        np.isin(mailbox, (EmailKind.WORK, EmailKind.ROLE))
        & (world.fate[company] == Fate.CLOSED)
        & (world.fate_day[company] > day)
    )
    return np.where(domain_gone, "dead_domain", "hard").astype(object)


def _mail(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    on_file: OnFile,
    lives: Lives,
    behaviour: Behaviour,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(sales emails, bounces, opens)."""
    n = len(pop.people)
    count = rng.poisson(np.where(behaviour.pursued, SALES_EMAILS[0], SALES_EMAILS[1]))
    who = np.repeat(np.arange(n), count)
    day = _recent_days(rng, behaviour.pursued[who]) - rng.integers(0, CALL_OLD_FROM, len(who))
    weights = {
        EmailKind.WORK: 0.6,
        EmailKind.PERSONAL: 0.3,
        EmailKind.ROLE: 0.2,
        EmailKind.NEW_WORK: 0.6,
    }
    mailbox = _mailbox_choice(rng, who, day, on_file, weights)
    sent = pd.DataFrame({"person": who, "day": day, "mailbox": mailbox})
    sent = sent[sent["mailbox"] != EmailKind.NONE].reset_index(drop=True)
    person, day, mailbox = (sent[c].to_numpy() for c in ("person", "day", "mailbox"))
    dead = lives.mailbox_dead(person, mailbox, day)
    bounces = [pd.DataFrame({"person": person[dead], "day": day[dead], "mailbox": mailbox[dead]})]

    # Campaigns reach every listed mailbox; a dead one bounces on the next send.
    owner, kind = np.nonzero(on_file.mailbox & (lives.mailbox_death > 0))
    death = lives.mailbox_death[owner, kind]
    listed = chance(rng, len(owner), CAMPAIGN_SHARE) & ~(
        behaviour.consent_withdrawn_day[owner] > death
    )
    owner, kind, death = owner[listed], kind[listed], death[listed]
    day = np.maximum(death - uniform_days(rng, 1, 14, len(owner)), 0)
    bounces.append(pd.DataFrame({"person": owner, "day": day, "mailbox": kind}))

    # Noise on delivering mailboxes: soft bounces, policy blocks, complaints.
    noise = []
    for klass, share in NOISE_BOUNCES.items():
        hit = np.flatnonzero(chance(rng, n, share))
        repeat = rng.integers(1, 5, size=len(hit)) if klass == "soft" else np.ones(len(hit), int)
        hit = np.repeat(hit, repeat)
        day = uniform_days(rng, 0, 400, len(hit))
        kind = _mailbox_choice(
            rng, hit, day, on_file, dict.fromkeys(OWN_MAILBOXES, 1.0), lives=lives
        )
        keep = kind != EmailKind.NONE
        noise.append(
            pd.DataFrame(
                {"person": hit[keep], "day": day[keep], "mailbox": kind[keep], "klass": klass}
            )
        )
    frame = pd.concat(bounces, ignore_index=True)
    frame["klass"] = _bounce_class(
        pop, world, frame["person"].to_numpy(), frame["mailbox"].to_numpy(), frame["day"].to_numpy()
    )
    frame = pd.concat([frame, *noise], ignore_index=True)

    owner, kind = np.nonzero(on_file.mailbox[:, list(OWN_MAILBOXES)])
    kind = np.array(OWN_MAILBOXES)[kind]
    opens = rng.poisson(OPENS_PER_MAILBOX, size=len(owner))
    owner, kind = np.repeat(owner, opens), np.repeat(kind, opens)
    first = np.maximum(lives.mailbox_death[owner, kind], 0)
    last = np.maximum(np.minimum(on_file.mailbox_since[owner, kind], WINDOW_DAYS), first)
    opened = pd.DataFrame(
        {"person": owner, "day": uniform_days(rng, first, last, len(owner)), "mailbox": kind}
    )
    return sent, frame, opened


def _departures_told(
    calls: pd.DataFrame, bounces: pd.DataFrame, pop: Population, world: World, n: int
) -> np.ndarray:
    """Per person: does any observation tell they left (a left_company call, a job-change
    record, or a 5.1.1 on the work mailbox together with a call finding their direct line dead)?"""
    told = world.new_company >= 0
    told[calls.loc[calls["disposition"] == "left_company", "person"].to_numpy()] = True
    unknown = bounces[(bounces["mailbox"] == EmailKind.WORK) & (bounces["klass"] == "hard")]
    bounced = np.zeros(n, dtype=bool)
    bounced[unknown["person"].to_numpy()] = True
    dead = calls[calls["disposition"].isin(("disconnected", "wrong_number"))]
    person = dead["person"].to_numpy()
    number = dead["number"].to_numpy()
    line = (number >= 0) & (
        (number == pop.people.direct[person]) | (number == world.moved_direct[person])
    )
    cut = np.zeros(n, dtype=bool)
    cut[person[line]] = True
    return told | (bounced & cut)


def _tell_departures(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    on_file: OnFile,
    lives: Lives,
    untold: np.ndarray,
) -> pd.DataFrame:
    """A `left_company` call for each untold departure: on the old switchboard when it is on
    the person's records and still working, else logged in the CRM without a number."""
    day = off_call_gaps(uniform_days(rng, CALL_OLD_FROM, world.leave_day[untold] - 1, len(untold)))
    board = pop.companies.switchboard[pop.people.company[untold]]
    on_records = (on_file.number[untold] == board[:, None]).any(axis=1)
    usable = on_records & ~lives.number_dead(board, day)
    return _calls(untold, day, np.where(usable, board, -1), "left_company", False, True)


def _show_dead_numbers(
    rng: np.random.Generator,
    calls: pd.DataFrame,
    on_file: OnFile,
    lives: Lives,
    people: np.ndarray,
) -> pd.DataFrame:
    """One call finding each dead number on file of `people` dead, unless one already did."""
    numbers = on_file.number[people]
    dead = (numbers >= 0) & (lives.number_death[np.maximum(numbers, 0)] > 0)
    rows, cols = np.nonzero(dead)
    person, number = people[rows], numbers[rows, cols]
    death = lives.number_death[number]
    seen = calls[calls["disposition"].isin(DEAD_LINE) & (calls["number"] >= 0)]
    seen = seen[seen["day"].to_numpy() < lives.number_death[seen["number"].to_numpy()]]
    missing = ~np.isin(number, seen["number"].to_numpy())
    person, number, death = person[missing], number[missing], death[missing]
    day = off_call_gaps(uniform_days(rng, CALL_OLD_FROM, death - 1, len(person)))
    end = lives.number_end[number]
    disposition = np.select(
        [end == LineEnd.REASSIGNED, end == LineEnd.COLLEAGUE],
        ["wrong_number", "left_company"],
        default="disconnected",
    )
    personal = lives.number_company[number] < 0
    contact = ~personal | chance(rng, len(person), 0.6)
    return _calls(person, day, number, disposition, False, contact)


def _show_dead_mailboxes(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    bounces: pd.DataFrame,
    on_file: OnFile,
    lives: Lives,
    people: np.ndarray,
) -> pd.DataFrame:
    """One bounce for each dead mailbox on file of `people`, unless one already came back."""
    dead = on_file.mailbox[people] & (lives.mailbox_death[people] > 0)
    rows, kind = np.nonzero(dead)
    person = people[rows]
    death = lives.mailbox_death[person, kind]
    hard = bounces[bounces["klass"].isin(("hard", "dead_domain"))]
    owner, box = hard["person"].to_numpy(), hard["mailbox"].to_numpy()
    after = hard["day"].to_numpy() < lives.mailbox_death[owner, box]
    kinds = len(EmailKind)
    missing = ~np.isin(person * kinds + kind, owner[after] * kinds + box[after])
    person, kind, death = person[missing], kind[missing], death[missing]
    day = uniform_days(rng, 0, death - 1, len(person))
    frame = pd.DataFrame({"person": person, "day": day, "mailbox": kind})
    frame["klass"] = _bounce_class(pop, world, person, kind, day)
    return frame


def reach_out(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    on_file: OnFile,
    lives: Lives,
    behaviour: Behaviour,
    standing: np.ndarray,
) -> Outreach:
    """Every call, email, bounce and open of the window."""
    n = len(pop.people)
    calls = pd.concat(
        [
            _attempts(rng, pop, world, on_file, lives, behaviour),
            _act_calls(rng, behaviour, lives),
            _reporters(rng, pop, world, Fate.MOVED, MOVE_REPORTERS),
            _reporters(rng, pop, world, Fate.CLOSED, CLOSE_REPORTERS),
        ],
        ignore_index=True,
    )
    sent, bounces, opens = _mail(rng, pop, world, on_file, lives, behaviour)
    told = _departures_told(calls, bounces, pop, world, n)
    untold = np.flatnonzero((standing == "left_company") & ~told)
    open_people = np.flatnonzero((standing == OPEN) | (standing == "invalid_contact"))
    calls = pd.concat(
        [
            calls,
            _tell_departures(rng, pop, world, on_file, lives, untold),
            _show_dead_numbers(rng, calls, on_file, lives, open_people),
        ],
        ignore_index=True,
    )
    gone = np.flatnonzero(standing == "invalid_contact")
    bounces = pd.concat(
        [bounces, _show_dead_mailboxes(rng, pop, world, bounces, on_file, lives, gone)],
        ignore_index=True,
    )
    return Outreach(calls=calls, sent=sent, bounces=bounces, opens=opens)

"""The evidence planted for each person's plan: call attempts and their dispositions, email
bounces, engagement events and do-not-call list entries.

Evidence reaches a person the way the scoring rules say it does: by a record's `contact_id`, or
without one by a phone number or mailbox that only this person has. Calls without a contact id
therefore only ever dial personal numbers (a switchboard or a role mailbox would reach every
colleague), and numbers are only killed (disconnected, wrong number) where every number of the
person is dead, so which number a golden record keeps cannot change who is reachable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hygiene_pipeline.synthetic.columns import chance, row_choice
from hygiene_pipeline.synthetic.plan import Cap, Plan, Scenario, Tier
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import EmailKind, Records
from hygiene_pipeline.synthetic.timeline import CALL_RECENT, Timeline, call_days, uniform_days

STATUS_DISPOSITIONS = ("left_company", "company_moved", "company_closed")
QUIET_DISPOSITIONS = ("no_answer", "voicemail", "busy")
QUIET_WEIGHTS = (0.5, 0.35, 0.15)
BACKGROUND_EVENTS = ("email_open", "web_visit", "email_click", "content_download")
EMAIL_EVENTS = frozenset({"email_open", "email_click", "unsubscribe"})
COMPANY_SIGNAL_CALLERS = 3


@dataclass(frozen=True)
class Evidence:
    """Planted evidence with the person it belongs to (the writers drop that column)."""

    calls: pd.DataFrame  # person, record (-1: none), number (-1: none), ts, disposition, words_file
    bounces: pd.DataFrame  # person, email_kind, ts, klass (hard/soft/block/complaint), repeat
    events: pd.DataFrame  # person, record (-1: by email), email_kind, ts, event_type
    dnc: pd.DataFrame  # number, ts, listed_by ("registry"/"internal"), person (-1: nobody's)


@dataclass
class _Planter:
    """Collects evidence rows scenario by scenario, then resolves records, mailboxes and times."""

    rng: np.random.Generator
    pop: Population
    records: Records
    points: pd.DataFrame
    timeline: Timeline
    calls: list[pd.DataFrame] = field(default_factory=list)
    bounces: list[pd.DataFrame] = field(default_factory=list)
    events: list[pd.DataFrame] = field(default_factory=list)

    def number_for(self, person: np.ndarray, switchboard_share: float = 0.2) -> np.ndarray:
        """A number to dial: a personal number on the person's records, sometimes the company
        switchboard instead; -1 when the records show none."""
        first = self.points["number_1"].to_numpy()[person]
        second = self.points["number_2"].to_numpy()[person]
        board = self.pop.companies.switchboard[self.pop.people.company[person]]
        has_board = self.points["has_switchboard"].to_numpy()[person]
        weights = np.column_stack(
            [
                np.where(first >= 0, 1.0, 0.0),
                np.where(second >= 0, 0.5, 0.0),
                np.where(has_board, switchboard_share, 0.0),
            ]
        )
        choice = row_choice(self.rng, weights)
        return np.select(
            [choice == 0, choice == 1, choice == 2], [first, second, board], default=-1
        )

    def call(
        self,
        person: np.ndarray,
        days: np.ndarray,
        disposition: str | np.ndarray,
        number: np.ndarray,
        contact: np.ndarray | None = None,
    ) -> None:
        """Call attempts; `contact` says which carry the contact id (default: a random 60%,
        and always those without a number or to a switchboard)."""
        person = np.asarray(person, dtype=np.int64)
        if contact is None:
            contact = chance(self.rng, len(person), 0.6)
        personal = (number == self.points["number_1"].to_numpy()[person]) | (
            number == self.points["number_2"].to_numpy()[person]
        )
        contact = np.asarray(contact) | (number < 0) | ~personal
        disposition = np.broadcast_to(np.asarray(disposition, dtype=object), person.shape)
        self.calls.append(
            pd.DataFrame(
                {
                    "person": person,
                    "day": days,
                    "number": number,
                    "contact": contact,
                    "disposition": disposition,
                }
            )
        )

    def event(self, person: np.ndarray, days: np.ndarray, event_type: str | np.ndarray) -> None:
        """Engagement events of the given type(s)."""
        event_type = np.broadcast_to(np.asarray(event_type, dtype=object), np.shape(person))
        self.events.append(pd.DataFrame({"person": person, "day": days, "event_type": event_type}))

    def bounce(
        self,
        person: np.ndarray,
        days: np.ndarray,
        klass: str,
        email_kind: np.ndarray,
        repeat: bool = False,
    ) -> None:
        """Bounces of the given class on the person's work or personal mailbox."""
        self.bounces.append(
            pd.DataFrame(
                {
                    "person": person,
                    "day": days,
                    "klass": klass,
                    "email_kind": email_kind,
                    "repeat": repeat,
                }
            )
        )


def _own_mailboxes(records: Records, people: int) -> tuple[np.ndarray, np.ndarray]:
    """Per person: is the work / personal mailbox on any record (validly written)?"""

    def on_records(kind: EmailKind) -> np.ndarray:
        mask = records.email_valid & (records.email_kind == kind)
        return np.bincount(records.person[mask], minlength=people) > 0

    return on_records(EmailKind.WORK), on_records(EmailKind.PERSONAL)


def _pick_mailbox(
    rng: np.random.Generator, person: np.ndarray, work: np.ndarray, personal: np.ndarray
) -> np.ndarray:
    """WORK or PERSONAL per row among the mailboxes the person has on records (NONE if neither)."""
    weights = np.column_stack(
        [np.where(work[person], 0.75, 0.0), np.where(personal[person], 0.25, 0.0)]
    )
    choice = row_choice(rng, weights)
    return np.select(
        [choice == 0, choice == 1], [EmailKind.WORK, EmailKind.PERSONAL], default=EmailKind.NONE
    )


def _scenario_signals(p: _Planter, plan: Plan, work: np.ndarray, personal: np.ndarray) -> None:
    """The negative evidence (and later presence) that each scenario is about."""
    rng = p.rng
    people = np.arange(len(plan.scenario))
    signal = plan.signal_day

    left = people[np.isin(plan.scenario, (Scenario.LEFT_COMPANY, Scenario.ACTIVE_AFTER_LEFT))]
    p.call(
        left,
        signal[left],
        "left_company",
        p.number_for(left, switchboard_share=1.0),
        contact=np.ones(len(left), bool),
    )
    gone = left[
        (plan.scenario[left] == Scenario.LEFT_COMPANY) & work[left] & chance(rng, len(left), 0.6)
    ]
    p.bounce(
        gone,
        uniform_days(rng, 1, signal[gone] - 1, len(gone)),
        "hard",
        np.full(len(gone), EmailKind.WORK),
    )

    back = people[plan.scenario == Scenario.ACTIVE_AFTER_LEFT]
    p.call(
        back,
        call_days(rng, CALL_RECENT[0], signal[back] - 10, len(back)),
        "connected",
        p.number_for(back),
    )

    bounced = people[plan.scenario == Scenario.ACTIVE_AFTER_BOUNCE]
    p.bounce(bounced, signal[bounced], "hard", _pick_mailbox(rng, bounced, work, personal))
    number = p.points["number_1"].to_numpy()[bounced]
    p.call(
        bounced,
        call_days(rng, CALL_RECENT[0], signal[bounced] - 10, len(bounced)),
        "connected",
        number,
    )

    for scenario, disposition in (
        (Scenario.COMPANY_MOVED, "company_moved"),
        (Scenario.COMPANY_CLOSED, "company_closed"),
    ):
        members = people[
            np.isin(
                plan.scenario,
                (scenario, Scenario.MOVED_WITH_COMPANY)
                if scenario == Scenario.COMPANY_MOVED
                else (scenario,),
            )
        ]
        order = members[np.lexsort((rng.random(len(members)), p.pop.people.company[members]))]
        company = p.pop.people.company[order]
        rank = np.arange(len(order)) - np.searchsorted(company, company, side="left")
        callers = order[(rank < COMPANY_SIGNAL_CALLERS) & (plan.scenario[order] == scenario)]
        board = p.pop.companies.switchboard[p.pop.people.company[callers]]
        days = call_days(
            rng, np.maximum(signal[callers] - 15, CALL_RECENT[0]), signal[callers], len(callers)
        )
        p.call(callers, days, disposition, board, contact=np.ones(len(callers), bool))
    closed = people[
        (plan.scenario == Scenario.COMPANY_CLOSED) & work & chance(rng, len(people), 0.5)
    ]
    p.bounce(
        closed,
        uniform_days(rng, 1, signal[closed] - 1, len(closed)),
        "hard",
        np.full(len(closed), EmailKind.WORK),
    )
    moved_on = people[plan.scenario == Scenario.MOVED_WITH_COMPANY]
    p.call(
        moved_on,
        call_days(rng, CALL_RECENT[0], signal[moved_on] - 20, len(moved_on)),
        "connected",
        p.number_for(moved_on),
    )

    dead = people[plan.scenario == Scenario.INVALID]
    for slot in ("number_1", "number_2"):
        number = p.points[slot].to_numpy()[dead]
        has = dead[number >= 0]
        kill = np.where(chance(rng, len(has), 0.7), "disconnected", "wrong_number")
        p.call(
            has, call_days(rng, signal[has] - 10, signal[has], len(has)), kill, number[number >= 0]
        )
    for kind, owned in ((EmailKind.WORK, work), (EmailKind.PERSONAL, personal)):
        has = dead[owned[dead]]
        p.bounce(
            has,
            uniform_days(rng, signal[has] - 10, signal[has], len(has)),
            "hard",
            np.full(len(has), kind),
        )
        again = has[chance(rng, len(has), 0.3)]
        p.bounce(
            again,
            uniform_days(rng, 1, signal[again] - 11, len(again)),
            "hard",
            np.full(len(again), kind),
            repeat=True,
        )


def _intent(p: _Planter, plan: Plan) -> None:
    """Events and call outcomes that put each active person clearly inside their tier's band
    (score >= 50 high, >= 15 medium): the decayed sums below keep 9+ points from each edge."""
    rng = p.rng
    people = np.arange(len(plan.tier))

    high = people[plan.tier == Tier.HIGH]
    anchor = rng.choice(3, size=len(high))
    for kind, event_type in ((0, "meeting_booked"), (1, "demo_request")):
        rows = high[anchor == kind]
        p.event(rows, uniform_days(rng, 0, 5, len(rows)), event_type)
    called = high[anchor == 2]
    p.call(called, call_days(rng, *CALL_RECENT, len(called)), "interested", p.number_for(called))
    p.event(high, uniform_days(rng, 0, 5, len(high)), "form_submit")
    p.event(high, uniform_days(rng, 0, 10, len(high)), "pricing_page_view")
    _extras(p, high, "email_click", 3, 20)
    _extras(p, high, "web_visit", 2, 30)

    medium = people[plan.tier == Tier.MEDIUM]
    by_form = chance(rng, len(medium), 0.6)
    form, callback = medium[by_form], medium[~by_form]
    p.event(form, uniform_days(rng, 0, 10, len(form)), "form_submit")
    p.event(form, uniform_days(rng, 5, 30, len(form)), "content_download")
    p.call(
        callback, call_days(rng, *CALL_RECENT, len(callback)), "callback", p.number_for(callback)
    )
    p.event(callback, uniform_days(rng, 0, 10, len(callback)), "pricing_page_view")
    _extras(p, medium, "email_open", 3, 60)
    _extras(p, medium, "web_visit", 2, 60)

    low = people[plan.tier == Tier.LOW]
    count = rng.integers(1, 5, size=len(low))
    quiet = np.repeat(low, count)
    p.event(
        quiet,
        uniform_days(rng, 60, 300, len(quiet)),
        np.where(chance(rng, len(quiet), 0.5), "email_open", "web_visit"),
    )
    unsubscribed = low[chance(rng, len(low), 0.15)]
    p.event(unsubscribed, uniform_days(rng, 0, 300, len(unsubscribed)), "unsubscribe")
    declined = low[chance(rng, len(low), 0.15)]
    p.call(
        declined,
        call_days(rng, CALL_RECENT[0], 200, len(declined)),
        "not_interested",
        p.number_for(declined),
    )


def _extras(p: _Planter, people: np.ndarray, event_type: str, most: int, within_days: int) -> None:
    """0..`most` further small events per person in the last `within_days` days."""
    repeated = np.repeat(people, p.rng.integers(0, most + 1, size=len(people)))
    p.event(repeated, uniform_days(p.rng, 0, within_days, len(repeated)), event_type)


def _background(p: _Planter, plan: Plan) -> None:
    """Everyday evidence that does not change anyone's story: unanswered calls, old connected
    calls and engagement no later than each person's presence floor."""
    rng = p.rng
    n = len(plan.scenario)
    people = np.arange(n)
    active = plan.active
    floor = plan.presence_floor

    tries = people[chance(rng, n, 0.35)]
    tries = np.repeat(tries, rng.integers(1, 4, size=len(tries)))
    quiet = np.array(QUIET_DISPOSITIONS, dtype=object)[
        rng.choice(3, size=len(tries), p=QUIET_WEIGHTS)
    ]
    p.call(tries, call_days(rng, 9, 700, len(tries)), quiet, p.number_for(tries))

    talked = people[chance(rng, n, np.where(active, 0.25, 0.15))]
    low = np.maximum(floor[talked], 9)
    high = np.where(active[talked], 330, low + 400)
    p.call(talked, call_days(rng, low, high, len(talked)), "connected", p.number_for(talked))

    engaged = people[~active & chance(rng, n, 0.4)]
    engaged = np.repeat(engaged, rng.integers(1, 4, size=len(engaged)))
    kinds = np.array(BACKGROUND_EVENTS, dtype=object)[
        rng.integers(0, len(BACKGROUND_EVENTS), size=len(engaged))
    ]
    p.event(engaged, uniform_days(rng, floor[engaged], floor[engaged] + 400, len(engaged)), kinds)


def _caps_and_dnc(p: _Planter, plan: Plan) -> None:
    """Recent attempts that reach the frequency cap, and do-not-call requests on calls."""
    rng = p.rng
    people = np.arange(len(plan.cap))
    attempts = {Cap.ONE_TODAY: (1, 1), Cap.TWO_OR_THREE_TODAY: (2, 3), Cap.SEVEN_THIS_WEEK: (7, 8)}
    for cap, (least, most) in attempts.items():
        capped = people[plan.cap == cap]
        capped = np.repeat(capped, rng.integers(least, most + 1, size=len(capped)))
        days = (
            np.zeros(len(capped), dtype=np.int64)
            if cap != Cap.SEVEN_THIS_WEEK
            else call_days(rng, *CALL_RECENT, len(capped))
        )
        quiet = np.array(QUIET_DISPOSITIONS, dtype=object)[
            rng.choice(3, size=len(capped), p=QUIET_WEIGHTS)
        ]
        p.call(capped, days, quiet, p.number_for(capped))
    asked = people[plan.dnc_call]
    p.call(
        asked,
        call_days(rng, CALL_RECENT[0], 400, len(asked)),
        "do_not_call",
        p.number_for(asked, switchboard_share=0.0),
    )


def _other_bounces(p: _Planter, plan: Plan, work: np.ndarray, personal: np.ndarray) -> None:
    """Soft bounces (some three within 30 days), policy blocks, complaints and hard bounces of
    people who stay reachable by phone."""
    rng = p.rng
    n = len(plan.scenario)
    people = np.arange(n)
    mailbox = work | personal
    soft = people[mailbox & chance(rng, n, 0.04)]
    count = rng.integers(1, 5, size=len(soft))
    start = uniform_days(rng, 4 * 8, 300, len(soft))
    repeated = np.repeat(soft, count)
    step = np.arange(len(repeated)) - np.repeat(np.cumsum(count) - count, count)
    days = np.repeat(start, count) - step * rng.integers(1, 9, size=len(repeated))
    kind = np.repeat(_pick_mailbox(rng, soft, work, personal), count)
    p.bounce(repeated, days, "soft", kind)
    for klass, share in (("block", 0.03), ("complaint", 0.007)):
        hit = people[mailbox & chance(rng, n, share)]
        p.bounce(
            hit, uniform_days(rng, 0, 400, len(hit)), klass, _pick_mailbox(rng, hit, work, personal)
        )
    phone_ok = (p.points["number_1"].to_numpy() >= 0) & np.isin(
        plan.scenario, (Scenario.ACTIVE, Scenario.STALE)
    )
    hard = people[mailbox & phone_ok & chance(rng, n, 0.015)]
    p.bounce(
        hard, uniform_days(rng, 0, 600, len(hard)), "hard", _pick_mailbox(rng, hard, work, personal)
    )


def _dnc_entries(
    rng: np.random.Generator, pop: Population, points: pd.DataFrame, plan: Plan, timeline: Timeline
) -> pd.DataFrame:
    """DNC-list rows: every personal number of people who registered, plus numbers of nobody."""
    people = np.flatnonzero(plan.dnc_list)
    numbers = np.concatenate(
        [
            points["number_1"].to_numpy()[people],
            points["number_2"].to_numpy()[people],
            pop.spare_numbers,
        ]
    )
    owner = np.concatenate([people, people, np.full(len(pop.spare_numbers), -1)])
    keep = numbers >= 0
    numbers, owner = numbers[keep], owner[keep]
    ts = timeline.stamp(
        rng, uniform_days(rng, 10, 900, len(numbers)), pop.numbers.country_index(numbers)
    )
    listed_by = np.where(chance(rng, len(numbers), 0.7), "registry", "internal")
    return pd.DataFrame({"number": numbers, "ts": ts, "listed_by": listed_by, "person": owner})


def plant_evidence(
    rng: np.random.Generator,
    pop: Population,
    records: Records,
    points: pd.DataFrame,
    plan: Plan,
    timeline: Timeline,
) -> Evidence:
    """All evidence of all people, with timestamps, contact records and mailboxes resolved."""
    n = len(pop.people)
    work, personal = _own_mailboxes(records, n)
    planter = _Planter(rng, pop, records, points, timeline)
    _scenario_signals(planter, plan, work, personal)
    _intent(planter, plan)
    _background(planter, plan)
    _caps_and_dnc(planter, plan)
    _other_bounces(planter, plan, work, personal)

    by_person = np.argsort(records.person, kind="stable")
    first_record = np.searchsorted(records.person[by_person], np.arange(n))

    def record_of(person: np.ndarray) -> np.ndarray:
        """A random record of each row's person."""
        offset = np.floor(rng.random(len(person)) * pop.people.records[person]).astype(np.int64)
        return by_person[first_record[person] + offset]

    country = pop.people.country
    calls = pd.concat(planter.calls, ignore_index=True)
    calls["record"] = np.where(calls["contact"], record_of(calls["person"].to_numpy()), -1)
    calls["ts"] = timeline.stamp(rng, calls["day"].to_numpy(), country[calls["person"].to_numpy()])
    calls["words_file"] = calls["disposition"].isin(STATUS_DISPOSITIONS).to_numpy() | chance(
        rng, len(calls), 0.5
    )

    events = pd.concat(planter.events, ignore_index=True)
    person = events["person"].to_numpy()
    mailbox = _pick_mailbox(rng, person, work, personal)
    prefer_email = np.where(events["event_type"].isin(EMAIL_EVENTS), 0.85, 0.1)
    by_email = (mailbox != EmailKind.NONE) & (rng.random(len(events)) < prefer_email)
    events["email_kind"] = np.where(by_email, mailbox, EmailKind.NONE)
    events["record"] = np.where(by_email, -1, record_of(person))
    events["ts"] = timeline.stamp(rng, events["day"].to_numpy(), country[person])

    bounces = pd.concat(planter.bounces, ignore_index=True)
    bounces = bounces[bounces["email_kind"] != EmailKind.NONE].reset_index(drop=True)
    bounces["ts"] = timeline.stamp(
        rng, bounces["day"].to_numpy(), country[bounces["person"].to_numpy()]
    )

    columns = {
        "calls": ["person", "record", "number", "ts", "disposition", "words_file"],
        "events": ["person", "record", "email_kind", "ts", "event_type"],
        "bounces": ["person", "email_kind", "ts", "klass", "repeat"],
    }
    return Evidence(
        calls=_by_time(calls[columns["calls"]]),
        events=_by_time(events[columns["events"]]),
        bounces=_by_time(bounces[columns["bounces"]]),
        dnc=_by_time(_dnc_entries(rng, pop, points, plan, timeline)),
    )


def _by_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in time order, as exports list them."""
    return frame.sort_values("ts", kind="stable").reset_index(drop=True)

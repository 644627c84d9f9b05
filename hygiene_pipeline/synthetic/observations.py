"""How the company's systems record the world: the rows of the call-log, engagement, bounce
and do-not-call feeds, and the touches the CRM logs on its records.

- Calls carry the contact id of one of the person's records when the dialer was working from
  the CRM; calls to a person's own numbers are often logged with the number only. Switchboard
  calls always carry a contact id (the number alone would not say who was meant).
- Email events and bounces name an address; web events a contact id.
- Do-not-call requests reach the internal lists (one without a country column, one with it),
  people's own numbers on national registers reach the registry file, and both hold numbers of
  nobody in the CRM.
- The CRM logs every call made with a contact id, every sales email and every form, demo or
  meeting on a record: its last-activity date moves with outbound attempts too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from hygiene_pipeline.synthetic.behaviour import Act, Behaviour
from hygiene_pipeline.synthetic.columns import chance, row_choice, take, to_numpy_text, where
from hygiene_pipeline.synthetic.lives import Lives
from hygiene_pipeline.synthetic.outreach import Outreach
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import EmailKind, Records
from hygiene_pipeline.synthetic.timeline import Timeline
from hygiene_pipeline.synthetic.world import NEVER, World

STATUS_DISPOSITIONS = ("left_company", "company_moved", "company_closed")
EVENT_TYPES = {
    Act.WEB_VISIT: "web_visit",
    Act.PRICING_VIEW: "pricing_page_view",
    Act.DOWNLOAD: "content_download",
    Act.EMAIL_CLICK: "email_click",
    Act.FORM_SUBMIT: "form_submit",
    Act.DEMO_REQUEST: "demo_request",
    Act.MEETING_BOOKED: "meeting_booked",
    Act.UNSUBSCRIBED: "unsubscribe",
}
LOGGED_ACTS = (Act.FORM_SUBMIT, Act.DEMO_REQUEST, Act.MEETING_BOOKED)
REQUEST_FILE_SHARES = (0.6, 0.4)  # internal requests without / with a country column
SPARE_SHARES = (0.7, 0.15, 0.15)  # nobody's numbers: registry, internal, regional


@dataclass(frozen=True)
class Observations:
    """Feed rows with the person they belong to (the writers drop that column)."""

    calls: pd.DataFrame  # person, record (-1: none), number (-1: none), ts, disposition, words_file
    events: pd.DataFrame  # person, record (-1: by address), address, ts, event_type
    bounces: pd.DataFrame  # person, address, ts, klass
    dnc: pd.DataFrame  # number, ts, listed_by (registry/internal/regional), person (-1: nobody)
    last_touch: np.ndarray  # per record: day of the latest touch the CRM logged, NEVER if none


@dataclass(frozen=True)
class _RecordIndex:
    """Each person's records (padded) with their creation days, to pick one by date."""

    rows: np.ndarray  # (people, most records) record index, -1 padding
    created: np.ndarray
    account: np.ndarray  # the company each record shows

    @classmethod
    def of(cls, records: Records, people: int) -> _RecordIndex:
        real = np.flatnonzero(records.person >= 0)
        owner = records.person[real]
        order = real[np.argsort(owner, kind="stable")]
        owner = records.person[order]
        slot = np.arange(len(order)) - np.searchsorted(owner, owner, side="left")
        width = int(slot.max(initial=0)) + 1
        rows = np.full((people, width), -1)
        rows[owner, slot] = order
        created = np.where(rows >= 0, records.created_day[np.maximum(rows, 0)], -1)
        account = np.where(rows >= 0, records.account[np.maximum(rows, 0)], -1)
        return cls(rows, created, account)

    def pick(
        self,
        rng: np.random.Generator,
        person: np.ndarray,
        day: np.ndarray,
        account: np.ndarray | None = None,
    ) -> np.ndarray:
        """A random record of each person that existed on `day` (the oldest one otherwise),
        among those showing `account` where that is given (not -1)."""
        rows, created = self.rows[person], self.created[person]
        usable = (rows >= 0) & (created >= np.asarray(day)[:, None])
        if account is not None:
            wanted = np.asarray(account)[:, None]
            usable &= (wanted < 0) | (self.account[person] == wanted)
        weights = usable.astype(float)
        choice = row_choice(rng, weights)
        oldest = np.argmax(np.where(rows >= 0, created, -1), axis=1)
        choice = np.where(choice >= 0, choice, oldest)
        return np.take_along_axis(rows, choice[:, None], 1)[:, 0]


def addresses(pop: Population, world: World, person: np.ndarray, mailbox: np.ndarray) -> pa.Array:
    """The address of each (person, mailbox kind)."""
    people = pop.people
    role = take(pop.companies.role_mailbox, people.company[person])
    return where(
        mailbox == EmailKind.WORK,
        take(people.work_email, person),
        where(
            mailbox == EmailKind.PERSONAL,
            take(people.personal_email, person),
            where(mailbox == EmailKind.ROLE, role, take(world.new_work_email, person)),
        ),
    )


def _stamp(
    rng: np.random.Generator, timeline: Timeline, pop: Population, person: np.ndarray, day
) -> np.ndarray:
    country = pop.people.country[np.maximum(person, 0)]
    return timeline.stamp(rng, np.asarray(day), country)


def _calls(
    rng: np.random.Generator,
    outreach: Outreach,
    index: _RecordIndex,
    pop: Population,
    lives: Lives,
    timeline: Timeline,
) -> pd.DataFrame:
    """Call rows; a call on a switchboard or about the person's company is logged against a
    record showing that company (a job changer has records at two)."""
    calls = outreach.calls
    person, day = calls["person"].to_numpy(), calls["day"].to_numpy()
    number = calls["number"].to_numpy()
    disposition = calls["disposition"].to_numpy(dtype=object)
    board = np.where(number >= 0, lives.number_company[np.maximum(number, 0)], -1)
    about = np.isin(disposition, STATUS_DISPOSITIONS)
    account = np.where(board >= 0, board, np.where(about, pop.people.company[person], -1))
    contact = calls["contact"].to_numpy() | (number < 0)
    record = np.where(contact, index.pick(rng, person, day, account), -1)
    words = np.isin(disposition, STATUS_DISPOSITIONS) | chance(rng, len(calls), 0.5)
    return pd.DataFrame(
        {
            "person": person,
            "record": record,
            "number": calls["number"].to_numpy(),
            "ts": _stamp(rng, timeline, pop, person, day),
            "disposition": disposition,
            "words_file": words,
        }
    )


def _events(
    rng: np.random.Generator,
    behaviour: Behaviour,
    outreach: Outreach,
    index: _RecordIndex,
    pop: Population,
    world: World,
    timeline: Timeline,
) -> pd.DataFrame:
    acts = behaviour.acts[behaviour.acts["act"].isin(list(EVENT_TYPES))]
    person = np.concatenate([acts["person"].to_numpy(), outreach.opens["person"].to_numpy()])
    day = np.concatenate([acts["day"].to_numpy(), outreach.opens["day"].to_numpy()])
    mailbox = np.concatenate([acts["mailbox"].to_numpy(), outreach.opens["mailbox"].to_numpy()])
    kind = np.concatenate(
        [
            acts["act"].map(EVENT_TYPES).to_numpy(dtype=object),
            np.full(len(outreach.opens), "email_open", dtype=object),
        ]
    )
    by_address = mailbox != EmailKind.NONE
    return pd.DataFrame(
        {
            "person": person,
            "record": np.where(by_address, -1, index.pick(rng, person, day)),
            "address": to_numpy_text(addresses(pop, world, person, mailbox)),
            "ts": _stamp(rng, timeline, pop, person, day),
            "event_type": kind,
        }
    ).assign(address=lambda f: f["address"].where(by_address, None))


def _bounces(
    rng: np.random.Generator, outreach: Outreach, pop: Population, world: World, timeline
) -> pd.DataFrame:
    bounces = outreach.bounces
    person = bounces["person"].to_numpy()
    frame = pd.DataFrame(
        {
            "person": person,
            "address": to_numpy_text(addresses(pop, world, person, bounces["mailbox"].to_numpy())),
            "day": bounces["day"].to_numpy(),
            "klass": bounces["klass"].to_numpy(dtype=object),
        }
    )
    # A role mailbox on several colleagues' records bounces once per send, not once each.
    frame = frame.drop_duplicates(["address", "day", "klass"]).reset_index(drop=True)
    # After a first hard bounce an ESP often drops further sends to the address itself.
    hard = frame[frame["klass"] == "hard"].sort_values(["address", "day"], ascending=[True, False])
    again = hard.index[hard.duplicated("address")]
    frame.loc[again[chance(rng, len(again), 0.5)], "klass"] = "dropped"
    frame["ts"] = _stamp(rng, timeline, pop, frame["person"].to_numpy(), frame["day"])
    return frame.drop(columns="day")


def _dnc(
    rng: np.random.Generator, behaviour: Behaviour, pop: Population, timeline: Timeline
) -> pd.DataFrame:
    requests = behaviour.acts[behaviour.acts["act"] == Act.ASKED_DNC_BY_REQUEST]
    registered = np.flatnonzero(behaviour.registered_number >= 0)
    spare = pop.spare_numbers
    listed_by = np.concatenate(
        [
            np.where(chance(rng, len(requests), REQUEST_FILE_SHARES[0]), "internal", "regional"),
            np.full(len(registered), "registry"),
            np.array(("registry", "internal", "regional"))[
                rng.choice(3, size=len(spare), p=SPARE_SHARES)
            ],
        ]
    ).astype(object)
    person = np.concatenate([requests["person"].to_numpy(), registered, np.full(len(spare), -1)])
    day = np.concatenate(
        [
            requests["day"].to_numpy(),
            behaviour.registered_day[registered],
            np.asarray(rng.integers(10, 1500, size=len(spare))),
        ]
    )
    number = np.concatenate(
        [requests["number"].to_numpy(), behaviour.registered_number[registered], spare]
    )
    country = pop.numbers.country_index(number)
    return pd.DataFrame(
        {
            "number": number,
            "ts": timeline.stamp(rng, day, country),
            "listed_by": listed_by,
            "person": person,
        }
    )


def _last_touch(
    rng: np.random.Generator,
    calls: pd.DataFrame,
    outreach: Outreach,
    behaviour: Behaviour,
    index: _RecordIndex,
    records: Records,
) -> np.ndarray:
    """Per record, the latest day the CRM logged a touch on it."""
    sent = outreach.sent
    logged = behaviour.acts[behaviour.acts["act"].isin(LOGGED_ACTS)]
    record = np.concatenate(
        [
            np.where(calls["record"] >= 0, calls["record"], -1),
            index.pick(rng, sent["person"].to_numpy(), sent["day"].to_numpy()),
            index.pick(rng, logged["person"].to_numpy(), logged["day"].to_numpy()),
        ]
    )
    day = np.concatenate(
        [outreach.calls["day"].to_numpy(), sent["day"].to_numpy(), logged["day"].to_numpy()]
    )
    keep = record >= 0
    latest = np.full(len(records), np.iinfo(np.int64).max)
    np.minimum.at(latest, record[keep], day[keep])
    return np.where(latest == np.iinfo(np.int64).max, NEVER, latest)


def observe(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    records: Records,
    lives: Lives,
    behaviour: Behaviour,
    outreach: Outreach,
    timeline: Timeline,
) -> Observations:
    """The feed rows of the world's calls, acts, mail and do-not-call requests."""
    index = _RecordIndex.of(records, len(pop.people))
    calls = _calls(rng, outreach, index, pop, lives, timeline)
    events = _events(rng, behaviour, outreach, index, pop, world, timeline)
    return Observations(
        calls=_by_time(calls),
        events=_by_time(events),
        bounces=_by_time(_bounces(rng, outreach, pop, world, timeline)),
        dnc=_by_time(_dnc(rng, behaviour, pop, timeline)),
        last_touch=_last_touch(rng, calls, outreach, behaviour, index, records),
    )


def _by_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in time order, as exports list them."""
    return frame.sort_values("ts", kind="stable").reset_index(drop=True)

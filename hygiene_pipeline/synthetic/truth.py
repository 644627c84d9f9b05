"""The ground truth of a generated CRM, derived from the planted evidence by the rules of
`docs/scoring_rules.md` (their defaults: 365 inactive days, 30-day intent half-life, tiers at
50/15, at most 2 calls on the `as_of` day and 7 in 7 days).

The generator knows who every record and every piece of evidence belongs to, so this applies the
rules per true person: what a perfect pipeline (perfect linkage, perfect standardisation) would
conclude. Status precedence: company_closed, left_company, company_relocated, invalid_contact,
stale_inactive, active; a status signal counts only when no presence evidence is dated after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.synthetic.columns import take, to_numpy_text, where
from hygiene_pipeline.synthetic.evidence import Evidence
from hygiene_pipeline.synthetic.file_io import format_times
from hygiene_pipeline.synthetic.population import Population, mailbox_key
from hygiene_pipeline.synthetic.record_activity import NO_TIME, ConsentStatus, RecordActivity
from hygiene_pipeline.synthetic.records import EmailKind, Records
from hygiene_pipeline.synthetic.timeline import DAY, Timeline

INACTIVITY_DAYS = 365
HALF_LIFE_DAYS = 30.0
HIGH_FROM, MEDIUM_FROM = 50.0, 15.0
DAILY_CAP, WEEKLY_CAP = 2, 7
PRESENCE_DISPOSITIONS = ("connected", "interested", "callback", "not_interested")
DEAD_NUMBER_DISPOSITIONS = ("disconnected", "wrong_number")
INTENT_WEIGHTS: dict[str, float] = {
    "meeting_booked": 45,
    "demo_request": 40,
    "interested": 35,
    "form_submit": 20,
    "pricing_page_view": 15,
    "callback": 15,
    "content_download": 10,
    "email_click": 5,
    "web_visit": 3,
    "email_open": 1,
    "unsubscribe": -30,
    "not_interested": -40,
}


def _latest(frame: pd.DataFrame, by: str, people: int, ts: str = "ts") -> np.ndarray:
    """Latest timestamp per `by` value (0..people-1), NO_TIME where there is none."""
    out = np.full(people, NO_TIME, dtype=np.int64)
    if len(frame):
        latest = frame.groupby(by)[ts].max()
        out[latest.index.to_numpy()] = latest.to_numpy()
    return out


def _day(seconds: np.ndarray) -> np.ndarray:
    """ISO dates (YYYY-MM-DD) of epoch seconds; None for NO_TIME."""
    return to_numpy_text(format_times(seconds, "%Y-%m-%d", NO_TIME))


def _presence(
    evidence: Evidence, records: Records, activity: RecordActivity, people: int
) -> tuple[np.ndarray, np.ndarray]:
    """Latest presence per person and what it was (call, engagement event, CRM activity)."""
    calls = evidence.calls[evidence.calls["disposition"].isin(PRESENCE_DISPOSITIONS)]
    known = activity.last_activity_at != NO_TIME
    crm = pd.DataFrame({"person": records.person[known], "ts": activity.last_activity_at[known]})
    sources = np.stack(
        [
            _latest(calls, "person", people),
            _latest(evidence.events, "person", people),
            _latest(crm, "person", people),
        ]
    )
    kind = np.array(["connected call", "engagement event", "CRM activity"], dtype=object)
    return sources.max(axis=0), kind[sources.argmax(axis=0)]


def _usable_phone(evidence: Evidence, records: Records, people: int) -> np.ndarray:
    """A valid number on the person's records whose latest disconnected/wrong-number call is
    not followed by a presence call on that number."""
    pairs = pd.DataFrame(
        {
            "person": np.concatenate([records.person, records.person]),
            "number": np.concatenate([records.phone_number, records.mobile_number]),
        }
    )
    pairs = pairs[pairs["number"] >= 0].drop_duplicates()
    calls = evidence.calls[evidence.calls["number"] >= 0]
    killed = (
        calls[calls["disposition"].isin(DEAD_NUMBER_DISPOSITIONS)].groupby("number")["ts"].max()
    )
    answered = calls[calls["disposition"].isin(PRESENCE_DISPOSITIONS)].groupby("number")["ts"].max()
    kill = pairs["number"].map(killed).fillna(NO_TIME).to_numpy(np.int64)
    alive = pairs["number"].map(answered).fillna(NO_TIME).to_numpy(np.int64)
    usable = (kill == NO_TIME) | (alive > kill)
    return np.bincount(pairs["person"].to_numpy()[usable], minlength=people) > 0


def _usable_email(
    pop: Population, evidence: Evidence, records: Records, last_presence: np.ndarray, people: int
) -> np.ndarray:
    """A valid mailbox on the person's records not hard-bounced after their last presence."""
    hard = evidence.bounces[evidence.bounces["klass"] == "hard"]
    bounced_person = hard["person"].to_numpy()
    bounced = where(
        hard["email_kind"].to_numpy() == EmailKind.WORK,
        take(pop.people.work_email, bounced_person),
        take(pop.people.personal_email, bounced_person),
    )
    valid = np.flatnonzero(records.email_valid)
    # One integer code per mailbox, shared by the records' keys and the bounced addresses.
    codes = pc.dictionary_encode(
        pa.concat_arrays([records.email_key.take(pa.array(valid)), mailbox_key(bounced)])
    ).indices.to_numpy(zero_copy_only=False)
    record_code, bounce_code = codes[: len(valid)], codes[len(valid) :]
    last_hard = np.full(codes.max(initial=-1) + 1, NO_TIME, dtype=np.int64)
    np.maximum.at(last_hard, bounce_code, hard["ts"].to_numpy())
    kill = last_hard[record_code]
    person = records.person[valid]
    usable = (kill == NO_TIME) | (last_presence[person] > kill)
    return np.bincount(person[usable], minlength=people) > 0


def _signal(calls: pd.DataFrame, disposition: str, group: np.ndarray, groups: int) -> np.ndarray:
    """Latest call with `disposition` per group (person or company), spread back to people."""
    rows = calls[calls["disposition"] == disposition]
    by_group = pd.DataFrame(
        {"group": group[rows["person"].to_numpy()], "ts": rows["ts"].to_numpy()}
    )
    return _latest(by_group, "group", groups)[group]


def _intent(evidence: Evidence, timeline: Timeline, people: int) -> np.ndarray:
    """Decayed, clipped sum of signal weights per person."""
    signals = pd.concat(
        [
            evidence.events[["person", "ts", "event_type"]].rename(
                columns={"event_type": "signal"}
            ),
            evidence.calls[["person", "ts", "disposition"]].rename(
                columns={"disposition": "signal"}
            ),
        ]
    )
    weight = signals["signal"].map(INTENT_WEIGHTS).fillna(0.0).to_numpy()
    age_days = (timeline.as_of - signals["ts"].to_numpy()) / DAY
    contribution = weight * 0.5 ** (age_days / HALF_LIFE_DAYS)
    total = np.bincount(signals["person"].to_numpy(), weights=contribution, minlength=people)
    return np.clip(total, 0.0, 100.0)


def derive_truth(
    pop: Population,
    records: Records,
    activity: RecordActivity,
    evidence: Evidence,
    timeline: Timeline,
) -> pd.DataFrame:
    """Status, reason, intent, compliance and dial-list eligibility per person by the rules."""
    n = len(pop.people)
    people = np.arange(n)
    calls = evidence.calls
    last_presence, presence_kind = _presence(evidence, records, activity, n)
    company = pop.people.company
    closed = _signal(calls, "company_closed", company, len(pop.companies))
    moved = _signal(calls, "company_moved", company, len(pop.companies))
    left = _signal(calls, "left_company", people, n)

    def counts(signal: np.ndarray) -> np.ndarray:
        return (signal != NO_TIME) & (signal > last_presence)

    phone_usable = _usable_phone(evidence, records, n)
    reachable = phone_usable | _usable_email(pop, evidence, records, last_presence, n)
    stale = (last_presence == NO_TIME) | (last_presence < timeline.as_of - INACTIVITY_DAYS * DAY)
    status = np.select(
        [counts(closed), counts(left), counts(moved), ~reachable, stale],
        [
            "company_closed",
            "left_company",
            "company_relocated",
            "invalid_contact",
            "stale_inactive",
        ],
        default="active",
    )
    signal_day = _day(
        np.select(
            [counts(closed), counts(left), counts(moved)], [closed, left, moved], default=NO_TIME
        )
    ).astype(str)
    presence_day = _day(last_presence)
    reason = np.select(
        [
            status == "company_closed",
            status == "left_company",
            status == "company_relocated",
            status == "invalid_contact",
            (status == "stale_inactive") & (last_presence == NO_TIME),
        ],
        [
            "company_closed: call disposition company_closed on " + signal_day,
            "left_company: call disposition left_company on " + signal_day,
            "company_relocated: call disposition company_moved on " + signal_day,
            np.full(n, "invalid_contact: no usable phone and no usable email", dtype=object),
            np.full(n, "stale_inactive: no presence evidence", dtype=object),
        ],
        default=status.astype(object)
        + ": last presence ("
        + presence_kind
        + ") on "
        + presence_day.astype(str),
    )

    score = _intent(evidence, timeline, n)
    tier = np.where(score >= HIGH_FROM, "high", np.where(score >= MEDIUM_FROM, "medium", "low"))

    flagged = np.bincount(records.person[activity.do_not_call], minlength=n) > 0
    asked = np.bincount(calls.loc[calls["disposition"] == "do_not_call", "person"], minlength=n) > 0
    listed_numbers = evidence.dnc["number"].to_numpy()
    on_list = np.zeros(n, dtype=bool)
    for numbers in (records.phone_number, records.mobile_number):
        on_list[records.person[np.isin(numbers, listed_numbers) & (numbers >= 0)]] = True
    dnc_reason = (
        pd.Series(np.where(flagged, "crm_flag;", ""))
        + np.where(asked, "call_disposition;", "")
        + np.where(on_list, "dnc_list;", "")
    )

    opted_out = (
        np.bincount(records.person[activity.consent_status == ConsentStatus.OPTED_OUT], minlength=n)
        > 0
    )
    current = (activity.consent_status == ConsentStatus.OPTED_IN) & (
        (activity.consent_expires_at == NO_TIME) | (activity.consent_expires_at > timeline.as_of)
    )
    consent_valid = ~opted_out & (np.bincount(records.person[current], minlength=n) > 0)
    is_dnc = flagged | asked | on_list
    callable_ = phone_usable & ~is_dnc & consent_valid

    ts = calls["ts"].to_numpy()
    today = (ts >= timeline.day0) & (ts <= timeline.as_of)
    week = (ts > timeline.as_of - 7 * DAY) & (ts <= timeline.as_of)
    calls_today = np.bincount(calls["person"].to_numpy()[today], minlength=n)
    calls_7d = np.bincount(calls["person"].to_numpy()[week], minlength=n)
    active = status == "active"
    return pd.DataFrame(
        {
            "status": status,
            "status_reason": reason,
            "last_presence_at": presence_day,
            "intent_score": np.round(score, 2),
            "intent_tier": np.where(active, tier, None),
            "is_dnc": is_dnc,
            "dnc_reason": dnc_reason.str.rstrip(";").replace("", None).to_numpy(),
            "consent_valid": consent_valid,
            "is_callable": callable_,
            "calls_today": calls_today,
            "calls_7d": calls_7d,
            "on_dial_list": active
            & callable_
            & (calls_today < DAILY_CAP)
            & (calls_7d < WEEKLY_CAP),
        }
    )

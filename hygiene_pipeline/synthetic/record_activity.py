"""What each record says about the person's story: created / updated / last-activity dates,
consent, do-not-call and do-not-email flags, owner and lifecycle stage.

Timestamps are kept at the precision each export writes them (Salesforce's LastActivityDate is
a date, HubSpot writes minutes), so the ground truth is computed from exactly what the files
say. Consent expiries sit at least ten days from `as_of`, so no reading of "expired" is close.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from hygiene_pipeline.synthetic.columns import chance
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES, Source
from hygiene_pipeline.synthetic.plan import Consent, Plan
from hygiene_pipeline.synthetic.records import Records, one_record_each
from hygiene_pipeline.synthetic.timeline import DAY, Timeline, uniform_days

NO_TIME = np.iinfo(np.int64).min  # a missing timestamp


class ConsentStatus(IntEnum):
    """A record's consent_status (BLANK: the field is empty); `.name.lower()` is the value."""

    BLANK = 0
    OPTED_IN = 1
    OPTED_OUT = 2
    EXPIRED = 3
    UNKNOWN = 4


_PRECISION = {"day": DAY, "minute": 60}


@dataclass(frozen=True)
class RecordActivity:
    """Story-dependent fields per record (timestamps as epoch seconds, NO_TIME if missing)."""

    created_at: np.ndarray
    updated_at: np.ndarray
    last_activity_at: np.ndarray
    consent_status: np.ndarray  # ConsentStatus
    consent_expires_at: np.ndarray
    do_not_call: np.ndarray
    do_not_email: np.ndarray


def _last_activity(
    rng: np.random.Generator, records: Records, plan: Plan, timeline: Timeline
) -> np.ndarray:
    """The planned latest CRM activity on one record of each person; older or none on the rest."""
    n = len(plan.scenario)
    people = np.arange(n)
    latest_record = one_record_each(rng, records, people)
    day = plan.crm_activity_day[records.person]
    is_latest = np.zeros(len(records), dtype=bool)
    is_latest[latest_record] = True
    older = day + uniform_days(rng, 3, 200, len(records))
    day = np.where(is_latest, day, np.where(chance(rng, len(records), 0.5), older, -1))
    day = np.where(plan.crm_activity_day[records.person] < 0, -1, day)
    stamped = timeline.stamp(rng, np.maximum(day, 0), records.country_index)
    precision = np.array([_PRECISION[spec.activity_precision] for spec in CRM_FILES])[records.file]
    return np.where(day >= 0, stamped - stamped % precision, NO_TIME)


def _consent(
    rng: np.random.Generator, records: Records, plan: Plan, timeline: Timeline
) -> tuple[np.ndarray, np.ndarray]:
    """Consent status and expiry per record, following each person's consent plan."""
    m = len(records)
    kind = plan.consent[records.person]
    deciding = np.zeros(m, dtype=bool)
    deciding[one_record_each(rng, records, np.arange(len(plan.consent)))] = True
    future = timeline.day0 + uniform_days(rng, 30, 700, m) * DAY
    past = timeline.day0 - uniform_days(rng, 10, 500, m) * DAY
    never = np.full(m, NO_TIME)
    filler = rng.choice(
        (ConsentStatus.BLANK, ConsentStatus.UNKNOWN, ConsentStatus.OPTED_IN),
        size=m,
        p=(0.6, 0.25, 0.15),
    )
    status = np.select(
        [
            deciding & (kind == Consent.VALID),
            deciding & (kind == Consent.EXPIRED),
            deciding & (kind == Consent.WITHDRAWN),
            kind == Consent.UNKNOWN,
        ],
        [
            ConsentStatus.OPTED_IN,
            np.where(chance(rng, m, 0.5), ConsentStatus.OPTED_IN, ConsentStatus.EXPIRED),
            ConsentStatus.OPTED_OUT,
            np.where(chance(rng, m, 0.7), ConsentStatus.BLANK, ConsentStatus.UNKNOWN),
        ],
        default=filler,
    )
    # Opted-in records expire in the future unless the person's consent has expired.
    open_ended = chance(rng, m, 0.5)
    expires = np.where(
        kind == Consent.EXPIRED,
        np.where(np.isin(status, (ConsentStatus.OPTED_IN, ConsentStatus.EXPIRED)), past, never),
        np.where(status == ConsentStatus.OPTED_IN, np.where(open_ended, never, future), never),
    )
    return status, expires


def build_activity(
    rng: np.random.Generator, records: Records, plan: Plan, timeline: Timeline
) -> RecordActivity:
    """The story-dependent fields of every record."""
    m = len(records)
    last = _last_activity(rng, records, plan, timeline)
    known = last != NO_TIME
    anchor = np.where(known, np.minimum(last, timeline.as_of - 30 * DAY), timeline.as_of - 30 * DAY)
    created = anchor - uniform_days(rng, 0, 900, m) * DAY - rng.integers(0, DAY, size=m)
    touched = np.maximum(created, np.where(known, last, created))
    updated = np.minimum(touched + rng.integers(0, 30 * DAY, size=m), timeline.as_of - 60)
    status, expires = _consent(rng, records, plan, timeline)
    flag_people = np.flatnonzero(plan.dnc_flag)
    flagged = one_record_each(rng, records, flag_people, eligible=records.source != Source.HUBSPOT)
    do_not_call = np.zeros(m, dtype=bool)
    do_not_call[flagged[flagged >= 0]] = True
    return RecordActivity(
        created_at=created,
        updated_at=updated,
        last_activity_at=last,
        consent_status=status,
        consent_expires_at=expires,
        do_not_call=do_not_call,
        do_not_email=chance(rng, m, 0.05),
    )

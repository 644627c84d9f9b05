"""What each CRM record says besides who it is: created / updated / last-activity dates, consent,
do-not-call and do-not-email flags.

- `last_activity_at` is the latest touch the CRM logged on the record, outbound attempts that
  reached nobody included, so it is weak evidence that anyone is there.
- `updated_at` moves with any edit: a logged touch, a move update, a consent change, a flag.
- Consent: one record of each person states their consent (opted in with its expiry, if any;
  opted out after a recorded withdrawal; expired); their other records may say nothing, say
  "unknown", or still say opted in from before (always with the expiry the consent had). A person
  whose only withdrawal was an unsubscribe may well have records that still say opted in.
- A do-not-call request made through the CRM sets the flag on one Salesforce or legacy record
  (HubSpot exports have no such field).

Timestamps are kept at the precision each export writes them (Salesforce's LastActivityDate is
a date, HubSpot writes minutes); consent expiries are dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from hygiene_pipeline.synthetic.behaviour import Act, Behaviour
from hygiene_pipeline.synthetic.columns import chance
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES, Source
from hygiene_pipeline.synthetic.records import Records, one_record_each
from hygiene_pipeline.synthetic.timeline import DAY, Timeline, uniform_days
from hygiene_pipeline.synthetic.world import NEVER

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
class CrmFields:
    """Per record (timestamps as epoch seconds, NO_TIME if missing)."""

    created_at: np.ndarray
    updated_at: np.ndarray
    last_activity_at: np.ndarray
    consent_status: np.ndarray  # ConsentStatus
    consent_expires_at: np.ndarray
    do_not_call: np.ndarray
    do_not_email: np.ndarray


def _consent(
    rng: np.random.Generator, records: Records, behaviour: Behaviour, timeline: Timeline
) -> tuple[np.ndarray, np.ndarray]:
    """Consent status and expiry per record."""
    m = len(records)
    real = records.person >= 0
    person = np.maximum(records.person, 0)
    given = real & (behaviour.consent_given_day[person] >= 0)
    expiry_day = behaviour.consent_expiry_day[person]
    expiry = np.where(real & (expiry_day != NEVER), timeline.day0 - expiry_day * DAY, NO_TIME)
    expired = given & (expiry_day > 0)
    withdrawn = real & (behaviour.consent_withdrawn_day[person] >= 0)
    recorded = withdrawn & behaviour.withdrawal_on_record[person]
    deciding = np.zeros(m, dtype=bool)
    chosen = one_record_each(rng, records, np.arange(len(behaviour.pursued)))
    deciding[chosen[chosen >= 0]] = True
    quiet = np.where(chance(rng, m, 0.7), ConsentStatus.BLANK, ConsentStatus.UNKNOWN)
    stale = rng.choice(
        (ConsentStatus.BLANK, ConsentStatus.UNKNOWN, ConsentStatus.OPTED_IN),
        size=m,
        p=(0.5, 0.2, 0.3),
    )
    said_expired = chance(rng, m, 0.4)
    status = np.select(
        [
            deciding & recorded,
            deciding & given & expired & said_expired & ~withdrawn,
            deciding & given,
            given,
        ],
        [ConsentStatus.OPTED_OUT, ConsentStatus.EXPIRED, ConsentStatus.OPTED_IN, stale],
        default=quiet,
    )
    shows_expiry = (status == ConsentStatus.OPTED_IN) | (
        (status == ConsentStatus.EXPIRED) & chance(rng, m, 0.7)
    )
    return status, np.where(shows_expiry, expiry, NO_TIME)


def _stamp_days(
    rng: np.random.Generator, timeline: Timeline, days: np.ndarray, records: Records
) -> np.ndarray:
    return timeline.stamp(rng, np.maximum(days, 0), records.country_index)


def build_crm_fields(
    rng: np.random.Generator,
    records: Records,
    behaviour: Behaviour,
    last_touch: np.ndarray,
    timeline: Timeline,
) -> CrmFields:
    """The dates, consent and flags of every record."""
    m = len(records)
    touched = last_touch != NEVER
    stamped = _stamp_days(rng, timeline, last_touch, records)
    precision = np.array([_PRECISION[spec.activity_precision] for spec in CRM_FILES])[records.file]
    last = np.where(touched, stamped - stamped % precision, NO_TIME)
    created = _stamp_days(rng, timeline, records.created_day, records)
    status, expires = _consent(rng, records, behaviour, timeline)

    requests = behaviour.acts[behaviour.acts["act"] == Act.ASKED_DNC_IN_CRM]
    eligible = (records.person >= 0) & (records.source != Source.HUBSPOT)
    flagged = one_record_each(rng, records, requests["person"].to_numpy(), eligible=eligible)
    do_not_call = np.zeros(m, dtype=bool)
    do_not_call[flagged[flagged >= 0]] = True
    flag_day = np.full(m, NEVER)
    flag_day[flagged[flagged >= 0]] = requests["day"].to_numpy()[flagged >= 0]

    person = np.maximum(records.person, 0)
    withdrawal = np.where(
        status == ConsentStatus.OPTED_OUT, behaviour.consent_withdrawn_day[person], NEVER
    )
    edits = np.stack([records.created_day, last_touch, records.update_day, flag_day, withdrawal])
    latest = np.where(edits >= 0, edits, np.iinfo(np.int64).max).min(axis=0)
    later = uniform_days(rng, 0, np.minimum(latest, 20), m)
    updated = np.minimum(_stamp_days(rng, timeline, latest - later, records), timeline.as_of - 60)
    updated = np.maximum(updated, np.maximum(created, last))
    return CrmFields(
        created_at=created,
        updated_at=updated,
        last_activity_at=last,
        consent_status=status,
        consent_expires_at=expires,
        do_not_call=do_not_call,
        do_not_email=chance(rng, m, 0.05),
    )

"""Status per person from the contract vocabulary, its human-readable reason, and staleness.

Precedence, highest first (the first that applies wins):

1. `company_closed`: a `company_closed` call disposition for the person or, with
   `company_level_signals`, for anyone with the same `company_key`.
2. `left_company`: a `left_company` disposition for the person.
3. `company_relocated`: a `company_moved` disposition for the person or a colleague.
4. `invalid_contact`: no usable channel left (no working phone or mobile, no usable email).
5. `stale_inactive`: no presence evidence, or the last is more than `inactivity_days` old.
6. `active`: otherwise.

Newer evidence outweighs older: a status signal (1-3) counts only when no presence evidence of
the person (answered call, engagement event, CRM activity) is dated after it; the latest signal
that counts is the one named. Channel evidence follows the same rule (see `channels`).

`staleness_score` is 0 for presence today, rising linearly to 100 at
`staleness_full_factor x inactivity_days` without presence (100 when there is none), and at least
`negative_status_staleness_floor` for statuses 1-4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.scoring.frames import age_days, day_text, text_or_empty
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.signals import STATUS_DISPOSITIONS, Evidence

STATUSES: tuple[str, ...] = (
    "company_closed",
    "left_company",
    "company_relocated",
    "invalid_contact",
    "stale_inactive",
    "active",
)
"""The contract's status vocabulary, in precedence order."""

COMPANY_LEVEL_STATUSES: tuple[str, ...] = ("company_closed", "company_relocated")


def status_signals(
    golden: pd.DataFrame, evidence: Evidence, settings: ScoringSettings
) -> pd.DataFrame:
    """Every status signal that reaches a person: `entity_id`, `status`, `at`, `label`, `own`.

    `own` is False for a company-level signal from a colleague's call.
    """
    calls = evidence.calls
    calls = calls[calls["entity_id"].notna() & calls["disposition"].isin(STATUS_DISPOSITIONS)]
    own = pd.DataFrame(
        {
            "entity_id": calls["entity_id"],
            "status": calls["disposition"].map(STATUS_DISPOSITIONS),
            "at": calls["called_at"],
            "label": "call disposition " + calls["disposition"].astype(str),
            "own": True,
        }
    )
    if not settings.company_level_signals:
        return own.reset_index(drop=True)
    company = golden.loc[golden["company_key"].notna(), ["entity_id", "company_key"]]
    reported = own[own["status"].isin(COMPANY_LEVEL_STATUSES)].merge(company, on="entity_id")
    colleagues = reported.rename(columns={"entity_id": "reporter"}).merge(company, on="company_key")
    colleagues = colleagues[colleagues["entity_id"] != colleagues["reporter"]]
    shared = colleagues.assign(own=False).drop(columns=["company_key", "reporter"])
    return pd.concat([own, shared], ignore_index=True)


def person_status(
    golden: pd.DataFrame,
    evidence: Evidence,
    presence: pd.DataFrame,
    channels: pd.DataFrame,
    settings: ScoringSettings,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """`status`, `status_reason`, `staleness_score`, `last_presence_at` per `entity_id`."""
    people = golden.set_index("entity_id")
    last_at = presence["last_presence_at"].reindex(people.index)
    last_label = presence["last_presence_label"].reindex(people.index)

    signals = status_signals(golden, evidence, settings)
    outweighed = signals["entity_id"].map(presence["last_presence_at"]) > signals["at"]
    signals = signals[~outweighed].assign(rank=lambda f: f["status"].map(STATUSES.index))
    winning = (
        signals.sort_values(["rank", "at", "own"], ascending=[True, False, False], kind="stable")
        .drop_duplicates("entity_id")
        .set_index("entity_id")
        .reindex(people.index)
    )

    days = age_days(last_at, as_of)
    has_signal = winning["status"].notna().to_numpy()
    no_channel = ~(channels["phone_usable"] | channels["email_usable"]).reindex(people.index)
    stale = ~(days <= settings.inactivity_days).to_numpy()
    status = np.select(
        [has_signal, no_channel.to_numpy(), stale],
        [winning["status"].to_numpy(dtype=object), "invalid_contact", "stale_inactive"],
        default="active",
    ).astype(object)

    presence_text = text_or_empty(last_label) + " on " + text_or_empty(day_text(last_at))
    reason = np.select(
        [has_signal, no_channel.to_numpy(), stale & last_at.isna().to_numpy(), stale],
        [
            text_or_empty(winning["label"])
            + " on "
            + text_or_empty(day_text(winning["at"]))
            + np.where(winning["own"].eq(False), " (call to a colleague at the same company)", ""),
            text_or_empty(channels["phone_problem"].reindex(people.index))
            + "; "
            + text_or_empty(channels["email_problem"].reindex(people.index)),
            "no presence evidence",
            "last presence "
            + presence_text
            + ", "
            + text_or_empty(days.round().astype("Int64"))
            + f" days before as_of (threshold {settings.inactivity_days})",
        ],
        default="last presence " + presence_text,
    )

    horizon = settings.staleness_full_factor * settings.inactivity_days
    staleness = np.clip(days.fillna(horizon).to_numpy() / horizon * 100.0, 0.0, 100.0)
    negative = np.isin(status, STATUSES[:4])
    staleness = np.where(
        negative, np.maximum(staleness, settings.negative_status_staleness_floor), staleness
    )
    return pd.DataFrame(
        {
            "status": status,
            "status_reason": status + ": " + reason.astype(object),
            "staleness_score": np.round(staleness, 1),
            "last_presence_at": last_at,
        },
        index=people.index,
    )

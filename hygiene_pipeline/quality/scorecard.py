"""The data-quality scorecard: one number per measure and run, and its move since the last run.

Why: hygiene is only improving if the numbers say so, run after run. Each measure has exactly
one definition, here; `curated.dq_scorecard` keeps every run's value beside the previous run's,
the `dq_scorecard_trend` view shows the latest of each for dashboards, and the drift checks
(`quality/drift.py`) judge the same rows instead of measuring again.

"Records" are the live CRM records of `staging.crm_contacts` (not deleted in their source);
"people" are the rows of `curated.contacts_golden`.

| measure | definition | better |
|---|---|---|
| `valid_phone_completeness` | records with at least one valid number (phone, mobile, home, other) / records | higher |
| `valid_email_completeness` | records with a valid email / records | higher |
| `company_completeness` | records with a company / records | higher |
| `validity` | records whose every email and number present is valid / records | higher |
| `duplicate_rate` | 1 - entities / records in `contact_xref`: the share of merged-away records | lower |
| `ghost_share` | people with status `ghost` / people | lower |
| `hard_bounce_rate` | CRM email keys with a hard bounce (RFC 3463, `scoring.bounces`) / CRM email keys | lower |
| `dead_number_rate` | valid CRM numbers suppressed as `disconnected` or `wrong_number` / valid CRM numbers | lower |
| `stale_share` | people with status `stale_inactive` / people | lower |
| `updated_90d_share` | records whose `updated_at` lies within 90 days before as-of / records | higher |
| `rejected_row_rate` | quarantined rows / (quarantined + staged rows) over every feed | lower |
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from hygiene_pipeline.scoring.bounces import classify_bounces
from hygiene_pipeline.vocabulary import DEAD_NUMBER_REASONS, presence_flag

PHONE_PREFIXES: tuple[str, ...] = ("phone", "mobile_phone", "home_phone", "other_phone")
PRESENCE_COLUMNS: tuple[str, ...] = ("email", "company", *(f"{p}_raw" for p in PHONE_PREFIXES))
"""Record columns the measures only test for a value: read as flags (`presence_flag`)."""
RECENT_UPDATE_DAYS = 90
SCORECARD_COLUMNS: tuple[str, ...] = (
    "run_id",
    "measure",
    "value",
    "previous_value",
    "change",
    "better_when",
    "measured_at",
    "as_of",
)


@dataclass(frozen=True)
class ScorecardInputs:
    """What the measures read: warehouse tables (only the columns named) and row counts.

    `contacts`: staging.crm_contacts (`is_deleted`, `email_valid`, `email_key`, `updated_at`,
    `<prefix>_valid`/`_e164` per phone prefix, and the `presence_flag` of each of
    `PRESENCE_COLUMNS`);
    `xref`: `entity_id`; `people`: `status`; `bounces`: staging.email_bounces (`email_key`,
    `bounce_type`, `enhanced_status`, `smtp_code`, `diagnostic`); `suppressions`:
    suppression_events (`channel`, `value`, `reason`).
    """

    contacts: pd.DataFrame
    xref: pd.DataFrame
    people: pd.DataFrame
    bounces: pd.DataFrame
    suppressions: pd.DataFrame
    rejected_rows: int
    staged_rows: int
    as_of: pd.Timestamp

    @cached_property
    def records(self) -> pd.DataFrame:
        """The live records (not deleted in their source), taken once for every measure: a
        million records' columns take a tenth of a second to copy."""
        if "is_deleted" not in self.contacts:
            return self.contacts
        return self.contacts[~self.contacts["is_deleted"].eq(True)]


def _share(part: int | float, whole: int | float) -> float:
    return float(part) / float(whole) if whole else 0.0


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].eq(True).fillna(False).astype(bool)


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    """Whether each record holds a value in `column`, one of `PRESENCE_COLUMNS`."""
    return _flag(frame, presence_flag(column))


def _valid_phone(records: pd.DataFrame) -> pd.Series:
    valid = pd.Series(False, index=records.index)
    for prefix in PHONE_PREFIXES:
        valid |= _flag(records, f"{prefix}_valid")
    return valid


def valid_phone_completeness(inputs: ScorecardInputs) -> float:
    """Live records with at least one valid number."""
    records = inputs.records
    return _share(_valid_phone(records).sum(), len(records))


def valid_email_completeness(inputs: ScorecardInputs) -> float:
    """Live records with a valid email."""
    records = inputs.records
    return _share(_flag(records, "email_valid").sum(), len(records))


def company_completeness(inputs: ScorecardInputs) -> float:
    """Live records with a company."""
    records = inputs.records
    return _share(_present(records, "company").sum(), len(records))


def validity(inputs: ScorecardInputs) -> float:
    """Live records whose every email and number present is valid."""
    records = inputs.records
    broken = _present(records, "email") & ~_flag(records, "email_valid")
    for prefix in PHONE_PREFIXES:
        broken |= _present(records, f"{prefix}_raw") & ~_flag(records, f"{prefix}_valid")
    return _share((~broken).sum(), len(records))


def duplicate_rate(inputs: ScorecardInputs) -> float:
    """1 - distinct entities / records: the share of records merged into another's entity."""
    entities = inputs.xref["entity_id"]
    return 1.0 - _share(entities.nunique(), len(entities)) if len(entities) else 0.0


def _status_share(inputs: ScorecardInputs, status: str) -> float:
    return _share((inputs.people["status"] == status).sum(), len(inputs.people))


def ghost_share(inputs: ScorecardInputs) -> float:
    """People whose status is `ghost`."""
    return _status_share(inputs, "ghost")


def stale_share(inputs: ScorecardInputs) -> float:
    """People whose status is `stale_inactive`."""
    return _status_share(inputs, "stale_inactive")


def hard_bounce_rate(inputs: ScorecardInputs) -> float:
    """The CRM's distinct email keys that hard-bounced."""
    keys = pd.Index(inputs.records["email_key"].dropna().unique())
    if keys.empty or inputs.bounces.empty:
        return 0.0
    bounces = inputs.bounces
    hard = bounces["email_key"][classify_bounces(bounces)["bounce_class"] == "hard"]
    return _share(len(keys.intersection(pd.Index(hard.dropna().unique()))), len(keys))


def dead_number_rate(inputs: ScorecardInputs) -> float:
    """Distinct valid CRM numbers suppressed as dead (disconnected, reassigned)."""
    records = inputs.records
    numbers = [
        records[f"{prefix}_e164"][_flag(records, f"{prefix}_valid")]
        for prefix in PHONE_PREFIXES
        if f"{prefix}_e164" in records
    ]
    known = pd.Index(pd.concat(numbers).dropna().unique()) if numbers else pd.Index([])
    if known.empty:
        return 0.0
    events = inputs.suppressions
    dead_reason = (events["channel"] == "phone") & events["reason"].isin(DEAD_NUMBER_REASONS)
    dead = events["value"][dead_reason]
    return _share(len(known.intersection(pd.Index(dead.dropna().unique()))), len(known))


def updated_90d_share(inputs: ScorecardInputs) -> float:
    """Live records updated in the source within the 90 days before as-of."""
    records = inputs.records
    if "updated_at" not in records:
        return 0.0
    since = inputs.as_of - pd.Timedelta(days=RECENT_UPDATE_DAYS)
    updated = pd.to_datetime(records["updated_at"], utc=True)
    return _share(((updated >= since) & (updated <= inputs.as_of)).sum(), len(records))


def rejected_row_rate(inputs: ScorecardInputs) -> float:
    """Quarantined share of every input row."""
    return _share(inputs.rejected_rows, inputs.rejected_rows + inputs.staged_rows)


@dataclass(frozen=True)
class Measure:
    """One scorecard measure: how it is computed and which way is better."""

    compute: Callable[[ScorecardInputs], float]
    better_when: str  # "higher" or "lower"


MEASURES: dict[str, Measure] = {
    "valid_phone_completeness": Measure(valid_phone_completeness, "higher"),
    "valid_email_completeness": Measure(valid_email_completeness, "higher"),
    "company_completeness": Measure(company_completeness, "higher"),
    "validity": Measure(validity, "higher"),
    "duplicate_rate": Measure(duplicate_rate, "lower"),
    "ghost_share": Measure(ghost_share, "lower"),
    "hard_bounce_rate": Measure(hard_bounce_rate, "lower"),
    "dead_number_rate": Measure(dead_number_rate, "lower"),
    "stale_share": Measure(stale_share, "lower"),
    "updated_90d_share": Measure(updated_90d_share, "higher"),
    "rejected_row_rate": Measure(rejected_row_rate, "lower"),
}
"""Every measure of the scorecard, in the order it is shown."""


def measure_all(inputs: ScorecardInputs) -> dict[str, float]:
    """Every measure's value for one run, rounded to six places."""
    return {name: round(measure.compute(inputs), 6) for name, measure in MEASURES.items()}


def previous_values(history: pd.DataFrame, run_id: str) -> dict[str, float]:
    """Each measure's value in the latest run of `history` other than `run_id`: its baseline.

    A retried run is thus compared with the run before it, not with itself."""
    earlier = history[history["run_id"] != run_id] if len(history) else history
    if not len(earlier):
        return {}
    latest = earlier.sort_values(["measured_at", "run_id"]).groupby("measure").tail(1)
    return dict(zip(latest["measure"], latest["value"].astype(float), strict=True))


def scorecard_rows(
    values: dict[str, float],
    history: pd.DataFrame,
    run_id: str,
    measured_at: pd.Timestamp,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """This run's rows: each value beside its baseline (`previous_values`) in `history`, the
    scorecard so far (`SCORECARD_COLUMNS`, possibly empty)."""
    previous = previous_values(history, run_id)
    names = list(values)
    before = np.array([previous.get(name, np.nan) for name in names], dtype=float)
    now = np.array([values[name] for name in names], dtype=float)
    return pd.DataFrame(
        {
            "run_id": run_id,
            "measure": names,
            "value": now,
            "previous_value": before,
            "change": np.round(now - before, 6),
            "better_when": [MEASURES[name].better_when for name in names],
            "measured_at": measured_at,
            "as_of": as_of,
        },
        columns=list(SCORECARD_COLUMNS),
    )


def updated_scorecard(history: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The whole scorecard with this run's rows in place of any earlier rows of the same run."""
    kept = history[~history["run_id"].isin(rows["run_id"])] if len(history) else history
    if not len(kept):
        return rows.reset_index(drop=True)
    return pd.concat([kept[list(SCORECARD_COLUMNS)], rows], ignore_index=True)

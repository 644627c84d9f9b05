"""Drift of the batch's headline rates against the previous run.

Why: a batch can pass every rule and still be wrong: an export that suddenly doubles the
duplicate rate, a bounce file from another mailing, a CRM field mapping that turns half the rows
into rejects. Each run measures four rates and warns when one moves by more than its tolerance
(absolute, in share points: 0.05 = five percentage points) since the last run that measured it.

| metric | definition |
|---|---|
| `duplicate_rate` | 1 - entities / records in `contact_xref`: the share of merged-away records |
| `hard_bounce_rate` | share of CRM email keys with a hard bounce (RFC 3463, `scoring.bounces`) |
| `rejected_row_rate` | quarantined rows / (quarantined + staged rows) over every feed |
| `stale_share` | share of `contacts_golden` persons with status `stale_inactive` |

The value and its baseline are kept in the check's `details` in `curated.dq_check_results`, which
is where the next run finds its baseline; the first run passes with "no baseline".
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from hygiene_pipeline.quality.results import Finding
from hygiene_pipeline.scoring.bounces import classify_bounces

DRIFT_METRICS: tuple[str, ...] = (
    "duplicate_rate",
    "hard_bounce_rate",
    "rejected_row_rate",
    "stale_share",
)
_HINTS = {
    "duplicate_rate": "Duplicates moved sharply: check whether a source system was added, dropped "
    "or exported twice, and the linkage thresholds, before trusting the merge.",
    "hard_bounce_rate": "Hard bounces moved sharply: check whether the bounce files belong to this "
    "CRM and period, and the email column mapping.",
    "rejected_row_rate": "Quarantined rows moved sharply: look at curated.rejected_records by feed "
    "and reason; a changed export layout is the usual cause.",
    "stale_share": "The stale share moved sharply: check that activity and call-log feeds arrived "
    "complete and that --as-of is right.",
}


@dataclass(frozen=True)
class DriftTolerances:
    """Largest move of each rate between runs that still passes (absolute share points)."""

    duplicate_rate: float = 0.05
    hard_bounce_rate: float = 0.02
    rejected_row_rate: float = 0.02
    stale_share: float = 0.05

    def of(self, metric: str) -> float:
        """The tolerance of one metric."""
        return float(getattr(self, metric))


def duplicate_rate(entity_ids: pd.Series) -> float:
    """1 - distinct entities / records: the share of records that merged into another's entity."""
    return 1.0 - entity_ids.nunique() / len(entity_ids) if len(entity_ids) else 0.0


def hard_bounce_rate(bounces: pd.DataFrame, contact_email_keys: pd.Series) -> float:
    """Share of the CRM's distinct email keys that hard-bounced."""
    keys = pd.Index(contact_email_keys.dropna().unique())
    if keys.empty:
        return 0.0
    hard = bounces["email_key"][classify_bounces(bounces)["bounce_class"] == "hard"]
    return len(keys.intersection(pd.Index(hard.dropna().unique()))) / len(keys)


def rejected_row_rate(rejected_rows: int, staged_rows: int) -> float:
    """Quarantined share of every input row."""
    total = rejected_rows + staged_rows
    return rejected_rows / total if total else 0.0


def stale_share(statuses: pd.Series) -> float:
    """Share of persons whose status is `stale_inactive`."""
    return float((statuses == "stale_inactive").mean()) if len(statuses) else 0.0


def drift_finding(metric: str, value: float, baseline: float | None, tolerance: float) -> Finding:
    """Whether `metric` moved by more than `tolerance` since `baseline` (None: first run)."""
    expected = f"within ±{tolerance:.2%} of the previous run"
    if baseline is None:
        return Finding(
            rule=f"{metric}_drift",
            passed=True,
            observed=f"{value:.2%} (no baseline: first measurement)",
            expected=expected,
            hint=_HINTS[metric],
        )
    change = value - baseline
    return Finding(
        rule=f"{metric}_drift",
        passed=abs(change) <= tolerance,
        observed=f"{value:.2%}, was {baseline:.2%} ({change:+.2%})",
        expected=f"{expected} ({baseline - tolerance:.2%} to {baseline + tolerance:.2%})",
        hint=_HINTS[metric],
    )


def baseline_from_history(history: pd.DataFrame, run_id: str) -> float | None:
    """The value recorded by the latest other run, from this check's `dq_check_results` rows.

    `history` has `run_id`, `details` (JSON text with a `value`) and `checked_at`.
    """
    earlier = history[history["run_id"] != run_id]
    if earlier.empty:
        return None
    latest = earlier.sort_values("checked_at").iloc[-1]
    value = json.loads(latest["details"]).get("value")
    return None if value is None else float(value)

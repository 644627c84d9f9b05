"""Drift of the batch's headline rates against the latest published run.

Why: a batch can pass every rule and still be wrong: an export that suddenly doubles the
duplicate rate, a bounce file from another mailing, a CRM field mapping that turns half the rows
into rejects. Four measures of the data-quality scorecard (`quality/scorecard.py`, their one
definition) warn when one moves by more than its tolerance (absolute, in share points: 0.05 =
five percentage points) since the latest published run: `duplicate_rate`,
`hard_bounce_rate`, `rejected_row_rate`, `stale_share`.

The value is the run's row of the measure in its own scorecard (`curated.dq_scorecard`), the
baseline the latest published run's value (`scorecard.previous_values`): a run that published
nothing is no baseline. The first run passes with "no baseline".
"""

from __future__ import annotations

from dataclasses import dataclass

from hygiene_pipeline.quality.results import Finding

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


def drift_finding(metric: str, value: float, baseline: float | None, tolerance: float) -> Finding:
    """Whether `metric` moved by more than `tolerance` since `baseline` (None: first run)."""
    expected = f"within ±{tolerance:.2%} of the latest published run"
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

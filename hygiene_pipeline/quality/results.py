"""Check results shaped for the people who act on them and for the history table.

Every check (suite, compliance, drift) reduces to a `CheckReport`: passed or not, its severity,
the rules that failed with observed against expected values, how many rows offend, a masked
sample of their keys and a one-line hint. The same report becomes the check's metadata in the
Dagster UI and one row of `curated.dq_check_results`, so what on-call staff see and what
dashboards chart never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from hygiene_pipeline.contract import CURATED_TABLES

ERROR = "ERROR"
"""Severity of a blocking check: a failure stops publication of everything downstream."""
WARN = "WARN"
"""Severity of an advisory check: a failure is reported, nothing is held back."""

DQ_RESULT_COLUMNS: list[str] = list(CURATED_TABLES["dq_check_results"])
_MAX_RULES_IN_SUMMARY = 3


@dataclass(frozen=True)
class Finding:
    """One rule evaluated against one table."""

    rule: str
    passed: bool
    observed: str
    expected: str
    failed_count: int | None = None
    """Offending rows; None when the rule is about the table as a whole (e.g. its row count)."""
    sample_keys: tuple[Mapping[str, object], ...] = ()
    """Keys of some offending rows, personal values already masked."""
    hint: str | None = None


@dataclass(frozen=True)
class CheckReport:
    """One evaluation of one check on one asset."""

    asset: str
    check_name: str
    severity: str
    findings: tuple[Finding, ...]
    extra: Mapping[str, object] = field(default_factory=dict)
    """Check-specific figures (e.g. a drift metric and its baseline) for metadata and details."""

    @property
    def failures(self) -> tuple[Finding, ...]:
        """The findings that did not pass."""
        return tuple(f for f in self.findings if not f.passed)

    @property
    def passed(self) -> bool:
        """Whether every rule passed."""
        return not self.failures

    @property
    def failed_count(self) -> int:
        """Offending rows summed over the failed rules (a row failing two rules counts twice)."""
        return sum(f.failed_count or 0 for f in self.failures)

    @property
    def hint(self) -> str | None:
        """What to do first: the hint of the first failed rule (suites list rules by importance)."""
        return next((f.hint for f in self.failures if f.hint), None)

    @property
    def summary(self) -> str:
        """One line for the UI and the run summary."""
        total = len(self.findings)
        if self.passed:
            return f"{total} of {total} rules passed on {self.asset}"
        named = ", ".join(_failure_label(f) for f in self.failures[:_MAX_RULES_IN_SUMMARY])
        more = len(self.failures) - _MAX_RULES_IN_SUMMARY
        tail = f" and {more} more" if more > 0 else ""
        return f"{len(self.failures)} of {total} rules failed on {self.asset}: {named}{tail}"

    def details(self) -> dict[str, object]:
        """The JSON-ready record of this evaluation (the `details` column of dq_check_results)."""
        return {
            "summary": self.summary,
            "hint": self.hint,
            "rules_evaluated": len(self.findings),
            "rules_failed": len(self.failures),
            "failures": [asdict(f) for f in self.failures],
            "passed_rules": [f.rule for f in self.findings if f.passed],
            **self.extra,
        }


def dq_result_rows(
    run_id: str, reports: Iterable[CheckReport], checked_at: datetime
) -> pd.DataFrame:
    """Rows for `curated.dq_check_results`, one per report, with `details` as JSON text."""
    rows = [
        {
            "run_id": run_id,
            "asset": report.asset,
            "check_name": report.check_name,
            "passed": report.passed,
            "severity": report.severity,
            "failed_count": report.failed_count,
            "details": to_json(report.details()),
            "checked_at": checked_at,
        }
        for report in reports
    ]
    frame = pd.DataFrame(rows, columns=DQ_RESULT_COLUMNS)
    return frame.astype({"passed": bool, "failed_count": "int64"}).assign(
        checked_at=pd.to_datetime(frame["checked_at"], utc=True)
    )


def failures_markdown(report: CheckReport) -> str:
    """The failed rules as a markdown table: observed vs expected, offending rows, keys, hint."""
    lines = [
        "| rule | observed | expected | offending rows | sample keys (masked) | hint |",
        "|---|---|---|---:|---|---|",
    ]
    for finding in report.failures:
        count = "—" if finding.failed_count is None else f"{finding.failed_count:,}"
        keys = "; ".join(_key_text(key) for key in finding.sample_keys) or "—"
        cells = [finding.rule, finding.observed, finding.expected, count, keys, finding.hint or ""]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def sample_keys_json(report: CheckReport) -> list[dict[str, object]]:
    """The masked sample keys of every failed rule, for a JSON metadata entry."""
    return [
        {"rule": f.rule, "keys": [plain_record(k) for k in f.sample_keys]} for f in report.failures
    ]


def plain_value(value: object) -> object:
    """A value JSON can hold: numpy scalars unwrapped, timestamps as ISO text, NaN/NaT as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def plain_record(record: Mapping[str, object]) -> dict[str, object]:
    """A mapping with every value made JSON-ready."""
    return {str(k): plain_value(v) for k, v in record.items()}


def to_json(payload: object) -> str:
    """Compact JSON text; values JSON cannot hold natively are made plain first."""
    return json.dumps(payload, ensure_ascii=False, default=plain_value, separators=(",", ":"))


def format_examples(values: Sequence[object], limit: int = 5) -> str:
    """A few values for an `observed` text: `'actve', 'x' (+3 more)`."""
    shown = ", ".join(repr(plain_value(v)) for v in values[:limit])
    more = len(values) - limit
    return f"{shown} (+{more:,} more)" if more > 0 else shown


def _failure_label(finding: Finding) -> str:
    """`rule (N rows)` for the one-line summary."""
    if finding.failed_count is None:
        return finding.rule
    return f"{finding.rule} ({finding.failed_count:,} offending)"


def _key_text(key: Mapping[str, object]) -> str:
    """`record_key=sf:C-1, row_number=3`."""
    return ", ".join(f"{k}={plain_value(v)}" for k, v in key.items())


def _cell(text: object) -> str:
    """Text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")

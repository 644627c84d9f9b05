"""Drift metrics and their comparison with the previous run."""

import json

import pandas as pd
import pytest

from hygiene_pipeline.quality.drift import (
    DriftTolerances,
    baseline_from_history,
    drift_finding,
    duplicate_rate,
    hard_bounce_rate,
    rejected_row_rate,
    stale_share,
)


def test_rates() -> None:
    assert duplicate_rate(pd.Series(["E1", "E1", "E2", "E3"])) == pytest.approx(0.25)
    assert duplicate_rate(pd.Series([], dtype=object)) == 0.0
    assert rejected_row_rate(5, 95) == pytest.approx(0.05)
    assert rejected_row_rate(0, 0) == 0.0
    assert stale_share(pd.Series(["active", "stale_inactive", "active", "left_company"])) == 0.25


def test_hard_bounce_rate_counts_only_hard_bounces_of_crm_emails() -> None:
    bounces = pd.DataFrame(
        {
            "email_key": ["a@x.com", "b@x.com", "c@x.com", "zz@other.com"],
            "bounce_type": ["hard", "soft", None, "hard"],
            "enhanced_status": [None, "4.2.2", "5.7.1", "5.1.1"],
            "smtp_code": [550, 452, 550, 550],
            "diagnostic": [None, None, None, None],
        }
    )
    crm_keys = pd.Series(["a@x.com", "b@x.com", "c@x.com", "d@x.com", None, "a@x.com"])

    assert hard_bounce_rate(bounces, crm_keys) == pytest.approx(1 / 4)


def test_drift_passes_within_tolerance_and_fails_beyond() -> None:
    tolerance = DriftTolerances().of("duplicate_rate")

    assert drift_finding("duplicate_rate", 0.12, None, tolerance).passed
    assert "no baseline" in drift_finding("duplicate_rate", 0.12, None, tolerance).observed
    assert drift_finding("duplicate_rate", 0.12, 0.10, tolerance).passed
    moved = drift_finding("duplicate_rate", 0.30, 0.10, tolerance)
    assert not moved.passed
    assert moved.observed == "30.00%, was 10.00% (+20.00%)"
    assert moved.hint


def test_baseline_is_the_latest_value_of_another_run() -> None:
    history = pd.DataFrame(
        {
            "run_id": ["r1", "r2", "r3"],
            "details": [json.dumps({"value": v}) for v in (0.1, 0.2, 0.9)],
            "checked_at": pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-03"], utc=True),
        }
    )

    assert baseline_from_history(history, run_id="r3") == 0.2
    assert baseline_from_history(history, run_id="r9") == 0.9
    assert baseline_from_history(history.iloc[2:], run_id="r3") is None

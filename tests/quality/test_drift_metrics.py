"""Drift of a scorecard measure against the latest published run (the measures:
test_scorecard.py)."""

from hygiene_pipeline.quality.drift import DriftTolerances, drift_finding


def test_drift_passes_within_tolerance_and_fails_beyond() -> None:
    tolerance = DriftTolerances().of("duplicate_rate")

    assert drift_finding("duplicate_rate", 0.12, None, tolerance).passed
    assert "no baseline" in drift_finding("duplicate_rate", 0.12, None, tolerance).observed
    assert drift_finding("duplicate_rate", 0.12, 0.10, tolerance).passed
    moved = drift_finding("duplicate_rate", 0.30, 0.10, tolerance)
    assert not moved.passed
    assert moved.observed == "30.00%, was 10.00% (+20.00%)"
    assert moved.hint

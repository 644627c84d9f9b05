"""Intent: weights, exponential decay, negative signals, tiers at thresholds, top signals."""

from __future__ import annotations

import pytest

from hygiene_pipeline.scoring.settings import DEFAULT_INTENT_WEIGHTS, ScoringSettings


@pytest.mark.parametrize(("age_days", "score"), [(0, 40.0), (30, 20.0), (60, 10.0), (90, 5.0)])
def test_half_life_halves_the_contribution_exactly(world, age_days: int, score: float) -> None:
    w = world()
    w.person("P")
    w.event(age_days, "demo_request", contact_id="P")
    assert w.scored().loc["P", "intent_score"] == pytest.approx(score)


def test_half_life_is_configurable(world) -> None:
    w = world(ScoringSettings(intent_half_life_days=10))
    w.person("P")
    w.event(20, "demo_request", contact_id="P")
    assert w.scored().loc["P", "intent_score"] == pytest.approx(10.0)


@pytest.mark.parametrize("signal", sorted(DEFAULT_INTENT_WEIGHTS))
def test_every_signal_carries_its_weight(world, signal: str) -> None:
    w = world()
    w.person("P")
    w.person("BASE")
    for person in ("P", "BASE"):
        w.event(0, "meeting_booked", contact_id=person)
    if signal.startswith("call_"):
        w.call(0, signal.removeprefix("call_"), contact_id="P")
    else:
        w.event(0, signal, contact_id="P")
    scored = w.scored()
    difference = scored.loc["P", "intent_score"] - scored.loc["BASE", "intent_score"]
    assert difference == pytest.approx(DEFAULT_INTENT_WEIGHTS[signal])


def test_negative_signals_lower_the_score_but_never_below_zero(world) -> None:
    w = world()
    w.person("NEG")
    w.event(0, "form_submit", contact_id="NEG")
    w.call(0, "not_interested", contact_id="NEG")
    w.person("MIXED")
    w.event(0, "meeting_booked", contact_id="MIXED")
    w.event(0, "demo_request", contact_id="MIXED")
    w.event(0, "unsubscribe", contact_id="MIXED")
    scored = w.scored()
    assert scored.loc["NEG", "intent_score"] == 0.0
    assert scored.loc["NEG", "intent_tier"] == "low"
    assert scored.loc["MIXED", "intent_score"] == pytest.approx(55.0)


def test_score_is_capped_at_100(world) -> None:
    w = world()
    w.person("P")
    for _ in range(4):
        w.event(0, "meeting_booked", contact_id="P")
    assert w.scored().loc["P", "intent_score"] == 100.0


@pytest.mark.parametrize(
    ("events", "tier"),
    [
        (["meeting_booked", "email_click"], "high"),  # exactly 50
        (["meeting_booked", "email_open", "email_open", "email_open"], "medium"),  # 48
        (["pricing_page_view"], "medium"),  # exactly 15
        (["content_download", "web_visit"], "low"),  # 13
        ([], "low"),
    ],
)
def test_tiers_at_the_thresholds(world, events: list[str], tier: str) -> None:
    w = world()
    w.person("P")
    for event in events:
        w.event(0, event, contact_id="P")
    assert w.scored().loc["P", "intent_tier"] == tier


def test_tier_thresholds_are_configurable(world) -> None:
    w = world(ScoringSettings(intent_high_threshold=10, intent_medium_threshold=5))
    w.person("P")
    w.event(0, "form_submit", contact_id="P")
    assert w.scored().loc["P", "intent_tier"] == "high"


def test_top_signals_and_version_are_recorded(world) -> None:
    w = world(ScoringSettings(intent_top_signals=2, scoring_version="test-7"))
    w.person("P")
    w.event(0, "web_visit", contact_id="P")
    w.event(0, "web_visit", contact_id="P")
    w.event(0, "demo_request", contact_id="P")
    w.call(0, "not_interested", contact_id="P")
    w.person("QUIET")
    scored = w.scored()
    assert scored.loc["P", "intent_top_signals"] == (
        "call_not_interested -40.0 (x1); demo_request +40.0 (x1)"
    )
    assert scored.loc["P", "scoring_version"] == "test-7"
    assert scored["intent_top_signals"].isna()["QUIET"]

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
    ("signals", "tier"),
    [
        (["pricing_page_view", "content_download", "email_click"], "high"),
        (["demo_request"], "high"),
        (["meeting_booked"], "high"),
        (["form_submit"], "high"),
        (["call_interested"], "high"),
        (["call_callback"], "high"),
        (["web_visit", "email_click"], "medium"),
        (["email_open"], "medium"),
        (["content_download"], "medium"),
        (["demo_request", "call_not_interested"], "low"),
        (["email_click", "unsubscribe"], "low"),
        ([], "low"),
    ],
)
def test_tiers_by_behaviour_class(world, signals: list[str], tier: str) -> None:
    w = world()
    w.person("P")
    for day, signal in zip(range(len(signals) + 3, 3, -1), signals, strict=False):
        if signal.startswith("call_"):
            w.call(day, signal.removeprefix("call_"), contact_id="P")
        else:
            w.event(day, signal, contact_id="P")
    assert w.scored().loc["P", "intent_tier"] == tier


@pytest.mark.parametrize(
    ("need_days", "engaged_days", "tier"),
    [(80, None, "high"), (100, None, "medium"), (200, None, "low"), (200, 30, "medium")],
)
def test_windows_decide_how_long_a_need_and_an_engagement_count(
    world, need_days: int, engaged_days: int | None, tier: str
) -> None:
    w = world(ScoringSettings(intent_need_window_days=90, intent_engaged_window_days=120))
    w.person("P")
    w.event(need_days, "demo_request", contact_id="P")
    if engaged_days is not None:
        w.event(engaged_days, "web_visit", contact_id="P")
    assert w.scored().loc["P", "intent_tier"] == tier


def test_a_need_after_a_refusal_is_high_again(world) -> None:
    w = world()
    w.person("P")
    w.call(40, "not_interested", contact_id="P")
    w.event(10, "demo_request", contact_id="P")
    assert w.scored().loc["P", "intent_tier"] == "high"


def test_the_deciding_signal_comes_first_then_the_largest_contributions(world) -> None:
    w = world(ScoringSettings(intent_top_signals=2, scoring_version="test-7"))
    w.person("P")
    w.event(1, "web_visit", contact_id="P")
    w.event(1, "web_visit", contact_id="P")
    w.event(0, "demo_request", contact_id="P")
    w.call(0, "not_interested", contact_id="P")
    w.person("QUIET")
    scored = w.scored()
    assert scored.loc["P", "intent_top_signals"] == (
        f"decided by call_not_interested on {w.ago(0):%Y-%m-%d}; "
        "call_not_interested -40.0 (x1); demo_request +40.0 (x1)"
    )
    assert scored.loc["P", "intent_tier"] == "low"
    assert scored.loc["P", "scoring_version"] == "test-7"
    assert scored.loc["QUIET", "intent_top_signals"] == (
        "decided by no need in 30 and no engagement in 90 days"
    )

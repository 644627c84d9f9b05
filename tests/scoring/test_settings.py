"""The scoring settings: documented defaults, plain-value configuration, validation."""

from __future__ import annotations

from dataclasses import fields
from datetime import time

import pytest

from hygiene_pipeline.scoring.settings import ScoringSettings, settings_reference


def test_defaults_are_the_documented_rules() -> None:
    settings = ScoringSettings()
    assert settings.dormant_after_days == 182
    assert not settings.weak_presence_keeps_fresh
    assert (settings.hard_bounces_to_suppress, settings.soft_bounces_to_suppress) == (1, 3)
    assert settings.soft_bounce_window_days == 30
    assert settings.intent_half_life_days == 30
    assert (settings.intent_need_window_days, settings.intent_engaged_window_days) == (30, 90)
    assert (settings.max_calls_per_day, settings.max_calls_per_7_days) == (2, 7)
    assert (settings.call_window_start, settings.call_window_end) == (time(9), time(20))
    assert settings.intent_weights["meeting_booked"] == 45
    assert settings.intent_weights["call_not_interested"] == -40


def test_every_setting_is_described() -> None:
    reference = settings_reference()
    assert [r["name"] for r in reference] == [f.name for f in fields(ScoringSettings)]
    assert all(len(r["description"]) > 20 for r in reference)


def test_from_mapping_parses_times_and_updates_weights() -> None:
    settings = ScoringSettings.from_mapping(
        {
            "call_window_start": "08:30",
            "intent_weights": {"web_visit": 4},
            "dormant_after_days": 120,
        }
    )
    assert settings.call_window_start == time(8, 30)
    assert settings.intent_weights["web_visit"] == 4.0
    assert settings.intent_weights["demo_request"] == 40.0
    assert settings.dormant_after_days == 120


@pytest.mark.parametrize(
    "values",
    [
        {"no_such_setting": 1},
        {"intent_need_window_days": 0},
        {"intent_half_life_days": 0},
        {"call_window_start": "21:00"},
        {"soft_bounces_to_suppress": 0},
    ],
)
def test_contradictory_or_unknown_settings_are_refused(values: dict) -> None:
    with pytest.raises(ValueError):
        ScoringSettings.from_mapping(values)

"""The local calling window of a number, as UTC bounds on the as_of day."""

from __future__ import annotations

from datetime import time

import pandas as pd

from hygiene_pipeline.scoring.calling_window import calling_windows
from hygiene_pipeline.scoring.settings import ScoringSettings

AS_OF = pd.Timestamp("2026-01-15 14:30", tz="UTC")


def windows(*numbers: str | None, settings: ScoringSettings | None = None) -> pd.DataFrame:
    return calling_windows(
        pd.Series(list(numbers), dtype=object), settings or ScoringSettings(), AS_OF
    )


def test_window_in_the_numbers_zone() -> None:
    new_york, london, shanghai = windows(
        "+12125550100", "+442079460000", "+8613800138000"
    ).itertuples()
    assert new_york.phone_timezone == "America/New_York"
    assert new_york.call_window_start_utc == pd.Timestamp("2026-01-15 14:00", tz="UTC")
    assert new_york.call_window_end_utc == pd.Timestamp("2026-01-16 01:00", tz="UTC")
    assert new_york.call_window_start_local == "2026-01-15T09:00:00-05:00"
    assert new_york.callable_now
    assert london.call_window_end_utc == pd.Timestamp("2026-01-15 20:00", tz="UTC")
    assert london.callable_now
    assert shanghai.phone_timezone == "Asia/Shanghai"
    assert shanghai.call_window_end_utc == pd.Timestamp("2026-01-15 12:00", tz="UTC")
    assert not shanghai.callable_now


def test_window_is_configurable() -> None:
    settings = ScoringSettings(call_window_start=time(10, 0), call_window_end=time(12, 0))
    (london,) = windows("+442079460000", settings=settings).itertuples()
    assert london.call_window_start_utc == pd.Timestamp("2026-01-15 10:00", tz="UTC")
    assert not london.callable_now


def test_unknown_and_missing_numbers_get_no_window() -> None:
    frame = windows(None, "+15555555555")
    assert frame["phone_timezone"].isna().all()
    assert frame["call_window_start_utc"].isna().all()
    assert not frame["callable_now"].any()


def test_number_spanning_several_zones_takes_the_first_and_is_flagged() -> None:
    import phonenumbers
    from phonenumbers import timezone

    # find a real multi-zone prefix in the library's data rather than hard-coding one
    candidates = ["+13125550100", "+16055550100", "+17015550100", "+15415550100", "+18505550100"]
    multi = next(
        n for n in candidates if len(timezone.time_zones_for_number(phonenumbers.parse(n))) > 1
    )
    frame = windows(multi, "+12125550100")
    zones = timezone.time_zones_for_number(phonenumbers.parse(multi))
    assert frame.loc[0, "phone_timezone"] == zones[0]
    assert bool(frame.loc[0, "phone_timezone_ambiguous"])
    assert not bool(frame.loc[1, "phone_timezone_ambiguous"])


def test_zones_from_known_types_match_the_library_call() -> None:
    import phonenumbers
    from phonenumbers import timezone

    from hygiene_pipeline.scoring.calling_window import number_time_zones

    numbers = [
        "+12125550100",
        "+442079460000",
        "+447911123456",
        "+4915112345678",
        "+8613800138000",
        "+33612345678",
        "+16055550100",
        "+18005551234",
        "+61412345678",
        "+15555555555",
    ]
    names = {v: k.lower() for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper()}
    types = [names[phonenumbers.number_type(phonenumbers.parse(n))] for n in numbers]
    fast = number_time_zones(pd.Series(numbers), pd.Series(types))
    for number, zones in zip(numbers, fast, strict=True):
        expected = timezone.time_zones_for_number(phonenumbers.parse(number))
        assert zones == (None if expected == ("Etc/Unknown",) else expected), number

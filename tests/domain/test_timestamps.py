"""Timestamps: every accepted format to UTC, per-column format inference, unreadable values."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from hygiene_pipeline.domain.timestamps import (
    ISO_CHUNK_ROWS,
    candidate_formats,
    iso_timestamps,
    may_read,
    parse_timestamps,
    unparseable_mask,
    value_shapes,
)

UTC = "UTC"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-15T10:00:00Z", "2024-03-15 10:00:00"),
        ("2024-03-15T12:00:00+02:00", "2024-03-15 10:00:00"),
        ("2024-03-15 10:00:00", "2024-03-15 10:00:00"),
        ("2024-03-15", "2024-03-15 00:00:00"),
        ("20240315", "2024-03-15 00:00:00"),
        ("1710496800", "2024-03-15 10:00:00"),
        ("1710496800000", "2024-03-15 10:00:00"),
        ("15/03/2024", "2024-03-15 00:00:00"),
        ("03/15/2024 10:30 PM", "2024-03-15 22:30:00"),
        ("15.03.2024 14:30", "2024-03-15 14:30:00"),
        ("Mar 15, 2024", "2024-03-15 00:00:00"),
        ("15 March 2024", "2024-03-15 00:00:00"),
        ("15-Mar-2024", "2024-03-15 00:00:00"),
        ("Fri, 15 Mar 2024 10:00:00 +0000", "2024-03-15 10:00:00"),
        ("2024/03/15", "2024-03-15 00:00:00"),
        ("2024年3月15日", "2024-03-15 00:00:00"),
    ],
)
def test_formats(raw: str, expected: str) -> None:
    parsed = parse_timestamps(pd.Series([raw]))
    assert parsed.dtype == "datetime64[ns, UTC]"
    assert parsed.iloc[0] == pd.Timestamp(expected, tz=UTC)


def test_mixed_offsets_in_one_column() -> None:
    parsed = parse_timestamps(pd.Series(["2024-03-15T10:00:00Z", "2024-03-15T10:00:00-05:00"]))
    assert parsed.tolist() == [
        pd.Timestamp("2024-03-15 10:00", tz=UTC),
        pd.Timestamp("2024-03-15 15:00", tz=UTC),
    ]


@pytest.mark.parametrize("zone", ["+05:00", "+0500", "+05", "+5:00", "+05:00:00", "z"])
def test_a_time_without_zone_is_utc_whatever_zone_came_before_it(zone: str) -> None:
    # pandas alone reads the last value at the first one's offset (13:29 UTC).
    values = ["2020-01-01T10:00:00" + zone, "2020-01-02T10:00:00Z", "2015-06-23 18:29:52"]
    parsed = parse_timestamps(pd.Series(values))
    assert parsed.iloc[2] == pd.Timestamp("2015-06-23 18:29:52", tz=UTC)
    assert parsed.iloc[1] == pd.Timestamp("2020-01-02 10:00", tz=UTC)


def test_zoned_times_arrow_refuses_are_read_as_pandas_reads_them() -> None:
    readable = [f"2024-03-{day:02d}T10:00:00.5+01:00" for day in range(1, 29)]
    refused = ["2024-02-30T10:00:00Z", "2024-03-15t10:00:00z", "2024-03-15T10:00:00.1234567891Z"]
    # The refused values fall in the last of several chunks; Arrow casts the others.
    values = pd.Series(readable * (ISO_CHUNK_ROWS // len(readable) + 1) + refused)
    values.index += 100
    got = iso_timestamps(values)
    assert got.dtype == "datetime64[ns, UTC]"
    assert got.equals(pd.to_datetime(values, format="ISO8601", utc=True, errors="coerce"))
    assert got.iloc[-3:].isna().tolist() == [True, True, False]


def test_arrow_reads_zoned_times_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    read_by_pandas: list[int] = []
    to_datetime = pd.to_datetime

    def counted(values: pd.Series, **options: object) -> pd.Series:
        read_by_pandas.append(len(values))
        return to_datetime(values, **options)

    monkeypatch.setattr(pd, "to_datetime", counted)
    values = pd.Series(["2024-03-15T10:00:00Z", "2024-03-15T12:00:00.25+02:00", "2024-03-15"])
    got = iso_timestamps(values.set_axis([7, 7, 3]).rename("seen"))
    assert read_by_pandas == [1]  # the time without a zone
    assert got.index.tolist() == [7, 7, 3] and got.name == "seen"
    assert got.tolist() == [
        pd.Timestamp("2024-03-15 10:00", tz=UTC),
        pd.Timestamp("2024-03-15 10:00:00.25", tz=UTC),
        pd.Timestamp("2024-03-15", tz=UTC),
    ]


def test_the_column_decides_day_or_month_first() -> None:
    day_first = parse_timestamps(pd.Series(["03/04/2024", "25/12/2024"]))
    month_first = parse_timestamps(pd.Series(["03/04/2024", "12/25/2024"]), dayfirst=True)
    assert day_first.iloc[0] == pd.Timestamp("2024-04-03", tz=UTC)
    assert month_first.iloc[0] == pd.Timestamp("2024-03-04", tz=UTC)


def test_ambiguous_column_follows_the_preference() -> None:
    values = pd.Series(["03/04/2024", "05/06/2024"])
    assert parse_timestamps(values).iloc[0] == pd.Timestamp("2024-03-04", tz=UTC)
    assert parse_timestamps(values, dayfirst=True).iloc[0] == pd.Timestamp("2024-04-03", tz=UTC)


def test_unreadable_values_are_nat_and_flagged() -> None:
    values = pd.Series(["31/02/2024", "not a date", None, "", "2024-02-31", "2024-03-15"])
    parsed = parse_timestamps(values)
    assert parsed.isna().tolist() == [True, True, True, True, True, False]
    assert unparseable_mask(values, parsed).tolist() == [True, True, False, False, True, False]


def test_repeated_values_and_index_are_kept() -> None:
    values = pd.Series(["2024-03-15", None, "2024-03-15"], index=[5, 6, 7])
    parsed = parse_timestamps(values)
    assert parsed.index.tolist() == [5, 6, 7]
    assert parsed.iloc[0] == parsed.iloc[2]
    assert pd.isna(parsed.iloc[1])


def test_epoch_values_are_exact_and_never_overflow() -> None:
    values = pd.Series(["1714982400123", "1714982400", None, "9999999999999", "1714982400.5"])
    with np.errstate(all="raise"):
        parsed = parse_timestamps(values)
    assert parsed.tolist()[:2] == [
        pd.Timestamp("2024-05-06 08:00:00.123", tz="UTC"),
        pd.Timestamp("2024-05-06 08:00:00", tz="UTC"),
    ]
    assert parsed[2:4].isna().all()  # missing, and past pandas' range: unreadable, not a crash
    assert parsed[4] == pd.Timestamp("2024-05-06 08:00:00.5", tz="UTC")


def _written_values() -> list[str]:
    """Dates and times written in every candidate format, also without leading zeros."""
    stamps = pd.date_range("1999-01-01", "2031-12-31 23:59:59", periods=7, tz="UTC")
    values = [stamp.strftime(fmt) for stamp in stamps for fmt in candidate_formats(dayfirst=True)]
    values += [re.sub(r"\b0(\d)", r"\1", value) for value in values]
    return [
        *values,
        "now",
        "today",
        "15/3/2024",
        " 5/03/2024",
        "2024/3/5",
        "24/03/05",
        " 2024.03.05",
        "2024-03-05",
        "12024/03/05",
        "Ｍar 15, 2024",
    ]


def test_a_format_ruled_out_by_shape_reads_none_of_the_values() -> None:
    values = _written_values()
    formats = [*candidate_formats(dayfirst=False), "%d %B %Y %H:%M", "%Y-%m-%dT%H:%M:%S.%f%z"]
    ruled_out = 0
    for fmt in formats:
        read = pd.to_datetime(pd.Series(values), format=fmt, utc=True, errors="coerce").notna()
        for value, was_read in zip(values, read, strict=True):
            possible = may_read(value_shapes([value]), fmt)
            assert possible or not was_read, (fmt, value)
            ruled_out += not possible
    assert ruled_out > len(values) * len(formats) / 2  # the test rules most pairings out

"""The local calling window of each number, from the time zone its prefix belongs to.

The zone is what `phonenumbers.timezone.time_zones_for_number` gives, computed once per distinct
number. That call parses the number and works out its type, which costs about 0.1 ms per number
(seconds at 100,000 people); the standardiser has already worked out the type (`phone_type`), so
when it is known the same rule runs on whole columns instead: a geographical number (fixed line,
or mobile in countries whose mobiles are geographical) takes the zones of its longest prefix in
the library's time-zone table, any other number the zones of its country calling code. Numbers
without a known type go through the library call.

Some prefixes span several zones (a US area code across a state line, a country-wide mobile
range); then the first zone is used and `phone_timezone_ambiguous` is set, so a caller can be
conservative. Numbers with no known zone get no window (`callable_now` False).

The window is `call_window_start`-`call_window_end` local time on the local date of `as_of`,
given both as UTC timestamps (`call_window_start_utc`, `call_window_end_utc`) and as local ISO
text with the offset (`call_window_start_local`, `call_window_end_local`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pandas as pd
import phonenumbers
from phonenumbers import timezone as phone_timezone
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from hygiene_pipeline.domain.column_ops import map_distinct
from hygiene_pipeline.scoring.settings import ScoringSettings

_COUNTRY_CODES: dict[str, str] = {
    str(code): str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
}
_TYPE_CODES: dict[str, int] = {
    name: value for name, value in vars(phonenumbers.PhoneNumberType).items() if name.isupper()
}


def calling_windows(
    numbers: pd.Series,
    settings: ScoringSettings,
    as_of: pd.Timestamp,
    number_types: pd.Series | None = None,
) -> pd.DataFrame:
    """The calling window of each E.164 number (same index); missing numbers get no window.

    Columns: `phone_timezone`, `phone_timezone_ambiguous`, `call_window_start_utc`,
    `call_window_end_utc`, `call_window_start_local`, `call_window_end_local`, `callable_now`.

    `number_types` holds the standardiser's lower-case `phone_type` per number, if known.
    """
    zones = number_time_zones(numbers, number_types)
    known = zones.dropna().astype(object)
    zone = known.str[0].reindex(zones.index)
    windows = _windows_per_zone(zone.dropna().unique(), settings, as_of)
    start = pd.to_datetime(zone.map(windows["start_utc"]), utc=True)
    end = pd.to_datetime(zone.map(windows["end_utc"]), utc=True)
    return pd.DataFrame(
        {
            "phone_timezone": zone.astype(object),
            "phone_timezone_ambiguous": known.str.len()
            .gt(1)
            .reindex(zones.index, fill_value=False),
            "call_window_start_utc": start,
            "call_window_end_utc": end,
            "call_window_start_local": zone.map(windows["start_local"]).astype(object),
            "call_window_end_local": zone.map(windows["end_local"]).astype(object),
            "callable_now": ((start <= as_of) & (as_of < end)).to_numpy(dtype=bool),
        },
        index=numbers.index,
    )


def number_time_zones(numbers: pd.Series, number_types: pd.Series | None = None) -> pd.Series:
    """The known time zones of each E.164 number as a tuple (None when there is none)."""
    types = (
        pd.Series(None, index=numbers.index, dtype=object)
        if number_types is None
        else number_types.reindex(numbers.index)
    )
    distinct = pd.DataFrame({"number": numbers, "type": types}).dropna(subset=["number"])
    distinct = distinct.drop_duplicates("number").set_index("number")["type"]
    typed = distinct.notna()
    found = pd.concat(
        [
            _zones_by_prefix(distinct[typed]),
            map_distinct(pd.Series(distinct.index[~typed], dtype=object), _zones_of).set_axis(
                distinct.index[~typed]
            ),
        ]
    )
    zones = numbers.map(found).astype(object)
    return zones.where(zones.notna(), None)


def _zones_by_prefix(types: pd.Series) -> pd.Series:
    """The library's zone rule on whole columns, for numbers (index) of known type (values)."""
    if types.empty:
        return pd.Series(dtype=object)
    digits = pd.Series(types.index.str.removeprefix("+"), index=types.index)
    country = _longest_prefix(digits, _COUNTRY_CODES, 3)
    kind = types.str.upper().map(_TYPE_CODES)
    pairs = pd.DataFrame({"kind": kind, "country": country}).dropna().drop_duplicates()
    geographical = {
        (k, c): phonenumbers.is_number_type_geographical(int(k), int(c))
        for k, c in pairs.itertuples(index=False, name=None)
    }
    is_geo = pd.Series(list(zip(kind, country, strict=True)), index=types.index).map(geographical)
    lookup = digits.where(is_geo.eq(True), country)
    usable = kind.notna() & (kind != phonenumbers.PhoneNumberType.UNKNOWN) & country.notna()
    zones = _longest_prefix(lookup.where(usable), TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX)
    return zones.map(_known_zones, na_action="ignore")


def _longest_prefix(digits: pd.Series, table: dict, longest: int) -> pd.Series:
    """The table value of each digit string's longest prefix found in `table` (None if none)."""
    found = pd.Series(None, index=digits.index, dtype=object)
    for length in range(longest, 0, -1):
        missing = found.isna() & digits.notna()
        if not missing.any():
            break
        found[missing] = digits[missing].str[:length].map(table)
    return found


def _known_zones(zones: tuple[str, ...]) -> tuple[str, ...] | None:
    """The zones without the library's 'unknown' marker (None when nothing is left)."""
    known = tuple(z for z in zones if z != phone_timezone.UNKNOWN_TIMEZONE)
    return known or None


def _zones_of(distinct: pd.Series) -> pd.Series:
    """Known time zones of each distinct number through the library call."""

    def zones(number: str) -> tuple[str, ...] | None:
        try:
            return _known_zones(phone_timezone.time_zones_for_number(phonenumbers.parse(number)))
        except phonenumbers.NumberParseException:
            return None

    return distinct.map(zones)


def _windows_per_zone(
    zones: Iterable[str], settings: ScoringSettings, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Window bounds per zone on the zone's local date of `as_of` (a handful of zones)."""
    rows = {}
    for zone in zones:
        local_day = as_of.tz_convert(zone).date()
        start = pd.Timestamp(datetime.combine(local_day, settings.call_window_start)).tz_localize(
            zone, nonexistent="shift_forward", ambiguous=False
        )
        end = pd.Timestamp(datetime.combine(local_day, settings.call_window_end)).tz_localize(
            zone, nonexistent="shift_forward", ambiguous=False
        )
        rows[zone] = {
            "start_utc": start.tz_convert("UTC"),
            "end_utc": end.tz_convert("UTC"),
            "start_local": start.isoformat(),
            "end_local": end.isoformat(),
        }
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["start_utc", "end_utc", "start_local", "end_local"]
    )

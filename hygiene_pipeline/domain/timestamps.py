"""Timestamps to timezone-aware UTC, with the format inferred per column.

Accepted: epoch seconds (9-10 digits) and milliseconds (12-13 digits), ISO 8601 (offsets
honoured), and common written formats (`03/15/2024`, `15.03.2024 14:30`, `Mar 15, 2024`,
`15-Mar-2024 2:30 PM`, RFC 2822). Times without an offset are taken as UTC. For the written
formats the column's own values decide: candidate formats (pandas' guess from a sample of the
column, then a built-in list) are ranked by how many of the column's values they read, and the
best are applied in turn. Day-first or month-first only decides when the column cannot (every
day <= 12). A value no format reads stays `NaT`; `unparseable_mask` finds those.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.tseries.api import guess_datetime_format

from hygiene_pipeline.domain.column_ops import arrow_flags, arrow_strings, blank_to_none

_MONTH_FIRST_DATES = ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y")
_DAY_FIRST_DATES = ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y")
_OTHER_DATES = (
    "%Y/%m/%d", "%Y.%m.%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y",
    "%d-%b-%Y", "%d-%b-%y", "%Y年%m月%d日", "%a, %d %b %Y",
)  # fmt: skip
_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %H:%M:%S %z")
_EPOCH = r"^-?(?:\d{9,10}|\d{12,13})(?:\.\d+)?$"
_ISO_START = r"^\d{4}-?\d{2}-?\d{2}"
_ISO_ZONE = r"(?i)(?:Z|[T ]\d[^+-]*[+-]\d{1,2}(?::?\d{1,2}){0,2})$"
"""An ISO time's trailing zone, as pandas would read one (`Z`, `+05:30`, `+5:30`, `+0530`,
`+05`): `iso_timestamps` reads those times apart from the times without one."""
ISO_CHUNK_ROWS = 65_536
"""Zoned ISO values cast by Arrow at a time: a value it refuses sends only its chunk to pandas."""
_SAMPLE_SIZE = 500
_GUESS_SIZE = 50
_READ_WITH_ANY_FORMAT = frozenset({"now", "today"})
"""Values pandas reads whatever the format (the current time)."""


def candidate_formats(dayfirst: bool) -> list[str]:
    """Built-in written formats, the preferred day/month order first."""
    dates = (
        _DAY_FIRST_DATES + _MONTH_FIRST_DATES if dayfirst else _MONTH_FIRST_DATES + _DAY_FIRST_DATES
    )
    return [date + time for date in dates + _OTHER_DATES for time in _TIMES]


def _parse_epoch(values: pd.Series) -> pd.Series:
    """Epoch seconds or milliseconds as UTC; a value past pandas' range (year 2262) is `NaT`.

    Computed in whole nanoseconds (integer part and fraction apart, so milliseconds stay exact):
    pandas' own float-with-unit conversion multiplies the uninitialised slots of missing values
    too, which fails at random when numpy raises on overflow.
    """
    numbers = pd.to_numeric(values).astype("float64").to_numpy()
    scale = np.where(np.abs(numbers) >= 1e11, 1_000_000, 1_000_000_000).astype(np.int64)
    valid = np.isfinite(numbers) & (np.abs(numbers * scale) < 9.2e18)
    kept = np.where(valid, numbers, 0.0)
    whole = np.floor(kept)
    nanos = whole.astype(np.int64) * scale + np.round((kept - whole) * scale).astype(np.int64)
    parsed = pd.Series(pd.to_datetime(nanos, unit="ns", utc=True), index=values.index)
    return parsed.where(valid)


def _with_format(values: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(values, format=fmt, utc=True, errors="coerce")


def _guessed_formats(sample: pd.Series, dayfirst: bool) -> list[str]:
    """pandas' format guesses for sample values, most frequent first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        guesses = [guess_datetime_format(value, dayfirst=dayfirst) for value in sample]
    return pd.Series([g for g in guesses if g], dtype="object").value_counts().index.tolist()


_SHAPES: dict[str, str] = {
    "d": r" ?\d{1,2}", "m": r"\d{1,2}", "H": r"\d{1,2}", "I": r"\d{1,2}", "M": r"\d{1,2}",
    "S": r"\d{1,2}", "Y": r"\d{4}", "y": r"\d{2}", "f": r"\d{1,9}", "z": r"(?:[+-][\d:.]+|z)",
    "b": r"\D+?", "B": r"\D+?", "a": r"\D+?", "A": r"\D+?", "p": r"\D+?", "%": "%",
}  # fmt: skip
"""Per `strptime` directive, a pattern matching at least what pandas' own pattern matches."""
_ISO_PARTS = re.compile(r"%Y(?:%[YmdHMSfz]|[ /\\.T:-])*")
"""Formats that may be ISO 8601 ones, which pandas reads with its own, more lenient parser."""
_ISO_SHAPE = re.compile(r"\s*-?\d{4}.*", re.DOTALL)
"""What that parser needs at least: a four-digit year (any other is out of pandas' range)."""
_DIRECTIVE = re.compile(r"%(.)|(\s+)|([^%\s]+)")


@lru_cache(maxsize=512)
def _format_shape(fmt: str) -> re.Pattern[str] | None:
    """A pattern every value `fmt` reads matches, with digits written as 0 (None when unknown:
    a directive without a shape, a digit in the format)."""
    if _ISO_PARTS.fullmatch(fmt):
        return _ISO_SHAPE
    if re.search(r"\d", fmt) or _DIRECTIVE.sub("", fmt):
        return None
    parts = []
    for directive, space, literal in _DIRECTIVE.findall(fmt):
        if directive and directive not in _SHAPES:
            return None
        parts.append(_SHAPES[directive] if directive else r"\s+" if space else re.escape(literal))
    return re.compile("".join(parts), re.IGNORECASE)


def value_shapes(values: list[str]) -> set[str]:
    """The distinct shapes of `values`: every digit written as 0."""
    return {re.sub(r"\d", "0", value) for value in values}


def may_read(shapes: set[str], fmt: str) -> bool:
    """Whether `fmt` can read any value of these `value_shapes`: False only when none fits it.

    A cheap necessary test, so that the dozens of candidate formats that cannot read a column
    are not tried with `to_datetime`; pandas reads `now` and `today` with any format.
    """
    pattern = _format_shape(fmt)
    if pattern is None or not shapes.isdisjoint(_READ_WITH_ANY_FORMAT):
        return True
    return any(pattern.fullmatch(shape) for shape in shapes)


def _best_format(values: pd.Series, candidates: list[str]) -> tuple[str | None, int]:
    """The candidate that reads most of a sample of `values`, and how many it read (a format
    that cannot read any of the sample scores 0 without being tried)."""
    sample = values.head(_SAMPLE_SIZE)
    shapes = value_shapes(sample.tolist())
    scores = [
        int(_with_format(sample, fmt).notna().sum()) if may_read(shapes, fmt) else 0
        for fmt in candidates
    ]
    if not scores or max(scores) == 0:
        return None, 0
    best = int(np.argmax(scores))
    return candidates[best], scores[best]


def _parse_written(values: pd.Series, dayfirst: bool) -> pd.Series:
    """Apply the format that reads most of the remaining values, until none reads any.

    pandas' guesses for the column's own values are tried first; the built-in list only when
    none of them reads anything. Candidates are ranked on a sample, the chosen one is applied to
    all remaining values.
    """
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    remaining = values
    guessed = _guessed_formats(values.head(_GUESS_SIZE), dayfirst)
    built_in = [fmt for fmt in candidate_formats(dayfirst) if fmt not in guessed]
    while len(remaining):
        fmt, read = _best_format(remaining, guessed)
        if not read:
            fmt, read = _best_format(remaining, built_in)
        if not read:
            break
        (guessed if fmt in guessed else built_in).remove(fmt)
        parsed = _with_format(remaining, fmt)
        result[parsed.index] = parsed.where(parsed.notna(), result[parsed.index])
        remaining = remaining[parsed.isna()]
    return result


def iso_timestamps(values: pd.Series) -> pd.Series:
    """`pd.to_datetime(values, format="ISO8601", utc=True, errors="coerce")` of present text,
    except that a time without a zone is always UTC (pandas reads it at the offset of a zoned
    time before it in the same call).

    Times with a zone (`Z`, `+05:30`), which pandas reads one Python object at a time, are cast
    by Arrow in C: Arrow reads every such value it accepts as pandas does, and refuses the rest
    (a day that does not exist, a lower-case `z`, more than nine decimals, years pandas cannot
    hold), so a chunk with a value it refuses goes to pandas. pandas' own fast path reads the
    times without a zone (`2024-03-01 10:00:00`), in a call of their own.
    """
    zoned = arrow_flags(pc.match_substring_regex(arrow_strings(values), _ISO_ZONE))
    times = np.empty(len(values), dtype="datetime64[ns]")
    times[~zoned] = _read_by_pandas(values[~zoned])
    at = np.flatnonzero(zoned)
    for start in range(0, len(at), ISO_CHUNK_ROWS):
        chunk = at[start : start + ISO_CHUNK_ROWS]
        times[chunk] = _zoned_times(values.iloc[chunk])
    return pd.Series(times, index=values.index, name=values.name).dt.tz_localize("UTC")


def _zoned_times(values: pd.Series) -> np.ndarray:
    """UTC times of zoned ISO text, cast by Arrow, or read by pandas where Arrow refuses one."""
    try:
        cast = pc.cast(arrow_strings(values), pa.timestamp("ns", tz="UTC"))
    except pa.ArrowInvalid:
        return _read_by_pandas(values)
    return cast.cast(pa.int64()).to_numpy().view("datetime64[ns]")


def _read_by_pandas(values: pd.Series) -> np.ndarray:
    """pandas' reading of ISO text (NaT where it reads none) as naive `datetime64[ns]` UTC."""
    read = pd.to_datetime(values, format="ISO8601", utc=True, errors="coerce")
    return read.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def _parse_distinct(values: pd.Series, dayfirst: bool) -> pd.Series:
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    text = arrow_strings(values)
    epoch = arrow_flags(pc.match_substring_regex(text, _EPOCH))
    if epoch.any():
        result[epoch] = _parse_epoch(values[epoch])
    iso_like = ~epoch & arrow_flags(pc.match_substring_regex(text, _ISO_START))
    iso = iso_timestamps(values[iso_like])
    rest = values[~epoch]
    result[iso.index] = iso
    unread = rest[~rest.index.isin(iso.index[iso.notna()])]
    if len(unread):
        result[unread.index] = _parse_written(unread, dayfirst)
    return result


def parse_timestamps(values: pd.Series, dayfirst: bool = False) -> pd.Series:
    """`datetime64[ns, UTC]` per value; missing and unreadable values are `NaT`.

    Each distinct value is parsed once. `dayfirst` breaks the tie for columns whose values all
    read both ways (`03/04/2024`).
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    text = blank_to_none(pd.Series(distinct, dtype="object"))
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    present = text.notna()
    if present.any():
        parsed[present] = _parse_distinct(text[present], dayfirst)
    # Code -1 (missing) picks the NaT appended at the end.
    naive = np.append(parsed.dt.tz_convert(None).to_numpy(), np.datetime64("NaT", "ns"))
    return pd.Series(naive[codes], index=values.index).dt.tz_localize("UTC")


def unparseable_mask(values: pd.Series, parsed: pd.Series) -> pd.Series:
    """Rows that have a value which `parse_timestamps` could not read."""
    unread = (parsed.isna() & values.notna()).to_numpy()
    mask = np.zeros(len(values), dtype=bool)
    mask[unread] = blank_to_none(values[unread]).notna().to_numpy()
    return pd.Series(mask, index=values.index)


def later_than(parsed: pd.Series, not_after: pd.Timestamp | None) -> pd.Series:
    """Rows whose time lies after `not_after` (the batch's as-of time plus a tolerance): an event
    cannot have happened after the batch was taken, so such a time is a typo or a wrong clock
    (`2099-01-01`), never activity. All False when `not_after` is None."""
    if not_after is None:
        return pd.Series(False, index=parsed.index)
    return (parsed > not_after).fillna(False).astype(bool)

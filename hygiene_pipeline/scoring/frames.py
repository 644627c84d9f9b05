"""Small frame helpers the scoring modules share: optional columns, `as_of`, dates in reasons."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)


def column(frame: pd.DataFrame, name: str, default: object = None) -> pd.Series:
    """A column, or a constant one when the input did not have it (optional feed columns)."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(default, index=frame.index, dtype=object)


def utc_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A timestamp column as `datetime64[ns, UTC]`, all `NaT` when the column is absent."""
    return pd.to_datetime(column(frame, name), utc=True, errors="coerce")


def bool_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A flag column as plain `bool` (missing = False), whatever nullable type it arrived in."""
    return column(frame, name, False).eq(True).fillna(False).astype(bool)


def utc_as_of(as_of: datetime | pd.Timestamp) -> pd.Timestamp:
    """`as_of` as a UTC timestamp; a naive one is refused because its meaning is ambiguous."""
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (UTC)")
    return stamp.tz_convert("UTC")


def day_text(stamps: pd.Series) -> pd.Series:
    """`YYYY-MM-DD` of each timestamp (empty text for `NaT`), for human-readable reasons."""
    days = np.datetime_as_string(stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[D]"))
    return pd.Series(np.where(stamps.isna(), "", days), index=stamps.index, dtype=object)


def age_days(stamps: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Fractional days from each timestamp to `as_of` (`NaN` for `NaT`)."""
    return (as_of - stamps) / DAY


def latest_per(frame: pd.DataFrame, key: str, at: str) -> pd.DataFrame:
    """The latest row per `key` by timestamp `at` (ties: first in frame order), indexed by key."""
    if frame.empty:
        return frame.set_index(key)
    ordered = frame.sort_values(at, kind="stable", ascending=False)
    return ordered.drop_duplicates(key).set_index(key)


def text_or_empty(values: pd.Series) -> np.ndarray:
    """Values as an object array of text with `""` for missing, ready for vectorised `+`."""
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object)


def join_parts(parts: list[np.ndarray]) -> np.ndarray:
    """Join the non-empty texts of several aligned arrays element-wise with `"; "`."""
    joined = np.full(len(parts[0]), "", dtype=object) if parts else np.array([], dtype=object)
    for part in parts:
        part = np.asarray(part, dtype=object)
        joined = np.where(part == "", joined, np.where(joined == "", part, joined + "; " + part))
    return joined

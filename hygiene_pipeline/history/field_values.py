"""Golden values as comparable text, and the source record behind a golden field."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd


def as_text(values: pd.Series) -> pd.Series:
    """Values as text for comparison and for the change tables: booleans `true`/`false`,
    timestamps ISO 8601, missing values None, so one value compares equal across runs and
    warehouses whatever dtype it was read back with."""
    if pd.api.types.is_bool_dtype(values):
        text = values.map({True: "true", False: "false"})
    elif pd.api.types.is_datetime64_any_dtype(values):
        text = values.map(lambda v: None if pd.isna(v) else pd.Timestamp(v).isoformat())
    elif pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        text = values
    else:
        text = values.map(_scalar_text)
    return text.astype(object).where(text.notna(), None)


def _scalar_text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def provenance_record_keys(provenance: pd.Series, field: str) -> pd.Series:
    """The record key each golden row took `field` from (None where not recorded)."""
    return provenance.map(lambda text: _record_key(text, field)).astype(object)


def _record_key(text: object, field: str) -> str | None:
    if not isinstance(text, str) or not text:
        return None
    entry = json.loads(text).get(field)
    return entry.get("record_key") if isinstance(entry, dict) else None


def with_provenance_of(current: str | None, previous: str | None, field: str) -> str | None:
    """`current` provenance JSON with `field`'s entry taken back from `previous`."""
    merged = json.loads(current) if isinstance(current, str) and current else {}
    before = json.loads(previous) if isinstance(previous, str) and previous else {}
    if field in before:
        merged[field] = before[field]
    else:
        merged.pop(field, None)
    return json.dumps(merged, separators=(",", ":"))


def record_source(record_keys: pd.Series) -> pd.Series:
    """`source_system` and `contact_id` of record keys (`<source_system>:<contact_id>`)."""
    parts = record_keys.astype(object).str.split(":", n=1)
    return pd.DataFrame(
        {"source_system": parts.str[0], "contact_id": parts.str[1]}, index=record_keys.index
    )

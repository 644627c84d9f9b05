"""Metadata shapes shared by every asset: column schemas, counts and small markdown tables.

Only aggregates and column names go into metadata, never row values, so no PII reaches the UI."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from dagster import MetadataValue, TableColumn, TableSchema

_DTYPE_NAMES = {
    "b": "boolean",
    "i": "integer",
    "u": "integer",
    "f": "float",
    "M": "timestamp",
}


def column_type(dtype: object) -> str:
    """A warehouse-neutral type name for a pandas dtype."""
    kind = getattr(dtype, "kind", "O")
    return _DTYPE_NAMES.get(kind, "text")


def table_schema(frame: pd.DataFrame, docs: Mapping[str, str] | None = None) -> TableSchema:
    """The frame's columns as a Dagster table schema, with descriptions where documented."""
    docs = docs or {}
    return TableSchema(
        columns=[
            TableColumn(name=str(name), type=column_type(dtype), description=docs.get(str(name)))
            for name, dtype in frame.dtypes.items()
        ]
    )


def counts_table(
    counts: Mapping[str, int] | pd.Series, key: str, value: str = "rows"
) -> MetadataValue:
    """A two-column markdown table, largest first; for counts by reason, file or key."""
    items = sorted(dict(counts).items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
    lines = [f"| {key} | {value} |", "|---|---:|"]
    lines += [f"| {str(k).replace('|', '/')} | {int(v):,} |" for k, v in items]
    if not items:
        lines.append("| (none) | 0 |")
    return MetadataValue.md("\n".join(lines))


def share(part: int, whole: int) -> float:
    """part/whole rounded for display; 0.0 for an empty whole."""
    return round(part / whole, 4) if whole else 0.0

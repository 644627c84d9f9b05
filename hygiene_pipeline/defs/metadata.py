"""Metadata shapes shared by every asset: column schemas, counts and small markdown tables.

Only aggregates and column names go into metadata, never row values, so no PII reaches the UI.
Column descriptions come from `dbt_like_sql/schema.yml` (`warehouse.column_catalog`), nowhere
else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from dagster import MetadataValue, TableColumn, TableSchema

from hygiene_pipeline.warehouse.column_catalog import ColumnDoc, shipped_catalog

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


def table_schema(frame: pd.DataFrame, table: str | None = None) -> TableSchema:
    """The frame's columns as a Dagster table schema; for `table`, a curated table, with the
    column descriptions schema.yml gives it."""
    catalog = shipped_catalog()
    return TableSchema(
        columns=[
            TableColumn(
                name=str(name),
                type=column_type(dtype),
                description=catalog.description_of(table, str(name)) if table else None,
            )
            for name, dtype in frame.dtypes.items()
        ]
    )


def documented_schema(columns: Iterable[ColumnDoc]) -> TableSchema:
    """Documented columns (a schema.yml entry) as a Dagster table schema."""
    return TableSchema(
        columns=[
            TableColumn(name=c.name, type=c.data_type or "unknown", description=c.description)
            for c in columns
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

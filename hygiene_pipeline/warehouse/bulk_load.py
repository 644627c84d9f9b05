"""Bulk loading of a DataFrame into an existing table, never row by row.

A frame is converted to Arrow and loaded `LOAD_SLICE_ROWS` rows at a time, so that a large one
is never held twice (nor its CSV text on PostgreSQL). DuckDB inserts each slice from a relation
over it, cut into row-group batches, so that its threads insert in parallel; PostgreSQL receives
each as CSV through `COPY ... FROM STDIN` (psycopg2 `copy_expert`). Both run on the caller's
connection, so the load is part of the caller's transaction.

A refused load raises `BulkLoadError` naming the table, the column (when the engine says which)
and the frame's column types, but not the engine's own message: that quotes the offending value,
which may be an email address or a phone number.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import duckdb
import pandas as pd
import psycopg2
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Connection

from hygiene_pipeline.warehouse.frame_types import (
    DUCKDB_ROW_GROUP_ROWS,
    ColumnSpec,
    column_specs,
    in_scan_batches,
    to_arrow,
)
from hygiene_pipeline.warehouse.sql_text import execute, qualified_name, quote_name

LOAD_SLICE_ROWS = 2 * DUCKDB_ROW_GROUP_ROWS
"""Rows converted to Arrow and loaded at a time: two DuckDB row groups, which its threads insert
side by side."""


class BulkLoadError(RuntimeError):
    """The engine refused a bulk load; the message leaves out the values involved."""


def create_table(conn: Connection, schema: str, table: str, columns: Sequence[ColumnSpec]) -> None:
    """Create an empty table with these columns (so an empty frame still yields its columns)."""
    column_sql = ", ".join(f"{quote_name(conn.dialect, c.name)} {c.sql_type}" for c in columns)
    execute(conn, f"CREATE TABLE {qualified_name(conn.dialect, schema, table)} ({column_sql})")


def create_table_for(conn: Connection, schema: str, table: str, frame: pd.DataFrame) -> None:
    """Create a table typed after the frame's dtypes and bulk-load the frame into it."""
    columns = column_specs(frame)
    create_table(conn, schema, table, columns)
    _insert_slices(conn, schema, table, frame, columns)


def insert_frame(conn: Connection, schema: str, table: str, frame: pd.DataFrame) -> None:
    """Append a frame to an existing table; the frame's columns must exist in the table."""
    _insert_slices(conn, schema, table, frame, column_specs(frame))


def _insert_slices(
    conn: Connection, schema: str, table: str, frame: pd.DataFrame, columns: list[ColumnSpec]
) -> None:
    """Load the frame `LOAD_SLICE_ROWS` rows at a time, in order: only one slice at a time is
    held in Arrow beside the frame (a million standardised contacts take over a gigabyte)."""
    for start in range(0, len(frame), LOAD_SLICE_ROWS):
        rows = frame.iloc[start : start + LOAD_SLICE_ROWS]
        _insert_arrow(conn, schema, table, to_arrow(rows, columns), (start, len(frame)))


def _insert_arrow(
    conn: Connection, schema: str, table: str, data: pa.Table, place: tuple[int, int]
) -> None:
    """Append an Arrow slice (`place`: its first row and the frame's rows) to an existing table,
    matching columns by name."""
    target = qualified_name(conn.dialect, schema, table)
    try:
        if conn.dialect.name == "duckdb":
            _insert_duckdb(conn, target, data)
        else:
            _copy_postgres(conn, target, data)
    except (duckdb.Error, psycopg2.Error) as error:
        column = getattr(getattr(error, "diag", None), "column_name", None)
        first, total = place
        raise BulkLoadError(
            f"Loading rows {first + 1} to {first + data.num_rows} of {total} into {target} "
            f"failed with {type(error).__name__}"
            + (f" in column {column}" if column else "")
            + f"; frame columns: {data.schema.to_string(show_schema_metadata=False)}"
        ) from None


def _insert_duckdb(conn: Connection, target: str, data: pa.Table) -> None:
    """Insert through a relation over the slice, in the table's column order (a column the
    slice lacks is NULL): unlike a registered view, which the connection holds until the
    transaction ends, the relation lets the slice go once inserted, so a large frame's Arrow
    copy never piles up, and it needs no name the database might resolve otherwise."""
    duckdb_connection = conn.connection.driver_connection
    stored = duckdb_connection.table(target)
    present = set(data.column_names)
    columns = ", ".join(
        quote_name(conn.dialect, name)
        if name in present
        else f"CAST(NULL AS {sql_type}) AS {quote_name(conn.dialect, name)}"
        for name, sql_type in zip(stored.columns, stored.types, strict=True)
    )
    duckdb_connection.from_arrow(in_scan_batches(data)).project(columns).insert_into(target)


def _copy_postgres(conn: Connection, target: str, data: pa.Table) -> None:
    column_list = ", ".join(quote_name(conn.dialect, name) for name in data.column_names)
    cursor = conn.connection.dbapi_connection.cursor()
    statement = f"COPY {target} ({column_list}) FROM STDIN WITH (FORMAT csv)"
    # Arrow writes NULL as an unquoted empty field and '' as "", exactly PostgreSQL's CSV rules.
    buffer = io.BytesIO()
    pa_csv.write_csv(data, buffer, pa_csv.WriteOptions(include_header=False))
    buffer.seek(0)
    try:
        cursor.copy_expert(statement, buffer)
    finally:
        cursor.close()

"""Bulk loading of a DataFrame into an existing table, never row by row.

The frame goes as a stream of Arrow batches made as they are read (`frame_types.arrow_batches`):
DuckDB scans it (`INSERT INTO ... SELECT`) in batches of one row group, inserting on one thread
while the next batch is made; PostgreSQL receives each batch of `COPY_BATCH_ROWS` rows as CSV
through `COPY ... FROM STDIN` (psycopg2 `copy_expert`), which bounds the memory the CSV text
takes. Both run on the caller's connection, so the load is part of the caller's transaction.

A refused load raises `BulkLoadError` naming the table, the column (when the engine says which)
and the frame's column types, but not the engine's own message: that quotes the offending value,
which may be an email address or a phone number.
"""

from __future__ import annotations

import io
import uuid
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
    arrow_batches,
    column_specs,
)
from hygiene_pipeline.warehouse.sql_text import execute, qualified_name, quote_name

COPY_BATCH_ROWS = 200_000


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
    _insert_frame(conn, schema, table, frame, columns)


def insert_frame(conn: Connection, schema: str, table: str, frame: pd.DataFrame) -> None:
    """Append a frame to an existing table; the frame's columns must exist in the table."""
    _insert_frame(conn, schema, table, frame, column_specs(frame))


def _insert_frame(
    conn: Connection, schema: str, table: str, frame: pd.DataFrame, columns: list[ColumnSpec]
) -> None:
    """Append the frame's `columns` to an existing table, matching columns by name."""
    if frame.empty:
        return
    target = qualified_name(conn.dialect, schema, table)
    column_list = ", ".join(quote_name(conn.dialect, spec.name) for spec in columns)
    duckdb_target = conn.dialect.name == "duckdb"
    batches = arrow_batches(
        frame, columns, DUCKDB_ROW_GROUP_ROWS if duckdb_target else COPY_BATCH_ROWS
    )
    try:
        if duckdb_target:
            _insert_duckdb(conn, target, column_list, batches)
        else:
            _copy_postgres(conn, target, column_list, batches)
    except (duckdb.Error, psycopg2.Error) as error:
        column = getattr(getattr(error, "diag", None), "column_name", None)
        types = ", ".join(f"{spec.name}: {spec.sql_type}" for spec in columns)
        raise BulkLoadError(
            f"Loading {len(frame)} rows into {target} failed with {type(error).__name__}"
            + (f" in column {column}" if column else "")
            + f"; frame columns: {types}"
        ) from None


def _insert_duckdb(
    conn: Connection, target: str, column_list: str, data: pa.RecordBatchReader
) -> None:
    duckdb_connection = conn.connection.driver_connection
    view_name = f"hygiene_load_{uuid.uuid4().hex}"
    duckdb_connection.register(view_name, data)
    try:
        duckdb_connection.execute(
            f"INSERT INTO {target} ({column_list}) SELECT {column_list} FROM {view_name}"
        )
    finally:
        duckdb_connection.unregister(view_name)


def _copy_postgres(
    conn: Connection, target: str, column_list: str, data: pa.RecordBatchReader
) -> None:
    cursor = conn.connection.dbapi_connection.cursor()
    statement = f"COPY {target} ({column_list}) FROM STDIN WITH (FORMAT csv)"
    # Arrow writes NULL as an unquoted empty field and '' as "", exactly PostgreSQL's CSV rules.
    options = pa_csv.WriteOptions(include_header=False)
    try:
        for batch in data:
            buffer = io.BytesIO()
            pa_csv.write_csv(batch, buffer, options)
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
    finally:
        cursor.close()

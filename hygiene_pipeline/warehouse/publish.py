"""Atomic replacement and appends of warehouse tables, on one caller-owned transaction.

Replacing builds the new content under a loading name in the same schema (bulk load or
`CREATE TABLE ... AS SELECT`, or a copy of another table with some rows updated from a
frame), builds its indexes there, then drops the old relation and renames
the new one into place. All of it happens in the caller's transaction, so a concurrent reader sees
the old table or the new one, never none and never half of one; on PostgreSQL the reader briefly
waits for the swap's lock and then reads the new table. Grants and dependent views survive a
replacement (see `pg_attachments`), and so do comments the new docs do not restate.

Appends to one table may come from several processes at once (the checks of a run on PostgreSQL
run side by side, each appending to the check log): on PostgreSQL each append first takes a lock
on the table's name for the rest of its transaction, so that the first ones do not both create
the table, nor two add the same new column; the rows themselves would not need it.

Indexes are built on PostgreSQL only: DuckDB's ART indexes serve point lookups and constraints,
not the scans and hash joins BI runs, and would only slow each replacement down.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial

import pandas as pd
from sqlalchemy import Connection

from hygiene_pipeline.warehouse import pg_attachments
from hygiene_pipeline.warehouse.bulk_load import create_table_for, insert_frame
from hygiene_pipeline.warehouse.catalog import (
    TableDocs,
    apply_docs,
    current_docs,
    relation_columns,
    relation_kind,
)
from hygiene_pipeline.warehouse.frame_types import sql_type_of
from hygiene_pipeline.warehouse.sql_text import execute, qualified_name, quote_name, string_literal

_MAX_IDENTIFIER_LENGTH = 63  # PostgreSQL's limit; DuckDB has none.
_ADVISORY_LOCK_NAMESPACE = "hygiene_pipeline.append"
"""The first key of the advisory locks appends take (`_lock_name`)."""


def replace_with_frame(
    conn: Connection,
    schema: str,
    table: str,
    frame: pd.DataFrame,
    *,
    docs: TableDocs,
    index_columns: Iterable[str] = (),
) -> None:
    """Replace `schema.table` with the frame's rows, typed after its dtypes."""
    loading = _loading_name(table)
    create_table_for(conn, schema, loading, frame)
    _swap_in(conn, schema, table, loading, docs, index_columns)


def replace_with_query(
    conn: Connection,
    schema: str,
    table: str,
    select_sql: str,
    *,
    docs: TableDocs,
    index_columns: Iterable[str] = (),
) -> None:
    """Replace `schema.table` with the result of a SELECT run inside the warehouse."""
    loading = _loading_name(table)
    target = qualified_name(conn.dialect, schema, loading)
    execute(conn, f"CREATE TABLE {target} AS {select_sql}")
    _swap_in(conn, schema, table, loading, docs, index_columns)


def replace_with_patched_copy(
    conn: Connection,
    schema: str,
    table: str,
    source: tuple[str, str],
    patch: pd.DataFrame,
    key: str,
    *,
    index_columns: Iterable[str] = (),
) -> None:
    """Replace `schema.table` with a copy of the `source` table (schema, table) whose rows with
    a `key` in `patch` take the patch's values; the patch has the key and the columns to set.
    DuckDB updates rows in place; PostgreSQL writes an updated row anew, so a read without an
    order may meet it last, as it may meet the rows of any table in any order."""
    loading = _loading_name(table)
    target = qualified_name(conn.dialect, schema, loading)
    execute(conn, f"CREATE TABLE {target} AS SELECT * FROM {qualified_name(conn.dialect, *source)}")
    if len(patch):
        _update_from_frame(conn, schema, loading, patch, key)
    _swap_in(conn, schema, table, loading, TableDocs(), index_columns)


def _update_from_frame(
    conn: Connection, schema: str, table: str, frame: pd.DataFrame, key: str
) -> None:
    """Set the frame's columns on the rows of `schema.table` with the frame's keys. The rows are
    staged in a table typed like the target, so each value takes its column's type."""
    staging = _loading_name(f"{table}_patch")
    target = qualified_name(conn.dialect, schema, table)
    staged = qualified_name(conn.dialect, schema, staging)
    execute(conn, f"CREATE TABLE {staged} AS SELECT * FROM {target} WHERE 1 = 0")
    insert_frame(conn, schema, staging, frame)
    name = partial(quote_name, conn.dialect)
    assignments = ", ".join(f"{name(c)} = p.{name(c)}" for c in frame.columns if c != key)
    execute(
        conn,
        f"UPDATE {target} AS t SET {assignments} FROM {staged} AS p "
        f"WHERE t.{name(key)} = p.{name(key)}",
    )
    execute(conn, f"DROP TABLE {staged}")


def replace_view(
    conn: Connection, schema: str, view: str, select_sql: str, *, docs: TableDocs
) -> None:
    """Replace `schema.view` by a view over the SELECT.

    Drop and create rather than `CREATE OR REPLACE VIEW`, which PostgreSQL refuses when a column
    is removed or changes type; inside the transaction that is just as atomic.
    """
    with _replacing(conn, schema, view, docs):
        target = qualified_name(conn.dialect, schema, view)
        execute(conn, f"CREATE VIEW {target} AS {select_sql}")


def append_frame(
    conn: Connection,
    schema: str,
    table: str,
    frame: pd.DataFrame,
    *,
    index_columns: Iterable[str] = (),
) -> None:
    """Append the frame's rows; create the table on first use and add columns it lacks."""
    _lock_name(conn, schema, table)
    existing = relation_columns(conn, schema, table)
    if not existing:
        create_table_for(conn, schema, table, frame)
        create_indexes(conn, schema, table, _present(index_columns, list(frame.columns)))
        return
    target = qualified_name(conn.dialect, schema, table)
    for name in frame.columns:
        if name not in existing:
            execute(
                conn,
                f"ALTER TABLE {target} ADD COLUMN {quote_name(conn.dialect, name)} "
                f"{sql_type_of(frame[name])}",
            )
    insert_frame(conn, schema, table, frame)


def _lock_name(conn: Connection, schema: str, table: str) -> None:
    """On PostgreSQL, take the lock on `schema.table`'s name and hold it until the transaction
    ends (an advisory lock: it exists whether the table does or not, and its first key keeps it
    apart from other users of advisory locks); DuckDB has one writer."""
    if conn.dialect.name != "postgresql":
        return
    name = string_literal(qualified_name(conn.dialect, schema, table))
    namespace = string_literal(_ADVISORY_LOCK_NAMESPACE)
    execute(conn, f"SELECT pg_advisory_xact_lock(hashtext({namespace}), hashtext({name}))")


def _swap_in(
    conn: Connection,
    schema: str,
    table: str,
    loading: str,
    docs: TableDocs,
    index_columns: Iterable[str],
) -> None:
    columns = _indexed_columns(conn, schema, loading, index_columns)
    create_indexes(conn, schema, loading, columns)
    with _replacing(conn, schema, table, docs):
        execute(
            conn,
            f"ALTER TABLE {qualified_name(conn.dialect, schema, loading)} "
            f"RENAME TO {quote_name(conn.dialect, table)}",
        )
        for column in columns:
            execute(
                conn,
                f"ALTER INDEX {qualified_name(conn.dialect, schema, _index_name(loading, column))} "
                f"RENAME TO {quote_name(conn.dialect, _index_name(table, column))}",
            )


@contextmanager
def _replacing(conn: Connection, schema: str, name: str, docs: TableDocs) -> Iterator[None]:
    """Drop `schema.name` for the body to put its successor in place, then carry over what hung
    on it: grants, dependent views and comments that `docs` does not restate. A relation new to
    its schema (every table a run writes first) has nothing to carry over, so the catalog is
    asked only whether it exists, not for its comments, grants and dependent views."""
    attachments, previous_docs = pg_attachments.Attachments(), TableDocs()
    kind = relation_kind(conn, schema, name)
    if kind is not None:
        attachments = pg_attachments.capture(conn, schema, name)
        previous_docs = current_docs(conn, schema, name)
        # PostgreSQL: the dependent views were captured and come back in `restore`.
        cascade = " CASCADE" if conn.dialect.name == "postgresql" else ""
        execute(conn, f"DROP {kind.upper()} {qualified_name(conn.dialect, schema, name)}{cascade}")
    yield
    pg_attachments.restore(conn, schema, name, attachments)
    apply_docs(conn, schema, name, docs.over(previous_docs))


def create_indexes(conn: Connection, schema: str, table: str, columns: list[str]) -> None:
    """Index each of `columns` on PostgreSQL (one single-column index each); no-op on DuckDB."""
    if conn.dialect.name != "postgresql":
        return
    target = qualified_name(conn.dialect, schema, table)
    for column in columns:
        execute(
            conn,
            f"CREATE INDEX {quote_name(conn.dialect, _index_name(table, column))} "
            f"ON {target} ({quote_name(conn.dialect, column)})",
        )


def _indexed_columns(
    conn: Connection, schema: str, table: str, candidates: Iterable[str]
) -> list[str]:
    """The candidates that `schema.table` has, on PostgreSQL; none on DuckDB, which builds no
    indexes and so needs no catalog look-up per replaced table."""
    if conn.dialect.name != "postgresql":
        return []
    return _present(candidates, relation_columns(conn, schema, table))


def _present(candidates: Iterable[str], columns: list[str]) -> list[str]:
    return [c for c in dict.fromkeys(candidates) if c in columns]


def _loading_name(table: str) -> str:
    return _bounded_name(f"{table}__loading_{uuid.uuid4().hex[:12]}")


def _index_name(table: str, column: str) -> str:
    return _bounded_name(f"ix_{table}__{column}")


def _bounded_name(name: str) -> str:
    """The name itself, or a truncated form with a hash suffix if it exceeds PostgreSQL's limit."""
    if len(name) <= _MAX_IDENTIFIER_LENGTH:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]
    return f"{name[: _MAX_IDENTIFIER_LENGTH - 11]}_{digest}"

"""What the warehouse catalog says about a relation: whether it exists, its columns, its comments.

Comments (`COMMENT ON TABLE/VIEW/COLUMN`) are how BI tools show descriptions; both engines keep
them. `current_docs` reads them back so a replacement can carry them over when the publisher
gives none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import Connection, text

from hygiene_pipeline.warehouse.sql_text import execute, qualified_name, quote_name, string_literal

RelationKind = Literal["table", "view"]

_RELATION_KIND_SQL = text(
    "SELECT table_type FROM information_schema.tables "
    "WHERE table_schema = :schema AND table_name = :name"
)
_COLUMNS_SQL = text(
    "SELECT column_name FROM information_schema.columns "
    "WHERE table_schema = :schema AND table_name = :name ORDER BY ordinal_position"
)
_DUCKDB_ROWID_ROWS_SQL = text(
    """
    SELECT t.estimated_size FROM duckdb_tables() t
    WHERE t.database_name = current_database()
      AND t.schema_name = :schema AND t.table_name = :name
      AND NOT EXISTS (
          SELECT 1 FROM duckdb_columns() c
          WHERE c.database_name = t.database_name AND c.schema_name = t.schema_name
            AND c.table_name = t.table_name AND lower(c.column_name) = 'rowid'
      )
    """
)
_POSTGRES_COMMENTS_SQL = text(
    """
    SELECT a.attname, d.description
    FROM pg_description d
    LEFT JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
    WHERE d.objoid = to_regclass(:relation) AND d.classoid = 'pg_class'::regclass
    """
)
_DUCKDB_COMMENTS_SQL = text(
    """
    SELECT NULL AS column_name, comment FROM duckdb_tables()
    WHERE schema_name = :schema AND table_name = :name AND comment IS NOT NULL
    UNION ALL
    SELECT NULL, comment FROM duckdb_views()
    WHERE schema_name = :schema AND view_name = :name AND comment IS NOT NULL
    UNION ALL
    SELECT column_name, comment FROM duckdb_columns()
    WHERE schema_name = :schema AND table_name = :name AND comment IS NOT NULL
    """
)


@dataclass(frozen=True)
class TableDocs:
    """Descriptions written as `COMMENT ON` the table and its columns, for BI tools to show."""

    comment: str | None = None
    column_comments: Mapping[str, str] = field(default_factory=dict)

    def over(self, fallback: TableDocs) -> TableDocs:
        """These docs, completed by `fallback` where they say nothing."""
        return TableDocs(
            self.comment or fallback.comment,
            {**fallback.column_comments, **self.column_comments},
        )


def relation_kind(conn: Connection, schema: str, name: str) -> RelationKind | None:
    """Whether `schema.name` is a table, a view, or absent."""
    table_type = conn.execute(_RELATION_KIND_SQL, {"schema": schema, "name": name}).scalar()
    if table_type is None:
        return None
    return "view" if table_type == "VIEW" else "table"


def relation_columns(conn: Connection, schema: str, name: str) -> list[str]:
    """Column names of a table or view in order; empty when it does not exist."""
    return list(conn.execute(_COLUMNS_SQL, {"schema": schema, "name": name}).scalars())


def count_rows(conn: Connection, schema: str, name: str) -> int:
    """Number of rows in a table or view."""
    sql = f"SELECT count(*) FROM {qualified_name(conn.dialect, schema, name)}"
    return int(execute(conn, sql).scalar())


def duckdb_rowid_rows(conn: Connection, schema: str, name: str) -> int | None:
    """DuckDB's estimate of a base table's rows (deleted rows count until a checkpoint: about
    one more than its highest row id), when its `rowid` is DuckDB's own (no column of that name
    hides it); None for a view, or a table with a `rowid` column. For splitting a read by row
    id: any estimate splits it exactly, a poor one only unevenly."""
    rows = conn.execute(_DUCKDB_ROWID_ROWS_SQL, {"schema": schema, "name": name}).scalar()
    return None if rows is None else int(rows)


def current_docs(conn: Connection, schema: str, name: str) -> TableDocs:
    """The comments `schema.name` and its columns carry now (empty when absent)."""
    if conn.dialect.name == "postgresql":
        relation = qualified_name(conn.dialect, schema, name)
        rows = conn.execute(_POSTGRES_COMMENTS_SQL, {"relation": relation}).all()
    else:
        rows = conn.execute(_DUCKDB_COMMENTS_SQL, {"schema": schema, "name": name}).all()
    table_comments = [comment for column, comment in rows if column is None]
    return TableDocs(
        table_comments[0] if table_comments else None,
        {column: comment for column, comment in rows if column is not None},
    )


def apply_docs(conn: Connection, schema: str, name: str, docs: TableDocs) -> None:
    """Write the description and the descriptions of columns that exist as comments."""
    kind = relation_kind(conn, schema, name) if docs.comment or docs.column_comments else None
    if kind is None:
        return
    target = qualified_name(conn.dialect, schema, name)
    if docs.comment:
        execute(conn, f"COMMENT ON {kind.upper()} {target} IS {string_literal(docs.comment)}")
    columns = set(relation_columns(conn, schema, name))
    for column, comment in docs.column_comments.items():
        if column in columns and comment:
            execute(
                conn,
                f"COMMENT ON COLUMN {target}.{quote_name(conn.dialect, column)} "
                f"IS {string_literal(comment)}",
            )

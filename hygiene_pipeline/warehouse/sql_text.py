"""SQL text for statements that cannot take bind parameters (DDL, COMMENT): quoting and running."""

from __future__ import annotations

import sqlglot.expressions as exp
from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine import Dialect


def execute(conn: Connection, statement: str) -> CursorResult:
    """Run one complete statement that has no bind parameters.

    `exec_driver_sql` still hands psycopg2 an (empty) parameter set, and psycopg2 then reads
    every `%` in a comment, a LIKE pattern or a view definition as a placeholder; doubling them
    is the documented escape for such drivers.
    """
    if conn.dialect.paramstyle in ("format", "pyformat"):
        statement = statement.replace("%", "%%")
    return conn.exec_driver_sql(statement)


def quote_name(dialect: Dialect, name: str) -> str:
    """One identifier, always quoted: carried-through CSV columns may be named like a keyword of
    either engine (`at`, `order`), and SQLAlchemy only knows PostgreSQL's reserved words."""
    return dialect.identifier_preparer.quote_identifier(name)


def qualified_name(dialect: Dialect, schema: str, name: str) -> str:
    """`schema.name` with both parts quoted as needed."""
    return f"{quote_name(dialect, schema)}.{quote_name(dialect, name)}"


def quoted_identifier(name: str) -> str:
    """An identifier quoted for SQL written in the PostgreSQL dialect (before any transpiling)."""
    return exp.to_identifier(name, quoted=True).sql(dialect="postgres")


def sqlglot_dialect(dialect_name: str) -> str:
    """sqlglot's name for a SQLAlchemy dialect name (`duckdb`, `postgresql`)."""
    return "postgres" if dialect_name == "postgresql" else dialect_name


def string_literal(text: str) -> str:
    """A standard SQL string literal (quotes doubled), valid on both engines."""
    return exp.Literal.string(text).sql(dialect="postgres")

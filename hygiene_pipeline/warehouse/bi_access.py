"""Read access for BI: a masked view schema, read-only roles and table comments.

`grant_bi_access` sets up, in one transaction:
- `curated_masked`: for every curated table or view with personal data, a view of the same name
  showing every column, with emails as `j***@example.com`, phones as `+1******0100`, names as
  initials (`J.`) and free text that may hold anything personal (`raw`, `street`, `notes`) as
  NULL. A `value` column next to a `channel` column (suppression_list) is masked by channel.
  Built on both engines.
- PostgreSQL roles (created if missing, `NOLOGIN` unless `login=True`, with read-only
  transactions by default), never any privilege on `staging`:
  - `pii_role` (`bi_pii_reader`): SELECT on every table and view in `curated` and
    `curated_masked`, now and in future (default privileges).
  - `role` (`bi_reader`): SELECT on the curated relations without personal data and on every
    masked view (future masked views included). Curated tables that gain personal data are
    revoked from it. A curated table created after this call becomes readable to `role` the
    next time this runs; replacing an existing table keeps its grants.
  Default privileges apply to objects created by the user running this, so run it as the user
  that publishes the tables.
- `COMMENT ON` tables, views and columns from `docs` (schema.yml descriptions, see
  `sql_models.curated_docs`); masked views get the same comments. DuckDB supports comments but has
  no roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
from sqlalchemy import Connection, text

from hygiene_pipeline.warehouse.catalog import TableDocs, apply_docs, relation_columns
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.publish import replace_view
from hygiene_pipeline.warehouse.sql_text import (
    execute,
    qualified_name,
    quote_name,
    quoted_identifier,
    sqlglot_dialect,
    string_literal,
)

MASKED_SCHEMA = "curated_masked"
EMAIL_COLUMNS = frozenset({"email", "email_key"})
PHONE_COLUMNS = frozenset(
    {
        "phone",
        "mobile_phone",
        "phone_raw",
        "phone_e164",
        "mobile_phone_raw",
        "mobile_phone_e164",
        "phone_dialed",
    }
)
NAME_COLUMNS = frozenset(
    {"first_name", "last_name", "full_name", "first_name_norm", "last_name_norm"}
)
REDACTED_COLUMNS = frozenset({"raw", "street", "notes"})
CHANNEL_VALUE_COLUMN = "value"

_RELATIONS_SQL = text(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema "
    "ORDER BY table_name"
)


@dataclass(frozen=True)
class BiAccess:
    """What `grant_bi_access` set up: masked views and which curated relations hold PII."""

    masked_views: list[str]
    pii_relations: list[str]
    open_relations: list[str]


def grant_bi_access(
    warehouse: Warehouse,
    role: str = "bi_reader",
    pii_role: str = "bi_pii_reader",
    *,
    masked_schema: str = MASKED_SCHEMA,
    login: bool = False,
    docs: Mapping[str, TableDocs] | None = None,
) -> BiAccess:
    """Create the masked views, the read-only roles (PostgreSQL) and the comments; idempotent."""
    docs = docs or {}
    curated = warehouse.curated_schema
    with warehouse.transaction() as conn:
        execute(conn, f"CREATE SCHEMA IF NOT EXISTS {quote_name(conn.dialect, masked_schema)}")
        pii, open_ = [], []
        for relation in conn.execute(_RELATIONS_SQL, {"schema": curated}).scalars().all():
            columns = relation_columns(conn, curated, relation)
            masked = _masked_select(conn, curated, relation, columns)
            relation_docs = docs.get(relation, TableDocs())
            apply_docs(conn, curated, relation, relation_docs)
            if masked is None:
                open_.append(relation)
                continue
            pii.append(relation)
            replace_view(conn, masked_schema, relation, masked, docs=relation_docs)
        if warehouse.dialect == "postgresql":
            _grant_roles(conn, warehouse, role, pii_role, masked_schema, login, pii, open_)
    return BiAccess(
        masked_views=[f"{masked_schema}.{name}" for name in pii],
        pii_relations=pii,
        open_relations=open_,
    )


def _masked_select(conn: Connection, schema: str, relation: str, columns: list[str]) -> str | None:
    """A SELECT of every column of `schema.relation` with PII masked, or None if it has none."""
    expressions = {column: _masked_expression(column, columns) for column in columns}
    if all(expression is None for expression in expressions.values()):
        return None
    select_list = ", ".join(
        f"{expression} AS {quote_name(conn.dialect, column)}"
        if expression
        else quote_name(conn.dialect, column)
        for column, expression in expressions.items()
    )
    sql = f"SELECT {select_list} FROM {qualified_name(conn.dialect, schema, relation)}"
    return sqlglot.transpile(sql, read="postgres", write=sqlglot_dialect(conn.dialect.name))[0]


def _masked_expression(column: str, columns: list[str]) -> str | None:
    quoted = quoted_identifier(column)
    if column in EMAIL_COLUMNS:
        return _mask_email(quoted)
    if column in PHONE_COLUMNS:
        return _mask_phone(quoted)
    if column in NAME_COLUMNS:
        return f"CASE WHEN {quoted} IS NULL THEN NULL ELSE LEFT({quoted}, 1) || '.' END"
    if column in REDACTED_COLUMNS:
        return "CAST(NULL AS TEXT)"
    if column == CHANNEL_VALUE_COLUMN and "channel" in columns:
        return (
            f"CASE WHEN channel = 'email' THEN {_mask_email(quoted)} ELSE {_mask_phone(quoted)} END"
        )
    return None


def _mask_email(column: str) -> str:
    """`j***@example.com`: first letter and domain kept, so deliverability can still be read."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN STRPOS({column}, '@') > 1 "
        f"THEN LEFT({column}, 1) || '***' || SUBSTR({column}, STRPOS({column}, '@')) "
        "ELSE '***' END"
    )


def _mask_phone(column: str) -> str:
    """`+1******0100`: country prefix and last four digits kept, the rest starred."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN LENGTH({column}) > 6 "
        f"THEN LEFT({column}, 2) || REPEAT('*', LENGTH({column}) - 6) || RIGHT({column}, 4) "
        "ELSE '***' END"
    )


def _grant_roles(
    conn: Connection,
    warehouse: Warehouse,
    role: str,
    pii_role: str,
    masked_schema: str,
    login: bool,
    pii_relations: list[str],
    open_relations: list[str],
) -> None:
    for name in (role, pii_role):
        _ensure_role(conn, name, login)
    reader, pii_reader = (quote_name(conn.dialect, name) for name in (role, pii_role))
    curated = quote_name(conn.dialect, warehouse.curated_schema)
    masked = quote_name(conn.dialect, masked_schema)
    staging = quote_name(conn.dialect, warehouse.staging_schema)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {staging} FROM {reader}, {pii_reader}",
        f"REVOKE ALL ON SCHEMA {staging} FROM {reader}, {pii_reader}",
        f"GRANT USAGE ON SCHEMA {curated}, {masked} TO {reader}, {pii_reader}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {curated} TO {pii_reader}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {masked} TO {reader}, {pii_reader}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {curated} GRANT SELECT ON TABLES TO {pii_reader}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {masked} "
        f"GRANT SELECT ON TABLES TO {reader}, {pii_reader}",
    ]
    statements += [
        f"GRANT SELECT ON {curated}.{quote_name(conn.dialect, name)} TO {reader}"
        for name in open_relations
    ]
    statements += [
        f"REVOKE ALL ON {curated}.{quote_name(conn.dialect, name)} FROM {reader}"
        for name in pii_relations
    ]
    for statement in statements:
        execute(conn, statement)


def _ensure_role(conn: Connection, name: str, login: bool) -> None:
    quoted = quote_name(conn.dialect, name)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name})
    if exists.first() is None:
        execute(conn, f"CREATE ROLE {quoted} {'LOGIN' if login else 'NOLOGIN'}")
    execute(conn, f"ALTER ROLE {quoted} SET default_transaction_read_only = on")
    execute(conn, f"COMMENT ON ROLE {quoted} IS {string_literal('Read-only BI access')}")

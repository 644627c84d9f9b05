"""Read access for BI: a masked view schema, read-only roles and table comments, all driven by the
column docs and PII classification of `dbt_like_sql/schema.yml` (`column_catalog`).

`grant_bi_access` sets up, in one transaction:
- `curated_masked`: for every curated table or view with a personal or unclassified column, a
  view of the same name showing every column, each masked by its classification: emails as
  `j***@example.com`, phones as `+1******0100`, suppression keys as either, names as initials
  (`J.`), free text with emails and phone-like runs of digits starred, and redacted columns (raw
  rows, addresses, values of any field) as NULL. A column schema.yml does not classify is NULL
  too (hiding errs on the safe side) and is reported in `BiAccess.unclassified`. Built on both
  engines.
- PostgreSQL roles (created if missing, `NOLOGIN` unless `login=True`, with read-only
  transactions by default), never any privilege on `staging`:
  - `pii_role` (`bi_pii_reader`): SELECT on every table and view in `curated` and
    `curated_masked`, now and in future (default privileges).
  - `role` (`bi_reader`): SELECT on the curated relations whose every column is classified
    `pii: false` and on every masked view (future masked views included). Curated tables that
    gain personal data are revoked from it. A curated table created after this call becomes
    readable to `role` the next time this runs; replacing an existing table keeps its grants.
  Default privileges apply to objects created by the user running this, so run it as the user
  that publishes the tables.
- `COMMENT ON` tables, views and columns from the same schema.yml; masked views get the same
  comments. DuckDB supports comments but has no roles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sqlglot
from sqlalchemy import Connection, text

from hygiene_pipeline.warehouse.catalog import apply_docs, relation_columns
from hygiene_pipeline.warehouse.column_catalog import (
    SHOWN,
    ColumnCatalog,
    Mask,
    MaskKind,
    shipped_catalog,
)
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

_RELATIONS_SQL = text(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema "
    "ORDER BY table_name"
)


@dataclass(frozen=True)
class BiAccess:
    """What `grant_bi_access` set up: masked views, which curated relations hold PII, and the
    columns schema.yml does not classify (hidden in the masked views until it does)."""

    masked_views: list[str]
    pii_relations: list[str]
    open_relations: list[str]
    unclassified: dict[str, list[str]] = field(default_factory=dict)


def grant_bi_access(
    warehouse: Warehouse,
    role: str = "bi_reader",
    pii_role: str = "bi_pii_reader",
    *,
    masked_schema: str = MASKED_SCHEMA,
    login: bool = False,
    catalog: ColumnCatalog | None = None,
) -> BiAccess:
    """Create the masked views, the read-only roles (PostgreSQL) and the comments; idempotent.

    `catalog` is the column classification (default: the shipped schema.yml)."""
    with warehouse.transaction() as conn:
        return grant_bi_access_on(
            conn,
            warehouse.staging_schema,
            warehouse.curated_schema,
            role,
            pii_role,
            masked_schema=masked_schema,
            login=login,
            catalog=catalog,
        )


def grant_bi_access_on(
    conn: Connection,
    staging: str,
    curated: str,
    role: str = "bi_reader",
    pii_role: str = "bi_pii_reader",
    *,
    masked_schema: str = MASKED_SCHEMA,
    login: bool = False,
    catalog: ColumnCatalog | None = None,
) -> BiAccess:
    """`grant_bi_access` inside the caller's transaction (publishing recreates the masked views
    in the transaction that swaps the tables they read)."""
    catalog = catalog or shipped_catalog()
    execute(conn, f"CREATE SCHEMA IF NOT EXISTS {quote_name(conn.dialect, masked_schema)}")
    pii, open_, unclassified = [], [], {}
    for relation in conn.execute(_RELATIONS_SQL, {"schema": curated}).scalars().all():
        masks = {
            column: catalog.mask_of(relation, column)
            for column in relation_columns(conn, curated, relation)
        }
        missing = [column for column, mask in masks.items() if mask is None]
        if missing:
            unclassified[relation] = missing
        docs = catalog.relation(relation).docs
        apply_docs(conn, curated, relation, docs)
        if all(mask == SHOWN for mask in masks.values()):
            open_.append(relation)
            continue
        pii.append(relation)
        masked = _masked_select(conn, curated, relation, masks)
        replace_view(conn, masked_schema, relation, masked, docs=docs)
    if conn.dialect.name == "postgresql":
        schemas = _Schemas(staging=staging, curated=curated, masked=masked_schema)
        _grant_roles(conn, schemas, role, pii_role, login, pii, open_)
    return BiAccess(
        masked_views=[f"{masked_schema}.{name}" for name in pii],
        pii_relations=pii,
        open_relations=open_,
        unclassified=unclassified,
    )


@dataclass(frozen=True)
class _Schemas:
    staging: str
    curated: str
    masked: str


def _masked_select(
    conn: Connection, schema: str, relation: str, masks: Mapping[str, Mask | None]
) -> str:
    """A SELECT of every column of `schema.relation`, each masked by its classification."""
    select_list = ", ".join(
        quote_name(conn.dialect, column)
        if mask == SHOWN
        else f"{_MASK_SQL[mask or 'redact'](quoted_identifier(column))} "
        f"AS {quote_name(conn.dialect, column)}"
        for column, mask in masks.items()
    )
    sql = f"SELECT {select_list} FROM {qualified_name(conn.dialect, schema, relation)}"
    return sqlglot.transpile(sql, read="postgres", write=sqlglot_dialect(conn.dialect.name))[0]


def _mask_email(column: str) -> str:
    """`j***@example.com`: first letter and domain kept, so deliverability can still be read."""
    value = f"CAST({column} AS TEXT)"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN STRPOS({value}, '@') > 1 "
        f"THEN LEFT({value}, 1) || '***' || SUBSTR({value}, STRPOS({value}, '@')) "
        "ELSE '***' END"
    )


def _mask_phone(column: str) -> str:
    """`+1******0100`: country prefix and last four digits kept, the rest starred."""
    value = f"CAST({column} AS TEXT)"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN LENGTH({value}) > 6 "
        f"THEN LEFT({value}, 2) || REPEAT('*', LENGTH({value}) - 6) || RIGHT({value}, 4) "
        "ELSE '***' END"
    )


def _mask_email_or_phone(column: str) -> str:
    """A suppression key: masked as an email when it holds an `@`, else as a phone number."""
    return (
        f"CASE WHEN STRPOS(CAST({column} AS TEXT), '@') > 0 "
        f"THEN {_mask_email(column)} ELSE {_mask_phone(column)} END"
    )


def _mask_name(column: str) -> str:
    """`J.`: the initial only."""
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE LEFT(CAST({column} AS TEXT), 1) || '.' END"


def _mask_text(column: str) -> str:
    """Free text with the mailbox of every email and every run of 7 or more digits (a phone
    number, with spaces, dots, dashes or brackets between them) starred. The patterns use no
    look-around, which DuckDB's RE2 lacks, so a long date inside the text is starred too."""
    emails = f"REGEXP_REPLACE(CAST({column} AS TEXT), '[^[:space:]@''\"<>(),;:]+@', '***@', 'g')"
    return f"REGEXP_REPLACE({emails}, '[+]?[0-9]([ ().-]{{0,2}}[0-9]){{6,}}', '***', 'g')"


def _redact(_column: str) -> str:
    return "CAST(NULL AS TEXT)"


_MASK_SQL: dict[MaskKind, Callable[[str], str]] = {
    "email": _mask_email,
    "phone": _mask_phone,
    "email_or_phone": _mask_email_or_phone,
    "name": _mask_name,
    "text": _mask_text,
    "redact": _redact,
}
"""The SQL (PostgreSQL dialect, transpiled per engine) of each mask kind of `column_catalog`."""


def _grant_roles(
    conn: Connection,
    schemas: _Schemas,
    role: str,
    pii_role: str,
    login: bool,
    pii_relations: list[str],
    open_relations: list[str],
) -> None:
    for name in (role, pii_role):
        _ensure_role(conn, name, login)
    reader, pii_reader = (quote_name(conn.dialect, name) for name in (role, pii_role))
    curated = quote_name(conn.dialect, schemas.curated)
    masked = quote_name(conn.dialect, schemas.masked)
    staging = quote_name(conn.dialect, schemas.staging)
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

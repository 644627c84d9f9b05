"""Run-scoped schemas: where one run writes everything before it is published.

A run with id `<run id>` writes its staging tables to `run_<hex>_staging`, its curated tables to
`run_<hex>_curated` and what passes between its steps without being published (linkage pairs,
features, clusters, identities, per-feed quarantine) to `run_<hex>_work`, `<hex>` being the run
id's 32 hex digits (44 characters at most: within PostgreSQL's 63). Two runs never share a
schema, so neither sees the other's data; the run's checks read these schemas, and
`publish_run` puts the staging and curated ones in place of the published `staging` and
`curated` in one transaction: PostgreSQL copies them and drops all three; DuckDB publishes views
over them and drops the work schema, and the two others stay while they are published.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from sqlalchemy import Connection, text

from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.sql_text import execute, quote_name

RUN_SCHEMA_PREFIX = "run_"
RUN_SCHEMAS = ("staging", "curated", "work")
_RUN_SCHEMA = re.compile(r"^run_([0-9a-f]{32})_(staging|curated|work)$")
_PUBLICATION_VIEW_SQL = re.compile(
    r'AS SELECT \* FROM "?run_([0-9a-f]{32})_(?:staging|curated)"?\.("(?:[^"]|"")+"|\w+);?\s*$'
)
"""A view as `publish_run` makes it (DuckDB keeps its text so): a run's table of its own name."""
_SCHEMAS_SQL = text("SELECT schema_name FROM information_schema.schemata")
_DUCKDB_VIEWS_SQL = text(
    "SELECT view_name, sql FROM duckdb_views() WHERE schema_name = :schema AND NOT internal"
)


def run_schema(run_id: str, logical_schema: str) -> str:
    """The physical schema of `logical_schema` (`staging`, `curated` or `work`) for a run."""
    return f"{RUN_SCHEMA_PREFIX}{uuid.UUID(run_id).hex}_{logical_schema}"


def run_warehouse(url: str, run_id: str, **options: float) -> Warehouse:
    """A warehouse handle whose staging, curated and work schemas are the run's own."""
    return Warehouse(
        url,
        staging_schema=run_schema(run_id, "staging"),
        curated_schema=run_schema(run_id, "curated"),
        work_schema=run_schema(run_id, "work"),
        **options,
    )


def runs_with_schemas(warehouse: Warehouse) -> set[str]:
    """Ids of the runs that have run-scoped schemas in the warehouse."""
    with warehouse.engine.connect() as conn:
        names = conn.execute(_SCHEMAS_SQL).scalars().all()
    return {str(uuid.UUID(match.group(1))) for name in names if (match := _RUN_SCHEMA.match(name))}


def views_over_runs(conn: Connection, schema: str) -> dict[str, str]:
    """The views of `schema` that publish a run's table of the same name, each with the id of
    that run: how the embedded warehouse publishes (`publish_run`); any other view over a run's
    schemas (an analyst's, say) is not one. None on PostgreSQL, which publishes tables."""
    if conn.dialect.name != "duckdb":
        return {}
    views = {}
    for name, sql in conn.execute(_DUCKDB_VIEWS_SQL, {"schema": schema}).all():
        match = _PUBLICATION_VIEW_SQL.search(sql)
        if match and match.group(2).strip('"').replace('""', '"') == name:
            views[name] = str(uuid.UUID(match.group(1)))
    return views


def published_runs(warehouse: Warehouse) -> set[str]:
    """Ids of the runs whose tables the published schemas show: theirs must stay."""
    with warehouse.engine.connect() as conn:
        return {
            run_id
            for schema in (warehouse.staging_schema, warehouse.curated_schema)
            for run_id in views_over_runs(conn, schema).values()
        }


def drop_run_schemas(warehouse: Warehouse, run_id: str) -> None:
    """Drop the run's schemas with everything in them (absent ones are fine)."""
    with warehouse.transaction() as conn:
        drop_schemas(conn, [run_schema(run_id, logical) for logical in RUN_SCHEMAS])


def start_from_published(run: Warehouse, published: Warehouse, table: str) -> bool:
    """Copy the published curated `table` into the run's curated schema, where the run extends
    it (a log, a history) before its publication swaps it back; False when none is published.
    A retried step starts again from the published copy."""
    if not published.table_exists(published.curated_schema, table):
        return False
    source = published.qualified(published.curated_schema, table)
    run.replace_table_as(run.curated_schema, table, f"SELECT * FROM {source}")
    return True


def drop_schemas(conn: Connection, schemas: Iterable[str]) -> None:
    """Drop each schema with everything in it, inside the caller's transaction."""
    for schema in schemas:
        execute(conn, f"DROP SCHEMA IF EXISTS {quote_name(conn.dialect, schema)} CASCADE")

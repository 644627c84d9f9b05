"""Write-audit-publish: a run's checked tables replace the published ones in one transaction.

A run writes into its own schemas (`run_scope`); its checks read them there. Publishing puts
every table of the run's staging and curated schemas in place of the published relation of the
same name, recreates the views of the SQL models on them, and rebuilds the masked views, comments
and grants of BI access, all in one transaction: a reader sees every old table or every new one,
never a mix. Published tables the run did not write stay as they were.

How a table is put in place depends on the engine:
- PostgreSQL copies it over the published table (`publish.replace_with_query`: built under a
  loading name, then swapped in, grants and dependent views kept); the run's schemas are dropped
  in the same transaction.
- DuckDB, which cannot move a table to another schema, publishes a view over the run's table
  (`SELECT * FROM run_<hex>_curated.<name>`) instead of copying it: copying took a tenth of a
  run at a million contacts. The run's staging and curated schemas then hold the published
  data and stay until a later run is published; its work schema is dropped. A published view
  that still reads an earlier run (a table this run did not write) is first copied into this
  run's schema and pointed there, so the published schemas only ever read the latest published
  run (`run_scope.published_runs`), and the schemas of every other finished run can go.

Views in the run's schemas that are not SQL models (such as the run's window on the check log,
`curated.dq_check_results`, which checks append to directly) are not published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from hygiene_pipeline.warehouse import publish
from hygiene_pipeline.warehouse.bi_access import BiAccess, grant_bi_access_on
from hygiene_pipeline.warehouse.catalog import TableDocs, relation_kind
from hygiene_pipeline.warehouse.column_catalog import ColumnCatalog
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.run_scope import drop_schemas, views_over_runs
from hygiene_pipeline.warehouse.sql_models import SqlModel, render_model_sql
from hygiene_pipeline.warehouse.sql_text import execute

_TABLES_SQL = text(
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = :schema AND table_type <> 'VIEW' ORDER BY table_name"
)
_VIEWS_SQL = text(
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = :schema AND table_type = 'VIEW'"
)


@dataclass(frozen=True)
class BiRoles:
    """Who may read what once published (see `bi_access`)."""

    reader_role: str = "bi_reader"
    pii_reader_role: str = "bi_pii_reader"
    masked_schema: str = "curated_masked"


@dataclass(frozen=True)
class PublishedRun:
    """What one publication swapped in: tables per published schema, views, BI access."""

    tables: dict[str, list[str]]
    views: list[str]
    bi_access: BiAccess


def publish_run(
    run: Warehouse,
    models: Sequence[SqlModel],
    catalog: ColumnCatalog,
    roles: BiRoles = BiRoles(),
) -> PublishedRun:
    """Put the run's staging and curated tables in place, recreate the model views the run
    built (in `models`' order) and BI access, and drop the run's schemas that published
    relations do not read (all three on PostgreSQL, the work schema on DuckDB): one
    transaction."""
    published = run.published()
    published.ensure_schemas()
    as_views = run.dialect == "duckdb"
    tables: dict[str, list[str]] = {}
    with published.transaction() as conn:
        for logical in ("staging", "curated"):
            source, target = run.schema_for(logical), published.schema_for(logical)
            names = list(conn.execute(_TABLES_SQL, {"schema": source}).scalars())
            if as_views:
                names = _views_over(conn, run, source, target, names)
            else:
                for name in names:
                    publish.replace_with_query(
                        conn,
                        target,
                        name,
                        f"SELECT * FROM {run.qualified(source, name)}",
                        docs=TableDocs(),
                        index_columns=published.index_columns_for(target),
                    )
            tables[target] = names
        built = set(conn.execute(_VIEWS_SQL, {"schema": run.curated_schema}).scalars())
        views = [m for m in models if m.materialized == "view" and m.name in built]
        for model in views:
            sql = render_model_sql(model, published)
            publish.replace_view(conn, published.curated_schema, model.name, sql, docs=model.docs)
        access = grant_bi_access_on(
            conn,
            published.staging_schema,
            published.curated_schema,
            roles.reader_role,
            roles.pii_reader_role,
            masked_schema=roles.masked_schema,
            catalog=catalog,
        )
        if not as_views:
            drop_schemas(conn, run.schemas)
        elif run.work_schema:
            drop_schemas(conn, [run.work_schema])
    return PublishedRun(tables=tables, views=[m.name for m in views], bi_access=access)


def _views_over(
    conn: Connection, run: Warehouse, source: str, target: str, names: list[str]
) -> list[str]:
    """Publish the run's tables `names` of schema `source` as views in `target`, and return the
    names published: first `source` takes in the tables of earlier runs that `target` still
    shows and the run did not write (nor made a view of that name: a model that became a view),
    so that every published view reads this run. A handle whose schemas are the published ones
    publishes nothing."""
    if source == target:
        return names
    carried = [
        name
        for name in views_over_runs(conn, target)
        if name not in names and relation_kind(conn, source, name) is None
    ]
    for name in carried:
        origin = run.qualified(target, name)
        execute(conn, f"CREATE TABLE {run.qualified(source, name)} AS SELECT * FROM {origin}")
    for name in [*names, *carried]:
        select = f"SELECT * FROM {run.qualified(source, name)}"
        publish.replace_view(conn, target, name, select, docs=TableDocs())
    return [*names, *carried]

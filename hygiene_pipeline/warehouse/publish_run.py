"""Write-audit-publish: a run's checked tables replace the published ones in one transaction.

A run writes into its own schemas (`run_scope`); its checks read them there. Publishing copies
every table of the run's staging and curated schemas over the published table of the same name
(`publish.replace_with_query`: built under a loading name, then swapped in), recreates the views
of the SQL models on the published tables, and rebuilds the masked views, comments and grants of
BI access, all in one transaction: a reader sees every old table or every new one, never a mix.
The run's schemas are dropped in the same transaction. Published tables the run did not write
stay as they were.

Views in the run's schemas that are not SQL models (such as the run's window on the check log,
`curated.dq_check_results`, which checks append to directly) are not copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text

from hygiene_pipeline.warehouse import publish
from hygiene_pipeline.warehouse.bi_access import BiAccess, grant_bi_access_on
from hygiene_pipeline.warehouse.catalog import TableDocs
from hygiene_pipeline.warehouse.column_catalog import ColumnCatalog
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.run_scope import drop_schemas
from hygiene_pipeline.warehouse.sql_models import SqlModel, render_model_sql

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
    """Swap the run's staging and curated tables in, recreate the model views the run built
    (in `models`' order) and BI access, and drop the run's schemas: one transaction."""
    published = run.published()
    published.ensure_schemas()
    tables: dict[str, list[str]] = {}
    with published.transaction() as conn:
        for logical in ("staging", "curated"):
            source, target = run.schema_for(logical), published.schema_for(logical)
            names = list(conn.execute(_TABLES_SQL, {"schema": source}).scalars())
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
        drop_schemas(conn, run.schemas)
    return PublishedRun(tables=tables, views=[m.name for m in views], bi_access=access)

"""Write-audit-publish: a run's checked tables replace the published ones in one transaction.

A run writes into its own schemas (`run_scope`); its checks read them there. Publishing first
copies every table of the run's staging and curated schemas into the published schema of the same
name, under a loading name (`publish.load_query`), two tables at once: a copy is an ordered insert
that keeps one core busy. Then one transaction swaps each copy in over the published table of the
same name (`publish.swap_in`), recreates the views of the SQL models on the published tables, and
rebuilds the masked views, comments and grants of BI access: a reader sees every old table or
every new one, never a mix. The run's schemas are dropped in the same transaction; copies that
are not swapped in (a failed copy, a failed swap) are dropped. Published tables the run did not
write stay as they were.

Views in the run's schemas that are not SQL models (such as the run's window on the check log,
`curated.dq_check_results`, which checks append to directly) are not copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace

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
COPY_THREADS = 2
"""Tables copied at once: a copy keeps about one core busy (an ordered insert), so two use both."""
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
    """Copy the run's staging and curated tables beside the published ones (`COPY_THREADS`
    at once, under loading names that no reader takes for a published table), then in one
    transaction swap them in, recreate the model views the run built (in `models`' order) and
    BI access, and drop the run's schemas. Copies that are never swapped in are dropped."""
    published = run.published()
    published.ensure_schemas()
    copies = _copied_tables(run, published)
    try:
        return _swap_in_run(run, published, copies, models, catalog, roles)
    except BaseException:
        _drop_copies(published, copies)
        raise


@dataclass(frozen=True)
class _Copy:
    """One run table (`source.table`) copied beside the published `schema.table` it replaces,
    under the name `loading`."""

    source: str
    schema: str
    table: str
    loading: str = ""


def _copied_tables(run: Warehouse, published: Warehouse) -> list[_Copy]:
    """Every staging and curated table of the run, copied under a loading name into the
    published schema of the same name; a failed copy drops the others."""
    wanted: list[_Copy] = []
    with published.engine.connect() as conn:
        for logical in ("staging", "curated"):
            source, target = run.schema_for(logical), published.schema_for(logical)
            names = conn.execute(_TABLES_SQL, {"schema": source}).scalars()
            wanted += [_Copy(source, target, name) for name in names]

    def copy(table: _Copy) -> _Copy:
        select = f"SELECT * FROM {run.qualified(table.source, table.table)}"
        with published.transaction() as conn:
            return replace(
                table, loading=publish.load_query(conn, table.schema, table.table, select)
            )

    with ThreadPoolExecutor(max_workers=COPY_THREADS) as pool:
        futures = [pool.submit(copy, c) for c in wanted]
        wait(futures)
    copies = [f.result() for f in futures if f.exception() is None]
    errors = [error for f in futures if (error := f.exception()) is not None]
    if errors:
        _drop_copies(published, copies)
        raise errors[0]
    return copies


def _drop_copies(published: Warehouse, copies: list[_Copy]) -> None:
    with published.transaction() as conn:
        for c in copies:
            publish.drop_loading(conn, c.schema, c.loading)


def _swap_in_run(
    run: Warehouse,
    published: Warehouse,
    copies: list[_Copy],
    models: Sequence[SqlModel],
    catalog: ColumnCatalog,
    roles: BiRoles,
) -> PublishedRun:
    tables: dict[str, list[str]] = {published.schema_for(s): [] for s in ("staging", "curated")}
    with published.transaction() as conn:
        for c in copies:
            publish.swap_in(
                conn,
                c.schema,
                c.table,
                c.loading,
                docs=TableDocs(),
                index_columns=published.index_columns_for(c.schema),
            )
            tables[c.schema].append(c.table)
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

"""The publication of a run: the last step, downstream of every asset and so of every check.

Write-audit-publish: every step writes into the run's own schemas, every check audits them
there, and this step swaps the run's staging and curated tables in over the published ones, with
the SQL model views, the masked views, comments and grants of BI access, in one transaction
(`warehouse.publish_run`: PostgreSQL copies the tables and drops the run's schemas; DuckDB
publishes views over them, and the run's schemas stay while they are published). A failed
blocking check skips it: nothing is published, the published tables stay exactly as they were,
and the run's schemas stay in the warehouse for inspection until the next publication, which
drops the schemas of every finished run that is not the published one.
"""

from collections.abc import Sequence
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from hygiene_pipeline.defs.resources import (
    IO_RETRY,
    WAREHOUSE_POOL,
    BiAccessResource,
    WarehouseResource,
)
from hygiene_pipeline.warehouse.column_catalog import load_catalog
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.publish_run import BiRoles, publish_run
from hygiene_pipeline.warehouse.run_scope import (
    drop_run_schemas,
    published_runs,
    runs_with_schemas,
)
from hygiene_pipeline.warehouse.sql_models import load_sql_models

PUBLICATION = AssetKey(["warehouse", "publication"])


def build_publish_asset(upstream: Sequence[AssetKey], models_dir: Path) -> AssetsDefinition:
    """The step that publishes the run's tables once every asset in `upstream` and every check
    on them has passed; models and column docs from `models_dir`."""

    @asset(
        key=PUBLICATION,
        group_name="curated",
        pool=WAREHOUSE_POOL,
        retry_policy=IO_RETRY,
        kinds={"sql"},
        deps=list(upstream),
        description="Publishes the run: its staging and curated tables replace the published "
        "ones in one transaction, with the SQL model views, COMMENT ON every curated table and "
        "column, masked views for readers without PII rights and (PostgreSQL) read-only roles "
        "granted the curated schema only (from dbt_like_sql/schema.yml). PostgreSQL copies the "
        "tables and drops the run's schemas; the embedded DuckDB publishes views over the run's "
        "tables, which stay until a later run is published. Skipped when a blocking check "
        "fails: nothing is published.",
    )
    def publication(
        context: AssetExecutionContext, warehouse: WarehouseResource, bi: BiAccessResource
    ) -> MaterializeResult:
        run = warehouse.get_warehouse()
        roles = BiRoles(bi.reader_role, bi.pii_reader_role, bi.masked_schema)
        published = publish_run(run, load_sql_models(models_dir), load_catalog(models_dir), roles)
        access = published.bi_access
        dropped = _drop_finished_runs(context, run.published())
        context.log.info(
            "Published %d tables; %d masked views in %s",
            sum(len(names) for names in published.tables.values()),
            len(access.masked_views),
            bi.masked_schema,
        )
        unclassified = [f"{t}.{c}" for t, columns in access.unclassified.items() for c in columns]
        if unclassified:
            context.log.warning(
                "Columns without a PII classification in schema.yml, hidden in the masked views: "
                + ", ".join(unclassified)
            )
        roles_apply = run.dialect == "postgresql"
        return MaterializeResult(
            metadata={
                **{
                    f"published_{schema}": ", ".join(names)
                    for schema, names in published.tables.items()
                },
                "views": ", ".join(published.views),
                "masked_views": ", ".join(access.masked_views),
                "tables_with_pii": ", ".join(access.pii_relations),
                "tables_without_pii": ", ".join(access.open_relations),
                "unclassified_columns": ", ".join(unclassified) or "(none)",
                "reader_role": bi.reader_role if roles_apply else "(DuckDB: no roles)",
                "pii_reader_role": bi.pii_reader_role if roles_apply else "(DuckDB: no roles)",
                "earlier_runs_dropped": dropped,
            }
        )

    return publication


def _drop_finished_runs(context: AssetExecutionContext, published: Warehouse) -> int:
    """Drop the schemas that earlier finished runs left behind; a run still in progress (into the
    same warehouse) keeps its own, and so does the run the published views read (this one, on
    DuckDB)."""
    dropped = 0
    keep = {context.run_id, *published_runs(published)}
    for run_id in runs_with_schemas(published) - keep:
        record = context.instance.get_run_by_id(run_id)
        if record is None or record.is_finished:
            drop_run_schemas(published, run_id)
            dropped += 1
    return dropped

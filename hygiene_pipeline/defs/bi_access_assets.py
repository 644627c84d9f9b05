"""BI access to the curated schema: documentation comments, masked views and read-only roles.

Runs after every curated table is published, so new tables get their comments, masked twins
and grants in the same batch."""

from collections.abc import Sequence
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from hygiene_pipeline.defs.resources import (
    IO_RETRY,
    WAREHOUSE_POOL,
    BiAccessResource,
    WarehouseResource,
)
from hygiene_pipeline.warehouse.bi_access import grant_bi_access
from hygiene_pipeline.warehouse.column_catalog import load_catalog


def build_bi_access_asset(curated: Sequence[AssetKey], models_dir: Path) -> AssetsDefinition:
    """The asset that documents and grants the curated tables `curated` lists, from the column
    docs and PII classification in `<models_dir>/schema.yml`."""

    @asset(
        key=AssetKey(["curated_masked", "bi_access"]),
        group_name="curated",
        pool=WAREHOUSE_POOL,
        retry_policy=IO_RETRY,
        kinds={"sql", "postgres"},
        deps=list(curated),
        description="COMMENT ON every curated table and column, masked views for readers "
        "without PII rights, and (PostgreSQL) read-only roles granted the curated schema only; "
        "all from the column docs and PII classification in dbt_like_sql/schema.yml.",
    )
    def bi_access(
        context: AssetExecutionContext, warehouse: WarehouseResource, bi: BiAccessResource
    ) -> MaterializeResult:
        store = warehouse.get_warehouse()
        access = grant_bi_access(
            store,
            role=bi.reader_role,
            pii_role=bi.pii_reader_role,
            masked_schema=bi.masked_schema,
            catalog=load_catalog(models_dir),
        )
        context.log.info("%d masked views in %s", len(access.masked_views), bi.masked_schema)
        unclassified = [f"{t}.{c}" for t, columns in access.unclassified.items() for c in columns]
        if unclassified:
            context.log.warning(
                "Columns without a PII classification in schema.yml, hidden in the masked views: "
                + ", ".join(unclassified)
            )
        roles = store.dialect == "postgresql"
        return MaterializeResult(
            metadata={
                "masked_views": ", ".join(access.masked_views),
                "tables_with_pii": ", ".join(access.pii_relations),
                "tables_without_pii": ", ".join(access.open_relations),
                "unclassified_columns": ", ".join(unclassified) or "(none)",
                "reader_role": bi.reader_role if roles else "(DuckDB: no roles)",
                "pii_reader_role": bi.pii_reader_role if roles else "(DuckDB: no roles)",
            }
        )

    return bi_access

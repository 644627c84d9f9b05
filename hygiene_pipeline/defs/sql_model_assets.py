"""One Dagster asset per dbt-style SQL model in `dbt_like_sql/`.

Each model becomes the asset `["curated", <model>]` in group `curated`, built in the run's
curated schema from the run's tables (`WarehouseResource.get_warehouse()`); the publication
puts a table model in place of the published one, as any table of the run (`publish_run`), and
recreates a view model on the published tables. Its upstream assets come from the model's own
`ref()` calls (`["curated", <model>]`) and `source()` calls (`["staging", <table>]` /
`["curated", <table>]`), so the Python assets that publish those tables must use the same keys.
The definition shows the model's description, SQL and documented columns; each materialisation
reports the row count and the published table.

Dagster reads the asset function's annotations at definition time, so this module keeps them as
real objects (no `from __future__ import annotations`).
"""

import hashlib
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from hygiene_pipeline.defs.metadata import documented_schema
from hygiene_pipeline.defs.resources import IO_RETRY, WAREHOUSE_POOL, WarehouseResource
from hygiene_pipeline.warehouse.sql_models import SqlModel, build_sql_model, load_sql_models

SQL_MODEL_GROUP = "curated"


def build_sql_model_assets(models_dir: Path) -> list[AssetsDefinition]:
    """One asset for every model in `models_dir` (see `warehouse.sql_models`)."""
    return [_model_asset(model) for model in load_sql_models(models_dir)]


def _model_asset(model: SqlModel) -> AssetsDefinition:
    deps = [AssetKey(["curated", ref]) for ref in model.refs]
    deps += [AssetKey([schema, table]) for schema, table in model.sources]

    @asset(
        key=AssetKey(["curated", model.name]),
        group_name=SQL_MODEL_GROUP,
        pool=WAREHOUSE_POOL,
        retry_policy=IO_RETRY,
        kinds={"sql", model.materialized},
        description=model.description or None,
        deps=deps,
        code_version=hashlib.sha256(model.template.encode()).hexdigest()[:16],
        metadata={
            "sql": MetadataValue.md(f"```sql\n{model.template.strip()}\n```"),
            "path": MetadataValue.path(str(model.path)),
            "dagster/column_schema": documented_schema(model.columns),
            "dagster/table_name": f"curated.{model.name}",
        },
    )
    def sql_model(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> MaterializeResult:
        built = build_sql_model(warehouse.get_warehouse(), model)
        context.log.info(f"Built {built.materialized} {model.name}: {built.row_count} rows")
        return MaterializeResult(
            metadata={
                "dagster/row_count": MetadataValue.int(built.row_count),
                "dagster/table_name": f"curated.{model.name}",
                "materialized": built.materialized,
            }
        )

    return sql_model

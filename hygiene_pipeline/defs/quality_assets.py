"""`curated.dq_check_results`: the log every check evaluation is appended to.

The asset makes sure the table exists with its columns before any dashboard model reads it; the
rows themselves are appended by the checks, one per evaluation, and never rewritten."""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from hygiene_pipeline.defs.metadata import table_schema
from hygiene_pipeline.defs.resources import IO_RETRY, WAREHOUSE_POOL, WarehouseResource
from hygiene_pipeline.quality.results import dq_result_rows


@asset(
    key=AssetKey(["curated", "dq_check_results"]),
    group_name="quality",
    pool=WAREHOUSE_POOL,
    retry_policy=IO_RETRY,
    kinds={"sql"},
    description="One row per check evaluation of every run, so dashboards show quality over time.",
    metadata={"table": "curated.dq_check_results"},
)
def dq_check_results(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Create the results log if it is missing; report how many evaluations it holds."""
    store = warehouse.get_warehouse()
    empty = dq_result_rows(context.run_id, [], pd.Timestamp.now(tz="UTC"))
    store.append_rows("curated", "dq_check_results", empty)
    return MaterializeResult(
        metadata={
            "dagster/row_count": store.row_count("curated", "dq_check_results"),
            "dagster/column_schema": table_schema(empty, "dq_check_results"),
        }
    )

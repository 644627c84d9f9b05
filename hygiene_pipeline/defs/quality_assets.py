"""`curated.dq_check_results`: the log every check evaluation is appended to.

The asset makes sure the published table exists with its columns before any dashboard model
reads it; the rows themselves are appended by the checks, one per evaluation, and never
rewritten. It is the one published table a run changes before its publication, and also when it
publishes nothing: it records why. Inside the run, `<run curated>.dq_check_results` is a view of
it, so the run's dashboard models and drift baselines read the whole log."""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from hygiene_pipeline.defs.metadata import table_schema
from hygiene_pipeline.defs.resources import IO_RETRY, WAREHOUSE_POOL, WarehouseResource
from hygiene_pipeline.quality.results import dq_result_rows

DQ_RESULTS_TABLE = "dq_check_results"


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
    """Create the results log if it is missing and the run's view of it; report how many
    evaluations it holds."""
    published = warehouse.get_published_warehouse()
    empty = dq_result_rows(context.run_id, [], pd.Timestamp.now(tz="UTC"))
    published.append_rows(published.curated_schema, DQ_RESULTS_TABLE, empty)
    log = published.qualified(published.curated_schema, DQ_RESULTS_TABLE)
    run = warehouse.get_warehouse()
    run.replace_view(run.curated_schema, DQ_RESULTS_TABLE, f"SELECT * FROM {log}")
    return MaterializeResult(
        metadata={
            "dagster/row_count": published.row_count(published.curated_schema, DQ_RESULTS_TABLE),
            "dagster/column_schema": table_schema(empty, DQ_RESULTS_TABLE),
        }
    )

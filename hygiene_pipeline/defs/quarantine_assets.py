"""`curated.rejected_records`: every quarantined input row of every feed, with its reason;
`curated.rejected_files`: every landing file that could not be read at all. Both gather what
the feed steps left in the run's work tables."""

from collections.abc import Callable

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from hygiene_pipeline.defs.feed_assets import (
    quarantine_table,
    reason_category,
    rejected_files_table,
    unreadable_files_table,
)
from hygiene_pipeline.defs.metadata import counts_table, table_schema
from hygiene_pipeline.defs.resources import IO_RETRY, WarehouseResource
from hygiene_pipeline.domain.feed_frames import FEEDS, empty_rejected, empty_rejected_files
from hygiene_pipeline.warehouse.engine import Warehouse

STAGED_FEEDS = [AssetKey(["staging", feed]) for feed in FEEDS]


def _work_frames(store: Warehouse, table_name: Callable[[str], str]) -> dict[str, pd.DataFrame]:
    """Each feed's work table of this run."""
    return {feed: store.read_table(store.schema_for("work"), table_name(feed)) for feed in FEEDS}


@asset(
    key=AssetKey(["curated", "rejected_records"]),
    deps=STAGED_FEEDS,
    group_name="curated",
    retry_policy=IO_RETRY,
    kinds={"python", "sql"},
    description="One row per quarantined input row of any feed, with a specific reason and the "
    "raw row: with the staging tables it accounts for every input row.",
    metadata={"table": "curated.rejected_records"},
)
def rejected_records(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Output[pd.DataFrame]:
    """Gather the quarantine of every feed."""
    store = warehouse.get_warehouse()
    quarantined = _work_frames(store, quarantine_table)
    staged = {feed: store.row_count(store.staging_schema, feed) for feed in FEEDS}
    frames = [frame for frame in quarantined.values() if not frame.empty]
    rejected = pd.concat(frames, ignore_index=True) if frames else empty_rejected()
    rows_in = {feed: staged[feed] + len(quarantined[feed]) for feed in FEEDS}
    accounting = {
        feed: f"{rows_in[feed]:,} in = {staged[feed]:,} staged + "
        f"{len(quarantined[feed]):,} rejected"
        for feed in FEEDS
    }
    context.log.info("rejected_records: %d rows", len(rejected))
    return Output(
        rejected,
        metadata={
            "dagster/row_count": len(rejected),
            "rejected_by_feed": counts_table(rejected["feed"].value_counts(), "feed"),
            "rejected_by_reason": counts_table(
                reason_category(rejected["reason"]).value_counts(), "reason"
            ),
            "row_accounting": counts_table(
                {f"{feed}: {line}": rows_in[feed] for feed, line in accounting.items()},
                "feed",
                "rows in",
            ),
            "dagster/column_schema": table_schema(rejected, "rejected_records"),
        },
    )


@asset(
    key=AssetKey(["curated", "rejected_files"]),
    deps=STAGED_FEEDS,
    group_name="curated",
    retry_policy=IO_RETRY,
    kinds={"python", "sql"},
    description="One row per landing file that could not be read at all, with its reason: with "
    "`rejected_records` and the staging tables it accounts for every input file.",
    metadata={"table": "curated.rejected_files"},
)
def rejected_files(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Output[pd.DataFrame]:
    """Gather the files every feed set aside."""
    unreadable = _work_frames(warehouse.get_warehouse(), unreadable_files_table)
    frames = [frame for frame in unreadable.values() if not frame.empty]
    refused = pd.concat([empty_rejected_files(), *frames], ignore_index=True).assign(
        run_id=context.run.run_id, detected_at=pd.Timestamp.now(tz="UTC")
    )
    context.log.info("rejected_files: %d files", len(refused))
    return Output(
        refused,
        metadata={
            "dagster/row_count": len(refused),
            "rejected_files": rejected_files_table(refused),
            "dagster/column_schema": table_schema(refused, "rejected_files"),
        },
    )

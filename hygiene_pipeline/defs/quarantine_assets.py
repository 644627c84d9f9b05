"""`curated.rejected_records`: every quarantined input row of every feed, with its reason;
`curated.rejected_files`: every landing file that could not be read at all."""

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetKey, MaterializeResult, asset

from hygiene_pipeline.defs.feed_assets import reason_category, rejected_files_table
from hygiene_pipeline.defs.metadata import counts_table, table_schema
from hygiene_pipeline.defs.resources import IO_RETRY, WAREHOUSE_POOL, WarehouseResource
from hygiene_pipeline.domain.feed_frames import (
    FEEDS,
    FeedFrames,
    empty_rejected,
    empty_rejected_files,
)


@asset(
    key=AssetKey(["curated", "rejected_records"]),
    ins={feed: AssetIn(key=AssetKey(["staging", feed])) for feed in FEEDS},
    group_name="curated",
    pool=WAREHOUSE_POOL,
    retry_policy=IO_RETRY,
    kinds={"python", "sql"},
    description="One row per quarantined input row of any feed, with a specific reason and the "
    "raw row: with the staging tables it accounts for every input row.",
    metadata={"table": "curated.rejected_records"},
)
def rejected_records(
    context: AssetExecutionContext, warehouse: WarehouseResource, **batches: FeedFrames
) -> MaterializeResult:
    """Gather the quarantine of every feed and publish it atomically."""
    frames = [batches[feed].rejected for feed in FEEDS if not batches[feed].rejected.empty]
    rejected = pd.concat(frames, ignore_index=True) if frames else empty_rejected()
    warehouse.get_warehouse().replace_table("curated", "rejected_records", rejected)
    accounting = {
        feed: f"{batches[feed].row_count:,} in = {len(batches[feed].accepted):,} staged + "
        f"{len(batches[feed].rejected):,} rejected"
        for feed in FEEDS
    }
    context.log.info("rejected_records: %d rows", len(rejected))
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(rejected),
            "rejected_by_feed": counts_table(rejected["feed"].value_counts(), "feed"),
            "rejected_by_reason": counts_table(
                reason_category(rejected["reason"]).value_counts(), "reason"
            ),
            "row_accounting": counts_table(
                {f"{feed}: {line}": batches[feed].row_count for feed, line in accounting.items()},
                "feed",
                "rows in",
            ),
            "dagster/column_schema": table_schema(rejected, "rejected_records"),
        }
    )


@asset(
    key=AssetKey(["curated", "rejected_files"]),
    ins={feed: AssetIn(key=AssetKey(["staging", feed])) for feed in FEEDS},
    group_name="curated",
    pool=WAREHOUSE_POOL,
    retry_policy=IO_RETRY,
    kinds={"python", "sql"},
    description="One row per landing file that could not be read at all, with its reason: with "
    "`rejected_records` and the staging tables it accounts for every input file.",
    metadata={"table": "curated.rejected_files"},
)
def rejected_files(
    context: AssetExecutionContext, warehouse: WarehouseResource, **batches: FeedFrames
) -> MaterializeResult:
    """Gather the files every feed set aside and publish them."""
    refused = pd.concat(
        [empty_rejected_files()] + [batches[feed].rejected_files for feed in FEEDS],
        ignore_index=True,
    ).assign(run_id=context.run.run_id, detected_at=pd.Timestamp.now(tz="UTC"))
    warehouse.get_warehouse().replace_table("curated", "rejected_files", refused)
    context.log.info("rejected_files: %d files", len(refused))
    return MaterializeResult(
        metadata={
            "dagster/row_count": len(refused),
            "rejected_files": rejected_files_table(refused),
            "dagster/column_schema": table_schema(refused, "rejected_files"),
        }
    )

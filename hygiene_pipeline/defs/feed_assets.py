"""Feed assets, one step per feed: landing files -> `raw/<feed>` -> `staging.<feed>`.

Each step reads every file of its feed folder (asset `raw/<feed>`: rows, files, what ingest
quarantined), standardises the rows, quarantines what cannot be cleaned and loads the result to
the warehouse's `staging` schema (asset `staging/<feed>`). Reading and standardising share one
step so a batch is never handed between steps of a partitioned asset (Dagster cannot load one
partitioned asset's output into another in a run without a partition key). The `FeedFrames` of
`staging/<feed>` goes on to `rejected_records`, so every input row stays accounted for.

The event feeds are partitioned by day (`partitions`): a backfill replaces only its days in
`staging.<feed>`. Steps that touch files or the warehouse retry (`IO_RETRY`), and every step that
writes the warehouse belongs to the concurrency pool `WAREHOUSE_POOL`, which
`deploy/dagster.yaml` limits to one step at a time so writers never wait on each other's locks.
"""

from collections.abc import Callable, Iterator

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    AssetsDefinition,
    DailyPartitionsDefinition,
    Nothing,
    Output,
    multi_asset,
)

from hygiene_pipeline.defs.feed_batch_io import FEED_BATCH_IO_MANAGER_KEY
from hygiene_pipeline.defs.metadata import counts_table, share, table_schema
from hygiene_pipeline.defs.partitions import (
    EVENT_BACKFILL_POLICY,
    EVENT_TIME_COLUMNS,
    event_partitions_from_env,
    rows_in_window,
    run_window,
)
from hygiene_pipeline.defs.resources import (
    IO_RETRY,
    WAREHOUSE_POOL,
    LandingResource,
    WarehouseResource,
)
from hygiene_pipeline.domain import standardise
from hygiene_pipeline.domain.feed_frames import FEEDS, FeedFrames
from hygiene_pipeline.domain.headers import load_column_mappings
from hygiene_pipeline.domain.readers import read_feed
from hygiene_pipeline.domain.vocabularies import load_vocabularies

FEED_DESCRIPTIONS = {
    "crm_contacts": "Contact records exported from the CRM source systems.",
    "email_bounces": "Email bounce and complaint events (CSV and ESP JSON Lines exports).",
    "call_logs": "Dialer call attempts with their dispositions.",
    "engagement_events": "Marketing and web engagement events (optional feed).",
    "dnc_list": "The internal do-not-call list (optional feed).",
}


def reason_category(reasons: pd.Series) -> pd.Series:
    """The leading phrase of each quarantine reason, without the offending value (may be PII)."""
    return reasons.astype(str).str.extract(r"^([^:'\"0-9]+)", expand=False).str.strip()


def quarantine_summary(batch: FeedFrames) -> dict[str, object]:
    """Metadata every feed asset shows: rows in, accepted, quarantined and why."""
    return {
        "rows_in": batch.row_count,
        "rows_accepted": len(batch.accepted),
        "rows_rejected": len(batch.rejected),
        "rejected_share": share(len(batch.rejected), batch.row_count),
        "rejected_by_reason": counts_table(
            reason_category(batch.rejected["reason"]).value_counts(), "reason"
        ),
        "files": counts_table(
            pd.concat([batch.accepted["source_file"], batch.rejected["source_file"]])
            .value_counts()
            .reindex(batch.files, fill_value=0),
            "file",
        ),
    }


STANDARDISERS: dict[str, Callable[..., FeedFrames]] = {
    feed: getattr(standardise, f"standardise_{feed}") for feed in FEEDS
}


def build_feed_asset(
    feed: str, partitions_def: DailyPartitionsDefinition | None = None
) -> AssetsDefinition:
    """The step that reads, standardises and loads `feed`: assets `raw/<feed>`, `staging/<feed>`.

    With `partitions_def` the feed is partitioned by the day of its `EVENT_TIME_COLUMNS` column.
    """
    raw_key = AssetKey(["raw", feed])

    @multi_asset(
        name=f"load_{feed}",
        outs={
            "raw": AssetOut(
                key=raw_key,
                dagster_type=Nothing,
                group_name="ingest",
                kinds={"python", "pandas"},
                description=f"{FEED_DESCRIPTIONS[feed]} Raw rows of every file in "
                f"`<landing>/{feed}/`, headers normalised and mapped, unreadable rows quarantined.",
            ),
            "staging": AssetOut(
                key=AssetKey(["staging", feed]),
                io_manager_key=FEED_BATCH_IO_MANAGER_KEY,
                group_name="standardise",
                kinds={"python", "pandas", "sql"},
                description=f"{FEED_DESCRIPTIONS[feed]} Standardised (phones E.164, emails, "
                "names, companies, UTC timestamps, ISO-2 countries) and loaded to "
                f"`staging.{feed}`.",
            ),
        },
        internal_asset_deps={"raw": set(), "staging": {raw_key}},
        partitions_def=partitions_def,
        backfill_policy=EVENT_BACKFILL_POLICY if partitions_def else None,
        retry_policy=IO_RETRY,
        pool=WAREHOUSE_POOL,
    )
    def load_feed(
        context: AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
    ) -> Iterator[Output]:
        mappings = load_column_mappings(landing.optional_path(landing.column_mapping_file))
        raw = read_feed(landing.path, feed, mappings, max_field_chars=landing.max_field_chars)
        context.log.info(
            f"{feed}: {raw.row_count} rows from {len(raw.files)} files, "
            f"{len(raw.rejected)} quarantined"
        )
        yield Output(
            None,
            output_name="raw",
            metadata={
                **quarantine_summary(raw),
                "dagster/column_schema": table_schema(raw.accepted),
            },
        )
        vocabularies = load_vocabularies(landing.optional_path(landing.vocabulary_file))
        batch = STANDARDISERS[feed](raw, default_region=landing.default_region, vocab=vocabularies)
        loaded = load_staging(context, warehouse, feed, batch.accepted)
        yield Output(
            batch,
            output_name="staging",
            metadata={
                **quarantine_summary(batch),
                **standardise_quality(batch.accepted),
                **loaded,
                "table": f"staging.{feed}",
                "dagster/column_schema": table_schema(batch.accepted),
            },
        )

    return load_feed


def load_staging(
    context: AssetExecutionContext, warehouse: WarehouseResource, feed: str, rows: pd.DataFrame
) -> dict[str, object]:
    """Replace `staging.<feed>`, or only the run's days of it in a partitioned run."""
    window = run_window(context)
    if window is None:
        warehouse.get_warehouse().replace_table("staging", feed, rows)
        context.log.info(f"{feed}: {len(rows)} rows loaded to staging.{feed}")
        return {"dagster/row_count": len(rows)}
    time_column = EVENT_TIME_COLUMNS[feed]
    in_window = rows_in_window(rows, time_column, window)
    replaced = warehouse.get_warehouse().replace_partition(
        "staging", feed, in_window, time_column=time_column, start=window.start, end=window.end
    )
    days = f"[{window.start.date().isoformat()}, {window.end.date().isoformat()})"
    context.log.info(
        f"{feed}: days {days} of staging.{feed} replaced: {replaced} rows out, {len(in_window)} in"
    )
    return {"partition_days": days, "rows_in_window": len(in_window), "rows_replaced": replaced}


def standardise_quality(frame: pd.DataFrame) -> dict[str, float]:
    """Shares of valid phones and emails, for the columns the feed has."""
    rates: dict[str, float] = {}
    for column in ("phone_valid", "mobile_phone_valid", "email_valid"):
        if column in frame.columns and len(frame):
            rates[f"{column}_share"] = round(float(frame[column].fillna(False).mean()), 4)
    return rates


def build_feed_assets(
    event_partitions: DailyPartitionsDefinition | None = None,
) -> list[AssetsDefinition]:
    """One feed step per feed; the event feeds partitioned by `event_partitions` when given."""
    return [
        build_feed_asset(feed, event_partitions if feed in EVENT_TIME_COLUMNS else None)
        for feed in FEEDS
    ]


feed_assets: list[AssetsDefinition] = build_feed_assets(event_partitions_from_env())

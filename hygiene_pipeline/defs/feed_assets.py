"""Ingest and standardise assets, one pair per feed: landing files -> raw rows -> `staging.<feed>`.

Each ingest asset reads every file of its feed folder; each standardise asset cleans the rows,
quarantines what cannot be cleaned and loads the result to the warehouse's `staging` schema.
Both hand on a `FeedFrames`, so every input row stays accounted for until `rejected_records`."""


from collections.abc import Callable

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetsDefinition,
    Output,
    RetryPolicy,
    asset,
)

from hygiene_pipeline.defs.metadata import counts_table, share, table_schema
from hygiene_pipeline.defs.resources import LandingResource, WarehouseResource
from hygiene_pipeline.domain import standardise
from hygiene_pipeline.domain.feed_frames import FEEDS, FeedFrames
from hygiene_pipeline.domain.headers import load_column_mappings
from hygiene_pipeline.domain.readers import read_feed
from hygiene_pipeline.domain.vocabularies import load_vocabularies

FILE_RETRY = RetryPolicy(max_retries=2, delay=2)

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


def build_ingest_asset(feed: str) -> AssetsDefinition:
    """The asset that reads every landing file of `feed` into raw string rows."""

    @asset(
        key=AssetKey(["raw", feed]),
        group_name="ingest",
        kinds={"python", "pandas"},
        description=f"{FEED_DESCRIPTIONS[feed]} Raw rows of every file in `<landing>/{feed}/`, "
        "headers normalised and mapped, unreadable rows quarantined.",
        retry_policy=FILE_RETRY,
    )
    def ingest(context: AssetExecutionContext, landing: LandingResource) -> Output[FeedFrames]:
        mappings = load_column_mappings(landing.optional_path(landing.column_mapping_file))
        batch = read_feed(landing.path, feed, mappings, max_field_chars=landing.max_field_chars)
        context.log.info(
            "%s: %d rows from %d files, %d quarantined",
            feed, batch.row_count, len(batch.files), len(batch.rejected),
        )
        return Output(
            batch,
            metadata={
                **quarantine_summary(batch),
                "dagster/column_schema": table_schema(batch.accepted),
            },
        )

    return ingest


STANDARDISERS: dict[str, Callable[..., FeedFrames]] = {
    feed: getattr(standardise, f"standardise_{feed}") for feed in FEEDS
}


def build_standardise_asset(feed: str) -> AssetsDefinition:
    """The asset that standardises `feed` and loads it to `staging.<feed>`."""

    @asset(
        key=AssetKey(["staging", feed]),
        ins={"raw": AssetIn(key=AssetKey(["raw", feed]))},
        group_name="standardise",
        kinds={"python", "pandas", "sql"},
        description=f"{FEED_DESCRIPTIONS[feed]} Standardised (phones E.164, emails, names, "
        f"companies, UTC timestamps, ISO-2 countries) and loaded to `staging.{feed}`.",
        retry_policy=FILE_RETRY,
    )
    def standardised(
        context: AssetExecutionContext,
        raw: FeedFrames,
        landing: LandingResource,
        warehouse: WarehouseResource,
    ) -> Output[FeedFrames]:
        vocabularies = load_vocabularies(landing.optional_path(landing.vocabulary_file))
        batch = STANDARDISERS[feed](
            raw, default_region=landing.default_region, vocab=vocabularies
        )
        warehouse.get_warehouse().replace_table("staging", feed, batch.accepted)
        context.log.info("%s: %d rows loaded to staging.%s", feed, len(batch.accepted), feed)
        return Output(
            batch,
            metadata={
                **quarantine_summary(batch),
                **standardise_quality(batch.accepted),
                "table": f"staging.{feed}",
                "dagster/row_count": len(batch.accepted),
                "dagster/column_schema": table_schema(batch.accepted),
            },
        )

    return standardised


def standardise_quality(frame: pd.DataFrame) -> dict[str, float]:
    """Shares of valid phones and emails, for the columns the feed has."""
    rates: dict[str, float] = {}
    for column in ("phone_valid", "mobile_phone_valid", "email_valid"):
        if column in frame.columns and len(frame):
            rates[f"{column}_share"] = round(float(frame[column].fillna(False).mean()), 4)
    return rates


feed_assets: list[AssetsDefinition] = [
    builder(feed) for feed in FEEDS for builder in (build_ingest_asset, build_standardise_asset)
]

"""Feed assets, one step per feed: landing files -> `raw/<feed>` -> `staging.<feed>`.

Each step reads every file of its feed folder (asset `raw/<feed>`: rows, files, what ingest
quarantined), standardises the rows, quarantines what cannot be cleaned and returns the accepted
rows, which the warehouse IO manager stores as the run's `staging.<feed>` (asset
`staging/<feed>`). The feed's quarantined rows and unreadable files go to the run's work tables
`quarantine__<feed>` and `unreadable_files__<feed>`, from which `curated.rejected_records` and
`curated.rejected_files` gather them, so every input row and file stays accounted for.

A file that cannot be read is set aside in the batch's `rejected_files` (published as
`curated.rejected_files`) while the feed goes on; an error no retry can mend (a missing required
feed folder, an unreadable mapping or vocabulary file) fails the step at once with a one-line
`dagster.Failure`, not retried. The `raw/<feed>` metadata shows, per file, which source column
became which column and which were carried through unrecognised.

A full run is the unit of loading: every run reads every file of every feed and its
publication replaces each staging table whole (no daily partitions: a day's rows are only
correct together with the quarantine and the people of the run that read them). The steps retry
(`IO_RETRY`) and stay outside the `WAREHOUSE_POOL`: they read and standardise in Python and hold
the warehouse only to write their tables.
"""

from collections.abc import Callable, Iterator

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    AssetsDefinition,
    Failure,
    MetadataValue,
    Nothing,
    Output,
    multi_asset,
)

from hygiene_pipeline.defs.metadata import counts_table, share, table_schema
from hygiene_pipeline.defs.resources import (
    IO_RETRY,
    LARGE_STEP_TAGS,
    BatchClockResource,
    LandingResource,
    WarehouseResource,
)
from hygiene_pipeline.domain import standardise
from hygiene_pipeline.domain.feed_frames import FEEDS, FeedFrames
from hygiene_pipeline.domain.feed_specs import FeedError
from hygiene_pipeline.domain.headers import load_column_mappings
from hygiene_pipeline.domain.readers import read_feed
from hygiene_pipeline.domain.vocabularies import load_vocabularies
from hygiene_pipeline.warehouse.frame_types import text_in_arrow

FIRST_FEED = "crm_contacts"
"""The feed loaded before the others (Dagster's `dagster/priority` tag): every person, pair and
decision waits for the contacts, the largest frame of a batch. In the run's own process (the
embedded warehouse's executor) they then also meet a process not yet grown by the other feeds."""
FEED_TAGS = {
    FIRST_FEED: {"dagster/priority": "1", **LARGE_STEP_TAGS},
    "call_logs": LARGE_STEP_TAGS,
    "engagement_events": LARGE_STEP_TAGS,
}
"""The feeds' op tags: the contacts first, and the three largest feeds one at a time."""
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
    """Metadata every feed asset shows: rows in, accepted, quarantined and why, files refused."""
    return {
        "files_rejected": len(batch.rejected_files),
        "rejected_files": rejected_files_table(batch.rejected_files),
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


def rejected_files_table(rejected_files: pd.DataFrame) -> MetadataValue:
    """Refused files with the kind of reason (file names are no personal data; the reason's
    detail, which may quote the file, stays in the warehouse)."""
    lines = ["| feed | file | reason |", "|---|---|---|"]
    lines += [
        f"| {feed} | {_cell(name)} | {_cell(kind)} |"
        for feed, name, kind in zip(
            rejected_files["feed"],
            rejected_files["source_file"],
            file_reason_kind(rejected_files["reason"]),
            strict=True,
        )
    ]
    if len(lines) == 2:
        lines.append("| (none) | | |")
    return MetadataValue.md("\n".join(lines))


def file_reason_kind(reasons: pd.Series) -> pd.Series:
    """A file's refusal reason without its parenthesised detail: `empty file`, `corrupt ...`."""
    return reasons.astype(str).str.split("(", n=1).str[0].str.strip()


def column_mapping_table(report: pd.DataFrame) -> MetadataValue:
    """Per file, each source column and what it became; unrecognised ones are carried through."""
    lines = ["| file | source column | becomes | status |", "|---|---|---|---|"]
    lines += [
        f"| {_cell(file)} | {_cell(source)} | {_cell(column)} | {status} |"
        for file, source, column, status in report.itertuples(index=False, name=None)
    ]
    if len(lines) == 2:
        lines.append("| (no file read) | | | |")
    return MetadataValue.md("\n".join(lines))


def _cell(text: object) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def no_retry(error: Exception) -> Failure:
    """A one-line failure that retrying cannot mend (Dagster skips the retry policy)."""
    return Failure(description=str(error).splitlines()[0], allow_retries=False)


STANDARDISERS: dict[str, Callable[..., FeedFrames]] = {
    feed: getattr(standardise, f"standardise_{feed}") for feed in FEEDS
}


def quarantine_table(feed: str) -> str:
    """The run's work table of the rows `feed` quarantined."""
    return f"quarantine__{feed}"


def unreadable_files_table(feed: str) -> str:
    """The run's work table of the files of `feed` that could not be read."""
    return f"unreadable_files__{feed}"


def build_feed_asset(feed: str) -> AssetsDefinition:
    """The step that reads, standardises and loads `feed`: assets `raw/<feed>`, `staging/<feed>`."""
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
                group_name="standardise",
                kinds={"python", "pandas", "sql"},
                description=f"{FEED_DESCRIPTIONS[feed]} Standardised (phones E.164, emails, "
                "names, companies, UTC timestamps, ISO-2 countries) and loaded to "
                f"`staging.{feed}`.",
            ),
        },
        internal_asset_deps={"raw": set(), "staging": {raw_key}},
        retry_policy=IO_RETRY,
        op_tags=FEED_TAGS.get(feed),
    )
    def load_feed(
        context: AssetExecutionContext,
        landing: LandingResource,
        warehouse: WarehouseResource,
        clock: BatchClockResource,
    ) -> Iterator[Output]:
        try:
            mappings = load_column_mappings(landing.optional_path(landing.column_mapping_file))
            vocabularies = load_vocabularies(landing.optional_path(landing.vocabulary_file))
            raw = read_feed(
                landing.path,
                feed,
                mappings,
                max_field_chars=landing.max_field_chars,
                excel_sheets=landing.excel_sheets,
            )
        except (FeedError, ValueError) as error:  # a folder or a file a retry cannot mend
            raise no_retry(error) from None
        context.log.info(
            f"{feed}: {raw.row_count} rows from {len(raw.files)} files, "
            f"{len(raw.rejected)} quarantined"
        )
        for name, reason in zip(
            raw.rejected_files["source_file"],
            file_reason_kind(raw.rejected_files["reason"]),
            strict=True,
        ):
            context.log.warning(f"{feed}: file {name} set aside: {reason}")
        yield Output(
            None,
            output_name="raw",
            metadata={
                **quarantine_summary(raw),
                "column_mapping": column_mapping_table(raw.column_mapping),
                "unrecognised_columns": int((raw.column_mapping["status"] == "unrecognised").sum()),
                "dagster/column_schema": table_schema(raw.accepted),
            },
        )
        batch = STANDARDISERS[feed](
            raw,
            default_region=landing.default_region,
            vocab=vocabularies,
            not_after=clock.latest_event_time(),
        )
        del raw  # the frame as read (0.6 GB at a million contacts) is not kept while loading
        store = warehouse.get_warehouse()
        work = store.schema_for("work")
        store.replace_table(work, quarantine_table(feed), batch.rejected)
        store.replace_table(work, unreadable_files_table(feed), batch.rejected_files)
        metadata = {
            **quarantine_summary(batch),
            **standardise_quality(batch.accepted),
            **source_record_counts(batch.accepted),
            "dagster/row_count": len(batch.accepted),
            "table": f"staging.{feed}",
            "dagster/column_schema": table_schema(batch.accepted),
        }
        staged = text_in_arrow(batch.accepted)  # the objects go before the table is written
        del batch
        yield Output(staged, output_name="staging", metadata=metadata)

    return load_feed


def standardise_quality(frame: pd.DataFrame) -> dict[str, float]:
    """Shares of valid phones and emails, for the columns the feed has."""
    rates: dict[str, float] = {}
    for column in ("phone_valid", "mobile_phone_valid", "email_valid"):
        if column in frame.columns and len(frame):
            rates[f"{column}_share"] = round(float(frame[column].fillna(False).mean()), 4)
    return rates


def source_record_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Contacts the source CRM marks: deleted (kept, never a person), merged, e-mail bounced."""
    if "is_deleted" not in frame.columns:
        return {}
    return {
        "deleted_in_source": int(frame["is_deleted"].sum()),
        "merged_into_master_in_source": int(frame["master_record_id"].notna().sum()),
        "email_bounced_in_source": int(frame["email_bounced"].sum()),
    }


feed_assets: list[AssetsDefinition] = [build_feed_asset(feed) for feed in FEEDS]

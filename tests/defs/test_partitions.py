"""Daily partitions of the event feeds: a run without a partition key loads every row, a backfill
of three days replaces exactly those days of the staging table, and re-running it changes
nothing. The backfill runs as Dagster runs a single-run backfill: one run tagged with the range."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from dagster import (
    AssetKey,
    BackfillPolicy,
    DagsterInstance,
    ExecuteInProcessResult,
    TimeWindow,
    materialize,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from hygiene_pipeline.defs.feed_assets import build_feed_asset, build_feed_assets
from hygiene_pipeline.defs.feed_batch_io import FEED_BATCH_IO_MANAGER_KEY, FeedBatchIOManager
from hygiene_pipeline.defs.partitions import (
    PARTITION_START_ENV,
    event_partitions,
    event_partitions_from_env,
    rows_in_window,
)
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource
from hygiene_pipeline.warehouse.engine import Warehouse

FEED, TIME_COLUMN = "call_logs", "called_at"
STAGING = AssetKey(["staging", FEED])

RunFeed = Callable[..., ExecuteInProcessResult]


@pytest.fixture
def warehouse_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.fixture
def batches(tmp_path: Path) -> FeedBatchIOManager:
    return FeedBatchIOManager(base_dir=str(tmp_path / "batches"))


@pytest.fixture
def run_feed(generated_crm: Path, warehouse_url: str, batches: FeedBatchIOManager) -> RunFeed:
    """Materialise the call-log feed: the whole batch, or the days `first`..`last` (ISO dates)."""
    asset = build_feed_asset(FEED, event_partitions())
    resources = {
        "landing": LandingResource(landing_dir=str(generated_crm / "landing")),
        "warehouse": WarehouseResource(url=warehouse_url),
        "clock": BatchClockResource(),  # the run's time: later than every generated event
        FEED_BATCH_IO_MANAGER_KEY: batches,
    }
    instance = DagsterInstance.ephemeral()

    def run(first: str | None = None, last: str | None = None) -> ExecuteInProcessResult:
        tags = (
            {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
            if first and last
            else {}
        )
        return materialize([asset], resources=resources, instance=instance, tags=tags)

    return run


def staging_table(warehouse_url: str) -> pd.DataFrame:
    warehouse = Warehouse(warehouse_url)
    frame = warehouse.read_table("staging", FEED)
    return frame.sort_values("call_id").reset_index(drop=True)


def busiest_three_days(table: pd.DataFrame) -> tuple[str, str, datetime, datetime]:
    """The three days around the day with most calls: first and last key, window bounds."""
    day = table[TIME_COLUMN].dt.floor("D").value_counts().idxmax().to_pydatetime()
    start, end = day - timedelta(days=1), day + timedelta(days=2)
    return start.date().isoformat(), (end - timedelta(days=1)).date().isoformat(), start, end


def in_window(table: pd.DataFrame, start: datetime, end: datetime) -> pd.Series:
    return (table[TIME_COLUMN] >= start) & (table[TIME_COLUMN] < end)


def staging_metadata(result: ExecuteInProcessResult) -> dict[str, object]:
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == STAGING]
    return {key: value.value for key, value in events[0].materialization.metadata.items()}


def test_a_three_day_backfill_replaces_exactly_those_days_and_is_idempotent(
    run_feed: RunFeed, warehouse_url: str
):
    full = run_feed()
    loaded = staging_table(warehouse_url)
    first, last, start, end = busiest_three_days(loaded)
    window = in_window(loaded, start, end)
    inside_id, outside_id = loaded.loc[window, "call_id"].iloc[0], loaded.loc[~window, "call_id"]
    outside_id = outside_id.iloc[0]
    with Warehouse(warehouse_url).transaction() as conn:  # damage inside and mark outside
        conn.exec_driver_sql(f"DELETE FROM staging.call_logs WHERE call_id = '{inside_id}'")
        conn.exec_driver_sql(
            f"UPDATE staging.call_logs SET disposition = 'x' WHERE {TIME_COLUMN}"
            f" >= '{start.isoformat()}' AND {TIME_COLUMN} < '{end.isoformat()}'"
        )
        conn.exec_driver_sql(f"UPDATE staging.call_logs SET agent_id = 'marker' "
                             f"WHERE call_id = '{outside_id}'")  # fmt: skip

    backfill = run_feed(first, last)
    after = staging_table(warehouse_url)
    rerun = run_feed(first, last)

    assert full.success and backfill.success and rerun.success
    assert int(window.sum()) > 0
    repaired = in_window(after, start, end)
    pd.testing.assert_frame_equal(
        after.loc[repaired].reset_index(drop=True), loaded.loc[window].reset_index(drop=True)
    )
    untouched = after.loc[~repaired].set_index("call_id")
    assert untouched.loc[outside_id, "agent_id"] == "marker"
    assert len(untouched) == int((~window).sum())
    assert staging_metadata(backfill)["rows_in_window"] == int(window.sum())
    assert staging_metadata(backfill)["rows_replaced"] == int(window.sum()) - 1
    assert staging_metadata(rerun)["rows_replaced"] == int(window.sum())
    pd.testing.assert_frame_equal(staging_table(warehouse_url), after)


def test_a_backfill_keeps_the_full_batch_for_downstream_assets(
    run_feed: RunFeed, batches: FeedBatchIOManager, warehouse_url: str
):
    run_feed()
    stored = batches.path_for(STAGING)
    full_batch = pd.read_pickle(stored)
    first, last, _, _ = busiest_three_days(staging_table(warehouse_url))

    run_feed(first, last)

    assert pd.read_pickle(stored).row_count == full_batch.row_count
    assert len(pd.read_pickle(stored).accepted) == len(staging_table(warehouse_url))


def test_a_backfill_into_an_empty_warehouse_creates_only_its_days(
    run_feed: RunFeed, warehouse_url: str
):
    result = run_feed("2024-06-01", "2024-06-03")
    table = staging_table(warehouse_url)

    assert result.success
    assert len(table) == staging_metadata(result)["rows_in_window"]
    days = table[TIME_COLUMN].dt.strftime("%Y-%m-%d")
    assert set(days) <= {"2024-06-01", "2024-06-02", "2024-06-03"}


def test_rows_in_window_keeps_the_start_and_drops_the_end_and_missing_times():
    times = ["2024-01-01 23:59:59", "2024-01-02 00:00", "2024-01-03 23:59", "2024-01-04 00:00"]
    frame = pd.DataFrame(
        {"n": range(5), "at": pd.to_datetime([*times, None], utc=True, format="ISO8601")}
    )
    window = TimeWindow(
        pd.Timestamp("2024-01-02", tz="UTC").to_pydatetime(),
        pd.Timestamp("2024-01-04", tz="UTC").to_pydatetime(),
    )

    assert rows_in_window(frame, "at", window)["n"].tolist() == [1, 2]


def test_only_the_event_feeds_are_partitioned_daily_from_the_configured_start(monkeypatch):
    monkeypatch.setenv(PARTITION_START_ENV, "2023-03-01")
    assets = {
        key.path[1]: asset
        for asset in build_feed_assets(event_partitions_from_env())
        for key in asset.keys
    }

    partitioned = {feed for feed, asset in assets.items() if asset.partitions_def is not None}
    assert partitioned == {"email_bounces", "call_logs", "engagement_events"}
    calls = assets["call_logs"]
    assert calls.partitions_def.get_first_partition_key() == "2023-03-01"
    assert calls.partitions_def.timezone == "UTC"
    assert calls.backfill_policy == BackfillPolicy.single_run()

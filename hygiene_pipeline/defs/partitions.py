"""Daily partitions of the event feeds, and which rows a partitioned run replaces.

The event feeds (`email_bounces`, `call_logs`, `engagement_events`) are partitioned by the UTC day
of their event time (`bounced_at`, `called_at`, `occurred_at`); the first day is
`HYGIENE_PARTITION_START` (default 2020-01-01), read when the definitions load. A backfill runs
as one run over its whole range (`BackfillPolicy.single_run()`).

- A run without a partition key (the `hygiene_batch` job, `hygiene run`, the schedule and the
  landing sensor) reads every file and replaces the whole `staging.<feed>` table.
- A run with a partition key or range (a backfill) also reads and standardises every file, so
  each value is parsed exactly as the full run parses it (timestamp formats are inferred per
  column); it then keeps the accepted rows whose event time falls in the run's days and replaces
  exactly those days in `staging.<feed>` (`Warehouse.replace_partition`). Re-running a day
  gives the same table.
- Rows that standardisation quarantines (among them every row whose event time is missing or
  unparseable, so belongs to no day) are published to `curated.rejected_records` by the full
  run only: it is the run that accounts for every input row. A backfill leaves the quarantine
  and every unpartitioned asset as the last full run left them.
"""

from __future__ import annotations

import os

import pandas as pd
from dagster import AssetExecutionContext, BackfillPolicy, DailyPartitionsDefinition, TimeWindow

DEFAULT_PARTITION_START = "2020-01-01"
PARTITION_START_ENV = "HYGIENE_PARTITION_START"
PARTITION_TIMEZONE = "UTC"
EVENT_TIME_COLUMNS: dict[str, str] = {
    "email_bounces": "bounced_at",
    "call_logs": "called_at",
    "engagement_events": "occurred_at",
}
"""The partitioned feeds and the column whose UTC day places a row in a partition."""

EVENT_BACKFILL_POLICY = BackfillPolicy.single_run()
"""A backfill reads the feed's files once for its whole range, not once per day."""


def event_partitions(start_date: str = DEFAULT_PARTITION_START) -> DailyPartitionsDefinition:
    """Daily UTC partitions from `start_date` (ISO date) on."""
    return DailyPartitionsDefinition(start_date=start_date, timezone=PARTITION_TIMEZONE)


def event_partitions_from_env() -> DailyPartitionsDefinition:
    """Daily partitions starting at `HYGIENE_PARTITION_START`, or 2020-01-01."""
    return event_partitions(os.environ.get(PARTITION_START_ENV) or DEFAULT_PARTITION_START)


def run_window(context: AssetExecutionContext) -> TimeWindow | None:
    """The days a partitioned run covers; None for a run of the whole batch."""
    if context.has_partition_key or context.has_partition_key_range:
        return context.partition_time_window
    return None


def rows_in_window(frame: pd.DataFrame, time_column: str, window: TimeWindow) -> pd.DataFrame:
    """The rows whose `time_column` lies in `[window.start, window.end)`; missing times never do."""
    times = pd.to_datetime(frame[time_column], utc=True)
    inside = times.between(pd.Timestamp(window.start), pd.Timestamp(window.end), inclusive="left")
    return frame.loc[inside.fillna(False).astype(bool)].reset_index(drop=True)

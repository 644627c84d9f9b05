"""`Warehouse.replace_partition`: the rows of one time window are replaced in one transaction,
the rest of the table is untouched, and loading the same window twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from hygiene_pipeline.warehouse.bulk_load import BulkLoadError

START, END = datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 4, tzinfo=UTC)


def events(ids: list[int], times: list[str], label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ids,
            "happened_at": pd.to_datetime(times, utc=True, format="ISO8601"),
            "label": label,
        }
    )


@pytest.fixture
def loaded(warehouse):
    """A table with rows before, on both edges of, inside and after the window."""
    before = events([1, 2], ["2024-01-01 00:00", "2024-01-01 23:59:59"], "old")
    inside = events([3, 4, 5], ["2024-01-02 00:00", "2024-01-02 10:00", "2024-01-03 23:59"], "old")
    after = events([6], ["2024-01-04 00:00"], "old")
    warehouse.replace_table(warehouse.staging_schema, "events", pd.concat([before, inside, after]))
    return warehouse


def table(warehouse) -> pd.DataFrame:
    frame = warehouse.read_table(warehouse.staging_schema, "events")
    return frame.sort_values("event_id").reset_index(drop=True)


def test_only_the_window_is_replaced_and_a_rerun_changes_nothing(loaded):
    new = events([30, 40], ["2024-01-02 00:00", "2024-01-03 12:00"], "new")
    replaced = loaded.replace_partition(
        loaded.staging_schema, "events", new, time_column="happened_at", start=START, end=END
    )
    first = table(loaded)
    rerun = loaded.replace_partition(
        loaded.staging_schema, "events", new, time_column="happened_at", start=START, end=END
    )

    assert replaced == 3
    assert rerun == 2
    assert first["event_id"].tolist() == [1, 2, 6, 30, 40]
    assert first.set_index("event_id")["label"].to_dict() == {
        1: "old",
        2: "old",
        6: "old",
        30: "new",
        40: "new",
    }
    pd.testing.assert_frame_equal(table(loaded), first)


def test_a_missing_table_is_created_with_the_window_rows(warehouse):
    new = events([7], ["2024-01-03 08:00"], "new")
    replaced = warehouse.replace_partition(
        warehouse.staging_schema, "events", new, time_column="happened_at", start=START, end=END
    )

    assert replaced == 0
    assert table(warehouse)["event_id"].tolist() == [7]


def test_rows_outside_the_window_are_refused_before_anything_changes(loaded):
    stray = events([8], ["2024-01-04 00:00"], "new")

    with pytest.raises(ValueError, match="outside"):
        loaded.replace_partition(
            loaded.staging_schema, "events", stray, time_column="happened_at", start=START, end=END
        )
    assert table(loaded)["event_id"].tolist() == [1, 2, 3, 4, 5, 6]


def test_a_failed_load_leaves_the_window_as_it_was(loaded):
    unloadable = events([9], ["2024-01-02 12:00"], "new").astype({"event_id": object})
    unloadable["event_id"] = "not a number"

    with pytest.raises(BulkLoadError):
        loaded.replace_partition(
            loaded.staging_schema,
            "events",
            unloadable,
            time_column="happened_at",
            start=START,
            end=END,
        )
    assert table(loaded)["event_id"].tolist() == [1, 2, 3, 4, 5, 6]

"""Status spells: changes close and open spells, re-applying changes nothing, nothing is deleted."""

from __future__ import annotations

import pandas as pd
import pytest

from hygiene_pipeline.warehouse.status_history import STATUS_HISTORY_TABLE, apply_status_history

DAY_1 = pd.Timestamp("2026-03-01", tz="UTC")
DAY_2 = pd.Timestamp("2026-03-02", tz="UTC")


def batch(*rows: tuple[str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["entity_id", "status", "status_reason"])


def history(warehouse) -> pd.DataFrame:
    table = warehouse.qualified(warehouse.curated_schema, STATUS_HISTORY_TABLE)
    return warehouse.read_sql(f"SELECT * FROM {table} ORDER BY entity_id, valid_from")


FIRST = batch(("E1", "active", "call connected on 2026-02-27"), ("E2", "active", None))
SECOND = batch(
    ("E1", "left_company", "left_company: call disposition on 2026-03-02"),
    ("E2", "active", "web visit on 2026-03-01"),
    ("E3", "stale_inactive", "no presence since 2024-11-02"),
)


def test_the_first_batch_opens_one_current_spell_per_person(warehouse):
    change = apply_status_history(warehouse, FIRST, "run-1", DAY_1)
    assert (change.closed, change.opened) == (0, 2)
    spells = history(warehouse)
    assert spells["entity_id"].tolist() == ["E1", "E2"]
    assert spells["valid_from"].tolist() == [DAY_1, DAY_1]
    assert spells["valid_to"].isna().all()
    assert spells["run_id"].tolist() == ["run-1", "run-1"]


def test_reapplying_the_same_batch_changes_nothing(warehouse):
    apply_status_history(warehouse, FIRST, "run-1", DAY_1)
    apply_status_history(warehouse, SECOND, "run-2", DAY_2)
    before = history(warehouse)
    change = apply_status_history(warehouse, SECOND, "run-2", DAY_2)
    assert (change.closed, change.opened) == (0, 0)
    pd.testing.assert_frame_equal(history(warehouse), before)


def test_a_status_change_closes_the_spell_and_keeps_it(warehouse):
    apply_status_history(warehouse, FIRST, "run-1", DAY_1)
    change = apply_status_history(warehouse, SECOND, "run-2", DAY_2)
    assert (change.closed, change.opened) == (1, 2)
    spells = history(warehouse)
    e1 = spells[spells["entity_id"] == "E1"]
    assert e1["status"].tolist() == ["active", "left_company"]
    assert e1["valid_to"].tolist()[0] == DAY_2 and pd.isna(e1["valid_to"].tolist()[1])
    assert e1["run_id"].tolist() == ["run-1", "run-2"]
    e2 = spells[spells["entity_id"] == "E2"]
    assert len(e2) == 1, "a new reason under the same status is not a new spell"
    assert e2["status_reason"].isna().all()
    assert spells.groupby("entity_id")["valid_to"].apply(lambda s: s.isna().sum()).eq(1).all()


def test_an_older_batch_replayed_later_rewrites_nothing(warehouse):
    apply_status_history(warehouse, FIRST, "run-1", DAY_1)
    apply_status_history(warehouse, SECOND, "run-2", DAY_2)
    before = history(warehouse)
    change = apply_status_history(warehouse, FIRST, "run-1", DAY_1)
    assert (change.closed, change.opened) == (0, 0)
    pd.testing.assert_frame_equal(history(warehouse), before)


def test_naive_as_of_is_taken_as_utc(duckdb_warehouse):
    apply_status_history(duckdb_warehouse, FIRST, "run-1", pd.Timestamp("2026-03-01 12:00"))
    assert history(duckdb_warehouse)["valid_from"].iloc[0] == pd.Timestamp(
        "2026-03-01 12:00", tz="UTC"
    )


@pytest.mark.parametrize(
    ("bad_batch", "message"),
    [
        (batch(("E1", "active", None), ("E1", "left_company", None)), "repeats 1 entity_id"),
        (batch(("E1", None, None)), "without entity_id or status"),
        (pd.DataFrame({"entity_id": ["E1"], "status": ["active"]}), "lacks columns: status_reason"),
    ],
)
def test_a_malformed_batch_is_refused_before_anything_is_written(
    duckdb_warehouse, bad_batch, message
):
    with pytest.raises(ValueError, match=message):
        apply_status_history(duckdb_warehouse, bad_batch, "run-1", DAY_1)
    assert not duckdb_warehouse.table_exists(duckdb_warehouse.curated_schema, STATUS_HISTORY_TABLE)


def test_each_change_is_counted_as_the_database_reports_it(warehouse):
    """Closed, opened and retired spells are the rows each statement changed, on DuckDB (which
    answers with a count row) and PostgreSQL (the cursor's row count)."""
    apply_status_history(warehouse, FIRST, "run-1", DAY_1)
    change = apply_status_history(warehouse, SECOND.iloc[[0, 2]], "run-2", DAY_2)
    assert (change.closed, change.opened, change.retired) == (1, 2, 1)
    assert history(warehouse)["valid_to"].notna().sum() == 2

"""The whole asset graph on a generated CRM, into DuckDB and into PostgreSQL: every contract
table is published, every input row is accounted for, a second run keeps ids and history, and a
run whose blocking check fails publishes nothing."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from batch_runs import PublishedRun, materialize_batch
from dagster import ExecuteInProcessResult

from hygiene_pipeline.contract import CURATED_TABLES, INTENT_TIERS, STATUSES
from hygiene_pipeline.defs.publish_assets import PUBLICATION
from hygiene_pipeline.domain.feed_frames import FEEDS
from hygiene_pipeline.quality.scorecard import MEASURES
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.run_scope import (
    published_runs,
    run_schema,
    runs_with_schemas,
    views_over_runs,
)

AS_OF = "2026-06-30T12:00:00+00:00"  # the generated CRM's reference time (tests/conftest.py)


def failed_checks(result: ExecuteInProcessResult) -> list[str]:
    return [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]


def published_tables(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    """Every published staging and curated table, rows in a stable order; the check log,
    appended by every run, apart (and the views over it)."""
    names = warehouse.read_sql(
        "select table_schema, table_name, table_type = 'VIEW' as is_view "
        "from information_schema.tables "
        "where table_schema in ('staging', 'curated') and table_name <> 'dq_check_results'"
    )
    with warehouse.engine.connect() as conn:
        over_runs = {(s, name) for s in ("staging", "curated") for name in views_over_runs(conn, s)}
    tables = {}
    for schema, table, is_view in names.itertuples(index=False):
        if is_view and (schema, table) not in over_runs:
            continue
        frame = warehouse.read_table(schema, table)
        tables[f"{schema}.{table}"] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return tables


def with_dialer_file_resent(landing: Path, root: Path) -> Path:
    """A copy of the landing folder with a dialer file delivered twice: the call logs' critical
    expectations (unique call ids) fail."""
    copy = root / "landing_resent"
    shutil.copytree(landing, copy)
    calls = copy / "call_logs" / "dialer_calls_export.csv"
    shutil.copy(calls, calls.with_name("dialer_calls_export_resent.csv"))
    return copy


def assert_nothing_published_by(
    failed: ExecuteInProcessResult, warehouse: Warehouse, before: dict[str, pd.DataFrame]
) -> None:
    assert not failed.success
    assert "staging/call_logs:critical_expectations" in failed_checks(failed)
    published = [e.asset_key for e in failed.get_asset_materialization_events()]
    assert PUBLICATION not in published
    assert {"curated.dq_scorecard", "curated.follow_up_tasks"} <= before.keys()
    after = published_tables(warehouse)
    assert after.keys() == before.keys()
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
    assert failed.run_id in runs_with_schemas(warehouse)
    assert warehouse.row_count(run_schema(failed.run_id, "staging"), "call_logs") > 0


def assert_contract_tables(warehouse: Warehouse) -> None:
    for table, columns in CURATED_TABLES.items():
        assert warehouse.table_exists("curated", table), table
        missing = set(columns) - set(warehouse.columns("curated", table))
        assert not missing, f"curated.{table} lacks {missing}"


def assert_rows_accounted_for(warehouse: Warehouse, generated: Path) -> None:
    written = json.loads((generated / "ground_truth" / "summary.json").read_text())["feed_rows"]
    rejected = warehouse.read_sql(
        "select feed, count(*) as n from curated.rejected_records group by feed"
    ).set_index("feed")["n"]
    for feed in FEEDS:
        staged = warehouse.row_count("staging", feed)
        assert staged + int(rejected.get(feed, 0)) == written[feed], feed


@pytest.fixture(scope="module")
def duckdb_batch(generated_crm_run: PublishedRun, tmp_path_factory: pytest.TempPathFactory):
    """The session's run of the generated CRM, in a copy of its warehouse that this module's
    later runs go on from."""
    home = tmp_path_factory.mktemp("hygiene_home")
    url = generated_crm_run.copy_into(home)
    return generated_crm_run.result, Warehouse(url), url, home


def test_duckdb_run_succeeds_without_failed_blocking_checks(duckdb_batch) -> None:
    result, *_ = duckdb_batch
    assert result.success
    assert failed_checks(result) == []


def test_the_contacts_are_loaded_first(duckdb_batch) -> None:
    """Every later stage waits for the contacts, the largest load: it goes first."""
    result, *_ = duckdb_batch
    started = [event.step_key for event in result.all_events if event.is_step_start]
    assert started[0] == "load_crm_contacts"
    assert {"load_call_logs", "load_email_bounces"} <= set(started[1:])


def test_duckdb_run_publishes_every_contract_table(duckdb_batch) -> None:
    _, warehouse, *_ = duckdb_batch
    assert_contract_tables(warehouse)
    assert warehouse.row_count("curated", "account_health") > 0
    assert warehouse.row_count("curated", "dq_scorecard_trend") == len(MEASURES)


def test_every_input_row_is_staged_or_rejected(duckdb_batch, generated_crm: Path) -> None:
    _, warehouse, *_ = duckdb_batch
    assert_rows_accounted_for(warehouse, generated_crm)
    reasons = warehouse.read_table("curated", "rejected_records")["reason"]
    assert reasons.str.len().min() > 10


def test_people_tables_are_consistent(duckdb_batch) -> None:
    _, warehouse, *_ = duckdb_batch
    golden = warehouse.read_table("curated", "contacts_golden")
    xref = warehouse.read_table("curated", "contact_xref")
    dial = warehouse.read_table("curated", "dial_list")
    assert golden["entity_id"].is_unique
    assert set(xref["entity_id"]) == set(golden["entity_id"])
    assert len(xref) == warehouse.row_count("staging", "crm_contacts")
    assert set(golden["status"]) <= set(STATUSES)
    assert set(golden["intent_tier"]) <= set(INTENT_TIERS)
    assert golden["staleness_score"].between(0, 100).all()
    on_list = golden.set_index("entity_id").loc[dial["entity_id"]]
    assert (on_list["status"] == "active").all() and on_list["is_callable"].all()
    assert dial["entity_id"].is_unique
    assert dial["phone_e164"].str.fullmatch(r"\+[1-9]\d{6,14}").all()


def test_second_run_keeps_entity_ids_and_history(duckdb_batch, generated_crm: Path) -> None:
    result, warehouse, url, home = duckdb_batch
    xref_before = warehouse.read_table("curated", "contact_xref")
    history_before = warehouse.read_table("curated", "contact_status_history")
    tasks_before = warehouse.read_table("curated", "follow_up_tasks")

    again = materialize_batch(generated_crm / "landing", url, home, AS_OF)

    assert again.success
    xref_after = warehouse.read_table("curated", "contact_xref")
    merged = xref_before.merge(xref_after, on="record_key", suffixes=("_before", "_after"))
    assert (merged["entity_id_before"] == merged["entity_id_after"]).all()
    history_after = warehouse.read_table("curated", "contact_status_history")
    assert len(history_after) == len(history_before)
    assert history_after["valid_to"].isna().all()
    results = warehouse.read_table("curated", "dq_check_results")
    assert set(results["run_id"]) >= {result.run_id, again.run_id}
    card = warehouse.read_table("curated", "dq_scorecard")
    assert set(card["run_id"]) == {result.run_id, again.run_id}
    latest = card[card["run_id"] == again.run_id]
    assert (latest["previous_value"] == latest["value"]).all()  # the same files measure the same
    tasks_after = warehouse.read_table("curated", "follow_up_tasks")
    assert set(tasks_after["task_id"]) == set(tasks_before["task_id"])
    assert tasks_after["closed_at"].isna().sum() == tasks_before["closed_at"].isna().sum()
    # the first run's schemas went; the second's hold what the published views show
    assert runs_with_schemas(warehouse) == published_runs(warehouse) == {again.run_id}


def test_no_data_is_kept_outside_the_warehouse(
    generated_crm_run: PublishedRun, duckdb_batch
) -> None:
    *_, home = duckdb_batch
    for folder in (generated_crm_run.home, home):
        assert [p.name for p in folder.rglob("*") if p.is_file()] == ["warehouse.duckdb"]


def test_a_failed_blocking_check_publishes_nothing_on_duckdb(
    duckdb_batch, generated_crm: Path, tmp_path: Path
) -> None:
    _, warehouse, url, home = duckdb_batch
    before = published_tables(warehouse)

    failed = materialize_batch(
        with_dialer_file_resent(generated_crm / "landing", tmp_path), url, home, AS_OF
    )

    assert_nothing_published_by(failed, warehouse, before)
    again = materialize_batch(generated_crm / "landing", url, home, AS_OF)
    assert again.success
    # the failed run's schemas went; the published run's hold what the published views show
    assert runs_with_schemas(warehouse) == published_runs(warehouse) == {again.run_id}


@pytest.mark.postgres
def test_postgresql_run_publishes_every_contract_table(
    generated_crm: Path, pg_database_url: str, tmp_path: Path
) -> None:
    result = materialize_batch(generated_crm / "landing", pg_database_url, tmp_path, AS_OF)

    assert result.success, failed_checks(result)
    warehouse = Warehouse(pg_database_url)
    assert_contract_tables(warehouse)
    assert_rows_accounted_for(warehouse, generated_crm)
    golden = warehouse.read_table("curated", "contacts_golden")
    assert isinstance(golden["last_activity_at"].dtype, pd.DatetimeTZDtype)
    masked = warehouse.read_sql("select email from curated_masked.contacts_golden")["email"]
    assert masked.dropna().str.contains(r"\*\*\*@").all()
    assert not set(masked.dropna()) & set(golden["email"].dropna())
    assert runs_with_schemas(warehouse) == published_runs(warehouse) == set()  # copied

    before = published_tables(warehouse)
    landing = with_dialer_file_resent(generated_crm / "landing", tmp_path)
    failed = materialize_batch(landing, pg_database_url, tmp_path, AS_OF)

    assert_nothing_published_by(failed, warehouse, before)
    masked_after = warehouse.read_sql("select email from curated_masked.contacts_golden")["email"]
    assert masked_after.sort_values().tolist() == masked.sort_values().tolist()

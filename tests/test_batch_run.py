"""The whole asset graph on a generated CRM, into DuckDB and into PostgreSQL: every contract
table is published, every input row is accounted for, and a second run keeps ids and history."""

import json
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from hygiene_pipeline.contract import CURATED_TABLES, INTENT_TIERS, STATUSES
from hygiene_pipeline.definitions import build_definitions
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource
from hygiene_pipeline.domain.feed_frames import FEEDS
from hygiene_pipeline.warehouse.engine import Warehouse, default_duckdb_url

AS_OF = "2026-06-30T12:00:00+00:00"  # the generated CRM's reference time (tests/conftest.py)


def materialize_batch(landing: Path, url: str, home: Path) -> ExecuteInProcessResult:
    """Every asset and check of the code location, on an ephemeral instance."""
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(landing)),
        warehouse=WarehouseResource(url=url),
        clock=BatchClockResource(as_of=AS_OF),
        home=home,
    )
    return materialize(
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def failed_checks(result: ExecuteInProcessResult) -> list[str]:
    return [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]


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
def duckdb_batch(generated_crm: Path, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("hygiene_home")
    url = default_duckdb_url(home)
    result = materialize_batch(generated_crm / "landing", url, home)
    return result, Warehouse(url), url, home


def test_duckdb_run_succeeds_without_failed_blocking_checks(duckdb_batch) -> None:
    result, *_ = duckdb_batch
    assert result.success
    assert failed_checks(result) == []


def test_duckdb_run_publishes_every_contract_table(duckdb_batch) -> None:
    _, warehouse, *_ = duckdb_batch
    assert_contract_tables(warehouse)
    assert warehouse.row_count("curated", "account_health") > 0


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

    again = materialize_batch(generated_crm / "landing", url, home)

    assert again.success
    xref_after = warehouse.read_table("curated", "contact_xref")
    merged = xref_before.merge(xref_after, on="record_key", suffixes=("_before", "_after"))
    assert (merged["entity_id_before"] == merged["entity_id_after"]).all()
    history_after = warehouse.read_table("curated", "contact_status_history")
    assert len(history_after) == len(history_before)
    assert history_after["valid_to"].isna().all()
    results = warehouse.read_table("curated", "dq_check_results")
    assert set(results["run_id"]) >= {result.run_id, again.run_id}


@pytest.mark.postgres
def test_postgresql_run_publishes_every_contract_table(
    generated_crm: Path, pg_database_url: str, tmp_path: Path
) -> None:
    result = materialize_batch(generated_crm / "landing", pg_database_url, tmp_path)

    assert result.success, failed_checks(result)
    warehouse = Warehouse(pg_database_url)
    assert_contract_tables(warehouse)
    assert_rows_accounted_for(warehouse, generated_crm)
    golden = warehouse.read_table("curated", "contacts_golden")
    assert isinstance(golden["last_activity_at"].dtype, pd.DatetimeTZDtype)
    masked = warehouse.read_sql("select email from curated_masked.contacts_golden")["email"]
    assert masked.dropna().str.contains(r"\*\*\*@").all()
    assert not set(masked.dropna()) & set(golden["email"].dropna())

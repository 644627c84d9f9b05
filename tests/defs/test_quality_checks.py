"""The quality checks inside a real Dagster run over a real warehouse (DuckDB, and PostgreSQL).

A small asset graph writes fixture tables (standardised contacts, linkage, golden records,
suppressions, the dial list) and one downstream asset stands for publication. Faulty batches are
injected and each test asserts which check failed, that publication downstream did not happen,
that the metadata names the offending keys without raw PII, and that dq_check_results has it.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from dagster import (
    AssetChecksDefinition,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    ExecuteInProcessResult,
    MaterializeResult,
    asset,
    materialize,
    multi_asset,
)

from hygiene_pipeline.defs.asset_catalog import is_critical
from hygiene_pipeline.defs.quality_checks import (
    COMPLIANCE_CHECK,
    CRITICAL_CHECK,
    WARNING_CHECK,
    build_compliance_checks,
    build_drift_check,
    build_drift_checks,
    build_suite_checks,
)
from hygiene_pipeline.defs.resources import BatchClockResource, WarehouseResource
from hygiene_pipeline.defs.scorecard_assets import dq_scorecard
from hygiene_pipeline.defs.warehouse_io import WarehouseIOManager
from hygiene_pipeline.quality.scorecard import scorecard_rows
from hygiene_pipeline.warehouse.engine import Warehouse

AS_OF = "2026-06-30T12:00:00"
DNC_EMAIL = "dana.nocall@example.com"
DNC_PHONE = "+14155550102"
EXPORT = AssetKey(["publish", "dialer_export"])
STAGING = [AssetKey(["staging", t]) for t in ("crm_contacts", "call_logs")]
CURATED = [
    AssetKey(["curated", t])
    for t in ("contact_xref", "contacts_golden", "suppression_events", "dial_list")
]


def clean_batch() -> dict[tuple[str, str], pd.DataFrame]:
    """Three people, each from one CRM record, two of them callable and on the dial list."""
    ids = ["C-1", "C-2", "C-3"]
    keys = [f"sf:{c}" for c in ids]
    entities = ["E1", "E2", "E3"]
    phones = ["+14155550101", DNC_PHONE, "+14155550103"]
    crm = pd.DataFrame(
        {
            "record_key": keys,
            "contact_id": ids,
            "source_system": "sf",
            "first_name": ["Ann", "Dana", "Carl"],
            "email": ["ann@example.com", DNC_EMAIL, "carl@example.com"],
            "email_key": ["ann@example.com", DNC_EMAIL, "carl@example.com"],
            "email_valid": True,
            "phone_e164": phones,
            "phone_type": "fixed_line_or_mobile",
            "mobile_phone_e164": [None, None, None],
            "home_phone_e164": [None, None, None],
            "other_phone_e164": [None, None, None],
            "phone_valid": True,
            "country": "US",
            "consent_status": "opted_in",
            "consent_expires_at": pd.to_datetime([None, None, None], utc=True),
            "do_not_call": False,
            "source_file": "crm.csv",
            "row_number": [1, 2, 3],
        }
    )
    xref = pd.DataFrame(
        {
            "record_key": keys,
            "contact_id": ids,
            "source_system": "sf",
            "entity_id": entities,
            "account_id": ["A1", "A2", "A3"],
            "match_probability": 1.0,
        }
    )
    golden = pd.DataFrame(
        {
            "entity_id": entities,
            "first_name": ["Ann", "Dana", "Carl"],
            "email": crm["email"],
            "phone_e164": phones,
            "mobile_phone_e164": [None, None, None],
            "status": ["active", "active", "stale_inactive"],
            "status_reason": ["active: call connected", "active: call connected", "stale"],
            "staleness_score": [0.0, 0.0, 90.0],
            "intent_score": [60.0, 20.0, 0.0],
            "intent_tier": ["high", "medium", "low"],
            "is_callable": [True, True, False],
            "is_emailable": True,
            "do_not_call": False,
            "consent_valid": True,
            "source_count": 1,
        }
    )
    calls = pd.DataFrame(
        {
            "call_id": ["K1"],
            "contact_id": [None],
            "phone_e164": ["+14155550101"],
            "called_at": pd.to_datetime(["2026-06-29 15:00"], utc=True),
            "disposition": ["connected"],
            "duration_seconds": [95],
            "source_file": "calls.csv",
            "row_number": [1],
        }
    )
    suppressions = pd.DataFrame(
        {
            "channel": ["email"],
            "value": ["carl@example.com"],
            "entity_id": ["E3"],
            "reason": ["hard_bounce"],
            "since": pd.to_datetime(["2026-05-01"], utc=True),
            "scope": ["channel"],
        }
    )
    dial = pd.DataFrame(
        {
            "entity_id": ["E1", "E2"],
            "phone_e164": phones[:2],
            "intent_tier": ["high", "medium"],
            "priority_rank": [1, 2],
        }
    )
    return {
        ("staging", "crm_contacts"): crm,
        ("staging", "call_logs"): calls,
        ("curated", "contact_xref"): xref,
        ("curated", "contacts_golden"): golden,
        ("curated", "suppression_events"): suppressions,
        ("curated", "dial_list"): dial,
    }


def table_writer(keys: list[AssetKey], batch: dict, deps: list[AssetKey]) -> AssetsDefinition:
    """One step writing the batch's frames for `keys` (fewer steps keep the test fast)."""

    @multi_asset(specs=[AssetSpec(key, deps=deps) for key in keys], name="_".join(keys[0].path))
    def write_tables(warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
        handle = warehouse.get_warehouse()  # the run's own schemas
        for key in keys:
            schema, table = key.path
            handle.replace_table(handle.schema_for(schema), table, batch[tuple(key.path)])
            yield MaterializeResult(asset_key=key)

    return write_tables


@asset(key=EXPORT, deps=[["curated", "dial_list"]])
def dialer_export(context: AssetExecutionContext) -> None:
    """Stands for everything published after the dial list."""
    context.log.info("dial list exported")


def checks_on(*tables: str) -> list[AssetChecksDefinition]:
    """The project's checks (suites, compliance, drift) that target the given `schema.table`s."""
    every = [*build_suite_checks(), *build_compliance_checks(), *build_drift_checks()]
    wanted = {AssetKey(table.split(".")) for table in tables}
    return [c for c in every if {k.asset_key for k in c.check_keys} <= wanted]


def run_batch(
    url: str,
    batch: dict,
    checks: list[AssetChecksDefinition],
    assets: tuple[AssetsDefinition, ...] = (),
) -> ExecuteInProcessResult:
    """Materialise the graph (and `assets`) with the given real checks; never raises on failure."""
    warehouse = WarehouseResource(url=url)
    return materialize(
        [
            table_writer(STAGING, batch, deps=[]),
            table_writer(CURATED, batch, deps=STAGING),
            dialer_export,
            *assets,
            *checks,
        ],
        resources={
            "warehouse": warehouse,
            "io_manager": WarehouseIOManager(warehouse=warehouse),
            "clock": BatchClockResource(as_of=AS_OF),
        },
        raise_on_error=False,
    )


def evaluation(result: ExecuteInProcessResult, table: str, check: str):
    """The check evaluation of `check` on `curated|staging.table` in this run."""
    found = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.to_user_string().replace("/", ".") == table and e.check_name == check
    ]
    assert len(found) == 1, f"{table}:{check} was not evaluated exactly once"
    return found[0]


def materialised(result: ExecuteInProcessResult) -> set[str]:
    """Asset keys materialised by the run, as `schema/table`."""
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def dq_results(url: str, run_id: str) -> pd.DataFrame:
    """This run's rows of curated.dq_check_results."""
    rows = Warehouse(url).read_table("curated", "dq_check_results")
    return rows[rows["run_id"] == run_id]


def metadata_text(evaluation_event) -> str:
    """Everything the UI shows for a check evaluation, as one string."""
    values = {k: v.value for k, v in evaluation_event.metadata.items()}
    return json.dumps(values, default=str) + (evaluation_event.description or "")


@pytest.fixture
def duckdb_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


def test_clean_batch_publishes_while_drift_since_the_last_run_warns(duckdb_url: str) -> None:
    yesterday = pd.Timestamp("2026-06-29", tz="UTC")
    earlier = scorecard_rows({"duplicate_rate": 0.4}, pd.DataFrame(), "r0", yesterday, yesterday)
    store = Warehouse(duckdb_url)
    store.ensure_schemas()
    store.replace_table("curated", "dq_scorecard", earlier)
    checks = [
        *checks_on("curated.contacts_golden"),
        *build_compliance_checks(),
        build_drift_check("duplicate_rate", tolerance=0.05),
    ]

    result = run_batch(duckdb_url, clean_batch(), checks, assets=(dq_scorecard,))

    drift = evaluation(result, "curated.dq_scorecard", "duplicate_rate_drift")
    assert not drift.passed
    assert drift.severity.value == "WARN"
    assert (drift.metadata["value"].value, drift.metadata["baseline"].value) == (0.0, 0.4)
    others = [e for e in result.get_asset_check_evaluations() if e is not drift]
    assert len(others) == 3 and all(e.passed for e in others)
    assert result.success
    assert EXPORT.to_user_string() in materialised(result)
    rows = dq_results(duckdb_url, result.run_id).set_index("check_name")
    assert len(rows) == len(others) + 1
    assert rows.drop(index="duplicate_rate_drift")["passed"].all()
    assert json.loads(rows.loc["duplicate_rate_drift", "details"])["baseline"] == 0.4


def test_do_not_call_person_on_dial_list_blocks_publication(duckdb_url: str) -> None:
    batch = clean_batch()
    crm = batch[("staging", "crm_contacts")]
    crm.loc[crm["contact_id"] == "C-2", "do_not_call"] = True

    result = run_batch(duckdb_url, batch, build_compliance_checks())

    check = evaluation(result, "curated.dial_list", COMPLIANCE_CHECK)
    assert not check.passed
    assert check.severity.value == "ERROR"
    assert EXPORT.to_user_string() not in materialised(result)
    assert not result.success
    shown = metadata_text(check)
    assert "do_not_call_person" in shown and "E2" in shown
    assert DNC_PHONE not in shown and DNC_EMAIL not in shown
    assert "+1******0102" in shown
    recorded = dq_results(duckdb_url, result.run_id).set_index("check_name").loc[COMPLIANCE_CHECK]
    assert not recorded["passed"]
    assert recorded["severity"] == "ERROR"
    assert recorded["failed_count"] == 1
    details = json.loads(recorded["details"])
    assert [f["rule"] for f in details["failures"]] == ["do_not_call_person"]
    assert DNC_PHONE not in recorded["details"]


@pytest.mark.parametrize(
    ("line_type", "bound"),
    [("fixed_line_or_mobile", {"E2"}), (None, {"E2"}), ("mobile", {"E1", "E2"})],
    ids=["desk_line_shared_by_colleagues", "untyped_work_line", "mobile_shared"],
)
def test_a_request_on_a_shared_number_binds_as_its_line_says(
    duckdb_url: str, line_type: str | None, bound: set[str]
) -> None:
    """Dana asks not to be called on a number she shares with Ann, a colleague at her account.
    On a desk line (a switchboard, as read from the records' numbers in the warehouse; a work
    number without a type counts as one) the request binds Dana alone; on a mobile it binds the
    number for both."""
    batch = clean_batch()
    shared = "+14155550101"
    crm = batch[("staging", "crm_contacts")]
    crm.loc[crm["contact_id"] == "C-2", "phone_e164"] = shared
    crm["phone_type"] = line_type
    batch[("curated", "contact_xref")]["account_id"] = ["A1", "A1", "A3"]
    batch[("curated", "dial_list")]["phone_e164"] = shared
    calls = batch[("staging", "call_logs")]
    calls.loc[0, ["contact_id", "disposition"]] = ["C-2", "do_not_call"]

    result = run_batch(duckdb_url, batch, build_compliance_checks())

    assert not evaluation(result, "curated.dial_list", COMPLIANCE_CHECK).passed
    recorded = dq_results(duckdb_url, result.run_id).set_index("check_name").loc[COMPLIANCE_CHECK]
    failures = json.loads(recorded["details"])["failures"]
    assert [f["rule"] for f in failures] == ["do_not_call_request"]
    assert {key["entity_id"] for key in failures[0]["sample_keys"]} == bound


def test_duplicate_keys_in_staging_stop_everything_downstream(duckdb_url: str) -> None:
    batch = clean_batch()
    crm = batch[("staging", "crm_contacts")]
    batch[("staging", "crm_contacts")] = pd.concat([crm, crm.iloc[[1]]], ignore_index=True)

    result = run_batch(duckdb_url, batch, checks_on("staging.crm_contacts"))

    check = evaluation(result, "staging.crm_contacts", CRITICAL_CHECK)
    assert not check.passed
    assert "expect_column_values_to_be_unique(record_key)" in check.description
    assert materialised(result) == {"staging/crm_contacts", "staging/call_logs"}
    shown = metadata_text(check)
    assert "sf:C-2" in shown and "row_number" in shown
    assert "Dana" not in shown and DNC_EMAIL not in shown
    recorded = dq_results(duckdb_url, result.run_id).set_index("check_name")
    assert not recorded.loc[CRITICAL_CHECK, "passed"]
    assert recorded.loc[CRITICAL_CHECK, "failed_count"] == 2
    assert recorded.loc[WARNING_CHECK, "passed"]


def test_invalid_phone_on_dial_list_fails_its_suite(duckdb_url: str) -> None:
    batch = clean_batch()
    batch[("curated", "dial_list")].loc[0, "phone_e164"] = "4155550101"

    result = run_batch(duckdb_url, batch, checks_on("curated.dial_list"))

    check = evaluation(result, "curated.dial_list", CRITICAL_CHECK)
    assert not check.passed
    assert "expect_column_values_to_match_regex(phone_e164)" in check.description
    assert EXPORT.to_user_string() not in materialised(result)
    shown = metadata_text(check)
    assert "4155550101" not in shown and "******0101" in shown
    assert check.metadata["offending_rows"].value == 1
    assert check.metadata["hint"].value.startswith("A dial-list number that is not E.164")
    assert evaluation(result, "curated.dial_list", COMPLIANCE_CHECK).passed
    recorded = dq_results(duckdb_url, result.run_id).set_index("check_name")
    assert recorded.loc[CRITICAL_CHECK, "failed_count"] == 1


@pytest.mark.postgres
def test_results_are_recorded_on_postgresql(pg_database_url: str) -> None:
    batch = clean_batch()
    batch[("curated", "dial_list")].loc[1, "entity_id"] = "E1"

    result = run_batch(pg_database_url, batch, build_compliance_checks())

    assert not evaluation(result, "curated.dial_list", COMPLIANCE_CHECK).passed
    assert EXPORT.to_user_string() not in materialised(result)
    recorded = dq_results(pg_database_url, result.run_id).set_index(["asset", "check_name"])
    compliance = recorded.loc[("curated.dial_list", COMPLIANCE_CHECK)]
    assert json.loads(compliance["details"])["failures"][0]["rule"] == "listed_twice"
    assert str(recorded["checked_at"].dtype) == "datetime64[ns, UTC]"


def test_suite_checks_block_only_on_critical_expectations() -> None:
    specs = [spec for checks in build_suite_checks() for spec in checks.check_specs]

    targets = {spec.asset_key.to_user_string() for spec in specs}
    assert {
        f"staging/{feed}"
        for feed in ("crm_contacts", "email_bounces", "call_logs", "engagement_events", "dnc_list")
    } <= targets
    assert {"curated/contact_xref", "curated/contacts_golden", "curated/dial_list"} <= targets
    assert all(is_critical(spec) == (spec.name == CRITICAL_CHECK) for spec in specs)
    golden = next(
        s for s in specs if s.asset_key.path == ["curated", "contacts_golden"] and is_critical(s)
    )
    assert AssetKey(["curated", "contact_xref"]) in {d.asset_key for d in golden.additional_deps}

"""Real warehouses for the tests: a DuckDB file in tmp_path and PostgreSQL in throw-away schemas.

PostgreSQL is the suite's server (`pg_admin_url`, from HYGIENE_TEST_PG_URL); when it is not
reachable the PostgreSQL tests fail, they are never skipped. Every PostgreSQL warehouse gets its
own schema names, so tests sharing the database cannot see each other's tables, and the schemas
are dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.quality.scorecard import scorecard_rows
from hygiene_pipeline.warehouse.engine import Warehouse

FIRST_RUN = pd.Timestamp("2026-03-01 10:00", tz="UTC")
SECOND_RUN = pd.Timestamp("2026-03-02 10:00", tz="UTC")
ENGINES = ["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)]


def unique_suffix() -> str:
    """A short random suffix for schema and role names in the shared database."""
    return uuid.uuid4().hex[:10]


def drop_schemas(warehouse: Warehouse, *schemas: str) -> None:
    """Remove schemas a test created, with everything in them."""
    with warehouse.transaction() as conn:
        for schema in schemas:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def masked_schema_of(warehouse: Warehouse) -> str:
    """The masked-view schema a test uses beside the warehouse's curated schema."""
    return warehouse.curated_schema.replace("curated", "masked", 1)


@pytest.fixture
def masked_schema(warehouse: Warehouse) -> str:
    return masked_schema_of(warehouse)


@pytest.fixture
def pg_masked_schema(postgresql_warehouse: Warehouse) -> str:
    return masked_schema_of(postgresql_warehouse)


@contextmanager
def scratch_bi_roles(warehouse: Warehouse) -> Iterator[tuple[str, str]]:
    """BI reader and PII reader role names of the test's own; on PostgreSQL (where roles are
    server-wide) they are dropped, with their grants, on exit."""
    suffix = unique_suffix()
    roles = (f"t_bi_reader_{suffix}", f"t_bi_pii_reader_{suffix}")
    yield roles
    if warehouse.dialect != "postgresql":
        return
    with warehouse.transaction() as conn:
        for role in roles:
            exists = conn.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'")
            if exists.first() is not None:
                conn.exec_driver_sql(f"DROP OWNED BY {role}")
                conn.exec_driver_sql(f"DROP ROLE {role}")


@pytest.fixture
def bi_roles(warehouse: Warehouse) -> Iterator[tuple[str, str]]:
    with scratch_bi_roles(warehouse) as roles:
        yield roles


@pytest.fixture
def pg_bi_roles(postgresql_warehouse: Warehouse) -> Iterator[tuple[str, str]]:
    with scratch_bi_roles(postgresql_warehouse) as roles:
        yield roles


def duckdb_file_warehouse(folder: Path) -> Warehouse:
    """A DuckDB warehouse in a folder that does not exist yet (it gets created)."""
    warehouse = Warehouse(f"duckdb:///{folder / 'nested' / 'warehouse.duckdb'}")
    warehouse.ensure_schemas()
    return warehouse


@contextmanager
def scratch_postgresql_warehouse(url: str) -> Iterator[Warehouse]:
    """A PostgreSQL warehouse in schemas of its own, dropped on exit."""
    suffix = unique_suffix()
    warehouse = Warehouse(
        url, staging_schema=f"t_staging_{suffix}", curated_schema=f"t_curated_{suffix}"
    )
    warehouse.ensure_schemas()
    try:
        yield warehouse
    finally:
        schemas = (warehouse.staging_schema, warehouse.curated_schema, masked_schema_of(warehouse))
        drop_schemas(warehouse, *schemas)
        warehouse.engine.dispose()


@pytest.fixture
def duckdb_warehouse(tmp_path) -> Warehouse:
    return duckdb_file_warehouse(tmp_path)


@pytest.fixture
def postgresql_warehouse(pg_admin_url: str) -> Iterator[Warehouse]:
    with scratch_postgresql_warehouse(pg_admin_url) as warehouse:
        yield warehouse


@pytest.fixture(scope="module")
def module_duckdb_warehouse(tmp_path_factory) -> Warehouse:
    """One DuckDB warehouse shared by a module's tests (for results built once)."""
    return duckdb_file_warehouse(tmp_path_factory.mktemp("warehouse"))


@pytest.fixture(scope="module")
def module_postgresql_warehouse(pg_admin_url: str) -> Iterator[Warehouse]:
    """One PostgreSQL warehouse shared by a module's tests (for results built once)."""
    with scratch_postgresql_warehouse(pg_admin_url) as warehouse:
        yield warehouse


@pytest.fixture(params=ENGINES)
def warehouse(request) -> Warehouse:
    """The same test on DuckDB and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_warehouse")


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(scope="session")
def golden() -> pd.DataFrame:
    """Scored golden records covering every rule the dial and suppression lists apply."""
    rows = [
        # entity, status, tier, score, callable, calls today/7d, dnc, dne, consent, company
        ("E01", "active", "high", 80.0, True, 0, 0, False, False, "opted_in", "acme"),
        ("E02", "active", "high", 60.0, True, 1, 3, False, False, "opted_in", "acme"),
        ("E03", "active", "medium", 20.0, True, 0, 1, False, False, "opted_in", "globex"),
        ("E04", "active", "low", 2.0, True, 0, 0, False, False, "opted_in", "globex"),
        ("E05", "active", "high", 90.0, True, 2, 2, False, False, "opted_in", "acme"),
        ("E06", "active", "high", 70.0, True, 0, 7, False, False, "opted_in", "initech"),
        ("E07", "stale_inactive", "low", 0.0, True, 0, 0, False, False, "opted_in", "initech"),
        ("E08", "active", "medium", 30.0, False, 0, 0, True, False, "opted_in", "initech"),
        ("E09", "company_closed", "low", 0.0, False, 0, 0, False, True, "opted_out", "umbrella"),
        ("E10", "company_relocated", "low", 5.0, True, 0, 0, False, False, "opted_in", "hooli"),
        ("E11", "active", "high", 80.0, True, 0, 2, False, False, "opted_in", None),
        ("E12", "active", "high", 95.0, True, 0, 0, False, False, "opted_in", "hooli"),
        ("E13", "active", "high", 95.0, True, 0, 0, False, False, "opted_in", "hooli"),
    ]
    columns = [
        "entity_id",
        "status",
        "intent_tier",
        "intent_score",
        "is_callable",
        "calls_today",
        "calls_7d",
        "do_not_call",
        "do_not_email",
        "consent_status",
        "company_key",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    number = frame.index.to_series() + 100
    frame["first_name"] = "Jane" + number.astype(str)
    frame["last_name"] = "Doe"
    frame["email"] = "jane" + number.astype(str) + "@example.com"
    frame["phone_e164"] = "+1202555" + number.map("{:04d}".format)
    frame.loc[frame["entity_id"] == "E04", "phone_e164"] = None
    frame["mobile_phone_e164"] = None
    frame.loc[frame["entity_id"] == "E04", "mobile_phone_e164"] = "+12025559999"
    frame.loc[frame["entity_id"] == "E08", "mobile_phone_e164"] = "+12025558888"
    frame["dial_phone_e164"] = frame["phone_e164"].fillna(frame["mobile_phone_e164"])
    frame["under_call_cap"] = (frame["calls_today"] < 2) & (frame["calls_7d"] < 7)
    frame["linkage_review_hold"] = False
    frame["is_dnc"] = frame["do_not_call"]
    frame["dnc_reason"] = frame["is_dnc"].map({True: "do_not_call flag on a CRM record"})
    frame["company"] = frame["company_key"].str.title()
    frame["job_title"] = "Buyer"
    frame["country"] = "US"
    frame["phone_timezone"] = "America/New_York"
    frame["staleness_score"] = [0.0, 5, 10, 0, 0, 0, 90, 20, 85, 80, 0, 0, 0]
    frame["status_reason"] = frame["status"] + ": fixture"
    frame["last_activity_at"] = pd.to_datetime(
        ["2026-03-01"] * 6 + ["2024-01-01"] + ["2026-02-01"] * 6, utc=True
    )
    frame["is_emailable"] = ~frame["do_not_email"]
    frame["source_count"] = 1
    frame["account_id"] = "A-" + frame["company_key"]
    frame["last_presence_at"] = frame["last_activity_at"]
    # Scoring's one decision: E05 called twice today, E06 seven times this week, E07 stale,
    # E08 do-not-call, E09 closed, E10 relocated, E12 and E13 held by do-not-call requests.
    ranks = {"E01": 1, "E11": 2, "E02": 3, "E03": 4, "E04": 5}
    frame["on_dial_list"] = frame["entity_id"].isin(ranks)
    frame["priority_rank"] = frame["entity_id"].map(ranks).astype("Int64")
    frame["call_window_start_utc"] = utc("2026-03-02 14:00")
    frame["call_window_end_utc"] = utc("2026-03-03 01:00")
    frame["in_source"] = True
    return frame


@pytest.fixture(scope="session")
def accounts() -> pd.DataFrame:
    """The accounts of the golden fixture's companies, as scoring publishes them."""
    keys = ["acme", "globex", "hooli", "initech", "umbrella"]
    status = {"hooli": "relocated", "umbrella": "closed"}
    return pd.DataFrame(
        {
            "account_id": ["A-" + key for key in keys],
            "name": [key.title() for key in keys],
            "domains": [f"{key}.com" for key in keys],
            "country": "US",
            "city": None,
            "people": [3, 2, 3, 3, 1],
            "departures": [0, 0, 0, 1, 0],
            "status": [status.get(key, "active") for key in keys],
            "status_reason": [status.get(key, "active") + ": fixture" for key in keys],
        }
    )


@pytest.fixture(scope="session")
def suppression_events() -> pd.DataFrame:
    """Suppression events as scoring publishes them (reason codes, NaT for undated ones)."""
    events = [
        ("email", "Jane100@Example.com", "E01", "hard_bounce", "2026-02-01", "5.1.1"),
        ("email", "jane100@example.com", "E01", "complaint", "2026-01-15", None),
        ("phone", "+12025550107", "E08", "dnc_list", "2025-12-01", "national registry"),
        ("phone", "+12025558888", "E08", "dnc_list", "2025-12-01", "national registry"),
        # E01's old number died: it blocks that number, not E01's other number.
        ("phone", "+12025550999", "E01", "disconnected", "2026-02-20", None),
        # E12's number was asked not to be called, by someone scoring could not place.
        ("phone", "+12025550111", None, "do_not_call_request", "2026-02-25", None),
        # E13 asked not to be called on another number: no number of E13's is dialled.
        ("phone", "+12025550555", "E13", "do_not_call_flag", None, None),
    ]
    frame = pd.DataFrame(
        events, columns=["channel", "value", "entity_id", "reason", "since", "detail"]
    )
    frame["since"] = pd.to_datetime(frame["since"], utc=True)
    frame["scope"] = frame["reason"].map({"do_not_call_flag": "person"}).fillna("channel")
    return frame


@pytest.fixture(scope="session")
def dq_check_results() -> pd.DataFrame:
    checks = [
        # run, asset, check, passed, failed_count, checked_at
        ("r1", "curated.dial_list", "no_dnc", True, 0, "2026-02-27 10:00"),
        ("r2", "curated.dial_list", "no_dnc", False, 3, "2026-02-28 10:00"),
        ("r3", "curated.dial_list", "no_dnc", True, 0, "2026-03-02 10:00"),
        ("r1", "staging.crm_contacts", "keys_unique", False, 2, "2026-01-10 10:00"),
        ("r2", "staging.crm_contacts", "keys_unique", False, 1, "2026-02-28 10:00"),
        ("r3", "staging.crm_contacts", "keys_unique", False, None, "2026-03-02 23:30"),
    ]
    frame = pd.DataFrame(
        checks, columns=["run_id", "asset", "check_name", "passed", "failed_count", "checked_at"]
    )
    frame["failed_count"] = frame["failed_count"].astype("Int64")
    frame["checked_at"] = pd.to_datetime(frame["checked_at"], utc=True)
    frame["severity"] = "critical"
    frame["details"] = '{"sample": []}'
    return frame


@pytest.fixture(scope="session")
def dq_scorecard() -> pd.DataFrame:
    """Two runs of two measures: one improved, one worsened."""
    first = scorecard_rows(
        {"ghost_share": 0.04, "validity": 0.90}, pd.DataFrame(), "r1", FIRST_RUN, FIRST_RUN
    )
    second = scorecard_rows(
        {"ghost_share": 0.02, "validity": 0.85}, first, "r2", SECOND_RUN, SECOND_RUN
    )
    return pd.concat([first, second], ignore_index=True)


@pytest.fixture(scope="session")
def job_changes() -> pd.DataFrame:
    """People who left Globex, and Initrode (no record left there), for Acme
    (`curated.job_changes`)."""
    return pd.DataFrame(
        {
            "entity_id": ["E98", "E99"],
            "old_account_id": ["A-globex", "A-initrode"],
            "new_account_id": ["A-acme", "A-acme"],
            "old_company": ["Globex", "Initrode"],
            "new_company": ["Acme", "Acme"],
            "run_id": ["r2", "r2"],
            "detected_at": [utc("2026-03-02 05:00")] * 2,
        }
    )


@pytest.fixture(scope="session")
def model_sources(
    golden, accounts, suppression_events, dq_check_results, dq_scorecard, job_changes
) -> dict[str, pd.DataFrame]:
    """The curated tables the SQL models read, by name (shared: tests must not modify them)."""
    return {
        "contacts_golden": golden,
        "accounts": accounts,
        "suppression_events": suppression_events,
        "dq_check_results": dq_check_results,
        "dq_scorecard": dq_scorecard,
        "job_changes": job_changes,
    }

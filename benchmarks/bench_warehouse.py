"""Warehouse speed on DuckDB and PostgreSQL: publishing, reading, status history, SQL models.

Builds a synthetic scored `contacts_golden` (about 30 columns of every dtype), then for each
engine prints seconds and rows per second for: an atomic replace of the table (bulk load + swap),
a second replace (with the previous table to swap out), reading it back, applying the status
history twice (the second run changes a tenth of the statuses), and building every model in
`dbt_like_sql/`. PostgreSQL runs in throw-away schemas that are dropped afterwards.

    python benchmarks/bench_warehouse.py [--rows 100000] [--pg-url URL] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.sql_models import build_sql_models, load_sql_models
from hygiene_pipeline.warehouse.status_history import apply_status_history

MODELS_DIR = Path(__file__).resolve().parents[1] / "dbt_like_sql"
DEFAULT_PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
STATUSES = np.array(["active", "stale_inactive", "left_company", "company_closed"])
TIERS = np.array(["high", "medium", "low"])


def golden_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """A scored golden table with the columns and dtypes the scoring step publishes."""
    rng = np.random.default_rng(seed)
    ids = pd.Series(np.arange(rows)).map("E{:07d}".format)
    numbers = pd.Series(rng.integers(2_000_000, 9_999_999, rows)).map("+1202{}".format)
    companies = pd.Series(rng.integers(0, max(rows // 20, 1), rows)).map("company {}".format)
    calls_today = rng.integers(0, 3, rows)
    calls_7d = calls_today + rng.integers(0, 6, rows)
    stamps = pd.Timestamp("2026-06-30", tz="UTC") - pd.to_timedelta(
        rng.integers(0, 800, rows), unit="D"
    )
    return pd.DataFrame(
        {
            "entity_id": ids,
            "first_name": "Jane",
            "last_name": "Doe " + ids,
            "email": ids.str.lower() + "@example.com",
            "phone_e164": numbers,
            "mobile_phone_e164": None,
            "dial_phone_e164": numbers,
            "company": companies.str.title(),
            "company_key": companies,
            "job_title": "Buyer",
            "country": "US",
            "status": rng.choice(STATUSES, rows, p=[0.7, 0.2, 0.05, 0.05]),
            "status_reason": "fixture evidence on 2026-06-01",
            "staleness_score": rng.uniform(0, 100, rows),
            "intent_score": rng.uniform(0, 100, rows),
            "intent_tier": rng.choice(TIERS, rows),
            "is_callable": rng.random(rows) < 0.8,
            "is_emailable": rng.random(rows) < 0.8,
            "is_dnc": rng.random(rows) < 0.05,
            "dnc_reason": None,
            "do_not_call": rng.random(rows) < 0.02,
            "do_not_email": rng.random(rows) < 0.02,
            "consent_status": "opted_in",
            "under_call_cap": (calls_today < 2) & (calls_7d < 7),
            "calls_today": calls_today,
            "calls_7d": calls_7d,
            "phone_timezone": "America/New_York",
            "last_activity_at": stamps,
            "consent_expires_at": pd.Series(stamps).where(rng.random(rows) < 0.5),
            "source_count": pd.array(rng.integers(1, 4, rows), dtype="Int64"),
            "provenance": '{"email": "salesforce:1 latest"}',
        }
    )


def side_tables(golden: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The other tables the models read: suppression events and data-quality results."""
    suppressed = golden.sample(frac=0.03, random_state=1)
    events = pd.DataFrame(
        {
            "channel": "phone",
            "value": suppressed["phone_e164"],
            "entity_id": suppressed["entity_id"],
            "reason": "dnc_list",
            "since": suppressed["last_activity_at"],
            "detail": "national registry",
        }
    )
    checks = pd.DataFrame(
        {
            "run_id": [f"r{i}" for i in range(60)],
            "asset": "curated.dial_list",
            "check_name": "no_dnc",
            "passed": [i % 7 != 0 for i in range(60)],
            "severity": "critical",
            "failed_count": pd.array([0] * 60, dtype="Int64"),
            "details": "{}",
            "checked_at": pd.date_range("2026-05-01", periods=60, freq="D", tz="UTC"),
        }
    )
    return {"suppression_events": events, "dq_check_results": checks}


def timed(label: str, rows: int, action: Callable[[], object]) -> None:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:8.2f} s  {rows / seconds:12,.0f} rows/s")


def bench(warehouse: Warehouse, golden: pd.DataFrame) -> None:
    """Time each operation once on one warehouse."""
    curated, rows = warehouse.curated_schema, len(golden)
    print(f"{warehouse.dialect} ({rows:,} rows)")
    timed(
        "replace_table (first)",
        rows,
        lambda: warehouse.replace_table(curated, "contacts_golden", golden),
    )
    timed(
        "replace_table (swap)",
        rows,
        lambda: warehouse.replace_table(curated, "contacts_golden", golden),
    )
    timed("read_table", rows, lambda: warehouse.read_table(curated, "contacts_golden"))
    spells = golden[["entity_id", "status", "status_reason"]]
    changed = spells.assign(status=spells["status"].where(np.arange(rows) % 10 != 0, "active"))
    timed(
        "apply_status_history (first)",
        rows,
        lambda: apply_status_history(warehouse, spells, "r1", "2026-06-29"),
    )
    timed(
        "apply_status_history (10% change)",
        rows,
        lambda: apply_status_history(warehouse, changed, "r2", "2026-06-30"),
    )
    for name, frame in side_tables(golden).items():
        warehouse.replace_table(curated, name, frame)
    models = load_sql_models(MODELS_DIR)
    timed(f"build {len(models)} SQL models", rows, lambda: build_sql_models(warehouse, models))


def main() -> None:
    """Run the benchmark on DuckDB, then on PostgreSQL unless skipped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    golden = golden_frame(args.rows)
    with tempfile.TemporaryDirectory() as scratch:
        duckdb_warehouse = Warehouse(f"duckdb:///{Path(scratch) / 'warehouse.duckdb'}")
        duckdb_warehouse.ensure_schemas()
        bench(duckdb_warehouse, golden)
    if args.skip_postgres:
        return
    suffix = uuid.uuid4().hex[:8]
    pg = Warehouse(args.pg_url, f"bench_staging_{suffix}", f"bench_curated_{suffix}")
    pg.ensure_schemas()
    try:
        bench(pg, golden)
    finally:
        with pg.transaction() as conn:
            for schema in (pg.staging_schema, pg.curated_schema):
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


if __name__ == "__main__":
    main()

"""The production instance of `deploy/dagster.yaml`: runs, events and schedules in PostgreSQL,
a queued run coordinator and the warehouse pool limit; both code locations (the default and the
Kubernetes one of deploy/helm) load under it, and the batch job runs through it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from dagster import DagsterInstance, DagsterRunStatus

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.resources import (
    WAREHOUSE_POOL,
    BatchClockResource,
    LandingResource,
    WarehouseResource,
)
from hygiene_pipeline.synthetic import generate

DEPLOY_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"
AS_OF = datetime(2026, 6, 30, 12)


@pytest.fixture
def production_instance(
    tmp_path: Path, pg_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DagsterInstance]:
    """An instance configured by the shipped `deploy/dagster.yaml`, on a fresh database."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_CONFIG, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_PG_URL", pg_database_url)
    with DagsterInstance.from_config(str(home)) as instance:
        yield instance


def test_the_production_instance_queues_runs_and_limits_the_warehouse_pool(production_instance):
    config = production_instance.get_concurrency_config()

    assert type(production_instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(production_instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    assert type(production_instance.schedule_storage).__name__ == "PostgresScheduleStorage"
    assert type(production_instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert config.pool_config.default_pool_limit == 1
    assert config.run_queue_config.max_concurrent_runs == 1
    production_instance.event_log_storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
    assert (
        production_instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).slot_count == 1
    )


def test_the_batch_runs_through_the_instance_and_is_stored_in_postgresql(
    production_instance, pg_database_url, tmp_path
):
    generate(tmp_path / "crm", contacts=300, seed=5, as_of=AS_OF)
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(tmp_path / "crm" / "landing")),
        warehouse=WarehouseResource(url=pg_database_url),
        clock=BatchClockResource(as_of=AS_OF.isoformat()),
        home=tmp_path / "home",
    )

    result = defs.resolve_job_def(BATCH_JOB_NAME).execute_in_process(
        instance=production_instance, raise_on_error=False
    )

    engine = sa.create_engine(pg_database_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                sa.text("SELECT pipeline_name, status FROM runs WHERE run_id = :run_id"),
                {"run_id": result.run_id},
            ).one()
            events = conn.execute(
                sa.text("SELECT count(*) FROM event_logs WHERE run_id = :run_id"),
                {"run_id": result.run_id},
            ).scalar_one()
            staged = conn.execute(sa.text("SELECT count(*) FROM staging.call_logs")).scalar_one()
    finally:
        engine.dispose()
    assert result.success
    assert tuple(stored) == (BATCH_JOB_NAME, DagsterRunStatus.SUCCESS.value)
    assert events > 100
    assert staged > 0


@pytest.mark.parametrize(
    "module", ["hygiene_pipeline.definitions", "hygiene_pipeline.k8s_definitions"]
)
def test_the_code_locations_load_under_the_production_instance(
    production_instance, pg_database_url, tmp_path, module
):
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "DAGSTER_PG_URL": pg_database_url,
        "HYGIENE_WAREHOUSE_URL": pg_database_url,
        "HYGIENE_LANDING_DIR": str(tmp_path / "landing"),
    }

    result = subprocess.run(
        ["dagster", "definitions", "validate", "-m", module],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert f"Validation successful for code location {module}" in output

"""The daily batch schedule, evaluated through Dagster's schedule testing API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import (
    DagsterInstance,
    DagsterInvalidDefinitionError,
    DefaultScheduleStatus,
    RunRequest,
    build_schedule_context,
)

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.resources import LandingResource, WarehouseResource
from hygiene_pipeline.defs.schedules import (
    BATCH_CRON_ENV,
    BATCH_SCHEDULE_NAME,
    DEFAULT_BATCH_CRON,
    build_batch_schedule,
)


@pytest.fixture
def instance(tmp_path: Path):
    with DagsterInstance.local_temp(str(tmp_path)) as temp_instance:
        yield temp_instance


def definitions(tmp_path: Path):
    return build_definitions(
        landing=LandingResource(landing_dir=str(tmp_path / "landing")),
        warehouse=WarehouseResource(url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}"),
        home=tmp_path / "home",
    )


def test_the_code_location_schedules_the_whole_batch_daily_at_five_utc_stopped(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(BATCH_CRON_ENV, raising=False)
    schedule = definitions(tmp_path).resolve_schedule_def(BATCH_SCHEDULE_NAME)

    assert schedule.job_name == BATCH_JOB_NAME
    assert schedule.cron_schedule == DEFAULT_BATCH_CRON == "0 5 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == DefaultScheduleStatus.STOPPED


def test_a_tick_requests_one_run_of_the_batch(tmp_path, instance):
    schedule = definitions(tmp_path).resolve_schedule_def(BATCH_SCHEDULE_NAME)
    context = build_schedule_context(
        instance=instance, scheduled_execution_time=datetime(2026, 7, 1, 5, tzinfo=UTC)
    )

    data = schedule.evaluate_tick(context)

    assert data.skip_message is None
    assert len(data.run_requests) == 1
    request = data.run_requests[0]
    assert isinstance(request, RunRequest)
    assert request.tags["hygiene/trigger"] == "schedule"
    assert request.partition_key is None  # the whole batch, never a day of it


def test_the_cron_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(BATCH_CRON_ENV, "30 2 * * 1-5")

    assert build_batch_schedule(BATCH_JOB_NAME).cron_schedule == "30 2 * * 1-5"
    assert build_batch_schedule(BATCH_JOB_NAME, "0 6 * * *").cron_schedule == "0 6 * * *"


def test_an_invalid_cron_is_refused_when_the_definitions_load(monkeypatch):
    monkeypatch.setenv(BATCH_CRON_ENV, "every morning")

    with pytest.raises(DagsterInvalidDefinitionError, match="cron"):
        build_batch_schedule(BATCH_JOB_NAME)

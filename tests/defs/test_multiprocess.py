"""The whole batch job on a PostgreSQL warehouse, where the code location runs it on the
multiprocess executor: every step in a process of its own, independent steps in parallel (feed
steps among them: they hold the warehouse only to write), and the steps of the warehouse pool one
at a time. The run is the session's (`multiprocess_run`, tests/conftest.py), on a small generated
CRM. On the embedded DuckDB warehouse every step runs in the run's own process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.publish_assets import PUBLICATION
from hygiene_pipeline.defs.resources import WAREHOUSE_POOL, WarehouseResource
from hygiene_pipeline.domain.feed_frames import FEEDS
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.run_scope import runs_with_schemas

pytestmark = pytest.mark.slow

Interval = tuple[float, float]


def test_the_executor_follows_the_warehouse(tmp_path: Path, pg_admin_url: str) -> None:
    def executor_of(url: str) -> str:
        defs = build_definitions(warehouse=WarehouseResource(url=url), home=tmp_path)
        return defs.resolve_job_def(BATCH_JOB_NAME).executor_def.name

    assert executor_of(f"duckdb:///{tmp_path / 'w.duckdb'}") == "threaded"
    assert executor_of(pg_admin_url) == "multiprocess"


def step_intervals(instance: DagsterInstance, run_id: str) -> dict[str, Interval]:
    """Start and end time of every step that ran."""
    starts, ends = {}, {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            starts[event.step_key] = record.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            ends[event.step_key] = record.timestamp
    return {step: (starts[step], ends[step]) for step in starts}


def overlapping(intervals: dict[str, Interval]) -> list[tuple[str, str]]:
    """Pairs of steps that were running at the same time."""
    ordered = sorted(intervals.items(), key=lambda item: item[1])
    return [
        (first, second)
        for i, (first, (_, first_end)) in enumerate(ordered)
        for second, (second_start, _) in ordered[i + 1 :]
        if second_start < first_end
    ]


def test_the_whole_job_succeeds_with_every_table_loaded(multiprocess_run):
    _, result, warehouse_url = multiprocess_run
    warehouse = Warehouse(warehouse_url)

    assert result.success
    for feed in ("crm_contacts", "email_bounces", "call_logs"):
        assert warehouse.row_count("staging", feed) > 0
    assert warehouse.row_count("curated", "contacts_golden") > 0
    assert warehouse.table_exists("curated", "rejected_records")


def test_steps_run_in_processes_of_their_own_and_in_parallel(multiprocess_run):
    instance, result, _ = multiprocess_run
    step_pids = {
        record.dagster_event.pid
        for record in instance.all_logs(result.run_id, of_type=DagsterEventType.STEP_START)
    }
    intervals = step_intervals(instance, result.run_id)

    assert len(intervals) == len(result.job_def.graph.node_dict)
    assert os.getpid() not in step_pids
    assert len(step_pids) > len(FEEDS)
    assert overlapping(intervals), "no two steps ever ran at the same time"


def test_the_warehouse_pool_runs_one_step_at_a_time(multiprocess_run):
    instance, result, _ = multiprocess_run
    pool_steps = {
        name
        for name, node in result.job_def.graph.node_dict.items()
        if node.definition.pools == {WAREHOUSE_POOL}
    }
    intervals = step_intervals(instance, result.run_id)

    assert {"warehouse__publication", "curated__dial_list"} <= pool_steps
    assert not {f"load_{feed}" for feed in FEEDS} & pool_steps
    assert overlapping({step: intervals[step] for step in pool_steps}) == []


def test_the_run_published_and_dropped_its_schemas(multiprocess_run):
    _, result, warehouse_url = multiprocess_run
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}

    assert PUBLICATION in materialized
    assert runs_with_schemas(Warehouse(warehouse_url)) == set()

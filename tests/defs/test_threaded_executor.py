"""The executor of embedded runs: independent steps side by side in threads of the run's process,
dependencies and failures honoured as Dagster's own executors honour them, garbage cycles
collected as steps end."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

import pandas as pd
import pytest
from dagster import (
    AssetIn,
    AssetKey,
    DagsterEventType,
    Definitions,
    JobDefinition,
    RetryPolicy,
    asset,
    build_reconstructable_job,
    define_asset_job,
    execute_job,
    instance_for_test,
)
from dagster._core.execution.retries import RetryMode

from hygiene_pipeline.defs.resources import WarehouseResource
from hygiene_pipeline.defs.threaded_executor import ThreadedExecutor, threaded_executor
from hygiene_pipeline.defs.warehouse_io import WarehouseIOManager
from hygiene_pipeline.warehouse.engine import Warehouse, default_duckdb_url
from hygiene_pipeline.warehouse.run_scope import run_warehouse

SIDE_BY_SIDE = threading.Barrier(2, timeout=30)
"""Passed only by two steps waiting at it at once: one after the other, the first times out."""
LEFT: list[weakref.ref] = []
KEPT: list[object] = []


class _Cycle:
    """An object that refers to itself: garbage only a cycle collection frees."""

    def __init__(self) -> None:
        self.itself = self


@asset(key=AssetKey(["staging", "left"]))
def left() -> pd.DataFrame:
    SIDE_BY_SIDE.wait()
    return pd.DataFrame({"side": ["left"] * 1000})


@asset(key=AssetKey(["staging", "right"]))
def right() -> pd.DataFrame:
    SIDE_BY_SIDE.wait()
    return pd.DataFrame({"side": ["right"] * 1000})


@asset(
    key=AssetKey(["staging", "both"]),
    ins={
        "left": AssetIn(AssetKey(["staging", "left"])),
        "right": AssetIn(AssetKey(["staging", "right"])),
    },
)
def both(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([left, right], ignore_index=True)


@asset(key=AssetKey(["staging", "broken"]))
def broken() -> pd.DataFrame:
    raise ValueError("the feed is unreadable")


@asset(key=AssetKey(["staging", "after"]), ins={"rows": AssetIn(AssetKey(["staging", "broken"]))})
def after(rows: pd.DataFrame) -> pd.DataFrame:
    return rows


@asset(key=AssetKey(["staging", "beside"]))
def beside() -> pd.DataFrame:
    return pd.DataFrame({"a": [1]})


@asset(key=AssetKey(["staging", "first"]))
def first() -> pd.DataFrame:
    LEFT.append(weakref.ref(_Cycle()))
    return pd.DataFrame({"a": [1]})


@asset(key=AssetKey(["staging", "second"]), ins={"rows": AssetIn(AssetKey(["staging", "first"]))})
def second(rows: pd.DataFrame) -> pd.DataFrame:
    KEPT.append(_Cycle())
    return rows.assign(cycle_alive=LEFT[-1]() is not None)


@asset(key=AssetKey(["staging", "third"]), ins={"rows": AssetIn(AssetKey(["staging", "second"]))})
def third(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.assign(walked=any(tracked is KEPT[-1] for tracked in gc.get_objects()))


ATTEMPTS: list[int] = []


@asset(key=AssetKey(["staging", "flaky"]), retry_policy=RetryPolicy(max_retries=1))
def flaky() -> pd.DataFrame:
    ATTEMPTS.append(len(ATTEMPTS))
    if len(ATTEMPTS) == 1:
        raise OSError("the share was briefly away")
    return pd.DataFrame({"attempt": [len(ATTEMPTS)]})


@asset(
    key=AssetKey(["staging", "after_flaky"]), ins={"rows": AssetIn(AssetKey(["staging", "flaky"]))}
)
def after_flaky(rows: pd.DataFrame) -> pd.DataFrame:
    return rows


GRAPHS = {
    "side_by_side": [left, right, both],
    "broken": [broken, after, beside],
    "tables": [first, second, third],
    "flaky": [flaky, after_flaky, beside],
}


def threaded_job(graph: str, warehouse_url: str) -> JobDefinition:
    """The assets of `graph` as one job on the threaded executor, tables in `warehouse_url`."""
    warehouse = WarehouseResource(url=warehouse_url)
    return Definitions(
        assets=GRAPHS[graph],
        jobs=[define_asset_job("job")],
        executor=threaded_executor,
        resources={"io_manager": WarehouseIOManager(warehouse=warehouse)},
    ).resolve_job_def("job")


def _run(
    graph: str, tmp_path: Path, *, raise_on_error: bool = False
) -> tuple[bool, dict[DagsterEventType, set[str]], Warehouse]:
    """Run `graph` as the runner does (`execute_job` on a reconstructable job): whether it
    succeeded, its steps by the type of their events, and the warehouse with its tables."""
    url = default_duckdb_url(tmp_path)
    job = build_reconstructable_job(
        __name__,
        threaded_job.__name__,
        reconstructable_kwargs={"graph": graph, "warehouse_url": url},
        reconstructor_working_directory=str(Path(__file__).parent),
    )
    (tmp_path / "dagster_home").mkdir()
    with (
        instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance,
        execute_job(job, instance=instance, raise_on_error=raise_on_error) as result,
    ):
        steps: dict[DagsterEventType, set[str]] = {}
        for event in result.all_events:
            if event.step_key:
                steps.setdefault(event.event_type, set()).add(event.step_key)
        return result.success, steps, run_warehouse(url, result.run_id)


def test_independent_steps_run_side_by_side_and_their_consumer_after_both(tmp_path: Path):
    """Each feed waits at a barrier only the other can open: one after the other, the first
    would time out."""
    success, steps, warehouse = _run("side_by_side", tmp_path)
    assert success
    assert steps[DagsterEventType.STEP_SUCCESS] == {
        "staging__left",
        "staging__right",
        "staging__both",
    }
    written = warehouse.read_table(warehouse.staging_schema, "both")["side"]
    assert written.value_counts().to_dict() == {"left": 1000, "right": 1000}


def test_a_failed_step_abandons_its_consumers_and_not_the_steps_beside(tmp_path: Path):
    success, steps, _ = _run("broken", tmp_path)
    assert not success
    assert steps[DagsterEventType.STEP_FAILURE] == {"staging__broken"}
    assert steps[DagsterEventType.STEP_SUCCESS] == {"staging__beside"}
    assert "staging__after" not in set().union(*steps.values())  # never started


def test_raising_on_error_raises_the_steps_own_error(tmp_path: Path):
    with pytest.raises(ValueError, match="the feed is unreadable"):
        _run("broken", tmp_path, raise_on_error=True)


def test_a_step_retried_by_its_policy_runs_again_and_its_consumer_after(tmp_path: Path):
    ATTEMPTS.clear()
    success, steps, warehouse = _run("flaky", tmp_path)
    assert success
    assert steps[DagsterEventType.STEP_UP_FOR_RETRY] == {"staging__flaky"}
    assert steps[DagsterEventType.STEP_SUCCESS] == {
        "staging__flaky",
        "staging__after_flaky",
        "staging__beside",
    }
    assert warehouse.read_table(warehouse.staging_schema, "after_flaky")["attempt"].tolist() == [2]


def test_garbage_cycles_a_step_left_are_freed_and_what_outlives_it_is_frozen(tmp_path: Path):
    """A frame a finished step left in a reference cycle is freed before the next step runs,
    even with Python's own collections held off; an object a step leaves alive is frozen out of
    later collections, and the run's end unfreezes it."""
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        success, _, warehouse = _run("tables", tmp_path)
    finally:
        gc.enable()
    assert success
    tables = warehouse.staging_schema
    assert warehouse.read_table(tables, "second")["cycle_alive"].tolist() == [False]
    assert warehouse.read_table(tables, "third")["walked"].tolist() == [False]
    assert any(tracked is KEPT[-1] for tracked in gc.get_objects())  # unfrozen again
    assert gc.get_freeze_count() == frozen


def test_fewer_than_one_thread_is_refused():
    with pytest.raises(ValueError, match="at least one thread"):
        ThreadedExecutor(RetryMode.DISABLED, threads=0)

"""The executor of runs on the embedded warehouse: every step in the run's own process, two
independent steps at a time, each in a thread.

DuckDB lets one process at a time write its file, so the steps of a run cannot go to processes
of their own (`definitions.EMBEDDED_EXECUTOR`); one process may hold several connections to the
file, though, each in its own transaction. Much of a step's work runs in DuckDB, Arrow, NumPy
and worker processes, which release the GIL, so a second step in a thread takes the core the
first leaves idle: the bounces and the do-not-call list load while the contacts do, the
quarantine and the checks run beside the linkage, the curated tables of the scores build side by
side.
Steps whose own Python holds the GIL most gain little beside each other and add their peaks:
the executor's `tag_concurrency_limits` keep those one at a time (`LARGE_STEP_TAGS`).

Each step runs as Dagster's in-process executor runs it (`dagster_event_sequence_for_step`, on
the run's one set of resources, with the process's output captured once for the run). Only the
run's thread decides what runs next (`ActiveExecution`), from the events the step threads hand
back through a queue, and it yields them in the order they arrive. A started step runs to its
end: a terminated run starts nothing more and waits for the steps in flight. Pools are not
claimed: they keep steps in processes of their own from queuing on each other's locks, and here
every step is in the one process that holds the database. Garbage cycles are collected as each
step ends (`_CycleCollector`).

Dagster's public API has no executor of threads, so this one is built from the same internal
parts as its in-process and multiprocess executors (`dagster._core`), pinned to dagster 1.13."""

from __future__ import annotations

import gc
import os
import queue
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from types import TracebackType
from typing import Any

from dagster import Field, Int, executor
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.api import ExecuteRunWithPlanIterable
from dagster._core.execution.compute_logs import create_compute_log_file_key
from dagster._core.execution.context.system import (
    PlanExecutionContext,
    PlanOrchestrationContext,
    StepExecutionContext,
)
from dagster._core.execution.context_creation_job import PlanExecutionContextManager
from dagster._core.execution.plan.active import ActiveExecution
from dagster._core.execution.plan.execute_plan import (
    _handle_compute_log_setup_error,
    _handle_compute_log_teardown_error,
    _trigger_hook,
    dagster_event_sequence_for_step,
)
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode, get_retries_config
from dagster._core.execution.tags import get_tag_concurrency_limits_config
from dagster._core.executor.base import Executor
from dagster._core.executor.init import InitExecutorContext

DEFAULT_STEP_THREADS = 2
"""One step per core of the machines the embedded warehouse is for."""
STEP_POLL_SECONDS = 0.5
"""How often the run's thread looks up from waiting on its steps, to notice an interrupt."""


ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


@dataclass
class _StepDone:
    """The end of a step's events, with the error that ended its thread, if one did."""

    exc_info: ExcInfo | None = None


@dataclass
class _InFlight:
    """A running step: its context, the events it has yielded so far (for its hooks), and
    whether one of them ended it (its thread is then about to finish)."""

    context: StepExecutionContext
    events: list[DagsterEvent] = field(default_factory=list)
    ended: bool = False


StepEvents = queue.Queue[tuple[str, DagsterEvent | _StepDone]]
"""What the step threads hand the run's thread: each step's events, then its end."""


def _run_step(step_context: StepExecutionContext, events: StepEvents) -> None:
    """A step's events into the queue, then its end (with any error it raised)."""
    key = step_context.step.key
    try:
        for event in dagster_event_sequence_for_step(step_context):
            events.put((key, event))
    except BaseException:  # handed to the run's thread, which raises it there
        events.put((key, _StepDone(sys.exc_info())))
        return
    events.put((key, _StepDone()))


def _ends_step(event: DagsterEvent) -> bool:
    return (
        event.is_step_success
        or event.is_step_failure
        or event.is_step_skipped
        or event.is_step_up_for_retry
    )


class _CycleCollector:
    """Garbage cycles collected as each step ends, and what lives on frozen out of later
    collections whenever no step is in flight.

    A finished step's frames can stay in a reference cycle until Python's rare full collection:
    at a million contacts scoring's 1.7 GB stayed there until the run ended. What survives a
    collection made while no step runs (the code location, the libraries a step imported, the
    run's resources) belongs to the process, not to a step, and is frozen (`gc.freeze`), so each
    later collection takes milliseconds instead of walking it again. A collection made while a
    step runs freezes nothing: that step's objects are alive then, and a frozen cycle would stay
    until the run ends. The run's end unfreezes what it froze; a process that had frozen
    objects of its own before the run is left to them (nothing is frozen, nor unfrozen)."""

    def __init__(self) -> None:
        self._froze = False

    def collect(self, steps_in_flight: int) -> None:
        gc.collect()
        if steps_in_flight == 0 and (self._froze or not gc.get_freeze_count()):
            gc.freeze()
            self._froze = True

    def unfreeze(self) -> None:
        if self._froze:
            gc.unfreeze()
            self._froze = False


def _threaded_plan_iterator(
    job_context: PlanExecutionContext,
    execution_plan: ExecutionPlan,
    *,
    threads: int,
    tag_concurrency_limits: list[dict[str, Any]],
) -> Iterator[DagsterEvent]:
    """Run the plan's steps `threads` at a time (and as `tag_concurrency_limits` allow), yielding
    their events as they come."""
    step_keys = [step.key for step in execution_plan.get_steps_to_execute_in_topo_order()]
    with (
        execution_plan.start(
            retry_mode=job_context.retry_mode,
            max_concurrent=threads,
            tag_concurrency_limits=tag_concurrency_limits,
            step_dependency_config=job_context.step_dependency_config,
        ) as active_execution,
        ThreadPoolExecutor(max_workers=threads, thread_name_prefix="step") as pool,
        ExitStack() as capture,
    ):
        compute_logs = job_context.instance.compute_log_manager
        log_key = compute_logs.build_log_key_for_run(
            job_context.run_id, create_compute_log_file_key()
        )
        try:
            log_context = capture.enter_context(compute_logs.capture_logs(log_key))
            yield DagsterEvent.capture_logs(job_context, step_keys, log_key, log_context)
        except Exception:
            yield from _handle_compute_log_setup_error(job_context, sys.exc_info())
        yield from _steps_in_threads(job_context, active_execution, pool, threads)
        try:
            capture.close()
        except Exception:
            yield from _handle_compute_log_teardown_error(job_context, sys.exc_info())


def _steps_in_threads(
    job_context: PlanExecutionContext,
    active_execution: ActiveExecution,
    pool: ThreadPoolExecutor,
    threads: int,
) -> Iterator[DagsterEvent]:
    """Start steps as they become ready, `threads` at a time, and yield their events; raise what
    a step raised (`raise_on_error`), or the interruption once the steps in flight have ended."""
    events: StepEvents = queue.Queue()
    in_flight: dict[str, _InFlight] = {}
    cycles = _CycleCollector()
    cycles.collect(steps_in_flight=0)
    interrupted, failure = False, None
    try:
        while in_flight or not (interrupted or failure or active_execution.is_complete):
            if not interrupted and active_execution.check_for_interrupts():
                interrupted = True
                active_execution.mark_interrupted()
                yield DagsterEvent.engine_event(
                    job_context,
                    "Interrupted: no more steps start; those in flight run to their end",
                    EngineEventData.interrupted(list(in_flight)),
                )
            # A step that has ended is let go before anything starts: a retried step then
            # starts again under its key only once its thread is done, and a collection
            # meets only what outlives it.
            if not (interrupted or failure or any(s.ended for s in in_flight.values())):
                for step in active_execution.get_steps_to_execute(limit=threads - len(in_flight)):
                    context = job_context.for_step(step, active_execution.get_known_state())
                    in_flight[step.key] = _InFlight(context)
                    pool.submit(_run_step, context, events)
            if not in_flight:
                active_execution.sleep_til_ready()
                continue
            try:
                key, item = events.get(timeout=STEP_POLL_SECONDS)
            except queue.Empty:
                continue
            running = in_flight[key]
            if isinstance(item, DagsterEvent):
                running.events.append(item)
                running.ended = running.ended or _ends_step(item)
                yield item
                active_execution.handle_event(item)
                continue
            del in_flight[key]
            if item.exc_info is not None:  # raised after its failure event (`raise_on_error`)
                failure = failure or item.exc_info
                if not running.ended:
                    active_execution.mark_unknown_state(key)
                continue
            active_execution.verify_complete(job_context, key)
            for event in active_execution.plan_events_iterator(job_context):
                running.events.append(event)
                yield event
            yield from _trigger_hook(running.context, running.events)
            del running
            cycles.collect(steps_in_flight=len(in_flight))
    finally:
        cycles.unfreeze()
    if failure is not None:
        raise failure[1].with_traceback(failure[2])
    if interrupted:
        raise DagsterExecutionInterruptedError(
            "Execution was interrupted; the steps in flight ended"
        )


class ThreadedExecutor(Executor):
    """Runs the steps of a plan in threads of this process, `threads` at a time."""

    def __init__(
        self,
        retries: RetryMode,
        threads: int = DEFAULT_STEP_THREADS,
        tag_concurrency_limits: list[dict[str, Any]] | None = None,
    ) -> None:
        if threads < 1:
            raise ValueError(f"steps run in at least one thread, not {threads}")
        self._retries = retries
        self._threads = threads
        self._tag_concurrency_limits = tag_concurrency_limits or []

    @property
    def retries(self) -> RetryMode:
        return self._retries

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        pid, keys = os.getpid(), execution_plan.step_keys_to_execute
        yield DagsterEvent.engine_event(
            plan_context,
            f"Executing steps in process (pid: {pid}), {self._threads} at a time in threads",
            event_specific_data=EngineEventData.in_process(pid, keys),
        )
        yield from iter(
            ExecuteRunWithPlanIterable(
                execution_plan=plan_context.execution_plan,
                iterator=partial(
                    _threaded_plan_iterator,
                    threads=self._threads,
                    tag_concurrency_limits=self._tag_concurrency_limits,
                ),
                execution_context_manager=PlanExecutionContextManager(
                    job=plan_context.job,
                    retry_mode=plan_context.retry_mode,
                    execution_plan=plan_context.execution_plan,
                    run_config=plan_context.run_config,
                    dagster_run=plan_context.dagster_run,
                    instance=plan_context.instance,
                    raise_on_error=plan_context.raise_on_error,
                    output_capture=plan_context.output_capture,
                ),
            )
        )
        yield DagsterEvent.engine_event(
            plan_context,
            f"Finished steps in process (pid: {pid})",
            event_specific_data=EngineEventData.in_process(pid, keys),
        )


@executor(
    name="threaded",
    config_schema={
        "retries": get_retries_config(),
        "threads": Field(
            Int,
            default_value=DEFAULT_STEP_THREADS,
            description="How many independent steps run at once (1: one after another).",
        ),
        "tag_concurrency_limits": get_tag_concurrency_limits_config(),
    },
)
def threaded_executor(init_context: InitExecutorContext) -> ThreadedExecutor:
    """Steps in threads of the run's process, `threads` independent ones at a time."""
    config = init_context.executor_config
    return ThreadedExecutor(
        retries=RetryMode.from_config(config["retries"]),
        threads=config["threads"],
        tag_concurrency_limits=config.get("tag_concurrency_limits"),
    )

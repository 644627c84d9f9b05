"""Runs the batch job in-process against the project's Dagster instance, with live progress.

Runs land in the instance under `DAGSTER_HOME` (default `./.hygiene/dagster_home`), the same one
`hygiene ui` / `dagster dev` show, so every CLI run is listed in the UI afterwards."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from dagster import AssetCheckSeverity, DagsterEventType, DagsterInstance, ExecuteInProcessResult
from dagster._core.utils import make_new_run_id
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.resources import (
    HOME_DIR,
    BatchClockResource,
    LandingResource,
    WarehouseResource,
    warehouse_from_env,
)

_STEP_END = {
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.STEP_SKIPPED,
}

# The progress bar and the closing summary speak for the run; the event log keeps every detail.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

# The embedded instance: SQLite storage in DAGSTER_HOME; production uses deploy/dagster.yaml.
LOCAL_INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"


def dagster_home(home: Path = HOME_DIR) -> Path:
    """`DAGSTER_HOME`, defaulting to `<home>/dagster_home` (created with a `dagster.yaml` when
    missing, and exported for Dagster)."""
    path = Path(os.environ.get("DAGSTER_HOME") or (home / "dagster_home")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    config = path / "dagster.yaml"
    if not config.exists():
        config.write_text(LOCAL_INSTANCE_CONFIG)
    os.environ["DAGSTER_HOME"] = str(path)
    return path


@dataclass
class BatchOutcome:
    """What a batch run did: its id, success, where it wrote, per-asset metadata and what failed."""

    run_id: str
    success: bool
    warehouse: str
    dagster_home: Path
    materialized: dict[str, dict[str, object]] = field(default_factory=dict)
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)


def run_batch(
    landing_dir: Path,
    warehouse_url: str | None = None,
    as_of: str | None = None,
    home: Path = HOME_DIR,
    console: Console | None = None,
) -> BatchOutcome:
    """Materialise the whole asset graph once, showing step progress on the console."""
    console = console or Console(stderr=True)
    instance_home = dagster_home(home)
    warehouse = WarehouseResource(url=warehouse_url) if warehouse_url else warehouse_from_env(home)
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(landing_dir.resolve())),
        warehouse=warehouse,
        clock=BatchClockResource(as_of=as_of),
        home=home,
    )
    job = defs.resolve_job_def(BATCH_JOB_NAME)
    steps = len(job.graph.node_dict)
    run_id = make_new_run_id()
    with DagsterInstance.get() as instance:
        holder: dict[str, ExecuteInProcessResult] = {}
        worker = threading.Thread(
            target=lambda: holder.update(
                result=job.execute_in_process(
                    run_config=QUIET_CONSOLE,
                    instance=instance,
                    run_id=run_id,
                    raise_on_error=False,
                )
            ),
            daemon=True,
        )
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("starting", total=steps)
            worker.start()
            while worker.is_alive():
                worker.join(timeout=0.5)
                done = [e.step_key for e in instance.all_logs(run_id, of_type=_STEP_END)]
                progress.update(
                    task, completed=len(done), description=done[-1] if done else "running"
                )
            progress.update(task, completed=steps, description="finished")
        return _outcome(run_id, holder["result"], warehouse.display_url(), instance_home)


def _outcome(
    run_id: str, result: ExecuteInProcessResult, warehouse: str, instance_home: Path
) -> BatchOutcome:
    materialized = {
        event.asset_key.to_user_string(): {
            key: value.value for key, value in event.materialization.metadata.items()
        }
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }
    failed_checks = sorted(
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    )
    failed_steps = sorted(
        f"{event.step_key}: {_first_line(event.step_failure_data.error)}"
        for event in result.all_events
        if event.is_step_failure and event.step_key
    )
    return BatchOutcome(
        run_id=run_id,
        success=result.success and not failed_checks_blocking(result),
        warehouse=warehouse,
        dagster_home=instance_home,
        materialized=materialized,
        failed_checks=failed_checks,
        failed_steps=failed_steps,
    )


def failed_checks_blocking(result: ExecuteInProcessResult) -> bool:
    """Whether any failed check had ERROR severity (those stop publication)."""
    return any(
        not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR
        for evaluation in result.get_asset_check_evaluations()
    )


def _first_line(error: object) -> str:
    """The first line of a step's error message, so the summary says what broke."""
    while getattr(error, "cause", None) is not None:
        error = error.cause  # the step wrapper's cause is the domain's own error
    message = getattr(error, "message", "") or ""
    return message.strip().splitlines()[0][:300] if message.strip() else "failed"

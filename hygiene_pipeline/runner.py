"""Runs the batch job against the project's Dagster instance, steps in parallel processes.

`hygiene run` launches the job through Dagster's public API, `execute_job` on a reconstructable
job, on the code location's executor (`definitions.batch_executor`): on the embedded DuckDB
warehouse every step runs in this process, which holds the database open for the run; on
PostgreSQL each step runs in a process of its own (forked from one that imported the project
once), independent steps in parallel. The console shows progress from the run's event log and
closes with a summary. Runs land in the instance under `DAGSTER_HOME`
(default `./.hygiene/dagster_home`), the same one `hygiene ui` / `dagster dev` show, so every
CLI run is listed in the UI afterwards.

Only the run's records (and the digests of the expectation suites GX has accepted) live in
`DAGSTER_HOME`; the data goes to the warehouse alone. A warehouse URL given on the command line
is part of the run's stored origin unless it holds a password: then it reaches the step
processes through the environment (`HYGIENE_WAREHOUSE_URL`) and is never written to the
instance.
"""

from __future__ import annotations

import fcntl
import os
import threading
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dagster import (
    AssetCheckSeverity,
    DagsterEventType,
    DagsterInstance,
    JobDefinition,
    JobExecutionResult,
    RunsFilter,
    build_reconstructable_job,
    execute_job,
)
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.publish_assets import PUBLICATION
from hygiene_pipeline.defs.resources import (
    BatchClockResource,
    LandingResource,
    WarehouseResource,
    warehouse_from_env,
)
from hygiene_pipeline.home import HOME_DIR
from hygiene_pipeline.warehouse.engine import normalise_url
from hygiene_pipeline.warehouse.run_scope import RUN_SCHEMAS, run_schema

WAREHOUSE_URL_ENV = "HYGIENE_WAREHOUSE_URL"
PROGRESS_SECONDS = 1.0
INSTANCE_LOCK = ".instance.lock"
INVOCATION_TAG = "hygiene/invocation"
"""Tags a CLI run with a token of its own, so progress finds it while other runs go on."""

_STEP_END = {
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.STEP_SKIPPED,
}

# The progress bar and the closing summary speak for the run; the event log keeps every detail.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

# The embedded instance: SQLite storage in DAGSTER_HOME, one step of the warehouse pool at a time
# where steps run in processes of their own (a PostgreSQL warehouse; the embedded warehouse's
# executor keeps every step in one process and claims no pool); production uses
# deploy/dagster.yaml.
LOCAL_INSTANCE_CONFIG = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""


def dagster_home(home: Path = HOME_DIR) -> Path:
    """`DAGSTER_HOME`, defaulting to `<home>/dagster_home` (created with a `dagster.yaml` when
    missing, and exported for Dagster)."""
    path = Path(os.environ.get("DAGSTER_HOME") or (home / "dagster_home")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    # Two runs started at once from one folder must not both create the SQLite storage (each
    # would stamp its schema version): the first creates it under the lock, the second opens it.
    with (path / INSTANCE_LOCK).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        config = path / "dagster.yaml"
        if not config.exists():
            config.write_text(LOCAL_INSTANCE_CONFIG)
        DagsterInstance.from_config(str(path)).dispose()
    os.environ["DAGSTER_HOME"] = str(path)
    return path


@lru_cache(maxsize=1)
def batch_job(
    landing_dir: str, warehouse_url: str | None, as_of: str | None, home: str, invocation: str
) -> JobDefinition:
    """The code location's batch job for one CLI run, rebuilt in every step's process; without
    `warehouse_url` the warehouse comes from the environment (see the module's docstring).

    Built once per `invocation` (the run's token) in a process: Dagster reconstructs the job
    four times as it starts a run, and each build defines the whole code location again."""
    warehouse = WarehouseResource(url=warehouse_url) if warehouse_url else None
    return build_definitions(
        landing=LandingResource(landing_dir=landing_dir),
        warehouse=warehouse or warehouse_from_env(Path(home)),
        clock=BatchClockResource(as_of=as_of),
        home=Path(home),
    ).resolve_job_def(BATCH_JOB_NAME)


@dataclass
class BatchOutcome:
    """What a batch run did: its id, success, whether it published, where it wrote, per-asset
    metadata and what failed."""

    run_id: str
    success: bool
    published: bool
    warehouse: str
    dagster_home: Path
    materialized: dict[str, dict[str, object]] = field(default_factory=dict)
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    step_processes: int = 0

    @property
    def run_schemas(self) -> list[str]:
        """The run's own schemas, kept in the warehouse when it published nothing."""
        return [run_schema(self.run_id, logical) for logical in RUN_SCHEMAS]


def run_batch(
    landing_dir: Path,
    warehouse_url: str | None = None,
    as_of: str | None = None,
    home: Path = HOME_DIR,
    console: Console | None = None,
) -> BatchOutcome:
    """Run the whole asset graph once on the code location's executor, showing step progress."""
    console = console or Console(stderr=True)
    instance_home = dagster_home(home)
    if warehouse_url and normalise_url(warehouse_url).password:
        os.environ[WAREHOUSE_URL_ENV], warehouse_url = warehouse_url, None
    warehouse = WarehouseResource(url=warehouse_url) if warehouse_url else warehouse_from_env(home)
    token = uuid.uuid4().hex
    kwargs = {
        "landing_dir": str(landing_dir.resolve()),
        "warehouse_url": warehouse_url,
        "as_of": as_of,
        "home": str(home.resolve()),
        "invocation": token,
    }
    job = build_reconstructable_job(
        __name__,
        batch_job.__name__,
        reconstructable_kwargs=kwargs,
        reconstructor_working_directory=os.getcwd(),
    )
    steps = len(batch_job(**kwargs).graph.node_dict)
    with DagsterInstance.get() as instance:
        finished = threading.Event()
        progress_thread = threading.Thread(
            target=_show_progress, args=(instance, token, steps, finished, console), daemon=True
        )
        progress_thread.start()
        try:
            with execute_job(
                job, instance=instance, run_config=QUIET_CONSOLE, tags={INVOCATION_TAG: token}
            ) as result:
                outcome = _outcome(instance, result, warehouse.display_url(), instance_home)
        finally:
            finished.set()
            progress_thread.join()
    return outcome


def _show_progress(
    instance: DagsterInstance, token: str, steps: int, finished: threading.Event, console: Console
) -> None:
    """Poll the run's new step ends (public instance API) until the run is over."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("starting", total=steps)
        run_id, cursor, done = None, None, 0
        while not finished.wait(timeout=PROGRESS_SECONDS):
            run_id = run_id or _run_id_of(instance, token)
            if run_id is None:
                continue
            # Only the step ends since the last poll: re-reading the whole log would cost a core.
            ends = instance.get_records_for_run(run_id, cursor=cursor, of_type=_STEP_END)
            cursor = ends.cursor
            done += len(ends.records)
            if ends.records:
                last = ends.records[-1].event_log_entry.dagster_event
                progress.update(task, completed=done, description=last.step_key or "running")
        progress.update(task, completed=steps, description="finished")


def _run_id_of(instance: DagsterInstance, token: str) -> str | None:
    runs = instance.get_run_records(RunsFilter(tags={INVOCATION_TAG: token}), limit=1)
    return runs[0].dagster_run.run_id if runs else None


def _outcome(
    instance: DagsterInstance, result: JobExecutionResult, warehouse: str, instance_home: Path
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
    starts = instance.all_logs(result.run_id, of_type=DagsterEventType.STEP_START)
    return BatchOutcome(
        run_id=result.run_id,
        success=result.success and not failed_checks_blocking(result),
        published=PUBLICATION.to_user_string() in materialized,
        warehouse=warehouse,
        dagster_home=instance_home,
        materialized=materialized,
        failed_checks=failed_checks,
        failed_steps=failed_steps,
        step_processes=len({record.dagster_event.pid for record in starts}),
    )


def failed_checks_blocking(result: JobExecutionResult) -> bool:
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

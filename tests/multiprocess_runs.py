"""The code location's batch job on a PostgreSQL warehouse, where it runs on the multiprocess
executor as the instance runs it: every step in a process of its own, the steps of the warehouse
pool one at a time (pool limit 1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from dagster import (
    DagsterInstance,
    JobDefinition,
    JobExecutionResult,
    build_reconstructable_job,
    execute_job,
    instance_for_test,
)

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource


class MultiprocessRun(NamedTuple):
    instance: DagsterInstance
    result: JobExecutionResult
    warehouse_url: str


def batch_job(landing_dir: str, warehouse_url: str, home: str, as_of: str) -> JobDefinition:
    """The code location's batch job (with its executor), rebuilt in every step's process."""
    return build_definitions(
        landing=LandingResource(landing_dir=landing_dir),
        warehouse=WarehouseResource(url=warehouse_url),
        clock=BatchClockResource(as_of=as_of),
        home=Path(home),
    ).resolve_job_def(BATCH_JOB_NAME)


@contextmanager
def run_on_multiprocess_executor(
    landing: Path, root: Path, as_of: str, warehouse_url: str
) -> Iterator[MultiprocessRun]:
    """One run of the batch job on `landing` into the PostgreSQL warehouse at `warehouse_url`,
    on an instance of its own under `root` (DAGSTER_HOME left alone); open while the context is."""
    job = build_reconstructable_job(
        __name__,
        batch_job.__name__,
        reconstructable_kwargs={
            "landing_dir": str(landing),
            "warehouse_url": warehouse_url,
            "home": str(root / "home"),
            "as_of": as_of,
        },
        reconstructor_working_directory=str(Path(__file__).parent),
    )
    pools = {"concurrency": {"pools": {"default_limit": 1}}}
    (root / "dagster_home").mkdir()
    with (
        instance_for_test(
            overrides=pools, set_dagster_home=False, temp_dir=str(root / "dagster_home")
        ) as instance,
        execute_job(job, instance=instance) as result,
    ):
        yield MultiprocessRun(instance, result, warehouse_url)

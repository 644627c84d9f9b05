"""The daily schedule of the whole batch.

`hygiene_batch_daily` starts the job `hygiene_batch` (every file, every asset) on the cron
`HYGIENE_BATCH_CRON` (default `0 5 * * *`, 05:00 UTC), read when the definitions load. It is
created stopped, so a development instance never runs on its own: turn it on once in the UI
(Automation) or with `dagster schedule start hygiene_batch_daily`; the instance's schedule
storage remembers that across restarts. The Dagster daemon must run for it to fire.
"""

from __future__ import annotations

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

BATCH_SCHEDULE_NAME = "hygiene_batch_daily"
DEFAULT_BATCH_CRON = "0 5 * * *"
BATCH_CRON_ENV = "HYGIENE_BATCH_CRON"
SCHEDULE_TIMEZONE = "UTC"


def batch_cron_from_env() -> str:
    """`HYGIENE_BATCH_CRON`, or the default 05:00 UTC every day."""
    return os.environ.get(BATCH_CRON_ENV) or DEFAULT_BATCH_CRON


def build_batch_schedule(job_name: str, cron_schedule: str | None = None) -> ScheduleDefinition:
    """The run of job `job_name` on `cron_schedule` (default from the environment), in UTC."""
    return ScheduleDefinition(
        name=BATCH_SCHEDULE_NAME,
        job_name=job_name,
        cron_schedule=cron_schedule or batch_cron_from_env(),
        execution_timezone=SCHEDULE_TIMEZONE,
        default_status=DefaultScheduleStatus.STOPPED,
        tags={"hygiene/trigger": "schedule"},
        description="The whole batch on a cron (HYGIENE_BATCH_CRON, UTC): every landing file, "
        "every asset and check.",
    )

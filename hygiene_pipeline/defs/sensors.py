"""Sensors: a batch run when new files land, and an alert when a run fails.

`landing_files_sensor` looks at the landing folder every minute. Its cursor is the JSON of
`{relative path: [size, mtime_ns]}` of the files seen; when a file is new or changed it requests
a run of the whole batch with a run key derived from those files' fingerprints, so the same files
never start two runs (Dagster drops a repeated run key). A file modified in the last
`settle_seconds` is still being written: it waits for a later tick. Hidden files are ignored, as
the feed readers ignore them. Created stopped, like the schedule: turn it on in the UI or with
`dagster sensor start landing_files_sensor`.

`run_failure_alert` runs for every failed run of this code location and posts one short line to
the webhook `HYGIENE_ALERT_WEBHOOK_URL` as JSON `{"text": ...}` (the shape Slack, Mattermost and
Google Chat incoming webhooks take): job, run id, failed steps, failed checks and, when
`HYGIENE_UI_BASE_URL` is set, a link to the run. It names steps and checks only, never values,
so no personal data leaves. Without a webhook it logs the same line. A refused post fails the
sensor's tick (visible in the UI) without printing the webhook URL, which is a secret. Created
stopped like every automation of the code location: turn it on with
`dagster sensor start run_failure_alert` once the webhook is set.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from dagster import (
    AssetCheckEvaluation,
    ConfigurableResource,
    DagsterEventType,
    DefaultSensorStatus,
    EnvVar,
    RunFailureSensorContext,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)
from pydantic import Field

from hygiene_pipeline.defs.publish_assets import PUBLICATION
from hygiene_pipeline.defs.resources import LandingResource

LANDING_SENSOR_NAME = "landing_files_sensor"
FAILURE_SENSOR_NAME = "run_failure_alert"
ALERT_WEBHOOK_ENV = "HYGIENE_ALERT_WEBHOOK_URL"
UI_BASE_URL_ENV = "HYGIENE_UI_BASE_URL"
LANDING_POLL_SECONDS = 60
DEFAULT_SETTLE_SECONDS = 30

Snapshot = dict[str, list[int]]
"""Relative file path -> [size in bytes, modification time in ns]."""


def landing_snapshot(landing_dir: Path) -> Snapshot:
    """Size and modification time of every visible file under `landing_dir`."""
    snapshot: Snapshot = {}
    for path in sorted(landing_dir.rglob("*")):
        relative = path.relative_to(landing_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        stat = path.stat()
        snapshot[relative.as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return snapshot


def fingerprint(files: Snapshot) -> str:
    """A short stable digest of some files' paths, sizes and modification times."""
    text = json.dumps(files, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def build_landing_sensor(
    job_name: str, settle_seconds: float = DEFAULT_SETTLE_SECONDS
) -> SensorDefinition:
    """The sensor that starts `job_name` when files land (see the module docstring)."""

    @sensor(
        name=LANDING_SENSOR_NAME,
        job_name=job_name,
        minimum_interval_seconds=LANDING_POLL_SECONDS,
        default_status=DefaultSensorStatus.STOPPED,
        description="Runs the whole batch when new or changed files land in the landing "
        "folder; the same files never start two runs.",
    )
    def landing_files_sensor(
        context: SensorEvaluationContext, landing: LandingResource
    ) -> SensorResult:
        if not landing.path.is_dir():
            return SensorResult(skip_reason=SkipReason(f"No landing folder at {landing.path}"))
        seen: Snapshot = json.loads(context.cursor) if context.cursor else {}
        current = landing_snapshot(landing.path)
        settled_before = time.time_ns() - int(settle_seconds * 1e9)
        settled = {path: state for path, state in current.items() if state[1] <= settled_before}
        landing_now = [path for path in current if path not in settled]
        # A file still being written keeps what was seen of it; a removed file is forgotten.
        cursor = {path: seen[path] for path in landing_now if path in seen} | settled
        new = {path: state for path, state in settled.items() if seen.get(path) != state}
        cursor_text = json.dumps(cursor, sort_keys=True)
        if not new:
            waiting = f"; {len(landing_now)} still being written" if landing_now else ""
            reason = f"No new or changed files among {len(settled)}{waiting}"
            return SensorResult(skip_reason=SkipReason(reason), cursor=cursor_text)
        feeds = sorted({path.split("/")[0] for path in new})
        context.log.info(f"{len(new)} new or changed files in {', '.join(feeds)}")
        request = RunRequest(
            run_key=f"landing-{fingerprint(new)}",
            tags={"hygiene/trigger": "landing_files", "hygiene/new_files": str(len(new))},
        )
        return SensorResult(run_requests=[request], cursor=cursor_text)

    return landing_files_sensor


class AlertWebhookResource(ConfigurableResource):
    """Where run-failure alerts go, and the UI address their links point to."""

    url: str | None = Field(
        default=None, description="Incoming-webhook URL that takes a JSON {'text': ...} POST."
    )
    ui_base_url: str | None = Field(
        default=None, description="The Dagster UI's address, e.g. https://dagster.example.com."
    )
    timeout_seconds: float = Field(default=10.0, description="Give up on a post after this.")

    def run_link(self, run_id: str) -> str | None:
        """The run's page in the UI, when the UI's address is known."""
        return f"{self.ui_base_url.rstrip('/')}/runs/{run_id}" if self.ui_base_url else None

    def post(self, text: str) -> None:
        """POST `{"text": text}` to the webhook; raises naming the HTTP status, not the URL."""
        request = urllib.request.Request(
            str(self.url),
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds):
                pass
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"Alert webhook refused the post: HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            raise RuntimeError(f"Alert webhook unreachable: {type(reason).__name__}") from None


def alert_webhook_from_env() -> AlertWebhookResource:
    """`HYGIENE_ALERT_WEBHOOK_URL` and `HYGIENE_UI_BASE_URL` where set (read at run time)."""
    return AlertWebhookResource(
        url=EnvVar(ALERT_WEBHOOK_ENV) if os.environ.get(ALERT_WEBHOOK_ENV) else None,
        ui_base_url=EnvVar(UI_BASE_URL_ENV) if os.environ.get(UI_BASE_URL_ENV) else None,
    )


def failed_checks(context: RunFailureSensorContext) -> list[str]:
    """`asset:check` of every check that failed in the run."""
    records = context.instance.all_logs(
        context.dagster_run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    )
    evaluations = [
        record.dagster_event.event_specific_data
        for record in records
        if record.dagster_event is not None
    ]
    return sorted(
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in evaluations
        if isinstance(evaluation, AssetCheckEvaluation) and not evaluation.passed
    )


def published(context: RunFailureSensorContext) -> bool:
    """Whether the run's publication step swapped its tables in."""
    records = context.instance.all_logs(
        context.dagster_run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
    )
    return any(
        record.dagster_event is not None and record.dagster_event.asset_key == PUBLICATION
        for record in records
    )


def failure_message(
    job_name: str,
    run_id: str,
    steps: Sequence[str],
    checks: Sequence[str],
    link: str | None = None,
    *,
    was_published: bool = False,
) -> str:
    """One line for on-call staff: what failed where, whether anything was published, and
    where to look."""
    parts = [f"Dagster run {run_id} of {job_name} failed."]
    parts.append(f"Failed steps: {', '.join(steps)}." if steps else "No step failed.")
    if checks:
        parts.append(f"Failed checks: {', '.join(checks)}.")
    parts.append("It was published." if was_published else "Nothing was published.")
    if link:
        parts.append(link)
    return " ".join(parts)


@run_failure_sensor(
    name=FAILURE_SENSOR_NAME,
    default_status=DefaultSensorStatus.STOPPED,
    description="Posts failed runs (steps and checks that failed, a link) to the webhook "
    f"{ALERT_WEBHOOK_ENV}; logs them when none is configured.",
)
def run_failure_alert(
    context: RunFailureSensorContext, alert_webhook: AlertWebhookResource
) -> None:
    """Alert on a failed run (see the module docstring)."""
    run = context.dagster_run
    steps = sorted(
        {event.step_key for event in context.get_step_failure_events() if event.step_key}
    )
    message = failure_message(
        run.job_name,
        run.run_id,
        steps,
        failed_checks(context),
        alert_webhook.run_link(run.run_id),
        was_published=published(context),
    )
    if not alert_webhook.url:
        context.log.warning(f"No alert webhook configured ({ALERT_WEBHOOK_ENV}): {message}")
        return
    alert_webhook.post(message)
    context.log.info(f"Alert posted for run {run.run_id}")

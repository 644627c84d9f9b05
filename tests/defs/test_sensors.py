"""The landing sensor (cursor, run keys, files still being written) and the run-failure alert
(a real failed run, a real HTTP webhook on 127.0.0.1), through Dagster's sensor testing APIs."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    ExecuteInProcessResult,
    build_run_status_sensor_context,
    build_sensor_context,
)

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.resources import LandingResource, WarehouseResource
from hygiene_pipeline.defs.sensors import (
    FAILURE_SENSOR_NAME,
    LANDING_SENSOR_NAME,
    AlertWebhookResource,
    build_landing_sensor,
    run_failure_alert,
)

UI = "http://dagster.internal:3000"
AN_HOUR_AGO_NS = time.time_ns() - 3_600 * 10**9


def land(landing: Path, relative: str, text: str, settled: bool = True) -> Path:
    """Write a landing file; a settled one looks as if it was written an hour ago."""
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if settled:
        os.utime(path, ns=(AN_HOUR_AGO_NS, AN_HOUR_AGO_NS))
    return path


class LandingSensor:
    """Ticks of the landing sensor over one folder, carrying the cursor like the daemon does."""

    def __init__(self, landing: Path) -> None:
        self.sensor = build_landing_sensor(BATCH_JOB_NAME)
        self.resources = {"landing": LandingResource(landing_dir=str(landing))}
        self.cursor: str | None = None

    def tick(self):
        context = build_sensor_context(cursor=self.cursor, resources=self.resources)
        data = self.sensor.evaluate_tick(context)
        self.cursor = data.cursor
        return data


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    land(folder, "crm_contacts/salesforce.csv", "contact_id,email\n1,a@example.com\n")
    land(folder, "call_logs/dialer.csv", "call_id,called_at,disposition\nC1,2024-01-02,NA\n")
    return folder


def test_the_first_tick_runs_the_batch_and_an_unchanged_folder_is_skipped(landing):
    sensor = LandingSensor(landing)

    first, second = sensor.tick(), sensor.tick()

    assert sensor.sensor.job_name == BATCH_JOB_NAME
    assert len(first.run_requests) == 1
    assert first.run_requests[0].run_key.startswith("landing-")
    assert first.run_requests[0].tags["hygiene/new_files"] == "2"
    assert json.loads(first.cursor).keys() == {
        "crm_contacts/salesforce.csv",
        "call_logs/dialer.csv",
    }
    assert second.run_requests == []
    assert "No new or changed files among 2" in second.skip_message


def test_a_new_or_changed_file_runs_again_with_a_run_key_of_its_own(landing):
    sensor = LandingSensor(landing)
    first = sensor.tick()

    land(landing, "email_bounces/ses.jsonl", '{"email": "b@example.com"}\n')
    added = sensor.tick()
    land(landing, "crm_contacts/salesforce.csv", "contact_id,email\n1,a@example.com\n2,c@x.io\n")
    changed = sensor.tick()

    keys = [data.run_requests[0].run_key for data in (first, added, changed)]
    assert len(set(keys)) == 3
    assert added.run_requests[0].tags["hygiene/new_files"] == "1"
    assert changed.run_requests[0].tags["hygiene/new_files"] == "1"


def test_the_same_files_always_give_the_same_run_key_so_they_never_run_twice(landing):
    once, again = LandingSensor(landing).tick(), LandingSensor(landing).tick()

    assert once.run_requests[0].run_key == again.run_requests[0].run_key


def test_a_file_still_being_written_waits_for_a_later_tick(landing):
    sensor = LandingSensor(landing)
    sensor.tick()
    growing = land(landing, "call_logs/dialer_2.csv", "call_id,called_at\n", settled=False)

    waiting = sensor.tick()
    os.utime(growing, ns=(AN_HOUR_AGO_NS, AN_HOUR_AGO_NS))
    settled = sensor.tick()

    assert waiting.run_requests == []
    assert "1 still being written" in waiting.skip_message
    assert len(settled.run_requests) == 1


def test_hidden_files_and_a_missing_folder_start_nothing(tmp_path, landing):
    sensor = LandingSensor(landing)
    sensor.tick()
    land(landing, "call_logs/.dialer.csv.swp", "partial")
    land(landing, ".staging/upload.tmp", "partial")

    assert sensor.tick().run_requests == []
    missing = LandingSensor(tmp_path / "nowhere").tick()
    assert missing.run_requests == []
    assert "No landing folder" in missing.skip_message


def test_the_code_location_has_both_sensors_and_all_automation_starts_stopped(tmp_path):
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(tmp_path)),
        warehouse=WarehouseResource(url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}"),
        home=tmp_path / "home",
    )
    repository = defs.get_repository_def()

    assert defs.resolve_sensor_def(LANDING_SENSOR_NAME).job_name == BATCH_JOB_NAME
    assert defs.resolve_sensor_def(FAILURE_SENSOR_NAME).name == FAILURE_SENSOR_NAME
    automation = [*repository.sensor_defs, *repository.schedule_defs]
    assert {a.name for a in automation} >= {LANDING_SENSOR_NAME, FAILURE_SENSOR_NAME}
    assert {a.name: a.default_status.value for a in automation} == {
        a.name: "STOPPED" for a in automation
    }


@dataclass
class Webhook:
    """A local HTTP endpoint that records what is posted to it."""

    url: str
    posts: list[dict] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.posts.append(json.loads(body))
            self.send_response(hook.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/alerts"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FailedRun:
    instance: DagsterInstance
    result: ExecuteInProcessResult
    landing: Path


@pytest.fixture(scope="module")
def failed_run(generated_crm: Path, tmp_path_factory) -> Iterator[FailedRun]:
    """A real run that fails: a dialer file delivered twice fails the call logs' blocking check."""
    root = tmp_path_factory.mktemp("failed_run")
    landing = root / "landing"
    shutil.copytree(generated_crm / "landing", landing)
    calls = landing / "call_logs" / "dialer_calls_export.csv"
    shutil.copy(calls, calls.with_name("dialer_calls_export_resent.csv"))
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(landing)),
        warehouse=WarehouseResource(url=f"duckdb:///{root / 'warehouse.duckdb'}"),
        home=root / "home",
    )
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(BATCH_JOB_NAME).execute_in_process(
            instance=instance,
            asset_selection=[AssetKey(["raw", "call_logs"]), AssetKey(["staging", "call_logs"])],
            raise_on_error=False,
        )
        yield FailedRun(instance, result, landing)


def alert(failed_run: FailedRun, webhook: AlertWebhookResource) -> None:
    context = build_run_status_sensor_context(
        sensor_name=FAILURE_SENSOR_NAME,
        dagster_event=failed_run.result.get_run_failure_event(),
        dagster_instance=failed_run.instance,
        dagster_run=failed_run.instance.get_run_by_id(failed_run.result.run_id),
        resources={"alert_webhook": webhook},
    ).for_run_failure()
    run_failure_alert(context)


def test_a_failed_run_posts_job_run_failed_step_check_and_link(failed_run, webhook):
    alert(failed_run, AlertWebhookResource(url=webhook.url, ui_base_url=UI + "/"))

    run_id = failed_run.result.run_id
    assert not failed_run.result.success
    assert len(webhook.posts) == 1
    text = webhook.posts[0]["text"]
    assert f"Dagster run {run_id} of {BATCH_JOB_NAME} failed." in text
    assert "Failed steps: staging__call_logs__expectations." in text
    assert "Failed checks: staging/call_logs:critical_expectations." in text
    assert "Nothing was published." in text
    assert text.endswith(f"{UI}/runs/{run_id}")


def test_the_alert_carries_no_personal_data(failed_run, webhook):
    alert(failed_run, AlertWebhookResource(url=webhook.url))

    text = webhook.posts[0]["text"]
    calls = (failed_run.landing / "call_logs" / "dialer_calls_export.csv").read_text()
    numbers = {line.split(",")[1].strip('"') for line in calls.splitlines()[1:]}
    assert "@" not in text
    assert not any(number in text for number in numbers if number)
    assert "/runs/" not in text  # no UI address configured, no link


def test_without_a_webhook_the_alert_is_logged(failed_run, capfd):
    alert(failed_run, AlertWebhookResource())

    logged = [line for line in capfd.readouterr().err.splitlines() if "No alert webhook" in line]
    assert len(logged) == 1
    assert "WARNING" in logged[0]
    assert failed_run.result.run_id in logged[0]


def test_a_refused_post_fails_the_tick_without_showing_the_url(failed_run, webhook):
    webhook.status = 500

    with pytest.raises(RuntimeError, match="HTTP 500") as raised:
        alert(failed_run, AlertWebhookResource(url=webhook.url))
    assert webhook.url not in str(raised.value)

"""The Dagster UI in a real browser: `dagster dev` on a local port over an instance holding a run
whose blocking check failed (a dialer file delivered twice), driven by headless Chromium to the
asset graph and to the failed check's page. Screenshots are saved in the test's tmp folder.

Chromium and its driver come from Debian (the `chromium` fixture of tests/conftest.py): without
them the test fails, naming the script that installs them, it is never skipped."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from hygiene_pipeline.definitions import BATCH_JOB_NAME, build_definitions
from hygiene_pipeline.defs.resources import LandingResource, WarehouseResource
from hygiene_pipeline.synthetic import generate

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1600,1400",
]
SERVER_START_SECONDS = 120
PAGE_SECONDS = 45
CALL_LOGS = AssetKey(["staging", "call_logs"])
OVERLAY_BACKDROP = "[class*='overlay-backdrop']"
SKIP_BUTTON = "//button[normalize-space()='Skip']"
"""The welcome dialog's button, which a first visit shows once the page has loaded."""


@pytest.fixture(scope="module")
def ui_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A landing folder, a warehouse and an instance with one run whose blocking check failed;
    returns the environment `dagster dev` needs to show them."""
    root = tmp_path_factory.mktemp("ui")
    generate(root / "crm", contacts=200, seed=3, as_of=datetime(2026, 6, 30, 12))
    landing = root / "crm" / "landing"
    calls = landing / "call_logs" / "dialer_calls_export.csv"
    shutil.copy(calls, calls.with_name("dialer_calls_export_resent.csv"))
    warehouse_url = f"duckdb:///{root / 'warehouse.duckdb'}"
    home = root / "dagster_home"
    home.mkdir()
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(landing)),
        warehouse=WarehouseResource(url=warehouse_url),
        home=root / "hygiene",
    )
    with DagsterInstance.local_temp(str(home)) as instance:
        result = defs.resolve_job_def(BATCH_JOB_NAME).execute_in_process(
            instance=instance,
            asset_selection=[AssetKey(["raw", "call_logs"]), CALL_LOGS],
            raise_on_error=False,
        )
    assert not result.success
    return {
        "DAGSTER_HOME": str(home),
        "HYGIENE_LANDING_DIR": str(landing),
        "HYGIENE_WAREHOUSE_URL": warehouse_url,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(base_url: str, server: subprocess.Popen, log: Path) -> None:
    """Poll `/server_info` until the webserver answers (bounded)."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster dev exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/server_info", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(
        f"dagster dev did not answer in {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}"
    )


def stop(server: subprocess.Popen) -> None:
    """Stop `dagster dev` and the webserver, daemon and code server it started."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def base_url(ui_home: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dagster dev` on a free local port, loading the project through `workspace.yaml`."""
    port = free_port()
    log = tmp_path_factory.mktemp("dagster_dev") / "dagster_dev.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                "dagster",
                "dev",
                "-w",
                str(REPO / "workspace.yaml"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=REPO,
            env={**os.environ, **ui_home},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_server(url, server, log)
        yield url
    finally:
        stop(server)


@pytest.fixture(scope="module")
def browser(chromium: tuple[Path, Path], tmp_path_factory) -> Iterator[webdriver.Chrome]:
    binary, driver = chromium
    options = Options()
    options.binary_location = str(binary)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium_profile')}")
    chrome = webdriver.Chrome(options=options, service=Service(str(driver)))
    try:
        yield chrome
    finally:
        chrome.quit()


def close_welcome(browser: webdriver.Chrome) -> None:
    """Press Skip on the welcome dialog a first visit shows, if it is open."""
    for skip in browser.find_elements(By.XPATH, SKIP_BUTTON):
        skip.click()


def show(browser: webdriver.Chrome, url: str, expected: list[str], screenshot: Path) -> str:
    """Open `url`, wait until every expected text is on the page, close the welcome dialog a
    first visit shows (whenever it opens) and wait for its backdrop to go, save a screenshot;
    returns the page's visible text."""

    def page_text() -> str:
        return browser.find_element(By.TAG_NAME, "body").text

    browser.get(url)
    try:
        WebDriverWait(browser, PAGE_SECONDS, poll_frequency=0.5).until(
            lambda _: all(text in page_text() for text in expected)
        )
    except TimeoutException:
        browser.save_screenshot(str(screenshot))
        missing = [text for text in expected if text not in page_text()]
        pytest.fail(f"{url} never showed {missing}; screenshot {screenshot}")

    def free(_: object) -> bool:
        # The dialog may open only after the page's text is there, and its backdrop fades out
        # after Skip; until it is gone it takes every click.
        try:
            close_welcome(browser)
            return not any(
                backdrop.is_displayed()
                for backdrop in browser.find_elements(By.CSS_SELECTOR, OVERLAY_BACKDROP)
            )
        except (ElementClickInterceptedException, StaleElementReferenceException):
            return False

    try:
        WebDriverWait(browser, PAGE_SECONDS, poll_frequency=0.2).until(free)
    except TimeoutException:
        browser.save_screenshot(str(screenshot))
        pytest.fail(f"{url} kept an overlay open; screenshot {screenshot}")
    browser.save_screenshot(str(screenshot))
    return page_text()


def click_when_free(browser: webdriver.Chrome, xpath: str) -> None:
    """Click the element at `xpath`, closing the welcome dialog should it open only now and take
    the click (its backdrop fades out after Skip), until the click lands."""

    def clicked(_: object) -> bool:
        try:
            close_welcome(browser)
            browser.find_element(By.XPATH, xpath).click()
        except (ElementClickInterceptedException, StaleElementReferenceException):
            return False
        return True

    WebDriverWait(browser, PAGE_SECONDS, poll_frequency=0.2).until(clicked)


def test_the_asset_graph_shows_the_feed_assets_and_their_publication(base_url, browser, tmp_path):
    text = show(
        browser,
        f"{base_url}/assets/staging/call_logs?view=lineage",
        ["ingest", "standardise", "call_logs", "rejected_records", "publication"],
        tmp_path / "asset_graph.png",
    )

    assert "Lineage" in text
    assert (tmp_path / "asset_graph.png").stat().st_size > 10_000


def test_the_global_lineage_lists_every_asset_group(base_url, browser, tmp_path):
    text = show(
        browser,
        f"{base_url}/asset-groups",
        ["Global asset lineage", "ingest", "standardise", "curated"],
        tmp_path / "global_lineage.png",
    )

    assert "Materialize all" in text


def test_the_failed_check_page_names_the_check_the_rule_and_the_hint(base_url, browser, tmp_path):
    text = show(
        browser,
        f"{base_url}/assets/staging/call_logs?view=checks&checkDetail=critical_expectations",
        ["critical_expectations", "Failed", "This is a blocking asset check."],
        tmp_path / "failed_check.png",
    )

    assert "warning_expectations" in text
    assert "expect_column_values_to_be_unique(call_id)" in text
    assert "a dialer file was probably delivered twice" in text
    assert "Severity ERROR" in text and "docs/runbooks/critical_expectations.md" in text
    assert (tmp_path / "failed_check.png").stat().st_size > 10_000


def test_the_duplicate_rows_sample_shows_the_copy_not_the_original(base_url, browser, tmp_path):
    show(
        browser,
        f"{base_url}/assets/staging/call_logs?view=checks&checkDetail=critical_expectations",
        ["critical_expectations", "sample_keys"],
        tmp_path / "failed_check.png",
    )
    click_when_free(
        browser,
        "//tr[td[normalize-space()='sample_keys']]//*[normalize-space()='[Show JSON]' and not(*)]",
    )
    WebDriverWait(browser, PAGE_SECONDS).until(
        lambda _: "dialer_calls_export_resent.csv" in browser.find_element(By.TAG_NAME, "body").text
    )
    browser.save_screenshot(str(tmp_path / "sample_keys.png"))

    shown = browser.find_element(By.TAG_NAME, "body").text
    assert '"dialer_calls_export.csv"' not in shown

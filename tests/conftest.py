"""Fixtures shared by the whole suite: a throw-away PostgreSQL database, headless Chromium,
generated CRMs and one run of the batch job on the multiprocess executor.

PostgreSQL and Chromium are required: when the server named by `HYGIENE_TEST_PG_URL` cannot be
reached, or Chromium is not installed, the tests that need them fail with the reason and the
script that provides them (`scripts/install-test-prerequisites`); they are never skipped."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

if TYPE_CHECKING:
    from batch_runs import PublishedRun
    from multiprocess_runs import MultiprocessRun

PG_ADMIN_URL = os.environ.get(
    "HYGIENE_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
AS_OF = datetime(2026, 6, 30, 12, 0, 0)
# A suite started in the background inherits SIGINT ignored, and Dagster gives SIGTERM the
# disposition of SIGINT (`setup_interrupt_handlers`): every subprocess would then ignore SIGTERM,
# and the `tail` processes of Dagster's compute logs would outlive their clean-up, holding the
# output pipes of the commands the tests run. Interrupts act as in a foreground run instead.
signal.signal(signal.SIGINT, signal.default_int_handler)

PREREQUISITES_SCRIPT = "scripts/install-test-prerequisites"
"""Installs or starts what the tests need besides Python packages (named in failures)."""
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The PostgreSQL server the suite must reach; fails the test when it is down."""
    try:
        with sa.create_engine(PG_ADMIN_URL).connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is required at {PG_ADMIN_URL}: {str(error.orig).strip()}. "
            f"Run {PREREQUISITES_SCRIPT} to start (or install) it.",
            pytrace=False,
        )
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    """Debian's headless Chromium and its driver, for the UI test; fails the test when missing."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.fail(
            f"The browser test needs headless Chromium; missing {', '.join(missing)}. "
            f"Run {PREREQUISITES_SCRIPT} (it installs Debian's chromium and chromium-driver).",
            pytrace=False,
        )
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture
def pg_database_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"hygiene_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def generated_crm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic CRM (landing + ground truth), generated once per test session."""
    from hygiene_pipeline.synthetic import generate

    out = tmp_path_factory.mktemp("generated_crm")
    generate(out, contacts=2_000, seed=11, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def generated_crm_run(
    generated_crm: Path, tmp_path_factory: pytest.TempPathFactory
) -> PublishedRun:
    """The generated CRM's batch published into DuckDB once, in-process: tests read it or go on
    from a copy of its warehouse."""
    from batch_runs import PublishedRun, materialize_batch

    from hygiene_pipeline.warehouse.engine import default_duckdb_url

    home = tmp_path_factory.mktemp("generated_crm_run")
    as_of = AS_OF.replace(tzinfo=UTC).isoformat()
    result = materialize_batch(generated_crm / "landing", default_duckdb_url(home), home, as_of)
    return PublishedRun(result, home)


@pytest.fixture(scope="session")
def small_worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The landing folders of two different small generated CRMs (300 contacts, seeds 3 and 5)."""
    from hygiene_pipeline.synthetic import generate

    root = tmp_path_factory.mktemp("small_worlds")
    for seed in (3, 5):
        generate(root / f"world_{seed}", contacts=300, seed=seed, as_of=AS_OF)
    return root / "world_3" / "landing", root / "world_5" / "landing"


@pytest.fixture(scope="session")
def multiprocess_run(
    small_worlds: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, pg_admin_url: str
) -> Iterator[MultiprocessRun]:
    """The first small world's batch on a PostgreSQL warehouse, where the code location runs it
    on the multiprocess executor, run once into a database of its own."""
    from multiprocess_runs import run_on_multiprocess_executor

    name = f"hygiene_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    root = tmp_path_factory.mktemp("multiprocess")
    try:
        with run_on_multiprocess_executor(small_worlds[0], root, AS_OF.isoformat(), url) as run:
            yield run
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

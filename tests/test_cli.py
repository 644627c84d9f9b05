"""The `hygiene` command: exit codes and closing summary; runs on the embedded warehouse with
every step in the command's own process, two at once from one folder without seeing each other's
data, and nothing published when a blocking check fails."""

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from dagster import DagsterEventType, DagsterInstance, materialize

from hygiene_pipeline.cli import main
from hygiene_pipeline.definitions import build_definitions
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.run_scope import runs_with_schemas

AS_OF = datetime(2026, 6, 30, 12, 0, 0)  # the generated CRM's reference time (tests/conftest.py)


def unwrapped(text: str) -> str:
    """The console's output with its line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder with its own Dagster instance."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("HYGIENE_WAREHOUSE_URL", raising=False)
    return tmp_path


def test_the_command_imports_no_dagster_until_it_runs_the_batch() -> None:
    """Worker processes a run spawns re-import the command's module: Dagster there would cost
    each of them seconds and a hundred MB."""
    probe = (
        "import sys, hygiene_pipeline.cli; print(sorted({'dagster', 'pandas'} & set(sys.modules)))"
    )
    imported = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert imported == "[]"


def test_a_missing_landing_folder_exits_2(workdir: Path, capsys) -> None:
    assert main(["run", "--landing", str(workdir / "nowhere")]) == 2
    assert "does not exist" in unwrapped(capsys.readouterr().err)


def test_a_failed_run_exits_1_naming_the_step_and_hiding_the_password(
    workdir: Path, pg_database_url: str, capsys
) -> None:
    contacts = workdir / "landing" / "crm_contacts"
    contacts.mkdir(parents=True)
    (contacts / "crm.csv").write_text("contact_id,email\n1,a@example.com\n")
    url = sa.make_url(pg_database_url).set(password="s3cret").render_as_string(hide_password=False)

    code = main(["run", "--landing", str(workdir / "landing"), "--warehouse", url])

    err = unwrapped(capsys.readouterr().err)
    assert code == 1
    assert "load_call_logs" in err and "call_logs is missing" in err
    assert "s3cret" not in err and ":***@" in err
    assert "run failed" in err


def hygiene_run(landing: Path, warehouse: Path, cwd: Path) -> subprocess.Popen:
    """`hygiene run` as users start it, in `cwd` with the default instance folder."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "HYGIENE_WAREHOUSE_URL")
    }
    command = [str(Path(sys.executable).with_name("hygiene")), "run", "--landing", str(landing)]
    command += ["--warehouse", f"duckdb:///{warehouse}", "--as-of", AS_OF.isoformat()]
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def alone(landing: Path, warehouse: Path, home: Path) -> Warehouse:
    """The same batch materialised on its own, in-process."""
    url = f"duckdb:///{warehouse}"
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(landing)),
        warehouse=WarehouseResource(url=url),
        clock=BatchClockResource(as_of=AS_OF.isoformat()),
        home=home,
    )
    result = materialize([*defs.assets, *defs.asset_checks], resources=defs.resources)
    assert result.success
    return Warehouse(url)


def people_and_quarantine(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    """What a mixed-up run would get wrong: people, quarantined rows, refused files."""
    frames = {
        "golden": warehouse.read_table("curated", "contacts_golden"),
        "rejected_records": warehouse.read_table("curated", "rejected_records"),
        "rejected_files": warehouse.read_table("curated", "rejected_files").drop(
            columns=["run_id", "detected_at"]
        ),
    }
    return {
        name: frame.sort_values(list(frame.columns)).reset_index(drop=True)
        for name, frame in frames.items()
    }


@pytest.mark.slow
def test_two_runs_at_once_from_one_folder_equal_the_same_runs_alone(
    small_worlds: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, warehouses = tmp_path / "work", tmp_path / "warehouses"
    folder.mkdir()
    warehouses.mkdir()
    runs = [
        hygiene_run(landing, warehouses / f"{i}.duckdb", folder)
        for i, landing in enumerate(small_worlds)
    ]
    outputs = [run.communicate(timeout=1200)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert all("published" in unwrapped(output) for output in outputs)
    runs_alone = [
        alone(landing, tmp_path / f"alone_{i}.duckdb", tmp_path)
        for i, landing in enumerate(small_worlds)
    ]
    for i, warehouse_alone in enumerate(runs_alone):
        expected = people_and_quarantine(warehouse_alone)
        together = people_and_quarantine(Warehouse(f"duckdb:///{warehouses / f'{i}.duckdb'}"))
        for name, frame in expected.items():
            pd.testing.assert_frame_equal(together[name], frame, obj=f"run {i}: {name}")

    files = [p.relative_to(folder) for p in folder.rglob("*") if p.is_file()]
    assert all(p.parts[:2] == (".hygiene", "dagster_home") for p in files), files
    # the instance's records, the steps' compute logs (console output) and the digests of the
    # suite configurations GX accepted: no data
    suffixes = {".yaml", ".db", ".lock", ".out", ".err", ".complete", ".valid"}
    assert {p.suffix for p in files} <= suffixes
    assert not [p for p in files if "feed_batches" in p.parts]

    with DagsterInstance.from_config(str(folder / ".hygiene" / "dagster_home")) as instance:
        for record in instance.get_run_records():
            starts = instance.all_logs(
                record.dagster_run.run_id, of_type=DagsterEventType.STEP_START
            )
            pids = {event.dagster_event.pid for event in starts}
            assert len(starts) > 30
            assert len(pids) == 1 and pids <= {run.pid for run in runs}  # the command's own


def test_a_failed_blocking_check_says_nothing_was_published(
    workdir: Path, generated_crm: Path
) -> None:
    landing = workdir / "landing"
    shutil.copytree(generated_crm / "landing", landing)
    calls = landing / "call_logs" / "dialer_calls_export.csv"
    shutil.copy(calls, calls.with_name("dialer_calls_export_resent.csv"))

    run = hygiene_run(landing, workdir / "warehouse.duckdb", workdir)
    output = unwrapped(run.communicate(timeout=1200)[0])

    assert run.returncode == 1
    assert "staging/call_logs:critical_expectations" in output
    assert "nothing published: staging and curated are as they were" in output
    warehouse = Warehouse(f"duckdb:///{workdir / 'warehouse.duckdb'}")
    assert not warehouse.table_exists("staging", "call_logs")
    assert len(runs_with_schemas(warehouse)) == 1

"""The wheel is the product: it carries every module, suite, SQL model and mapping, and once
installed into a fresh virtualenv it runs `hygiene demo` from a folder that is not the checkout.

The wheel is built without build isolation (setuptools comes from the test extras, so nothing is
downloaded) from a copy of the sources, so stale `build/` folders of the checkout cannot leak in.
The fresh virtualenv holds only the wheel; the third-party packages come from this test
environment's site-packages through a `.pth` line, which adds their folder to `sys.path` without
running the editable install's hook there. The demo runs isolated (`python -I`, no PYTHONPATH, no
DAGSTER_HOME, cwd elsewhere), and the test checks the package was imported from the wheel."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "hygiene_pipeline", "expectations", "dbt_like_sql")
SHIPPED = {
    "hygiene_pipeline": ("*.py", "*.yaml"),
    "expectations": ("*.json", "*.txt", "*.py"),
    "dbt_like_sql": ("*.sql", "*.yml", "*.py"),
}
"""Source folder -> the files of it the wheel must carry (under `hygiene_pipeline/`)."""
DEMO_CONTACTS = "300"
COMMAND_SECONDS = 600


def run(
    *command: str | Path, timeout: float = COMMAND_SECONDS, **kwargs
) -> subprocess.CompletedProcess[str]:
    """Run a command in a session of its own; on failure, fail the test with its output (the last
    lines). Output goes to files, not pipes, and whatever the command left running is killed
    with its session: a grandchild that outlives it (Dagster's compute-log `tail`s) can neither
    hold the test up nor outlive it. A Python command that outlives `timeout` is aborted with
    its threads' stacks dumped (`-X faulthandler`), so a hang shows where it hangs."""
    command = tuple(str(part) for part in command)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            command, stdout=out, stderr=err, start_new_session=True, **kwargs
        )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            process.wait()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode == -signal.SIGABRT:
        pytest.fail(
            f"{' '.join(command)} still running after {timeout:.0f} s:\n"
            f"{stdout[-2000:]}\n{stderr[-8000:]}",
            pytrace=False,
        )
    if process.returncode != 0:
        output = (stdout + stderr)[-4000:]
        pytest.fail(f"{' '.join(command)} exited {process.returncode}:\n{output}", pytrace=False)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from a clean copy of the sources."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            shutil.copy(origin, source / name)
    out = tmp_path_factory.mktemp("dist")
    pip_wheel = (sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q")
    run(*pip_wheel, "-w", out, source)
    [built] = out.glob("hygiene_pipeline-*.whl")
    return built


def expected_members() -> set[str]:
    """Every file of the checkout the wheel must hold, as wheel member names."""
    members = set()
    for folder, patterns in SHIPPED.items():
        root = REPO / folder
        for pattern in patterns:
            for path in root.rglob(pattern):
                if "__pycache__" in path.parts:
                    continue
                relative = path.relative_to(root).as_posix()
                prefix = (
                    "hygiene_pipeline"
                    if folder == "hygiene_pipeline"
                    else f"hygiene_pipeline/{folder}"
                )
                members.add(f"{prefix}/{relative}")
    return members


def test_the_wheel_carries_every_module_suite_sql_model_and_mapping(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    missing = sorted(expected_members() - names)

    assert not missing, f"the wheel lacks {missing} (list new packages in pyproject.toml)"
    assert "hygiene_pipeline/expectations/staging.call_logs.json" in names
    assert "hygiene_pipeline/dbt_like_sql/schema.yml" in names


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with only the wheel installed; returns its python."""
    venv = tmp_path_factory.mktemp("wheel_venv") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    purelib = run(python, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    dependencies = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    Path(purelib.stdout.strip(), "test_dependencies.pth").write_text("\n".join(dependencies) + "\n")
    return python


def isolated_env(venv_bin: Path) -> dict[str, str]:
    """An environment that points at nothing of the checkout or of the developer's setup."""
    keep = {"HOME", "LANG", "LC_ALL", "TMPDIR", "TZ"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env["PATH"] = f"{venv_bin}{os.pathsep}/usr/bin{os.pathsep}/bin"
    return env


def test_the_installed_wheel_runs_the_demo_from_another_folder(
    installed: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = isolated_env(installed.parent)
    where = run(
        installed,
        "-I",
        "-c",
        "import hygiene_pipeline; print(hygiene_pipeline.__file__)",
        cwd=elsewhere,
        env=env,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.parents[1])

    demo = run(
        installed,
        "-I",
        "-X",
        "faulthandler",
        installed.parent / "hygiene",
        "demo",
        "--contacts",
        DEMO_CONTACTS,
        cwd=elsewhere,
        env=env,
    )

    assert "run succeeded" in demo.stdout + demo.stderr
    warehouse = elsewhere / ".hygiene" / "warehouse.duckdb"
    engine = sa.create_engine(f"duckdb:///{warehouse}")
    try:
        with engine.connect() as conn:
            people = conn.exec_driver_sql("SELECT count(*) FROM curated.contacts_golden").scalar()
            checks = conn.exec_driver_sql("SELECT count(*) FROM curated.dq_check_results").scalar()
    finally:
        engine.dispose()
    assert people > 0
    assert checks > 0

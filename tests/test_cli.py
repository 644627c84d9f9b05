"""The `hygiene` command's exit codes and closing summary."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from hygiene_pipeline.cli import main


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

"""The scoring workspace: where it may spill, and that it leaves nothing there."""

from pathlib import Path

import pandas as pd

from hygiene_pipeline.scoring.workspace import Workspace

AS_OF = pd.Timestamp("2026-06-30T12:00:00", tz="UTC")


def _setting(ws: Workspace, name: str) -> str:
    return ws.con.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_a_workspace_spills_into_a_folder_of_its_own_and_removes_it(tmp_path: Path) -> None:
    spill = tmp_path / "warehouse.duckdb.tmp"
    ws = Workspace(AS_OF, spill)
    [folder] = list(spill.iterdir())
    assert _setting(ws, "temp_directory") == str(folder)
    assert _setting(ws, "memory_limit") == "1.8 GiB"  # MEMORY_LIMIT, 2 GB
    ws.close()
    assert list(tmp_path.iterdir()) == []


def test_without_a_spill_folder_duckdb_keeps_its_defaults() -> None:
    ws = Workspace(AS_OF)
    assert _setting(ws, "memory_limit") != "1.8 GiB"
    ws.close()

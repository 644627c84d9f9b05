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


def test_results_of_several_pipelines_are_stored_before_they_are_read() -> None:
    """A union under a window, as `record_islands` fetches, comes back whole and in order, with
    `$as_of` bound, and leaves no table behind (results are stored, never streamed)."""
    ws = Workspace(AS_OF)
    ws.create("numbers", "SELECT range AS n FROM range(100000)")
    query = (
        "WITH both_halves AS (SELECT n FROM numbers WHERE n % 2 = 0 UNION "
        "SELECT n FROM numbers WHERE n % 2 = 1) "
        "SELECT n, dense_rank() OVER (ORDER BY n) - 1 AS rank, $as_of AS as_of "
        "FROM both_halves ORDER BY n"
    )
    arrays = ws.arrays(query)
    frame = ws.frame(query)
    tables = ws.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    ws.close()
    assert (arrays["rank"] == arrays["n"]).all() and len(arrays["n"]) == 100_000
    assert frame["n"].tolist() == list(range(100_000))
    assert frame["as_of"].iloc[0] == AS_OF
    assert tables == [("numbers",)]


def test_a_renamed_table_keeps_its_rows_and_keep_drops_every_other_table() -> None:
    ws = Workspace(AS_OF)
    for name in ("records", "calls", "people"):
        ws.create(name, "SELECT range AS n FROM range(10)")
    ws.rename("records", "members")
    ws.keep("members", "people")
    tables = sorted(
        row[0] for row in ws.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    )
    members = ws.count("members")
    ws.close()
    assert tables == ["members", "people"]
    assert members == 10

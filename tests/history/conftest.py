"""The first hand-written batch (`batches.FIRST`) published into DuckDB once per session: the
tests that go on from it (more batches, a planted history row) start from copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from batches import AS_OF, FIRST, run_batch

from hygiene_pipeline.warehouse.engine import default_duckdb_url


@pytest.fixture(scope="session")
def after_first_batch(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], str]:
    """Copies the warehouse of the published first batch into a folder; returns its URL."""
    root = tmp_path_factory.mktemp("first_batch")
    url = default_duckdb_url(root)
    result = run_batch(root / "first", FIRST, AS_OF["first"], url, root / "home")
    assert result.success

    def copy_into(folder: Path) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "warehouse.duckdb", folder / "warehouse.duckdb")
        return default_duckdb_url(folder)

    return copy_into

"""The whole batch in-process: every asset and check of the code location on one landing folder,
on an ephemeral instance, and a published run that tests going on from it copy."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

from dagster import DagsterInstance, Definitions, ExecuteInProcessResult, materialize

from hygiene_pipeline.definitions import build_definitions
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource
from hygiene_pipeline.warehouse.engine import default_duckdb_url


def materialize_batch(landing: Path, url: str, home: Path, as_of: str) -> ExecuteInProcessResult:
    """Every asset and check of the code location, on an ephemeral instance."""
    return materialize_all(
        build_definitions(
            landing=LandingResource(landing_dir=str(landing)),
            warehouse=WarehouseResource(url=url),
            clock=BatchClockResource(as_of=as_of),
            home=home,
        )
    )


def materialize_all(defs: Definitions) -> ExecuteInProcessResult:
    """Every asset and check of `defs`, on an ephemeral instance."""
    return materialize(
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


class PublishedRun(NamedTuple):
    """A run into the DuckDB warehouse of `home` (which holds nothing else)."""

    result: ExecuteInProcessResult
    home: Path

    def copy_into(self, folder: Path) -> str:
        """The URL of a copy of the run's warehouse in `folder`, for a test to go on from."""
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.home / "warehouse.duckdb", folder / "warehouse.duckdb")
        return default_duckdb_url(folder)

"""The code location: every asset, check, job, schedule and sensor, with their resources.

`dagster dev` (through `workspace.yaml`) loads `defs`; the `hygiene` CLI builds the same
definitions with its own landing folder, warehouse URL and reference time."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetSelection, Definitions, FilesystemIOManager, define_asset_job

from hygiene_pipeline.defs.feed_assets import feed_assets
from hygiene_pipeline.defs.quarantine_assets import rejected_records
from hygiene_pipeline.defs.resources import (
    HOME_DIR,
    BatchClockResource,
    LandingResource,
    WarehouseResource,
    landing_from_env,
    warehouse_from_env,
)

BATCH_JOB_NAME = "hygiene_batch"


def build_definitions(
    landing: LandingResource | None = None,
    warehouse: WarehouseResource | None = None,
    clock: BatchClockResource | None = None,
    home: Path = HOME_DIR,
) -> Definitions:
    """All definitions, bound to the given resources (environment defaults where omitted)."""
    batch_job = define_asset_job(
        BATCH_JOB_NAME,
        selection=AssetSelection.all(),
        description="The whole batch: ingest, standardise, link, score, publish and check.",
    )
    return Definitions(
        assets=[*feed_assets, rejected_records],
        jobs=[batch_job],
        resources={
            "landing": landing or landing_from_env(),
            "warehouse": warehouse or warehouse_from_env(home),
            "clock": clock or BatchClockResource(),
            "io_manager": FilesystemIOManager(base_dir=str((home / "storage").resolve())),
        },
    )


defs = build_definitions()

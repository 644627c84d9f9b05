"""Inputs that read only the columns their asset uses (`warehouse_io.projected_input`) publish
exactly what whole tables do: a column an asset reads but its input does not name would be
missing, or silently taken as absent, and change what the batch publishes."""

from pathlib import Path

import duckdb
from batch_runs import PublishedRun, published_columns, published_differences
from dagster import DagsterInstance, InputContext, materialize

from hygiene_pipeline.definitions import build_definitions
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource
from hygiene_pipeline.defs.warehouse_io import COLUMNS_METADATA, WarehouseIOManager
from hygiene_pipeline.warehouse.engine import default_duckdb_url

AS_OF = "2026-06-30T12:00:00+00:00"  # the generated CRM's reference time (tests/conftest.py)


class WholeTableIOManager(WarehouseIOManager):
    """Reads every column of every input, whatever the input declares."""

    def columns_wanted(self, context: InputContext) -> list[str] | None:
        return None


def test_the_batch_publishes_the_same_with_whole_tables(
    generated_crm: Path, generated_crm_run: PublishedRun, tmp_path: Path
) -> None:
    url = default_duckdb_url(tmp_path)
    warehouse = WarehouseResource(url=url)
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(generated_crm / "landing")),
        warehouse=warehouse,
        clock=BatchClockResource(as_of=AS_OF),
        home=tmp_path,
    )
    projected = [
        name
        for asset in defs.assets
        for name, spec in asset.op.ins.items()
        if COLUMNS_METADATA in (spec.metadata or {})
    ]
    assert len(projected) >= 10, projected
    result = materialize(
        [*defs.assets, *defs.asset_checks],
        resources={**defs.resources, "io_manager": WholeTableIOManager(warehouse=warehouse)},
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success

    published = generated_crm_run.home / "warehouse.duckdb"
    assert published_differences(published, tmp_path / "warehouse.duckdb") == {}
    with duckdb.connect(str(published), read_only=True) as connection:
        tables = published_columns(connection, "warehouse")
    assert {"staging.crm_contacts", "curated.contacts_golden", "curated.dial_list"} <= set(tables)

"""Runs of a few assets the way the batch runs them: fixture tables written into the run's own
schemas, the assets under test handing each other tables through the warehouse IO manager, and
the publication that swaps the run in once every check has passed.

(No `from __future__ import annotations`: Dagster reads the resource annotation of the fixture
asset.)"""

from collections.abc import Iterator, Sequence

import pandas as pd
from dagster import (
    AssetChecksDefinition,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    DagsterInstance,
    ExecuteInProcessResult,
    MaterializeResult,
    materialize,
    multi_asset,
)

from hygiene_pipeline.defs.publish_assets import build_publish_asset
from hygiene_pipeline.defs.resources import BiAccessResource, WarehouseResource
from hygiene_pipeline.defs.warehouse_io import WarehouseIOManager
from hygiene_pipeline.package_files import sql_models_dir


def run_tables(frames: dict[tuple[str, str], pd.DataFrame]) -> AssetsDefinition:
    """An asset per `(schema, table)` that writes its frame into the run's own schema."""
    keys = [AssetKey(list(key)) for key in frames]

    @multi_asset(specs=[AssetSpec(key) for key in keys], name="write_run_tables")
    def write(warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
        store = warehouse.get_warehouse()
        for key in keys:
            schema, table = key.path
            store.replace_table(store.schema_for(schema), table, frames[(schema, table)])
            yield MaterializeResult(asset_key=key)

    return write


def materialize_and_publish(
    url: str,
    assets: Sequence[AssetsDefinition],
    checks: Sequence[AssetChecksDefinition] = (),
    **resources: object,
) -> ExecuteInProcessResult:
    """One run of `assets` and `checks` into the warehouse at `url`, ending in the publication
    (skipped when a blocking check fails); `resources` beside the warehouse, IO manager and BI."""
    warehouse = WarehouseResource(url=url)
    upstream = [key for asset in assets for key in asset.keys]
    return materialize(
        [*assets, *checks, build_publish_asset(upstream, sql_models_dir())],
        resources={
            "warehouse": warehouse,
            "io_manager": WarehouseIOManager(warehouse=warehouse),
            "bi": BiAccessResource(),
            **resources,
        },
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )

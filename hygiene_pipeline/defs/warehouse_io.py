"""The IO manager between assets: every output is a table of the run's schemas in the warehouse.

An asset returns a DataFrame; it is stored as the table its key names, in the run's own schemas
(`WarehouseResource.get_warehouse()`): `staging/<t>` as `<run staging>.<t>`, `curated/<t>` as
`<run curated>.<t>`, any other key (`linkage/clusters`) in the run's work schema as
`<first>__<rest>` (`linkage__clusters`), which is never published. A downstream asset reads the
table back with the pipeline's dtypes. Publishing puts the run's staging and curated tables in
place of the published ones (`publish_run`), so no copy of the data exists outside the
warehouse. An asset that writes its table itself (SQL run in the warehouse) returns None; one
that equals another asset's table but for a few rows (`store_patched_copy`) is a copy of it made
in the warehouse, or a view of it when no row differs.

A named index (a frame indexed by record pair) is kept as columns prefixed `index__` and
restored on reading (on DuckDB a pair index from Arrow's dictionary encoding of its columns, its
levels in order of appearance rather than sorted).

An input declared with `projected_input` reads only the columns its asset uses (those of them the
table has, in the table's order): a standardised CRM table is wide (every source column travels
with it), and reading it whole into each of its nine consumers cost most of their time and
memory. An input declared with `deferred_input` is handed over unread (`StoredTable`), for an
asset that hands its tables to SQL one after another: it reads each (as Arrow, no Python object
per value) when it takes it, and holds none of them for the rest of the step.

After each read and write an embedded warehouse hands back the memory its cache kept
(`Warehouse.release_memory`, unless a step beside still has the file open): the step computes
in Python next, the database stays open.

(No `from __future__ import annotations`: Dagster reads the nested resource's annotation.)
"""

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from dagster import (
    AssetIn,
    AssetKey,
    ConfigurableIOManager,
    InputContext,
    OutputContext,
)

from hygiene_pipeline.defs.resources import WarehouseResource
from hygiene_pipeline.warehouse.frame_types import frame_from_arrow
from hygiene_pipeline.warehouse.stored_table import StoredTable

INDEX_PREFIX = "index__"
PUBLISHED_SCHEMAS = ("staging", "curated")
COLUMNS_METADATA = "hygiene/columns"
"""Input metadata naming the columns an asset reads of its upstream table."""
DEFERRED_METADATA = "hygiene/deferred"
"""Input metadata asking for the table unread (`StoredTable`) instead of a DataFrame."""


def projected_input(key: AssetKey, columns: Iterable[str]) -> AssetIn:
    """An input that reads only `columns` of the upstream table (see the module docstring)."""
    return AssetIn(key=key, metadata={COLUMNS_METADATA: list(dict.fromkeys(columns))})


def deferred_input(key: AssetKey, columns: Iterable[str] | None = None) -> AssetIn:
    """An input handed over unread, limited to `columns` when given (see the module
    docstring)."""
    metadata: dict[str, object] = {DEFERRED_METADATA: True}
    if columns is not None:
        metadata[COLUMNS_METADATA] = list(dict.fromkeys(columns))
    return AssetIn(key=key, metadata=metadata)


def table_of(key: AssetKey) -> tuple[str, str]:
    """The logical schema and table that hold the asset `key` in a run."""
    if key.path[0] in PUBLISHED_SCHEMAS and len(key.path) == 2:
        return key.path[0], key.path[1]
    return "work", "__".join(key.path)


def store_patched_copy(
    warehouse: WarehouseResource,
    key: AssetKey,
    source: AssetKey,
    patch: pd.DataFrame,
    by: str,
) -> None:
    """Store asset `key`'s table as a copy of asset `source`'s, made in the warehouse, whose
    rows with a `by` value in `patch` take the patch's values (the asset then returns None):
    an output that differs from its input in a few rows is not written from Python whole. With
    nothing to patch it is a view of the source: a copy of half a million golden identities took
    four seconds to write and its commit more."""
    store = warehouse.get_warehouse()
    schema, table = table_of(key)
    source_schema, source_table = table_of(source)
    physical, origin = store.schema_for(schema), (store.schema_for(source_schema), source_table)
    if patch.empty:
        store.replace_view(physical, table, f"SELECT * FROM {store.qualified(*origin)}")
    else:
        store.replace_table_with_patched_copy(physical, table, origin, patch, by)
    store.release_memory()


class WarehouseIOManager(ConfigurableIOManager):
    """Stores each asset's frame as a table of the run's schemas and reads it back."""

    warehouse: WarehouseResource

    def handle_output(self, context: OutputContext, obj: pd.DataFrame | None) -> None:
        """Replace the asset's table with the frame (None: the asset wrote it itself)."""
        if obj is None:
            return
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()} returned {type(obj).__name__}: assets hand "
                "each other DataFrames (tables of the warehouse)"
            )
        store = self.warehouse.get_warehouse()
        schema, table = table_of(context.asset_key)
        store.replace_table(store.schema_for(schema), table, _with_index_columns(obj))
        store.release_memory()

    def load_input(self, context: InputContext) -> pd.DataFrame | StoredTable:
        """The upstream asset's table of this run."""
        store = self.warehouse.get_warehouse()
        schema, table = table_of(context.asset_key)
        physical = store.schema_for(schema)
        wanted = self.columns_wanted(context)
        names = store.columns(physical, table)
        present = names if wanted is None else [c for c in names if c in set(wanted)]
        if (context.definition_metadata or {}).get(DEFERRED_METADATA):
            return StoredTable(store, physical, table, tuple(present))
        if store.dialect == "duckdb" and sum(c.startswith(INDEX_PREFIX) for c in present) > 1:
            loaded = _with_pair_index(store.read_arrow(physical, table, present))
        else:
            loaded = _with_index_restored(store.read_columns(physical, table, present))
        store.release_memory()
        return loaded

    def columns_wanted(self, context: InputContext) -> list[str] | None:
        """The columns the input declares (`projected_input`), None for the whole table."""
        return (context.definition_metadata or {}).get(COLUMNS_METADATA)


def _with_index_columns(frame: pd.DataFrame) -> pd.DataFrame:
    if all(name is None for name in frame.index.names):
        return frame
    names = [f"{INDEX_PREFIX}{name}" for name in frame.index.names]
    return frame.rename_axis(names).reset_index()


def _with_pair_index(table: pa.Table) -> pd.DataFrame:
    """The frame of a table with several index columns (a pair table), its MultiIndex built
    from Arrow's dictionary encoding of each column: pandas would hash every label of a
    million pairs as a Python string, twice."""
    index_columns = [c for c in table.column_names if c.startswith(INDEX_PREFIX)]
    levels, codes = [], []
    for name in index_columns:
        encoded = pc.dictionary_encode(table.column(name)).combine_chunks()
        level = frame_from_arrow(pa.table({name: encoded.dictionary})).iloc[:, 0]
        levels.append(pd.Index(level))
        codes.append(pc.fill_null(encoded.indices, -1).to_numpy())
    frame = frame_from_arrow(table.drop_columns(index_columns))
    names = [name.removeprefix(INDEX_PREFIX) for name in index_columns]
    frame.index = pd.MultiIndex(levels=levels, codes=codes, names=names, verify_integrity=False)
    return frame


def _with_index_restored(frame: pd.DataFrame) -> pd.DataFrame:
    columns = [c for c in frame.columns if c.startswith(INDEX_PREFIX)]
    if not columns:
        return frame
    restored = frame.set_index(columns)
    restored.index.names = [c.removeprefix(INDEX_PREFIX) for c in columns]
    return restored

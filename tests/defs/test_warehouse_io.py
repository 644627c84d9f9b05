"""Frames between assets: what an asset returns is what the next one reads, index included."""

import gc
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dagster import (
    AssetIn,
    AssetKey,
    asset,
    build_input_context,
    build_output_context,
    materialize,
)

from hygiene_pipeline.defs.resources import WarehouseResource
from hygiene_pipeline.defs.warehouse_io import WarehouseIOManager, deferred_input
from hygiene_pipeline.linkage.blocking import pair_positions
from hygiene_pipeline.warehouse.engine import default_duckdb_url
from hygiene_pipeline.warehouse.frame_types import DUCKDB_ROW_GROUP_ROWS
from hygiene_pipeline.warehouse.stored_table import StoredTable

KEY = AssetKey(["staging", "pairs"])


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def io_manager(request, tmp_path: Path) -> WarehouseIOManager:
    if request.param == "duckdb":
        url = default_duckdb_url(tmp_path)
    else:
        url = request.getfixturevalue("pg_database_url")
    resource = WarehouseResource(url=url)
    resource.get_warehouse().ensure_schemas()
    return WarehouseIOManager(warehouse=resource)


def test_a_pair_table_reads_back_with_its_pairs_and_their_positions(io_manager) -> None:
    keys = pd.Index(["crm:3", "crm:1", "hub:北京-7", "crm:2"], name="record_key")
    pairs = pd.MultiIndex.from_arrays(
        [keys[[0, 0, 2, 1]], keys[[1, 3, 3, 2]]], names=["record_key_left", "record_key_right"]
    )
    frame = pd.DataFrame(
        {
            "name": pd.array([1, 0, 2, None], dtype="Int64"),
            "match_probability": [0.9, 0.1, float("nan"), 0.5],
            "decision": ["match", "non_match", None, "review"],
        },
        index=pairs,
    )
    io_manager.handle_output(build_output_context(asset_key=KEY), frame)
    back = io_manager.load_input(build_input_context(asset_key=KEY))

    pd.testing.assert_frame_equal(back, frame)
    assert back.index.names == ["record_key_left", "record_key_right"]
    left, right = pair_positions(back.index, keys)
    assert left.tolist() == [0, 0, 2, 1] and right.tolist() == [1, 3, 3, 2]
    with pytest.raises(KeyError):
        pair_positions(back.index, keys[:3])


def test_a_pair_table_of_several_row_groups_reads_back_in_order(tmp_path: Path) -> None:
    """Read back in several Arrow batches, each pair keeps its row and its records' positions."""
    resource = WarehouseResource(url=default_duckdb_url(tmp_path))
    resource.get_warehouse().ensure_schemas()
    io_manager = WarehouseIOManager(warehouse=resource)
    rng = np.random.default_rng(7)
    keys = pd.Index([f"crm:{n}" for n in rng.permutation(50_000)], name="record_key")
    rows = 2 * DUCKDB_ROW_GROUP_ROWS + 5
    left, right = rng.integers(0, len(keys), rows), rng.integers(0, len(keys), rows)
    frame = pd.DataFrame(
        {"match_probability": rng.random(rows)},
        index=pd.MultiIndex.from_arrays(
            [keys[left], keys[right]], names=["record_key_left", "record_key_right"]
        ),
    )
    io_manager.handle_output(build_output_context(asset_key=KEY), frame)
    back = io_manager.load_input(build_input_context(asset_key=KEY))

    pd.testing.assert_frame_equal(back, frame)
    found_left, found_right = pair_positions(back.index, keys)
    assert (found_left == left).all() and (found_right == right).all()


def test_an_empty_pair_table_reads_back_empty_with_its_columns(io_manager) -> None:
    empty = pd.DataFrame(
        {"match_probability": pd.Series([], dtype="float64")},
        index=pd.MultiIndex.from_arrays([[], []], names=["record_key_left", "record_key_right"]),
    )
    io_manager.handle_output(build_output_context(asset_key=KEY), empty)
    back = io_manager.load_input(build_input_context(asset_key=KEY))
    assert back.empty and list(back.columns) == ["match_probability"]
    assert back.index.names == ["record_key_left", "record_key_right"]


def test_a_deferred_input_is_read_only_when_asked_and_only_its_columns(io_manager) -> None:
    frame = pd.DataFrame(
        {"a": ["x", None], "b": [1.5, 2.5], "c": pd.array([1, None], dtype="Int64"), "d": [1, 2]}
    )
    io_manager.handle_output(build_output_context(asset_key=KEY), frame)
    metadata = deferred_input(KEY, ["d", "c", "a", "absent"]).metadata
    stored = io_manager.load_input(build_input_context(asset_key=KEY, definition_metadata=metadata))

    assert isinstance(stored, StoredTable)
    assert stored.column_names == ("a", "c", "d")  # the table's order, those it has
    io_manager.handle_output(build_output_context(asset_key=KEY), frame.iloc[::-1])
    assert stored.arrow().column_names == ["a", "c", "d"]
    assert stored.arrow(["d", "b"]).column("d").to_pylist() == [2, 1]  # read now, not before
    pd.testing.assert_frame_equal(
        stored.frame(), frame.iloc[::-1][["a", "c", "d"]].reset_index(drop=True)
    )


class _Cycle:
    """An object that refers to itself: garbage only a cycle collection frees."""

    def __init__(self) -> None:
        self.itself = self


def test_a_step_reads_its_inputs_once_the_steps_before_left_no_garbage_cycle(tmp_path: Path):
    """A frame a finished step left in a reference cycle is freed before the next step reads,
    even with Python's own collections held off."""
    left: list[weakref.ref] = []

    @asset(key=AssetKey(["staging", "first"]))
    def first() -> pd.DataFrame:
        left.append(weakref.ref(_Cycle()))
        return pd.DataFrame({"a": [1]})

    @asset(
        key=AssetKey(["staging", "second"]), ins={"rows": AssetIn(AssetKey(["staging", "first"]))}
    )
    def second(rows: pd.DataFrame) -> pd.DataFrame:
        return rows.assign(cycle_alive=left[0]() is not None)

    resource = WarehouseResource(url=default_duckdb_url(tmp_path))
    resource.get_warehouse().ensure_schemas()
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        result = materialize(
            [first, second], resources={"io_manager": WarehouseIOManager(warehouse=resource)}
        )
    finally:
        gc.enable()

    assert result.output_for_node("staging__second")["cycle_alive"].tolist() == [False]
    assert gc.get_freeze_count() == frozen  # the process goes on as before the run


def test_what_outlives_a_step_is_frozen_out_of_later_collections(tmp_path: Path):
    """An object a step leaves alive (a cache, an imported library) is frozen before the next
    step reads, so no later collection walks it again; the run's end unfreezes it."""
    kept: list[_Cycle] = []

    @asset(key=AssetKey(["staging", "first"]))
    def first() -> pd.DataFrame:
        return pd.DataFrame({"a": [1]})

    @asset(
        key=AssetKey(["staging", "second"]), ins={"rows": AssetIn(AssetKey(["staging", "first"]))}
    )
    def second(rows: pd.DataFrame) -> pd.DataFrame:
        kept.append(_Cycle())
        return rows

    @asset(
        key=AssetKey(["staging", "third"]), ins={"rows": AssetIn(AssetKey(["staging", "second"]))}
    )
    def third(rows: pd.DataFrame) -> pd.DataFrame:
        walked = any(tracked is kept[0] for tracked in gc.get_objects())
        return rows.assign(walked=walked)

    resource = WarehouseResource(url=default_duckdb_url(tmp_path))
    resource.get_warehouse().ensure_schemas()
    frozen = gc.get_freeze_count()
    result = materialize(
        [first, second, third], resources={"io_manager": WarehouseIOManager(warehouse=resource)}
    )

    assert gc.is_tracked(kept[0])
    assert result.output_for_node("staging__third")["walked"].tolist() == [False]
    assert any(tracked is kept[0] for tracked in gc.get_objects())  # unfrozen again
    assert gc.get_freeze_count() == frozen

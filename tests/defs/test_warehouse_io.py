"""Frames between assets: what an asset returns is what the next one reads, index included."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dagster import (
    AssetKey,
    build_input_context,
    build_output_context,
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

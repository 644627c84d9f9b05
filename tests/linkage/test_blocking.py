"""Blocking: candidate pairs per key, capped blocks, variants and the sorted neighbourhood."""

from __future__ import annotations

import numpy as np
import pandas as pd
import recordlinkage as rl

from hygiene_pipeline.linkage import BlockingKey, Comparison, LinkageSpec, candidate_pairs
from hygiene_pipeline.linkage.blocking import BlockingIndex, KeyCodes, window_pairs
from hygiene_pipeline.linkage.records import prepare_records


def _spec(*keys: BlockingKey) -> LinkageSpec:
    return LinkageSpec(comparisons=(Comparison("name", "name"),), blocking=keys)


def _pair_set(pairs: pd.MultiIndex) -> set[frozenset]:
    return {frozenset(p) for p in pairs.tolist()}


def test_block_pairs_equal_recordlinkage_block_index() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"name": rng.choice(["ann", "bob", "cy", None], 300), "city": rng.choice(["x", "y"], 300)},
        index=pd.Index([f"r{i}" for i in range(300)], name="record_key"),
    )
    spec = _spec(BlockingKey("name_city", ("name", "city"), max_block_size=1000))
    pairs, stats = candidate_pairs(frame, spec)
    expected = rl.index.Block(["name", "city"]).index(frame.dropna(subset=["name"]))
    assert _pair_set(pairs) == _pair_set(expected)
    assert stats["pairs_by_blocking_key"]["name_city"] == len(expected)
    assert pairs.names == ["record_key_left", "record_key_right"]


def test_oversize_block_is_paired_within_a_window_only() -> None:
    frame = pd.DataFrame(
        {
            "phone": ["+15550100"] * 200 + ["+15550199"] * 2,
            "name": [f"n{i:03d}" for i in range(202)],
        }
    )
    key = BlockingKey("phone", ("phone",), max_block_size=20, window=3, sort_by=("name",))
    pairs, stats = candidate_pairs(frame, _spec(key))
    # 200 records sorted by name, each paired with its next two: 199 + 198; plus the small block.
    assert len(pairs) == 199 + 198 + 1
    assert stats["oversize_blocks_by_key"]["phone"] == 1
    skipped = BlockingKey("phone", ("phone",), max_block_size=20, oversize="skip")
    assert len(candidate_pairs(frame, _spec(skipped))[0]) == 1


def test_variants_pair_a_phone_with_a_mobile_and_swapped_names() -> None:
    frame = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "phone": ["+1", None, "+2", None],
            "mobile": [None, "+1", None, None],
            "first": ["wei", "zhang", "li", "zhang"],
            "last": ["zhang", "wei", "na", "wei"],
        }
    )
    phone = BlockingKey("phone", ("phone",), variants=({"phone": "mobile"},))
    assert _pair_set(candidate_pairs(frame, _spec(phone))[0]) == {frozenset({0, 1})}
    names = BlockingKey(
        "names", ("soundex(last)", "initial(first)"), variants=({"first": "last", "last": "first"},)
    )
    assert _pair_set(candidate_pairs(frame, _spec(names))[0]) == {
        frozenset({0, 1}),
        frozenset({0, 3}),
        frozenset({1, 3}),
    }


def test_sorted_neighbourhood_pairs_neighbours_in_key_order() -> None:
    frame = pd.DataFrame({"name": ["carl", "anna", "bert", "anne", "dora"]})
    key = BlockingKey("names", ("name",), method="sorted_neighbourhood", window=2)
    pairs, _ = candidate_pairs(frame, _spec(key))
    # Sorted: anna, anne, bert, carl, dora -> each with the next one.
    assert _pair_set(pairs) == {
        frozenset({1, 3}),
        frozenset({3, 2}),
        frozenset({2, 0}),
        frozenset({0, 4}),
    }


def test_pairs_are_counted_per_key_and_by_first_key() -> None:
    frame = pd.DataFrame({"name": ["a", "a", "b", "b"], "city": ["x", "x", "x", "y"]})
    spec = _spec(BlockingKey("name", ("name",)), BlockingKey("city", ("city",)))
    pairs, stats = candidate_pairs(frame, spec)
    assert stats["pairs_by_blocking_key"] == {"name": 2, "city": 3}
    assert stats["new_pairs_by_blocking_key"] == {"name": 2, "city": 2}
    assert stats["candidate_pairs"] == len(pairs) == 4


def test_linking_keeps_only_pairs_across_the_two_frames() -> None:
    left = pd.DataFrame({"name": ["ann", "ann", "bob"]}, index=["a1", "a2", "a3"])
    right = pd.DataFrame({"name": ["ann", "cy"]}, index=["b1", "b2"])
    pairs, stats = candidate_pairs(left, _spec(BlockingKey("name", ("name",))), right)
    assert sorted(pairs.tolist()) == [("a1", "b1"), ("a2", "b1")]
    assert stats["records"] == 5


def test_blocking_index_plugs_into_recordlinkage_index() -> None:
    frame = prepare_records(pd.DataFrame({"name": ["ann", "ann", "bob", "bob"]}), _spec())
    indexer = rl.Index()
    indexer.add(BlockingIndex(BlockingKey("name", ("name",)), KeyCodes(frame)))
    assert len(indexer.index(frame)) == 2


def test_window_pairs_covers_full_blocks_and_windows() -> None:
    positions = np.arange(6, dtype=np.int32)
    blocks = np.array([0, 0, 0, 1, 1, 1])
    reach = np.array([2, 2, 2, 1, 1, 1])  # block 0 in full, block 1 by neighbours only
    left, right = window_pairs(positions, blocks, positions.astype(np.int64), reach)
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == {
        (0, 1), (1, 2), (0, 2), (3, 4), (4, 5)
    }  # fmt: skip


def test_key_codes_sort_like_the_text_and_leave_missing_and_empty_out() -> None:
    values = ["zoë", "Zoe", "", None, "äbc", "abc", "zoë", "中", " abc", np.nan]
    text = sorted({v for v in values if isinstance(v, str) and v})  # Python's code-point order
    for column in (pd.Series(values, dtype=object), pd.Series(values, dtype="string[pyarrow]")):
        codes = KeyCodes(pd.DataFrame({"name": column})).part(("name",), None)["name"]
        expected = [text.index(v) if isinstance(v, str) and v else -1 for v in values]
        assert codes.tolist() == expected


def test_key_codes_of_columns_that_are_not_only_text() -> None:
    frame = pd.DataFrame(
        {
            "nan": [np.nan, np.nan, np.nan],
            "na": pd.Series([None, None, None], dtype="string[pyarrow]"),
            "number": [30, 10, 20],
            "mixed": pd.Series([2, "a", None], dtype=object),
        }
    )
    codes = KeyCodes(frame)
    assert codes.part(("nan",), None)["nan"].tolist() == [-1, -1, -1]
    assert codes.part(("na",), None)["na"].tolist() == [-1, -1, -1]
    assert codes.part(("number",), None)["number"].tolist() == [2, 0, 1]
    assert codes.part(("mixed",), None)["mixed"].tolist() == [0, 1, -1]

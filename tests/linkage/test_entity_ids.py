"""Entity ids: deterministic, carried over to the cluster that keeps most records, never reused."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.linkage.entity_ids import assign_entity_ids, hashed_id


def _keys(*names: str) -> pd.Index:
    return pd.Index(list(names), name="record_key")


def test_first_run_ids_are_hashes_of_the_smallest_record_key() -> None:
    ids, stats = assign_entity_ids(_keys("b", "a", "c"), np.array([7, 7, 9]))
    assert ids.tolist() == [hashed_id("a"), hashed_id("a"), hashed_id("c")]
    assert stats == {"entities": 2, "ids_carried_over": 0, "ids_new": 2, "ids_retired": 0}


def test_ids_follow_the_majority_of_their_records() -> None:
    previous = pd.DataFrame(
        {"record_key": ["a", "b", "c", "e", "f"], "entity_id": ["E1", "E1", "E2", "E3", "E3"]}
    )
    # E1 splits evenly: the tie goes to the cluster whose smallest key sorts first ("a" + "c"),
    # where E1 and E2 tie in turn and the smaller id wins. E3 persists with a newcomer "g".
    ids, stats = assign_entity_ids(
        _keys("a", "b", "c", "e", "f", "g"), np.array([0, 1, 0, 2, 2, 2]), previous
    )
    assert ids.tolist() == ["E1", hashed_id("b"), "E1", "E3", "E3", "E3"]
    assert stats == {"entities": 3, "ids_carried_over": 2, "ids_new": 1, "ids_retired": 1}


def test_a_merge_keeps_the_id_of_the_larger_previous_entity() -> None:
    previous = pd.DataFrame({"record_key": ["a", "b", "c"], "entity_id": ["E1", "E2", "E2"]})
    ids, stats = assign_entity_ids(_keys("a", "b", "c"), np.array([0, 0, 0]), previous)
    assert set(ids) == {"E2"}
    assert stats["ids_retired"] == 1


def test_a_new_id_never_repeats_a_previous_one() -> None:
    # "a" was in entity E-a (hash of "a") and now sits alone; the old entity moved on with "b"
    # and "c", so "a"'s new cluster must not take the hash of "a" again.
    taken = hashed_id("a")
    previous = pd.DataFrame({"record_key": ["a", "b", "c"], "entity_id": [taken] * 3})
    ids, _ = assign_entity_ids(_keys("a", "b", "c"), np.array([0, 1, 1]), previous)
    assert ids[1] == ids[2] == taken
    assert ids[0] not in {taken} and ids[0] == hashed_id("a#1")


def test_previous_xref_may_carry_keys_in_its_index() -> None:
    previous = pd.DataFrame({"entity_id": ["E9"]}, index=pd.Index(["a"], name="record_key"))
    ids, _ = assign_entity_ids(_keys("a", "z"), np.array([0, 1]), previous)
    assert ids[0] == "E9"
    assert ids[1] == hashed_id("z")

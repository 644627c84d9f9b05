"""Stable entity ids: a cluster that persists between runs keeps its id.

With the previous run's cross-reference, each previous entity hands its id to the new cluster
that holds most of its records (ties: the cluster whose smallest record key sorts first); when
several previous entities land mostly in one cluster (a merge), the one with the most records
there keeps its id (ties: the smaller id) and the others are retired. Every other cluster gets a
new id, a short hash of its smallest record key, so a first run is deterministic too. A new id
never repeats an id of the previous run or of another cluster: on a collision the hash is taken
again with a counter.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from hygiene_pipeline.linkage.records import text_order

ID_PREFIX = "E"


def hashed_id(text: str) -> str:
    """`E` and 16 hex digits of a BLAKE2b hash of `text`."""
    return ID_PREFIX + hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _previous_ids(previous_xref: pd.DataFrame, key_name: str) -> pd.Series:
    """Previous entity id by record key, from a column named like the keys or the index."""
    if key_name in previous_xref.columns:
        return pd.Series(
            previous_xref["entity_id"].to_numpy(), index=previous_xref[key_name].to_numpy()
        )
    return previous_xref["entity_id"]


def assign_entity_ids(
    keys: pd.Index, clusters: np.ndarray, previous_xref: pd.DataFrame | None = None
) -> tuple[np.ndarray, dict[str, Any]]:
    """An entity id for every record (same id across a cluster), carrying previous ids over."""
    cluster_codes, _ = pd.factorize(clusters)
    order = text_order(keys)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    first_rank = np.full(cluster_codes.max() + 1 if len(keys) else 0, len(keys), dtype=np.int64)
    np.minimum.at(first_rank, cluster_codes, rank)
    smallest = keys.to_numpy(dtype=object)[order[first_rank]].astype(str)
    ids = np.full(len(smallest), None, dtype=object)
    taken: set[str] = set()
    if previous_xref is not None and len(previous_xref):
        previous = _previous_ids(previous_xref, str(keys.name))
        taken = set(previous.dropna().astype(str))
        old = previous.reindex(keys).to_numpy(dtype=object)
        seen = pd.notna(old)
        votes = pd.DataFrame({"old": old[seen].astype(str), "cluster": cluster_codes[seen]})
        votes = votes.groupby(["old", "cluster"]).size().rename("n").reset_index()
        votes["smallest"] = smallest[votes["cluster"].to_numpy()]
        best_for_old = votes.sort_values(
            ["old", "n", "smallest"], ascending=[True, False, True]
        ).drop_duplicates("old")
        winners = best_for_old.sort_values(
            ["cluster", "n", "old"], ascending=[True, False, True]
        ).drop_duplicates("cluster")
        ids[winners["cluster"].to_numpy()] = winners["old"].to_numpy()
    carried = int(pd.notna(ids).sum())
    taken |= {i for i in ids if i is not None}
    fresh = np.flatnonzero(pd.isna(ids))
    ids[fresh] = [hashed_id(key) for key in smallest[fresh]]
    clashes = pd.Series(ids[fresh]).duplicated().to_numpy() | np.isin(ids[fresh], list(taken))
    taken |= set(ids[fresh])
    for position in fresh[clashes]:
        attempt, candidate = 1, hashed_id(f"{smallest[position]}#1")
        while candidate in taken:
            attempt += 1
            candidate = hashed_id(f"{smallest[position]}#{attempt}")
        ids[position] = candidate
        taken.add(candidate)
    previous_count = 0 if previous_xref is None else previous_xref["entity_id"].nunique()
    stats = {
        "entities": len(ids),
        "ids_carried_over": carried,
        "ids_new": len(fresh),
        "ids_retired": int(previous_count - carried),
    }
    return ids[cluster_codes], stats

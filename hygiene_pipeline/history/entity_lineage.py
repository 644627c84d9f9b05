"""`curated.entity_lineage`: what happened to entity ids in a run, so an id that stops existing
always says where its records went.

From the records' previous and current entity ids (`curated.source_records` of the previous run
and this run's cross-reference):
- `created`: an id that did not exist before (its record keys; `other_entity_id` is empty);
- `merged`: an id that no longer exists, whose records now belong to an id that existed before
  (`entity_id` the old id, `other_entity_id` where its records went);
- `split`: records that left an id for another one that is new, or that left an id which lives
  on (`entity_id` the id they left, `other_entity_id` the one they joined); the reason names a
  cannot-link override when one separates the two;
- `retired`: an id that no longer exists and none of whose records belongs to anybody now.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LINEAGE_COLUMNS = [
    "run_id",
    "entity_id",
    "event",
    "other_entity_id",
    "record_keys",
    "reason",
]


def entity_lineage(
    previous_members: pd.DataFrame | None,
    current_members: pd.DataFrame,
    previous_ids: Iterable[str],
    current_ids: Iterable[str],
    run_id: str,
    cannot_links: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Identity events between two runs. Members are (`record_key`, `entity_id`) frames;
    `cannot_links` (`record_key_left`, `record_key_right`) are the cannot-link overrides."""
    before_ids, now_ids = set(previous_ids), set(current_ids)
    now = current_members[["record_key", "entity_id"]].dropna()
    before = (
        previous_members[["record_key", "entity_id"]].dropna()
        if previous_members is not None
        else now.iloc[:0]
    )
    moves = before.merge(now, on="record_key", suffixes=("_old", "_new"))
    moves = moves.loc[moves["entity_id_old"].ne(moves["entity_id_new"])]
    grouped = _record_keys_by(moves, ["entity_id_old", "entity_id_new"])
    old_gone = ~grouped["entity_id_old"].isin(now_ids)
    new_existed = grouped["entity_id_new"].isin(before_ids)
    merged = grouped.loc[old_gone & new_existed]
    split = grouped.loc[~(old_gone & new_existed)]
    created = _record_keys_by(now.loc[~now["entity_id"].isin(before_ids)], ["entity_id"])
    moved_out = set(grouped["entity_id_old"])
    retired = sorted(before_ids - now_ids - moved_out)
    separated = _separated_pairs(cannot_links)
    split_olds = before.loc[before["entity_id"].isin(set(split["entity_id_old"]))]
    members_before = split_olds.groupby("entity_id")["record_key"].agg(set).to_dict()
    # the few split groups' keys as sets, for the override test
    left = moves.loc[moves["entity_id_old"].isin(members_before)]
    keys_left = left.groupby(["entity_id_old", "entity_id_new"])["record_key"].agg(set).to_dict()
    events = [
        _events(created["entity_id"], "created", None, created["record_keys"], "new records"),
        _events(
            merged["entity_id_old"],
            "merged",
            merged["entity_id_new"],
            merged["record_keys"],
            "its records now link with another person's",
        ),
        _events(
            split["entity_id_old"],
            "split",
            split["entity_id_new"],
            split["record_keys"],
            [
                "cannot-link override"
                if _overridden(keys_left[old, new], members_before.get(old, set()), separated)
                else "records no longer link with the rest"
                for old, new in zip(split["entity_id_old"], split["entity_id_new"], strict=True)
            ],
        ),
        _events(
            pd.Series(retired, dtype=object),
            "retired",
            None,
            pd.Series([""] * len(retired), dtype=object),
            "no record of it is left in any batch",
        ),
    ]
    out = pd.concat([e for e in events if not e.empty] or [events[0]], ignore_index=True)
    out.insert(0, "run_id", run_id)
    out = out.astype(object).where(out.notna(), None)
    return out[LINEAGE_COLUMNS].sort_values(["event", "entity_id"], ignore_index=True)


def _record_keys_by(members: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per distinct `by`, in order, with its record keys in order, joined by commas
    (`record_keys`).

    Sorted once by Arrow, cut at the group boundaries and joined by Arrow: pandas groups into
    lists by a Python call per group, and sorts strings by factorizing them, which together
    took half a minute for the ids a million-record first run creates."""
    columns = pa.Table.from_pandas(members[[*by, "record_key"]], preserve_index=False)
    ordered = columns.take(
        pc.sort_indices(columns, [(name, "ascending") for name in [*by, "record_key"]])
    )
    groups = ordered.select(by).to_pandas()
    starts = np.flatnonzero(groups.ne(groups.shift()).any(axis=1))
    bounds = pa.array([*starts.tolist(), len(groups)], pa.int64())
    keys = ordered.column("record_key").combine_chunks().cast(pa.large_string())
    joined = pc.binary_join(
        pa.LargeListArray.from_arrays(bounds, keys), pa.scalar(",", pa.large_string())
    )
    grouped = groups.iloc[starts].reset_index(drop=True)
    grouped["record_keys"] = joined.to_numpy(zero_copy_only=False)
    return grouped


def _events(ids, event, others, record_keys, reason) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "entity_id": pd.Series(ids).astype(object).to_numpy(),
            "event": event,
            "other_entity_id": None if others is None else pd.Series(others).to_numpy(),
            "record_keys": pd.Series(record_keys).to_numpy(),
            "reason": reason,
        },
        columns=["entity_id", "event", "other_entity_id", "record_keys", "reason"],
    )
    return frame


def _separated_pairs(cannot_links: pd.DataFrame | None) -> set[frozenset[str]]:
    if cannot_links is None or cannot_links.empty:
        return set()
    return {
        frozenset((str(a), str(b)))
        for a, b in zip(
            cannot_links["record_key_left"], cannot_links["record_key_right"], strict=True
        )
    }


def _overridden(left: set[str], members: set[str], separated: set[frozenset[str]]) -> bool:
    """Whether a cannot-link pair separates a record that left from one that stayed."""
    stayed = members - left
    return any(len(pair & left) == 1 and len(pair & stayed) == 1 for pair in separated)

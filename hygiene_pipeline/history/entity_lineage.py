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

import pandas as pd

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
    grouped = (
        moves.sort_values("record_key")
        .groupby(["entity_id_old", "entity_id_new"])["record_key"]
        .agg(list)
        .reset_index()
    )
    old_gone = ~grouped["entity_id_old"].isin(now_ids)
    new_existed = grouped["entity_id_new"].isin(before_ids)
    merged = grouped.loc[old_gone & new_existed]
    split = grouped.loc[~(old_gone & new_existed)]
    created = now.loc[~now["entity_id"].isin(before_ids)].sort_values("record_key")
    created = created.groupby("entity_id")["record_key"].agg(list).reset_index()
    moved_out = set(grouped["entity_id_old"])
    retired = sorted(before_ids - now_ids - moved_out)
    separated = _separated_pairs(cannot_links)
    split_olds = before.loc[before["entity_id"].isin(set(split["entity_id_old"]))]
    members_before = split_olds.groupby("entity_id")["record_key"].agg(set).to_dict()
    events = [
        _events(created["entity_id"], "created", None, created["record_key"], "new records"),
        _events(
            merged["entity_id_old"],
            "merged",
            merged["entity_id_new"],
            merged["record_key"],
            "its records now link with another person's",
        ),
        _events(
            split["entity_id_old"],
            "split",
            split["entity_id_new"],
            split["record_key"],
            [
                "cannot-link override"
                if _overridden(set(keys), members_before.get(old, set()), separated)
                else "records no longer link with the rest"
                for old, keys in zip(split["entity_id_old"], split["record_key"], strict=True)
            ],
        ),
        _events(
            pd.Series(retired, dtype=object),
            "retired",
            None,
            pd.Series([[]] * len(retired), dtype=object),
            "no record of it is left in any batch",
        ),
    ]
    out = pd.concat([e for e in events if not e.empty] or [events[0]], ignore_index=True)
    out.insert(0, "run_id", run_id)
    out = out.astype(object).where(out.notna(), None)
    return out[LINEAGE_COLUMNS].sort_values(["event", "entity_id"], ignore_index=True)


def _events(ids, event, others, keys, reason) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "entity_id": pd.Series(ids).astype(object).to_numpy(),
            "event": event,
            "other_entity_id": None if others is None else pd.Series(others).to_numpy(),
            "record_keys": [",".join(k) for k in keys],
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

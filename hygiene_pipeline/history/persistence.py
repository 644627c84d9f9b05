"""People persist: a person whose records all left full exports of their sources stays in
`contacts_golden` with `in_source = false`, off every list.

Each source system's files are full snapshots or deltas (`file_modes`). A record missing from a
full snapshot of its source, or marked deleted in it, has left the source; a delta adds and
updates, it never removes. `curated.source_records` remembers every record ever seen, the person
it last belonged to and whether it is still in its source; it is how the next run knows where a
person's records went. A person of the previous run who is not in this run's golden records is
carried forward when none of their records is live in this batch: removed when every record left
its source, kept as they were when some record's source sent no full snapshot this time.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping

import pandas as pd

from hygiene_pipeline.vocabulary import REMOVED_FROM_SOURCE, SOURCE_MODES

SOURCE_RECORD_COLUMNS = [
    "record_key",
    "source_system",
    "contact_id",
    "entity_id",
    "in_source",
    "first_seen_at",
    "last_seen_at",
    "removed_from_source_at",
]
OFF_LIST_COLUMNS = ("on_dial_list", "is_callable", "is_emailable", "callable_now")
"""Flags a carried-forward person is never listed by."""
DNC_REQUEST_REASONS = ("do_not_call_flag", "do_not_call_request")
"""Suppression reasons that are a person's own do-not-call request: permanent."""


def file_modes(
    files: pd.DataFrame,
    source_modes: Mapping[str, str],
    delta_patterns: Iterable[str] = (),
    full_patterns: Iterable[str] = (),
    default_mode: str = "full",
) -> pd.Series:
    """`full` or `delta` per row of `files` (`source_system`, `source_file`): a file name that
    matches a delta pattern, else a full pattern, decides; else the source's configured mode;
    else `default_mode`. Patterns are case-insensitive globs on the file name."""
    for mode in [*source_modes.values(), default_mode]:
        if mode not in SOURCE_MODES:
            raise ValueError(f"Unknown source mode {mode!r}; use one of {', '.join(SOURCE_MODES)}")
    names = files["source_file"].astype(str).str.rsplit("/", n=1).str[-1].str.lower()
    configured = files["source_system"].map(dict(source_modes)).fillna(default_mode)

    def matches(patterns: Iterable[str]) -> pd.Series:
        globs = [p.lower() for p in patterns]
        return names.map(lambda name: any(fnmatch.fnmatch(name, g) for g in globs))

    modes = configured.where(~matches(full_patterns), "full")
    return modes.where(~matches(delta_patterns), "delta").rename("mode")


def full_snapshot_sources(files: pd.DataFrame, modes: pd.Series) -> set[str]:
    """Source systems that sent at least one full snapshot in this batch."""
    return set(files.loc[modes.eq("full").to_numpy(), "source_system"].dropna().astype(str))


def source_records(
    previous: pd.DataFrame | None,
    batch: pd.DataFrame,
    members: pd.DataFrame,
    full_sources: set[str],
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """The new `curated.source_records`: every record of this batch (`record_key`,
    `source_system`, `contact_id`, `is_deleted`) with the person it belongs to now (`members`:
    `record_key`, `entity_id`), and every earlier record, removed when its source sent a full
    snapshot without it."""
    seen = batch[["record_key", "source_system", "contact_id"]].drop_duplicates("record_key")
    deleted = batch.get("is_deleted", pd.Series(False, index=batch.index)).fillna(False)
    deleted_keys = set(batch.loc[deleted.astype(bool).to_numpy(), "record_key"])
    before = _previous_records(previous).set_index("record_key")
    now = seen.set_index("record_key")
    now["entity_id"] = members.set_index("record_key")["entity_id"].reindex(now.index)
    now["entity_id"] = now["entity_id"].fillna(before["entity_id"].reindex(now.index))
    live = ~now.index.isin(list(deleted_keys))
    now["in_source"] = live
    now["first_seen_at"] = before["first_seen_at"].reindex(now.index).fillna(as_of)
    now["last_seen_at"] = as_of
    was_removed = before["removed_from_source_at"].reindex(now.index)
    now["removed_from_source_at"] = was_removed.fillna(as_of).where(~live, pd.NaT)
    gone = before.loc[~before.index.isin(now.index)].copy()
    leaves = gone["source_system"].isin(list(full_sources)) & gone["in_source"].astype(bool)
    gone.loc[leaves, "in_source"] = False
    gone.loc[leaves, "removed_from_source_at"] = as_of
    out = pd.concat([_typed(now.reset_index()), _typed(gone.reset_index())], ignore_index=True)
    return out[SOURCE_RECORD_COLUMNS].sort_values("record_key", ignore_index=True)


def carried_people(
    previous_golden: pd.DataFrame | None,
    previous_records: pd.DataFrame | None,
    records: pd.DataFrame,
    current_ids: Iterable[str],
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Previous people absent from this run's golden records and without a live record in this
    batch, as they go on in `contacts_golden`: `in_source = false` and
    `removed_from_source_at` when all their records left their sources, unchanged otherwise;
    never on a list. Empty on a first run (nothing to remember yet)."""
    if previous_golden is None or previous_records is None or previous_golden.empty:
        columns = ["entity_id"] if previous_golden is None else list(previous_golden.columns)
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    gone = previous_golden.loc[~previous_golden["entity_id"].isin(set(current_ids))].copy()
    state = records.set_index("record_key")
    membership = previous_records[["record_key", "entity_id"]]
    membership = membership.loc[membership["entity_id"].isin(set(gone["entity_id"]))].copy()
    membership["in_source"] = membership["record_key"].map(state["in_source"]).fillna(False)
    membership["live_now"] = (
        membership["record_key"].map(state["last_seen_at"]).eq(as_of) & membership["in_source"]
    )
    membership["removed_at"] = membership["record_key"].map(state["removed_from_source_at"])
    per_person = membership.groupby("entity_id").agg(
        live_now=("live_now", "any"),
        in_source=("in_source", "any"),
        removed_at=("removed_at", "max"),
    )
    keep = per_person.index[~per_person["live_now"]]
    carried = gone.loc[gone["entity_id"].isin(keep)].copy()
    if "in_source" not in carried.columns:
        carried["in_source"] = True
        carried["removed_from_source_at"] = pd.NaT
    person = per_person.reindex(carried["entity_id"])
    removed = ~person["in_source"].to_numpy(dtype=bool)
    carried["in_source"] = ~removed
    carried["removed_from_source_at"] = pd.to_datetime(
        person["removed_at"].where(removed).to_numpy(), utc=True
    )
    carried.loc[removed, "status_reason"] = REMOVED_FROM_SOURCE
    for column in OFF_LIST_COLUMNS:
        if column in carried.columns:
            carried[column] = False
    if "priority_rank" in carried.columns:
        carried["priority_rank"] = None
    if "dial_block_reason" in carried.columns:
        carried["dial_block_reason"] = "not in this batch: " + pd.Series(
            ["removed from its sources" if r else "its sources sent deltas only" for r in removed],
            index=carried.index,
        )
    return carried.reset_index(drop=True)


def standing_requests(previous_events: pd.DataFrame | None, carried: pd.DataFrame) -> pd.DataFrame:
    """Do-not-call requests and flags of the carried-forward people (`phone_e164`, `entity_id`,
    their `account_id`, `since`, `scope`), from the previous `suppression_events`: their records
    are not in this batch, but a request is permanent, so scoring keeps it and blocks the number
    for whoever holds it now. `scope` is `channel` when the request already bound the number for
    everyone, `person` when it bound only its maker there (a named contact's request on a
    switchboard)."""
    columns = {
        "phone_e164": object,
        "entity_id": object,
        "account_id": object,
        "since": "datetime64[us, UTC]",
        "scope": object,
    }
    if previous_events is None or carried.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    events = previous_events.loc[
        previous_events["channel"].eq("phone")
        & previous_events["reason"].isin(DNC_REQUEST_REASONS)
        & previous_events["entity_id"].isin(set(carried["entity_id"]))
    ]
    requests = events.rename(columns={"value": "phone_e164"}).assign(
        since=lambda f: pd.to_datetime(f["since"], utc=True),
        channel_wide=lambda f: (
            f.get("scope", pd.Series("channel", index=f.index)).fillna("channel").eq("channel")
        ),
    )
    grouped = requests.groupby(["phone_e164", "entity_id"], as_index=False).agg(
        since=("since", "min"), channel_wide=("channel_wide", "any")
    )
    grouped["scope"] = grouped.pop("channel_wide").map({True: "channel", False: "person"})
    accounts = carried.drop_duplicates("entity_id").set_index("entity_id")
    grouped["account_id"] = grouped["entity_id"].map(
        accounts.get("account_id", pd.Series(None, index=accounts.index, dtype=object))
    )
    return grouped[list(columns)]


def published_people(scored: pd.DataFrame, carried: pd.DataFrame) -> pd.DataFrame:
    """This run's scored people (in their sources) followed by the carried-forward ones, in the
    scored table's columns plus `in_source` and `removed_from_source_at`. The scored columns are
    shared with `scored`, not copied (a million people's are about a gigabyte)."""
    people = scored.copy(deep=False)
    people["in_source"] = True
    people["removed_from_source_at"] = pd.Series(
        pd.NaT, index=people.index, dtype="datetime64[us, UTC]"
    )
    if carried.empty:
        return people
    extra = carried.reindex(columns=people.columns).dropna(axis=1, how="all")
    out = pd.concat([people, extra], ignore_index=True)[list(people.columns)]
    for column in people.columns:
        if pd.api.types.is_bool_dtype(people[column]):
            out[column] = out[column].fillna(False).astype(bool)
    return out


def _previous_records(previous: pd.DataFrame | None) -> pd.DataFrame:
    if previous is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SOURCE_RECORD_COLUMNS}).pipe(
            _typed
        )
    return _typed(previous[SOURCE_RECORD_COLUMNS].copy())


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("first_seen_at", "last_seen_at", "removed_from_source_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["in_source"] = frame["in_source"].fillna(False).astype(bool)
    return frame

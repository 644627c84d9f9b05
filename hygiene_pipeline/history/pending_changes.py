"""Sensitive changes wait for confirmation: a new phone, email, consent or do-not-call value from
a source ranked below the one that set the current value is held in `curated.pending_changes`
while the golden record keeps the current value.

A held change is applied once stronger evidence confirms it: a record of a source ranked at
least as high as the one that set the current value carries it (a later export of the trusted
source), an answered call on the new number, or an engagement (a click, a form, a meeting) from
the new address. A do-not-call or an opt-out never waits: it applies at once, whatever its
source. Lifting a do-not-call needs a source at least as trusted as the best source that held
the person. Held rows are never deleted: they end `confirmed` or `superseded` (their source
stopped proposing them). Source ranks are configuration; unranked sources rank 0, and with no
ranks configured nothing is held.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hygiene_pipeline.contract import CURATED_TABLES
from hygiene_pipeline.history.field_values import (
    as_text,
    provenance_record_keys,
    record_source,
    with_provenance_of,
)
from hygiene_pipeline.scoring.evidence_kinds import STRONG_PRESENCE_CALLS, STRONG_PRESENCE_EVENTS
from hygiene_pipeline.vocabulary import SENSITIVE_FIELDS

PENDING_COLUMNS = [
    *CURATED_TABLES["pending_changes"],
    "state",
    "resolved_at",
    "resolution",
    "run_id",
]
"""The contract's columns, then where each held change stands and the run that recorded it."""
COMPANIONS = {"email": ("email_key",), "consent_status": ("consent_expires_at",)}
"""Columns that travel with a held field (the golden keeps them with the current value)."""
AT_ONCE = {"do_not_call": "true", "consent_status": "opted_out"}
"""Values that apply at once, whatever their source: compliance errs towards not calling."""


@dataclass(frozen=True)
class HeldChanges:
    """The golden identities with held values kept at their current value, the new state of
    `curated.pending_changes`, why confirmed changes were applied (`entity_id`, `field`,
    `reason`), for the change log, and the people whose values were kept (`kept`): every other
    golden identity is as proposed."""

    golden: pd.DataFrame
    pending: pd.DataFrame
    confirmations: pd.DataFrame
    kept: frozenset[str] = frozenset()

    def kept_rows(self) -> pd.DataFrame:
        """The golden identities of the people whose values were kept."""
        return self.golden.loc[self.golden["entity_id"].isin(self.kept).to_numpy()]


@dataclass(frozen=True)
class Evidence:
    """What this batch says beyond the golden records: its records with their entity
    (`record_key`, `source_system`, `entity_id` and the sensitive fields), the call log
    (`phone_e164`, `disposition`) and engagement (`email`, `event_type`)."""

    records: pd.DataFrame
    calls: pd.DataFrame
    engagement: pd.DataFrame

    @classmethod
    def none(cls) -> Evidence:
        """No evidence, for a batch that can hold nothing (`holds_nothing`): its frames have no
        columns, since such a batch looks at none."""
        return cls(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


def holds_nothing(
    ranks: Mapping[str, int], previous_people: int, previous_pending: pd.DataFrame | None
) -> bool:
    """Whether a batch can hold or resolve nothing: no change pending, and no source ranked
    (nothing is held without ranks) or no people published to hold a change against (a first
    batch). Its golden identities, evidence and the published people need not be read, which at
    a million contacts takes seconds."""
    nothing_open = previous_pending is None or not previous_pending["state"].eq("pending").any()
    return nothing_open and (not ranks or previous_people == 0)


def hold_sensitive_changes(
    proposed: pd.DataFrame,
    previous: pd.DataFrame | None,
    previous_pending: pd.DataFrame | None,
    evidence: Evidence,
    ranks: Mapping[str, int],
    previous_records: pd.DataFrame | None,
    as_of: pd.Timestamp,
    run_id: str,
) -> HeldChanges:
    """Hold the sensitive changes of `proposed` (this run's golden identities) against
    `previous` (the published golden) and update the pending table."""
    golden = proposed.copy()
    weaker_rows = []
    kept: set[str] = set()
    if previous is not None and not previous.empty and ranks:
        before = previous.drop_duplicates("entity_id").set_index("entity_id")
        for field in SENSITIVE_FIELDS:
            if field not in golden.columns or field not in before.columns:
                continue
            weaker = _weaker_changes(golden, before, field, evidence, ranks, previous_records)
            held_ids = weaker.loc[weaker["confirmation"].isna(), "entity_id"]
            if len(held_ids):
                _keep_current(golden, before, field, held_ids)
                kept.update(held_ids)
            weaker_rows.append(weaker)
    weaker = (
        pd.concat(weaker_rows, ignore_index=True)
        if weaker_rows
        else _empty([*PENDING_COLUMNS, "confirmation"])
    )
    confirmed = weaker.loc[weaker["confirmation"].notna()]
    reasons = confirmed[["entity_id", "field"]].assign(reason=confirmed["confirmation"])
    pending = _pending_state(previous_pending, weaker, golden, as_of, run_id)
    return HeldChanges(golden, pending, reasons, frozenset(kept))


def _weaker_changes(
    golden: pd.DataFrame,
    before: pd.DataFrame,
    field: str,
    evidence: Evidence,
    ranks: Mapping[str, int],
    previous_records: pd.DataFrame | None,
) -> pd.DataFrame:
    """Changes of one field from a source ranked below the current value's, in the pending
    table's columns, with what confirms each (`confirmation`; None: held)."""
    ids = golden["entity_id"]
    new = as_text(golden[field])
    old = as_text(before[field].reindex(ids)).set_axis(golden.index)
    changed = old.notna() & new.notna() & old.ne(new) & ~new.eq(AT_ONCE.get(field, object()))
    if not changed.any():
        return _empty([*PENDING_COLUMNS, "confirmation"])
    rows = golden.loc[changed, ["entity_id"]].copy()
    rows["old"], rows["new"] = old[changed], new[changed]
    rank = _ranker(ranks)
    if "provenance" in golden.columns and field != "do_not_call":
        new_keys = provenance_record_keys(golden.loc[changed, "provenance"], field)
        old_keys = provenance_record_keys(
            before["provenance"].reindex(rows["entity_id"]).set_axis(rows.index), field
        )
        rows["new_key"], rows["old_key"] = new_keys, old_keys
        rows["new_rank"] = record_source(new_keys)["source_system"].map(rank)
        rows["old_rank"] = record_source(old_keys)["source_system"].map(rank)
    else:
        rows = _flag_ranks(rows, field, evidence.records, previous_records, rank)
    rows = rows.loc[rows["new_rank"] < rows["old_rank"]]
    new_source = record_source(rows["new_key"])
    old_source = record_source(rows["old_key"])["source_system"]
    return pd.DataFrame(
        {
            "entity_id": rows["entity_id"],
            "field": field,
            "current_value": rows["old"],
            "proposed_value": rows["new"],
            "contact_id": new_source["contact_id"],
            "source_system": new_source["source_system"],
            "reason": new_source["source_system"].fillna("a source")
            + " ranks below "
            + old_source.fillna("the source")
            + ", which set the current value",
            "confirmation": _confirmation(rows, field, evidence, rank),
        }
    )


def _flag_ranks(rows, field, records, previous_records, rank) -> pd.DataFrame:
    """Ranks for a flag any record may raise (no single provenance): the current value stands
    for the best source that held the person; the new one for the best record that says it."""
    held_by = records[["entity_id", "source_system", "record_key"]]
    if previous_records is not None and not previous_records.empty:
        held_by = pd.concat([held_by, previous_records[list(held_by.columns)]])
    best = held_by.assign(r=held_by["source_system"].map(rank)).sort_values("r", ascending=False)
    best = best.drop_duplicates("entity_id").set_index("entity_id")
    saying = records.assign(value=as_text(records[field].fillna(False)))
    saying = saying.assign(r=saying["source_system"].map(rank)).sort_values("r", ascending=False)
    saying = saying.drop_duplicates(["entity_id", "value"]).set_index(["entity_id", "value"])
    at = pd.MultiIndex.from_arrays([rows["entity_id"], rows["new"]])
    rows = rows.copy()
    rows["old_key"] = best["record_key"].reindex(rows["entity_id"]).to_numpy()
    rows["old_rank"] = best["r"].reindex(rows["entity_id"]).fillna(0).to_numpy()
    rows["new_key"] = saying["record_key"].reindex(at).to_numpy()
    rows["new_rank"] = saying["r"].reindex(at).fillna(0).to_numpy()
    return rows


def _confirmation(rows, field, evidence: Evidence, rank) -> pd.Series:
    """Why each change is confirmed despite its weaker source (None: not confirmed)."""
    reason = pd.Series(None, index=rows.index, dtype=object)
    if rows.empty:
        return reason
    records = evidence.records.assign(
        value=as_text(evidence.records[field]), r=evidence.records["source_system"].map(rank)
    )
    strong = (
        rows[["entity_id", "new", "old_rank"]]
        .reset_index()
        .merge(
            records[["entity_id", "value", "r"]],
            left_on=["entity_id", "new"],
            right_on=["entity_id", "value"],
        )
    )
    trusted = set(strong.loc[strong["r"] >= strong["old_rank"], "index"])
    reason[reason.index.isin(trusted)] = "confirmed_by_trusted_source"
    if field == "phone_e164" and not evidence.calls.empty:
        calls = evidence.calls
        answered = set(calls.loc[calls["disposition"].isin(STRONG_PRESENCE_CALLS), "phone_e164"])
        reason[reason.isna() & rows["new"].isin(answered)] = "confirmed_by_answered_call"
    if field == "email" and not evidence.engagement.empty:
        events = evidence.engagement
        engaged = events.loc[events["event_type"].isin(STRONG_PRESENCE_EVENTS), "email"]
        reason[reason.isna() & rows["new"].isin(set(engaged.dropna().str.lower()))] = (
            "confirmed_by_engagement"
        )
    return reason


def _keep_current(golden: pd.DataFrame, before: pd.DataFrame, field: str, ids: pd.Series) -> None:
    """Put the current (previous) value back into `golden` for the held people, with its
    companions and provenance."""
    where = golden["entity_id"].isin(set(ids)).to_numpy()
    people = golden.loc[where, "entity_id"]
    for column in (field, *COMPANIONS.get(field, ())):
        if column in golden.columns and column in before.columns:
            values = before[column].reindex(people).to_numpy()
            golden.loc[where, column] = values
    if "provenance" in golden.columns and "provenance" in before.columns:
        golden.loc[where, "provenance"] = [
            with_provenance_of(now, was, field)
            for now, was in zip(
                golden.loc[where, "provenance"],
                before["provenance"].reindex(people).to_numpy(),
                strict=True,
            )
        ]


def _pending_state(
    previous: pd.DataFrame | None,
    weaker: pd.DataFrame,
    golden: pd.DataFrame,
    as_of: pd.Timestamp,
    run_id: str,
) -> pd.DataFrame:
    """Open rows still held stay as they were; new holds open a row; open rows no longer held
    end `confirmed` (the golden now has the proposed value) or `superseded`; a weaker change
    confirmed in the batch that brought it is recorded `confirmed` at once."""
    previous = _empty(PENDING_COLUMNS) if previous is None else previous[PENDING_COLUMNS]
    key = ["entity_id", "field", "proposed_value"]
    is_open = previous["state"].eq("pending")
    open_rows, closed = previous.loc[is_open], previous.loc[~is_open]
    held = weaker.loc[weaker["confirmation"].isna()]
    flags = open_rows[key].merge(held[key].assign(_held=True), on=key, how="left")["_held"]
    still = open_rows.loc[flags.notna().to_numpy()]
    ended = open_rows.loc[flags.isna().to_numpy()].copy()
    fresh = weaker.merge(open_rows[key], on=key, how="left", indicator=True)
    fresh = fresh.loc[fresh["_merge"].eq("left_only")].drop(columns="_merge")
    confirmed_now = fresh["confirmation"].notna()
    fresh = fresh.assign(
        since=as_of,
        state=np.where(confirmed_now, "confirmed", "pending"),
        resolved_at=pd.Series(as_of, index=fresh.index).where(confirmed_now),
        resolution=fresh["confirmation"],
        run_id=run_id,
    )
    if not ended.empty:
        final = golden.drop_duplicates("entity_id").set_index("entity_id")
        now = np.array(
            [
                _text_at(final, entity, field)
                for entity, field in zip(ended["entity_id"], ended["field"], strict=True)
            ],
            dtype=object,
        )
        applied = now == ended["proposed_value"].to_numpy(dtype=object)
        why = ended[key].merge(weaker[[*key, "confirmation"]], on=key, how="left")
        why = why.drop_duplicates(key)["confirmation"]
        ended["state"] = np.where(applied, "confirmed", "superseded")
        ended["resolution"] = np.where(
            applied, why.fillna("confirmed_by_trusted_source").to_numpy(), "no longer proposed"
        )
        ended["resolved_at"] = as_of
    parts = [p for p in (closed, still, ended, fresh[PENDING_COLUMNS]) if not p.empty]
    out = pd.concat(parts, ignore_index=True) if parts else _empty(PENDING_COLUMNS)
    for column in ("since", "resolved_at"):
        out[column] = pd.to_datetime(out[column], utc=True)
    return out[PENDING_COLUMNS].sort_values(["since", "entity_id", "field"], ignore_index=True)


def _text_at(final: pd.DataFrame, entity: str, field: str) -> str | None:
    if entity not in final.index or field not in final.columns:
        return None
    return as_text(pd.Series([final.at[entity, field]])).iloc[0]


def _ranker(ranks: Mapping[str, int]):
    table = {str(k).lower(): int(v) for k, v in ranks.items()}
    return lambda source: table.get(str(source).lower(), 0) if isinstance(source, str) else 0


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})

"""`curated.golden_changes`: one row per golden field that changed between two runs, with the
record and source that brought the new value and why.

Both runs' golden tables are aligned on `entity_id` once; each field is compared as text, column
against column, and only the changed cells become rows."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from hygiene_pipeline.contract import CURATED_TABLES
from hygiene_pipeline.history.field_values import as_text, provenance_record_keys, record_source
from hygiene_pipeline.vocabulary import TRACKED_GOLDEN_FIELDS

GOLDEN_CHANGE_COLUMNS = [*CURATED_TABLES["golden_changes"], "reason"]
"""The contract's columns, then why each field changed."""
GOLDEN_FIELDS_READ: tuple[str, ...] = (
    "entity_id",
    "in_source",
    "provenance",
    *TRACKED_GOLDEN_FIELDS,
)
"""The golden columns `golden_changes` reads of the current people."""
PROVENANCE_OF = {"last_name": "first_name"}
"""Fields chosen together with another one carry that field's provenance."""


def golden_changes(
    previous: pd.DataFrame | None,
    current: pd.DataFrame,
    run_id: str,
    changed_at: pd.Timestamp,
    job_change_ids: Iterable[str] = (),
    reasons: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Changed tracked fields of people in both runs. `reasons` (`entity_id`, `field`,
    `reason`) name why a change was applied (a confirmation); the rest are `job_change` (the
    account of a person in `job_change_ids`), `removed_from_source` / `returned_to_source`
    (`in_source`) or `source_update`."""
    if previous is None or previous.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in GOLDEN_CHANGE_COLUMNS})
        return empty.astype({"changed_at": "datetime64[us, UTC]"})
    previous = previous.copy()
    if "in_source" not in previous.columns:
        previous["in_source"] = True
    fields = [f for f in TRACKED_GOLDEN_FIELDS if f in previous.columns and f in current.columns]
    before = previous.drop_duplicates("entity_id").set_index("entity_id")
    now = current.drop_duplicates("entity_id").set_index("entity_id")
    common = now.index.intersection(before.index)
    before, now = before.loc[common], now.loc[common]
    parts = []
    for field in fields:
        old, new = as_text(before[field]), as_text(now[field])
        differs = (old.ne(new) & ~(old.isna() & new.isna())).to_numpy()
        if differs.any():
            parts.append(
                pd.DataFrame(
                    {
                        "entity_id": common[differs],
                        "field": field,
                        "old_value": old.to_numpy()[differs],
                        "new_value": new.to_numpy()[differs],
                    }
                )
            )
    columns = ["entity_id", "field", "old_value", "new_value"]
    changed = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    )
    changed["contact_id"], changed["source_system"] = _sources(changed, current)
    changed["reason"] = _reasons(changed, set(job_change_ids), reasons)
    changed["run_id"] = run_id
    changed["changed_at"] = changed_at
    return changed[GOLDEN_CHANGE_COLUMNS].sort_values(["entity_id", "field"], ignore_index=True)


def _sources(changed: pd.DataFrame, current: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The record behind each new value, from the golden provenance (None where the field has
    no single source record, e.g. an account or a flag any record may raise)."""
    if "provenance" not in current.columns or changed.empty:
        empty = pd.Series(None, index=changed.index, dtype=object)
        return empty, empty.copy()
    provenance = current.set_index("entity_id")["provenance"]
    keys = pd.Series(None, index=changed.index, dtype=object)
    for field, rows in changed.groupby("field").groups.items():
        source_field = PROVENANCE_OF.get(str(field), str(field))
        texts = provenance.reindex(changed.loc[rows, "entity_id"]).reset_index(drop=True)
        keys.loc[rows] = provenance_record_keys(texts, source_field).to_numpy()
    parts = record_source(keys)
    return parts["contact_id"], parts["source_system"]


def _reasons(
    changed: pd.DataFrame, job_change_ids: set[str], reasons: pd.DataFrame | None
) -> pd.Series:
    reason = pd.Series("source_update", index=changed.index, dtype=object)
    in_source = changed["field"].eq("in_source")
    reason[in_source & changed["new_value"].eq("false")] = "removed_from_source"
    reason[in_source & changed["new_value"].eq("true")] = "returned_to_source"
    moved = changed["field"].eq("account_id") & changed["entity_id"].isin(job_change_ids)
    reason[moved] = "job_change"
    if reasons is not None and not reasons.empty:
        given = (
            changed[["entity_id", "field"]]
            .merge(
                reasons[["entity_id", "field", "reason"]].drop_duplicates(["entity_id", "field"]),
                how="left",
                on=["entity_id", "field"],
            )["reason"]
            .set_axis(changed.index)
        )
        reason = reason.where(given.isna(), given)
    return reason

"""`curated.contact_status_history`: one row per status spell, kept forever.

A spell is a stretch of time a person held one status: `valid_from` is the `as_of` of the run
that first saw it, `valid_to` the `as_of` of the run that saw it change (NULL while current). A
spell is keyed on `status` and on whether the person is still in their sources: a new
`status_reason` under the same status (a later date of the same evidence) does not open a new
spell, but leaving the sources (reason `removed_from_source`) or coming back does. Applying a
batch closes changed spells and opens new ones in one transaction and never deletes or rewrites
a closed spell, so re-applying the same batch changes nothing. A batch older than a person's
open spell leaves that person untouched, so replaying an old run cannot produce spells that end
before they begin. The batch holds every person of the run (those carried forward after leaving
their sources too), so an open spell of an id absent from it (an id retired by a merge) is
closed: after every run each person has exactly one open spell, equal to their current status.

A run applies its batch to a copy of the published history in its own curated schema
(`start_from_published`); publishing the run swaps that table in with the run's other tables, so
the history lands with the statuses it records, and a run that publishes nothing leaves it as it
was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import CursorResult, text

from hygiene_pipeline.vocabulary import REMOVED_FROM_SOURCE
from hygiene_pipeline.warehouse import run_scope
from hygiene_pipeline.warehouse.bulk_load import create_table, create_table_for
from hygiene_pipeline.warehouse.catalog import relation_kind
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.frame_types import TEXT, TIMESTAMPTZ, ColumnSpec
from hygiene_pipeline.warehouse.publish import create_indexes
from hygiene_pipeline.warehouse.sql_text import execute

STATUS_HISTORY_TABLE = "contact_status_history"
STATUS_HISTORY_COLUMNS: list[ColumnSpec] = [
    ColumnSpec("entity_id", TEXT),
    ColumnSpec("status", TEXT),
    ColumnSpec("status_reason", TEXT),
    ColumnSpec("valid_from", TIMESTAMPTZ),
    ColumnSpec("valid_to", TIMESTAMPTZ),
    ColumnSpec("run_id", TEXT),
]
BATCH_COLUMNS = ["entity_id", "status", "status_reason"]

_CLOSE_CHANGED_SQL = """
UPDATE {history} AS h SET valid_to = :as_of
FROM {batch} AS b
WHERE h.entity_id = b.entity_id AND h.valid_to IS NULL
  AND h.valid_from <= :as_of
  AND (h.status <> b.status
       OR (COALESCE(h.status_reason, '') = :removed) <> (COALESCE(b.status_reason, '') = :removed))
"""
_CLOSE_ABSENT_SQL = """
UPDATE {history} AS h SET valid_to = :as_of
WHERE h.valid_to IS NULL AND h.valid_from <= :as_of
  AND NOT EXISTS (SELECT 1 FROM {batch} AS b WHERE b.entity_id = h.entity_id)
"""
_OPEN_NEW_SQL = """
INSERT INTO {history} (entity_id, status, status_reason, valid_from, valid_to, run_id)
SELECT b.entity_id, b.status, b.status_reason, :as_of, NULL, :run_id
FROM {batch} AS b
WHERE NOT EXISTS (
    SELECT 1 FROM {history} AS open_spell
    WHERE open_spell.entity_id = b.entity_id AND open_spell.valid_to IS NULL
)
"""


@dataclass(frozen=True)
class StatusHistoryChange:
    """How many spells one application closed and opened, and how many it closed because their
    id no longer exists."""

    closed: int
    opened: int
    retired: int = 0


def apply_status_history(
    warehouse: Warehouse, current: pd.DataFrame, run_id: str, as_of: datetime | pd.Timestamp
) -> StatusHistoryChange:
    """Record the current status of each person (`entity_id`, `status`, `status_reason`).

    `as_of` is the run's reference time (a naive value is taken as UTC).
    """
    batch = _validated_batch(current)
    as_of_utc = _as_utc(as_of)
    schema = warehouse.curated_schema
    batch_table = f"{STATUS_HISTORY_TABLE}__batch_{uuid.uuid4().hex[:12]}"
    names = {
        "history": warehouse.qualified(schema, STATUS_HISTORY_TABLE),
        "batch": warehouse.qualified(schema, batch_table),
    }
    with warehouse.transaction() as conn:
        if relation_kind(conn, schema, STATUS_HISTORY_TABLE) is None:
            create_table(conn, schema, STATUS_HISTORY_TABLE, STATUS_HISTORY_COLUMNS)
            create_indexes(conn, schema, STATUS_HISTORY_TABLE, ["entity_id"])
        create_table_for(conn, schema, batch_table, batch)
        params = {"as_of": as_of_utc, "run_id": run_id, "removed": REMOVED_FROM_SOURCE}
        closed, opened, retired = (
            _rows_changed(conn.execute(text(sql.format(**names)), params))
            for sql in (_CLOSE_CHANGED_SQL, _OPEN_NEW_SQL, _CLOSE_ABSENT_SQL)
        )
        execute(conn, f"DROP TABLE {names['batch']}")
    return StatusHistoryChange(closed=closed, opened=opened, retired=retired)


def _rows_changed(result: CursorResult) -> int:
    """The rows an INSERT or UPDATE changed: DuckDB answers with a row holding the count,
    PostgreSQL with the cursor's row count (a first run opens a spell per person: fetching each
    one's id back only to count them took half a second at a million people)."""
    return int(result.scalar_one()) if result.returns_rows else result.rowcount


def start_from_published(run: Warehouse, published: Warehouse) -> None:
    """Copy the published history into the run's curated schema (nothing when there is none)."""
    run_scope.start_from_published(run, published, STATUS_HISTORY_TABLE)


def _validated_batch(current: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in BATCH_COLUMNS if c not in current.columns]
    if missing:
        raise ValueError(f"Status batch lacks columns: {', '.join(missing)}")
    batch = current[BATCH_COLUMNS].astype(object)
    batch = batch.where(batch.notna(), None)
    if batch["entity_id"].isna().any() or batch["status"].isna().any():
        raise ValueError("Status batch has rows without entity_id or status")
    duplicated = int(batch["entity_id"].duplicated().sum())
    if duplicated:
        raise ValueError(f"Status batch repeats {duplicated} entity_id value(s); one row each")
    return batch.astype({"entity_id": str, "status": str})


def _as_utc(as_of: datetime | pd.Timestamp) -> datetime:
    stamp = pd.Timestamp(as_of)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


SPELL_RULES: dict[str, str] = {
    "a person without an open spell": """
        SELECT COUNT(*) FROM {golden} g
        WHERE NOT EXISTS (
            SELECT 1 FROM {history} h WHERE h.entity_id = g.entity_id AND h.valid_to IS NULL)""",
    "a person with more than one open spell": """
        SELECT COUNT(*) FROM (
            SELECT entity_id FROM {history} WHERE valid_to IS NULL
            GROUP BY entity_id HAVING COUNT(*) > 1) AS repeated""",
    "an open spell whose status is not the person's": """
        SELECT COUNT(*) FROM {golden} g JOIN {history} h
          ON h.entity_id = g.entity_id AND h.valid_to IS NULL AND h.status <> g.status""",
    "an open spell of an id that is nobody now": """
        SELECT COUNT(*) FROM {history} h
        WHERE h.valid_to IS NULL AND NOT EXISTS (
            SELECT 1 FROM {golden} g WHERE g.entity_id = h.entity_id)""",
}
"""Ways status history can disagree with `contacts_golden`, each counted by one query."""


def spell_disagreements(warehouse: Warehouse) -> dict[str, int]:
    """How many people (or spells) break each rule of `SPELL_RULES`: all zero when every person
    has exactly one open spell, equal to their current status, and no other spell is open."""
    schema = warehouse.curated_schema
    names = {
        "history": warehouse.qualified(schema, STATUS_HISTORY_TABLE),
        "golden": warehouse.qualified(schema, "contacts_golden"),
    }
    with warehouse.engine.connect() as conn:
        return {
            rule: int(conn.execute(text(sql.format(**names))).scalar_one())
            for rule, sql in SPELL_RULES.items()
        }

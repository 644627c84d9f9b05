"""Scoring handed its large inputs unread (`StoredTable`, as a run hands them) decides exactly
as it does handed frames: the tables are read when scoring takes them, with every column it
reads."""

from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.warehouse.engine import Warehouse, default_duckdb_url
from hygiene_pipeline.warehouse.stored_table import StoredTable


@pytest.fixture
def stored(tmp_path: Path):
    """Stores a frame as a table of an embedded warehouse and hands it over unread."""
    warehouse = Warehouse(default_duckdb_url(tmp_path))
    warehouse.ensure_schemas()

    def keep(name: str, frame: pd.DataFrame) -> StoredTable:
        warehouse.replace_table(warehouse.staging_schema, name, frame)
        columns = tuple(warehouse.columns(warehouse.staging_schema, name))
        return StoredTable(warehouse, warehouse.staging_schema, name, columns)

    return keep


def test_scoring_decides_the_same_on_stored_tables_as_on_frames(world, stored) -> None:
    w = world()
    w.person("WEAK", merge_probability=0.7)
    w.record("WEAK", contact_id="WEAK-2", consent_status="unknown", merge_probability=0.7)
    w.person("FLAGGED", cluster_flag="oversized")
    w.record("FLAGGED", contact_id="FLAGGED-2", consent_status="unknown", cluster_flag="oversized")
    called = w.person("CALLED", presence_days=None)
    w.call(2, "answered", contact_id="CALLED", phone=called)
    w.person("ASKED", presence_days=None)
    w.event(3, "demo_request", contact_id="ASKED")
    gone = w.person("LEFT", presence_days=None, last_activity_days=None)
    w.call(5, "left_company", contact_id="LEFT", phone=gone)

    on_frames = w.score()
    on_tables = w.score(stored=stored)

    pd.testing.assert_frame_equal(on_tables.contacts, on_frames.contacts)
    pd.testing.assert_frame_equal(on_tables.dial_list, on_frames.dial_list)
    pd.testing.assert_frame_equal(on_tables.suppression_events, on_frames.suppression_events)
    scored = on_tables.contacts.set_index("entity_id")
    # The weakly joined person is held only if the merge probability reached scoring.
    assert scored["linkage_review_hold"].to_dict() == {
        "WEAK": True,
        "FLAGGED": True,
        "CALLED": False,
        "ASKED": False,
        "LEFT": False,
    }
    assert scored.loc["ASKED", "intent_tier"] == "high"
    assert scored.loc["LEFT", "status"] == "left_company"

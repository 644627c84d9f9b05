"""`history_agrees_with_golden` judges the run's own tables before they are published: a
published history that cannot agree with the run's people (a second open spell that the run must
leave alone, opened after the run's reference time) fails the check, and the run publishes
nothing: every published history table stays as it was (DuckDB, through `materialize()`)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from batches import AS_OF, FIRST, run_batch

from hygiene_pipeline.defs.history_assets import HISTORY_CHECK
from hygiene_pipeline.defs.publish_assets import PUBLICATION
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.run_scope import published_runs, run_schema

HISTORY_TABLES = (
    "contacts_golden",
    "contact_status_history",
    "golden_changes",
    "entity_lineage",
    "job_changes",
    "pending_changes",
    "source_records",
)


def test_a_failed_history_check_publishes_no_history(tmp_path, after_first_batch):
    url = after_first_batch(tmp_path)
    warehouse = Warehouse(url)
    # the published history is a view over the table of the run that published it
    (published_run,) = published_runs(warehouse)
    history = warehouse.qualified(run_schema(published_run, "curated"), "contact_status_history")
    with warehouse.transaction() as conn:
        conn.execute(
            sa.text(
                f"INSERT INTO {history} SELECT entity_id, 'inactive', "
                "'planted', TIMESTAMPTZ '2030-01-01 00:00:00+00', NULL, 'planted' "
                "FROM curated.contacts_golden LIMIT 1"
            )
        )
    before = {t: warehouse.read_table("curated", t) for t in HISTORY_TABLES}

    result = run_batch(tmp_path / "second", FIRST, AS_OF["second"], url, tmp_path / "home")

    evaluations = [e for e in result.get_asset_check_evaluations() if e.check_name == HISTORY_CHECK]
    assert [e.passed for e in evaluations] == [False]
    assert not result.success
    assert PUBLICATION not in [e.asset_key for e in result.get_asset_materialization_events()]
    for table, rows in before.items():
        pd.testing.assert_frame_equal(warehouse.read_table("curated", table), rows, obj=table)
    warehouse.engine.dispose()

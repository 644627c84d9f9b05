"""Follow-up tasks across published batches in a real warehouse: each type opens, stays, closes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from published_runs import materialize_and_publish, run_tables

from hygiene_pipeline.defs.follow_up_assets import follow_up_tasks_asset
from hygiene_pipeline.defs.resources import BatchClockResource
from hygiene_pipeline.history.follow_up_tasks import task_ids
from hygiene_pipeline.vocabulary import TASK_TYPES
from hygiene_pipeline.warehouse.engine import Warehouse

FIRST = pd.Timestamp("2026-06-30T12:00:00Z")
SECOND = pd.Timestamp("2026-07-07T12:00:00Z")
UTC = "datetime64[ns, UTC]"


def people(batch: int) -> pd.DataFrame:
    """E1 left a live account (then found at work again), E2 lost their phone (then a new
    number works), E3's consent runs out soon (then renewed), E4's merge is under review
    (then confirmed), E5 keeps a dead email while a phone works in both batches."""
    first = batch == 1
    return pd.DataFrame(
        {
            "entity_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
            "account_id": ["A1", "A1", "A2", "A2", "A3", "A1"],
            "status": [
                "left_company" if first else "active",
                "active",
                "active",
                "active",
                "active",
                "active",
            ],
            "status_reason": ["call disposition left_company on 2026-06-01", "", "", "", "", ""],
            "dial_phone_e164": [
                None,
                None if first else "+14155550122",
                "+14155550133",
                "+14155550144",
                "+14155550155",
                "+14155550166",
            ],
            "is_emailable": [True, True, True, True, False, True],
            "consent_status": ["opted_in"] * 6,
            "consent_expires_at": pd.Series(
                [None, None, FIRST + pd.Timedelta(days=10 if first else 400), None, None, None],
                dtype=UTC,
            ),
            "linkage_review_hold": [False, False, False, first, False, False],
        }
    )


def tables(batch: int) -> dict[tuple[str, str], pd.DataFrame]:
    first = batch == 1
    phone_events = [("phone", "E2", "disconnected")] if first else []
    return {
        ("curated", "contacts_golden"): people(batch),
        ("curated", "accounts"): pd.DataFrame(
            {"account_id": ["A1", "A2", "A3"], "status": ["active"] * 3}
        ),
        ("curated", "suppression_events"): pd.DataFrame(
            [*phone_events, ("email", "E5", "hard_bounce")],
            columns=["channel", "entity_id", "reason"],
        ).assign(since=pd.Timestamp("2026-06-01", tz="UTC"), value="x"),
        ("curated", "dnc_unmatched"): pd.DataFrame(
            {
                "phone_raw": ["0161 000 0000"] if first else [],
                "source_file": ["internal_dnc.csv"] if first else [],
                "row_number": [7] if first else [],
                "reason": ["matches no number"] if first else [],
            }
        ).astype({"phone_raw": "string", "source_file": "string", "reason": "string"}),
        ("curated", "contact_xref"): pd.DataFrame(
            {
                "record_key": ["sf:1", "sf:2", "sf:3", "sf:4", "hs:4", "sf:5", "sf:6"],
                "entity_id": ["E1", "E2", "E3", "E4", "E4", "E5", "E6"],
                "account_id": ["A1", "A1", "A2", "A2", "A2", "A3", "A1"],
                "merge_probability": [1.0, 1.0, 1.0, 0.71, 0.71, 1.0, 1.0],
                "cluster_flag": [None, None, None, "split", "split", None, None],
            }
        ),
        ("staging", "crm_contacts"): pd.DataFrame(
            {
                "record_key": ["sf:1", "sf:2", "sf:3", "sf:4", "hs:4", "sf:5", "sf:6"],
                "is_deleted": False,
                "email": [
                    "a@x.com",
                    "b@x.com",
                    "c@x.com",
                    "d@x.com",
                    "d@x.com",
                    "e@x.com",
                    "test@test.com" if first else "f@x.com",
                ],
                "email_valid": True,
                "phone_raw": None,
                "phone_valid": False,
                "email_is_placeholder": [False] * 6 + [first],
                "formula_columns": [None] * 5 + ["company" if first else None, None],
            }
        ),
    }


def run_batch(url: str, batch: int, as_of: pd.Timestamp) -> pd.DataFrame:
    result = materialize_and_publish(
        url,
        [run_tables(tables(batch)), follow_up_tasks_asset],
        clock=BatchClockResource(as_of=as_of.isoformat()),
    )
    assert result.success
    return Warehouse(url).read_table("curated", "follow_up_tasks").set_index("task_id")


def task(tasks: pd.DataFrame, task_type: str, subject: str) -> pd.Series:
    task_id = task_ids(task_type, pd.Series([subject])).iloc[0]
    assert task_id in tasks.index, f"no {task_type} task for {subject}"
    return tasks.loc[task_id]


EXPECTED = [
    ("find_replacement_contact", "E1", "E1", True),
    ("reconfirm_contact", "E2|phone", "E2", True),
    ("renew_consent", "E3", "E3", True),
    ("review_merge", "E4", "E4", True),
    ("verify_dnc_entry", "internal_dnc.csv#7", None, True),
    ("fix_in_source", "sf:6", "E6", True),
    ("fix_in_source", "sf:5", "E5", True),
    ("reconfirm_contact", "E5|email", "E5", False),
]
"""(type, subject, person, closed by the second batch)."""


def assert_two_batches(url: str) -> None:
    first = run_batch(url, 1, FIRST)
    assert len(first) == len(EXPECTED)
    assert set(first["task_type"]) == set(TASK_TYPES)
    assert first["closed_at"].isna().all()
    assert (first["opened_at"] == FIRST).all()
    for task_type, subject, entity, _ in EXPECTED:
        row = task(first, task_type, subject)
        assert row["task_type"] == task_type
        assert (row["entity_id"] if pd.notna(row["entity_id"]) else None) == entity
    assert task(first, "review_merge", "E4")["source_record_ids"] == "hs:4; sf:4"
    assert task(first, "fix_in_source", "sf:6")["source_record_ids"] == "sf:6"
    assert json.loads(task(first, "fix_in_source", "sf:6")["evidence"]) == {
        "problems": "placeholder email"
    }
    assert json.loads(task(first, "renew_consent", "E3")["evidence"])["days_left"] == 10
    assert "test@test.com" not in first.to_string()

    second = run_batch(url, 2, SECOND)
    assert set(second.index) == set(first.index)  # closed, never deleted
    for task_type, subject, _, closes in EXPECTED:
        row = task(second, task_type, subject)
        assert row["opened_at"] == FIRST
        if closes:
            assert row["closed_at"] == SECOND, f"{task_type} {subject} should have closed"
        else:
            assert pd.isna(row["closed_at"]), f"{task_type} {subject} should stay open"
            assert row["last_seen_at"] == SECOND

    third = run_batch(url, 1, SECOND + pd.Timedelta(days=1))
    reopened = task(third, "review_merge", "E4")
    assert pd.isna(reopened["closed_at"])
    assert reopened["opened_at"] == SECOND + pd.Timedelta(days=1)
    assert len(third) == len(EXPECTED)


def test_each_task_type_opens_and_closes_across_batches_on_duckdb(tmp_path: Path) -> None:
    assert_two_batches(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")


@pytest.mark.postgres
def test_tasks_persist_across_batches_on_postgresql(pg_database_url: str) -> None:
    assert_two_batches(pg_database_url)

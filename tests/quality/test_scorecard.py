"""The data-quality scorecard: each measure's definition, and two runs giving trend rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetCheckResult, AssetChecksDefinition, AssetKey, asset_check
from published_runs import materialize_and_publish, run_tables

from hygiene_pipeline.defs.quality_checks import build_drift_checks
from hygiene_pipeline.defs.resources import BatchClockResource
from hygiene_pipeline.defs.scorecard_assets import SCORECARD, dq_scorecard
from hygiene_pipeline.defs.sql_model_assets import build_sql_model_assets
from hygiene_pipeline.package_files import sql_models_dir
from hygiene_pipeline.quality.scorecard import (
    MEASURES,
    ScorecardInputs,
    measure_all,
    scorecard_rows,
)
from hygiene_pipeline.vocabulary import presence_flag
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.run_scope import run_schema

AS_OF = pd.Timestamp("2026-06-30T12:00:00Z")


def contacts(count: int = 4, valid_emails: int = 2) -> pd.DataFrame:
    """`count` live records and one deleted one (never counted)."""
    rows = count + 1
    frame = pd.DataFrame(
        {
            "is_deleted": [False] * count + [True],
            "email": [f"p{i}@corp.com" for i in range(rows)],
            "email_valid": [i < valid_emails for i in range(rows)],
            "email_key": [f"p{i}@corp.com" for i in range(rows)],
            "company": ["Globex"] * (count - 1) + [None, "Gone"],
            "updated_at": [AS_OF - pd.Timedelta(days=10)] * 2
            + [AS_OF - pd.Timedelta(days=200)] * (rows - 2),
            "phone_raw": ["555 0100"] * rows,
            "phone_e164": [f"+1415555{i:04d}" for i in range(rows)],
            "phone_valid": [True] * (count - 1) + [False, True],
            "mobile_phone_raw": [None] * rows,
        }
    )
    # the measures read whether a text is there, as the warehouse hands it over
    for name in ("email", "company", "phone_raw", "mobile_phone_raw"):
        frame[presence_flag(name)] = frame.pop(name).notna()
    return frame


def inputs(**changes: object) -> ScorecardInputs:
    base = {
        "contacts": contacts(),
        "xref": pd.DataFrame({"entity_id": ["E1", "E1", "E2", "E3"]}),
        "people": pd.DataFrame({"status": ["active", "ghost", "stale_inactive", "active"]}),
        "bounces": pd.DataFrame(
            {
                "email_key": ["p0@corp.com", "p1@corp.com"],
                "bounce_type": ["hard", "soft"],
                "enhanced_status": ["5.1.1", "4.2.2"],
                "smtp_code": [550, 452],
                "diagnostic": [None, None],
            }
        ),
        "suppressions": pd.DataFrame(
            {
                "channel": ["phone", "phone", "email"],
                "value": ["+14155550000", "+14155550001", "p0@corp.com"],
                "reason": ["disconnected", "dnc_list", "hard_bounce"],
            }
        ),
        "rejected_rows": 1,
        "staged_rows": 9,
        "as_of": AS_OF,
    }
    return ScorecardInputs(**{**base, **changes})


def test_each_measure_has_one_definition_and_the_expected_value() -> None:
    values = measure_all(inputs())

    assert list(values) == list(MEASURES)
    assert values == {
        "valid_phone_completeness": 0.75,
        "valid_email_completeness": 0.5,
        "company_completeness": 0.75,
        "validity": 0.5,  # p0 and p1: a valid email and a valid phone
        "duplicate_rate": 0.25,
        "ghost_share": 0.25,
        "hard_bounce_rate": 0.25,
        "dead_number_rate": pytest.approx(1 / 3, abs=1e-6),
        "stale_share": 0.25,
        "updated_90d_share": 0.5,
        "rejected_row_rate": 0.1,
    }


def test_empty_tables_measure_zero_not_an_error() -> None:
    empty = ScorecardInputs(
        contacts=pd.DataFrame(columns=[presence_flag("email"), "email_key"]),
        xref=pd.DataFrame(columns=["entity_id"]),
        people=pd.DataFrame(columns=["status"]),
        bounces=pd.DataFrame(columns=["email_key"]),
        suppressions=pd.DataFrame(columns=["channel", "value", "reason"]),
        rejected_rows=0,
        staged_rows=0,
        as_of=AS_OF,
    )
    assert set(measure_all(empty).values()) == {0.0}


def test_rows_compare_with_the_latest_other_run() -> None:
    first = scorecard_rows({"ghost_share": 0.2}, pd.DataFrame(), "r1", AS_OF, AS_OF)
    second = scorecard_rows({"ghost_share": 0.05}, first, "r2", AS_OF + pd.Timedelta("1D"), AS_OF)
    retried = scorecard_rows({"ghost_share": 0.05}, pd.concat([first, second]), "r2", AS_OF, AS_OF)

    assert first["previous_value"].isna().all()
    assert second.iloc[0][["previous_value", "change"]].tolist() == [0.2, -0.15]
    assert retried.iloc[0]["previous_value"] == 0.2


TREND = next(
    model
    for model in build_sql_model_assets(sql_models_dir())
    if model.key == AssetKey(["curated", "dq_scorecard_trend"])
)


@asset_check(asset=SCORECARD, blocking=True)
def failing_blocking_check() -> AssetCheckResult:
    """Any blocking check that fails: the run must publish nothing."""
    return AssetCheckResult(passed=False)


def run(url: str, batch: ScorecardInputs, *extra_checks: AssetChecksDefinition):
    frames = {
        ("staging", "crm_contacts"): batch.contacts,
        ("curated", "contact_xref"): batch.xref,
        ("curated", "contacts_golden"): batch.people,
        ("curated", "suppression_events"): batch.suppressions,
    }
    return materialize_and_publish(
        url,
        [run_tables(frames), dq_scorecard, TREND],
        [*build_drift_checks(), *extra_checks],
        clock=BatchClockResource(as_of=AS_OF.isoformat()),
    )


def published_card(store: Warehouse) -> pd.DataFrame:
    return store.read_table("curated", "dq_scorecard").sort_values(["run_id", "measure"])


def published_trend(store: Warehouse) -> pd.DataFrame:
    """The trend view in a fixed order (a view promises no row order)."""
    trend = store.read_table("curated", "dq_scorecard_trend")
    return trend.sort_values("measure", ignore_index=True)


def test_two_published_runs_give_trend_rows_and_drift_reads_them(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    first = run(url, inputs())
    second = run(
        url,
        inputs(
            contacts=contacts(valid_emails=4),
            xref=pd.DataFrame({"entity_id": ["E1", "E1", "E1", "E1"]}),
        ),
    )

    assert first.success and second.success
    store = Warehouse(url)
    card = store.read_table("curated", "dq_scorecard")
    assert len(card) == 2 * len(MEASURES)
    later = card[card["run_id"] == second.run_id].set_index("measure")
    assert later.loc["valid_email_completeness", ["value", "previous_value"]].tolist() == [1.0, 0.5]
    assert later.loc["duplicate_rate", "change"] == pytest.approx(0.5)
    assert card[card["run_id"] == first.run_id]["previous_value"].isna().all()

    drift = {e.check_name: e for e in second.get_asset_check_evaluations()}
    assert not drift["duplicate_rate_drift"].passed
    assert drift["duplicate_rate_drift"].metadata["baseline"].value == 0.25
    assert drift["stale_share_drift"].passed

    trend = store.read_table("curated", "dq_scorecard_trend").set_index("measure")
    assert len(trend) == len(MEASURES)
    assert trend.loc["valid_email_completeness", "trend"] == "improved"
    assert trend.loc["duplicate_rate", "trend"] == "worsened"
    assert trend.loc["ghost_share", "trend"] == "unchanged"
    assert trend.loc["duplicate_rate", ["runs", "lowest_value", "highest_value"]].tolist() == [
        2,
        0.25,
        0.75,
    ]


def test_a_run_whose_blocking_check_fails_changes_no_published_scorecard(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    store = Warehouse(url)
    first = run(url, inputs())
    card_before = published_card(store)
    trend_before = published_trend(store)

    unchecked = inputs(xref=pd.DataFrame({"entity_id": ["E1", "E1", "E1", "E1"]}))
    failed = run(url, unchecked, failing_blocking_check)

    assert first.success and not failed.success
    pd.testing.assert_frame_equal(published_card(store), card_before)
    pd.testing.assert_frame_equal(published_trend(store), trend_before)
    held = store.read_table(run_schema(failed.run_id, "curated"), "dq_scorecard")
    assert failed.run_id in set(held["run_id"])  # kept in the run's schema for inspection

    third = run(url, unchecked)
    drift = {e.check_name: e for e in third.get_asset_check_evaluations()}
    assert drift["duplicate_rate_drift"].metadata["baseline"].value == 0.25  # the published run
    card = store.read_table("curated", "dq_scorecard")
    assert set(card["run_id"]) == {first.run_id, third.run_id}

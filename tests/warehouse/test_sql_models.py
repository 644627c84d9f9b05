"""The dbt-style models: declarations parsed from the templates, validation, and the shipped
models giving the same, correct results on DuckDB and PostgreSQL."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.warehouse.catalog import current_docs
from hygiene_pipeline.warehouse.sql_models import (
    SqlModelError,
    build_sql_models,
    load_sql_models,
)

MODELS_DIR = Path(__file__).resolve().parents[2] / "dbt_like_sql"
SORT_KEYS = {
    "dial_list": ["priority_rank"],
    "suppression_list": ["channel", "value"],
    "account_health": ["account_id"],
    "dq_failures_daily": ["asset", "check_name", "check_date"],
    "dq_summary": ["asset", "check_name"],
    "dq_scorecard_trend": ["measure"],
}


def write_models(directory: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (directory / name).write_text(textwrap.dedent(content), encoding="utf-8")
    return directory


SOURCES_YML = """
sources:
  - name: curated
    tables: [{name: people}]
  - name: staging
    tables: [{name: calls}]
"""


def publish_sources(warehouse, sources: dict[str, pd.DataFrame]) -> None:
    for name, frame in sources.items():
        warehouse.replace_table(warehouse.curated_schema, name, frame)


def built_models(warehouse, sources) -> dict[str, pd.DataFrame]:
    """Publish the sources, build every model, and read each back in a stable order."""
    publish_sources(warehouse, sources)
    models = load_sql_models(MODELS_DIR)
    build_sql_models(warehouse, models)
    return {
        name: warehouse.read_table(warehouse.curated_schema, name)
        .sort_values(keys)
        .reset_index(drop=True)
        for name, keys in SORT_KEYS.items()
    }


@pytest.fixture(scope="module")
def on_duckdb(module_duckdb_warehouse, model_sources) -> dict[str, pd.DataFrame]:
    return built_models(module_duckdb_warehouse, model_sources)


@pytest.fixture(scope="module")
def on_postgresql(module_postgresql_warehouse, model_sources) -> dict[str, pd.DataFrame]:
    return built_models(module_postgresql_warehouse, model_sources)


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def built_warehouse(request):
    """A warehouse of each engine in which every model has been built."""
    request.getfixturevalue(f"on_{request.param}")
    return request.getfixturevalue(f"module_{request.param}_warehouse")


def test_shipped_models_declare_their_dependencies_and_come_in_build_order():
    models = {model.name: model for model in load_sql_models(MODELS_DIR)}
    assert set(models) == set(SORT_KEYS)
    assert models["dial_list"].sources == (("curated", "contacts_golden"),)
    assert set(models["account_health"].sources) == {
        ("curated", "accounts"),
        ("curated", "contacts_golden"),
        ("curated", "job_changes"),
    }
    assert models["dq_summary"].refs == ("dq_failures_daily",)
    assert models["suppression_list"].sources == (("curated", "suppression_events"),)
    assert models["dq_failures_daily"].materialized == "view"
    order = list(models)
    assert order.index("dq_failures_daily") < order.index("dq_summary")
    assert all(model.description and model.columns for model in models.values())


def test_dependencies_are_parsed_from_refs_and_sources(tmp_path):
    write_models(
        tmp_path,
        {
            "schema.yml": SOURCES_YML,
            "z_first.sql": """
                {{ config(materialized='view') }}
                SELECT * FROM {{ source('curated', 'people') }}
            """,
            "a_second.sql": """
                WITH called AS (SELECT * FROM {{ source('staging', 'calls') }})
                SELECT f.* FROM {{ ref('z_first') }} AS f JOIN called USING (entity_id)
            """,
        },
    )
    first, second = load_sql_models(tmp_path)
    assert (first.name, first.materialized, first.refs) == ("z_first", "view", ())
    assert first.sources == (("curated", "people"),)
    assert (second.name, second.materialized) == ("a_second", "table")
    assert second.refs == ("z_first",)
    assert second.sources == (("staging", "calls"),)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM curated.people", "use ref\\(\\) or source\\(\\)"),
        ("SELECT * FROM people", "use ref\\(\\) or source\\(\\)"),
        ("SELECT * FROM {{ ref('missing') }}", "unknown model"),
        ("SELECT * FROM {{ source('curated', 'undeclared') }}", "not declared"),
        ("SELECT * FROM {{ source('raw', 'people') }}", "not staging or curated"),
        ("DELETE FROM {{ source('curated', 'people') }}", "exactly one SELECT"),
        ("SELECT 1; SELECT 2", "exactly one SELECT"),
        ("SELECT FROM WHERE (", "model broken"),
        ("{{ config(materialized='incremental') }} SELECT 1", "materialized must be"),
        ("SELECT {{ undefined_call() }}", "model broken"),
    ],
)
def test_invalid_models_are_refused_with_the_model_named(tmp_path, sql, message):
    write_models(tmp_path, {"schema.yml": SOURCES_YML, "broken.sql": sql})
    with pytest.raises(SqlModelError, match=message):
        load_sql_models(tmp_path)


def test_models_referring_to_each_other_in_a_cycle_are_refused(tmp_path):
    write_models(
        tmp_path,
        {"a.sql": "SELECT * FROM {{ ref('b') }}", "b.sql": "SELECT * FROM {{ ref('a') }}"},
    )
    with pytest.raises(SqlModelError, match="cycle"):
        load_sql_models(tmp_path)


@pytest.mark.postgres
def test_every_model_gives_the_same_result_on_duckdb_and_postgresql(on_duckdb, on_postgresql):
    for name in SORT_KEYS:
        assert not on_duckdb[name].empty, name
        pd.testing.assert_frame_equal(on_duckdb[name], on_postgresql[name], obj=name)


def test_model_columns_match_their_documentation_and_carry_comments(built_warehouse):
    warehouse = built_warehouse
    with warehouse.engine.connect() as conn:
        for model in load_sql_models(MODELS_DIR):
            columns = warehouse.columns(warehouse.curated_schema, model.name)
            assert columns == [c.name for c in model.columns]
            docs = current_docs(conn, warehouse.curated_schema, model.name)
            assert docs.comment == model.description
            assert docs.column_comments == {c.name: c.description for c in model.columns}


def test_dial_list_publishes_scorings_decision_in_priority_order(on_duckdb, golden):
    dial_list = on_duckdb["dial_list"]
    decided = golden[golden["on_dial_list"]].sort_values("priority_rank")
    assert dial_list["entity_id"].tolist() == decided["entity_id"].tolist()
    assert dial_list["priority_rank"].tolist() == [1, 2, 3, 4, 5]
    assert dial_list.loc[4, "phone_e164"] == "+12025559999", "the dial phone: E04's mobile"


def test_suppression_list_has_one_row_per_channel_key_with_the_earliest_reason(on_duckdb):
    suppressed = on_duckdb["suppression_list"]
    assert not suppressed.duplicated(["channel", "value"]).any()
    by_key = suppressed.set_index(["channel", "value"])
    email = by_key.loc[("email", "jane100@example.com")]
    assert (email["reason"], email["since"]) == ("complaint", pd.Timestamp("2026-01-15", tz="UTC"))
    assert email["reasons"] == "complaint; hard_bounce", "keys are matched case-insensitively"
    dnc = by_key.loc[("phone", "+12025558888")]
    assert (dnc["entity_id"], dnc["detail"], dnc["scope"]) == (
        "E08",
        "national registry",
        "channel",
    )
    assert by_key.loc[("phone", "+12025550555"), "scope"] == "person"
    unowned = by_key.loc[("phone", "+12025550111")]
    assert unowned["entity_id"] is None and unowned["entity_count"] == 0
    assert len(suppressed) == 6


def test_account_health_summarises_each_account(on_duckdb):
    health = on_duckdb["account_health"].set_index("company")
    assert sorted(health.index) == ["Acme", "Globex", "Hooli", "Initech", "Initrode", "Umbrella"]
    assert health.loc["Hooli", ["people", "active_people", "account_status"]].tolist() == [
        3,
        2,
        "relocated",
    ]
    assert health.loc["Acme", ["people", "high_intent_people", "dial_list_people"]].tolist() == [
        3,
        3,
        2,
    ]
    assert health.loc["Initech", "stale_share"] == pytest.approx(1 / 3)
    assert health.loc["Initech", "callable_share"] == pytest.approx(2 / 3)
    assert health.loc["Initech", "departures"] == 1
    assert health["job_change_departures"].to_dict() == {
        "Acme": 0,
        "Globex": 1,
        "Hooli": 0,
        "Initech": 0,
        "Initrode": 1,
        "Umbrella": 0,
    }
    assert health["removed_people"].sum() == 0
    assert health["health"].to_dict() == {
        "Acme": "healthy",
        "Globex": "healthy",
        "Hooli": "relocated",
        "Initech": "healthy",
        "Initrode": "contact_lost",
        "Umbrella": "closed",
    }


def test_dq_summary_gives_the_latest_outcome_and_failures_over_time(on_duckdb):
    summary = on_duckdb["dq_summary"].set_index("check_name")
    assert summary.loc["no_dnc", "latest_outcome"] == "pass"
    assert summary.loc["no_dnc", ["evaluations", "failures", "failing_days"]].tolist() == [3, 1, 1]
    keys = summary.loc["keys_unique"]
    assert (keys["latest_outcome"], keys["latest_run_id"]) == ("fail", "r3")
    assert (keys["failing_days_last_7"], keys["failing_days_last_30"], keys["failing_days"]) == (
        2,
        2,
        3,
    )
    daily = on_duckdb["dq_failures_daily"]
    late_evening = daily[daily["check_name"] == "keys_unique"]["check_date"].max()
    assert str(late_evening) == "2026-03-02", "days are UTC days"


def test_dq_scorecard_trend_shows_the_latest_run_against_the_one_before(on_duckdb):
    trend = on_duckdb["dq_scorecard_trend"].set_index("measure")
    assert trend.loc["ghost_share", ["value", "previous_value", "trend"]].tolist() == [
        0.02,
        0.04,
        "improved",
    ]
    assert trend.loc["validity", "trend"] == "worsened"
    assert trend.loc["validity", ["runs", "lowest_value", "highest_value"]].tolist() == [
        2,
        0.85,
        0.9,
    ]
    assert trend.loc["validity", "latest_run_id"] == "r2"

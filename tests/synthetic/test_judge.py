"""The judge on hand-built DuckDB warehouses: a perfect one scores perfectly, planted mistakes
are counted where they belong, and figures a warehouse cannot give yet read "n/a"."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from hygiene_pipeline.synthetic.judge import NOT_AVAILABLE, judge, read_truth


def _warehouse(path: Path, tables: dict[str, pd.DataFrame]) -> str:
    connection = duckdb.connect(str(path))
    connection.execute("create schema curated")
    for name, frame in tables.items():
        connection.register("frame", frame)
        connection.execute(f"create table curated.{name} as select * from frame")
        connection.unregister("frame")
    connection.close()
    return f"duckdb:///{path}"


@pytest.fixture(scope="module")
def perfect(generated_crm: Path) -> dict[str, pd.DataFrame]:
    """The warehouse a pipeline that knew everything would publish: one entity per person."""
    records, people = read_truth(generated_crm / "ground_truth")
    xref = records[["contact_id", "source_system"]].assign(
        entity_id="E" + records["person_id"], account_id=records["account"].replace("", None)
    )
    golden = pd.DataFrame(
        {
            "entity_id": "E" + people["person_id"],
            "status": people["status"],
            "intent_tier": people["intent_tier"],
        }
    )
    dial = pd.DataFrame({"entity_id": "E" + people.loc[people["dialable"], "person_id"]})
    return {"contact_xref": xref, "contacts_golden": golden, "dial_list": dial}


def test_a_perfect_warehouse_scores_perfectly(
    perfect: dict[str, pd.DataFrame], generated_crm: Path, tmp_path: Path
) -> None:
    url = _warehouse(tmp_path / "perfect.duckdb", perfect)
    figures = judge(url, generated_crm / "ground_truth").figures
    for name in (
        "linkage f1",
        "account linkage f1",
        "coarse status accuracy",
        "status accuracy",
        "intent tier accuracy (active)",
        "dial recall",
        "ghost precision",
        "ghost recall",
    ):
        assert figures[name] == pytest.approx(1.0), name
    assert figures["dial list violations (entities)"] == 0
    assert figures["dial list: people not active"] == 0
    assert figures["people merged with a ghost"] == 0.0
    assert figures["records not in contact_xref"] == 0


def test_mistakes_are_counted_where_they_belong(
    perfect: dict[str, pd.DataFrame], generated_crm: Path, tmp_path: Path
) -> None:
    _, people = read_truth(generated_crm / "ground_truth")
    real = people[~people["is_ghost"]]
    dnc = real.loc[real["is_dnc"], "person_id"].iloc[0]
    stale = real.loc[
        (real["status"] == "stale_inactive") & real["consent_valid"] & ~real["is_dnc"], "person_id"
    ].iloc[0]
    active = real.loc[real["status"] == "active", "person_id"]
    ghost = people.loc[people["is_ghost"], "person_id"].iloc[0]
    golden = perfect["contacts_golden"].copy()
    golden.loc[golden["entity_id"] == "E" + active.iloc[0], "status"] = "left_company"
    dial = pd.concat([perfect["dial_list"], pd.DataFrame({"entity_id": ["E" + dnc, "E" + stale]})])
    xref = perfect["contact_xref"].copy()
    xref.loc[xref["entity_id"] == "E" + ghost, "entity_id"] = "E" + active.iloc[1]
    url = _warehouse(
        tmp_path / "flawed.duckdb",
        {"contact_xref": xref, "contacts_golden": golden, "dial_list": dial},
    )
    judgement = judge(url, generated_crm / "ground_truth")
    figures = judgement.figures
    assert figures["dial list violations: dnc people"] == 1
    assert figures["dial list: people not active"] >= 1
    assert figures["people merged with a ghost"] > 0
    assert figures["coarse status accuracy"] < 1.0
    assert judgement.status_confusion.loc["active", "left_company"] == 1
    assert any("status confusion" in line for line in judgement.lines())


def test_figures_a_warehouse_cannot_give_read_not_available(
    perfect: dict[str, pd.DataFrame], generated_crm: Path, tmp_path: Path
) -> None:
    """No account_id in the cross-reference, no ghost status, no intent tier, no accounts."""
    golden = perfect["contacts_golden"].drop(columns="intent_tier")
    golden.loc[golden["status"] == "ghost", "status"] = "stale_inactive"
    url = _warehouse(
        tmp_path / "early.duckdb",
        {
            "contact_xref": perfect["contact_xref"].drop(columns="account_id"),
            "contacts_golden": golden,
            "dial_list": perfect["dial_list"],
        },
    )
    figures = judge(url, generated_crm / "ground_truth").figures
    for name in (
        "account linkage f1",
        "ghost precision",
        "ghost recall",
        "intent tier accuracy (active)",
        "accounts table",
    ):
        assert figures[name] == NOT_AVAILABLE, name
    assert figures["linkage f1"] == pytest.approx(1.0)


def test_a_warehouse_without_the_published_tables_is_refused(
    generated_crm: Path, tmp_path: Path
) -> None:
    url = _warehouse(tmp_path / "empty.duckdb", {})
    with pytest.raises(ValueError, match="lacks"):
        judge(url, generated_crm / "ground_truth")

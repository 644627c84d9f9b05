"""Reports: one line for the UI, a table of failures, and rows for dq_check_results."""

import json

import pandas as pd

from hygiene_pipeline.quality.results import (
    DQ_RESULT_COLUMNS,
    ERROR,
    CheckReport,
    Finding,
    dq_result_rows,
    failures_markdown,
    sample_keys_json,
)

UNIQUE = Finding(
    rule="expect_column_values_to_be_unique(entity_id)",
    passed=False,
    observed="2 of 4 rows (50.00%)",
    expected="column values to be unique",
    failed_count=2,
    sample_keys=({"entity_id": "E2", "phone_e164": "+1******0102"},),
    hint="Deduplicate | then rerun.",
)
ROWS = Finding(
    rule="expect_table_row_count_to_be_between",
    passed=False,
    observed="0",
    expected="table row count to be between (min_value=1)",
    hint="Nothing arrived.",
)
PASSED = Finding(rule="not null", passed=True, observed="0 of 4 rows", expected="not null")


def test_report_summarises_failures_in_order_with_the_first_hint() -> None:
    report = CheckReport(
        "curated.dial_list", "critical_expectations", ERROR, (PASSED, UNIQUE, ROWS)
    )

    assert not report.passed
    assert report.failed_count == 2
    assert report.hint == "Deduplicate | then rerun."
    assert report.summary == (
        "2 of 3 rules failed on curated.dial_list: "
        "expect_column_values_to_be_unique(entity_id) (2 offending), "
        "expect_table_row_count_to_be_between"
    )


def test_passing_report() -> None:
    report = CheckReport("curated.dial_list", "c", ERROR, (PASSED,))

    assert report.passed and report.failed_count == 0 and report.hint is None
    assert report.summary == "1 of 1 rules passed on curated.dial_list"


def test_failures_markdown_has_one_escaped_row_per_failure() -> None:
    report = CheckReport("curated.dial_list", "c", ERROR, (PASSED, UNIQUE, ROWS))

    lines = failures_markdown(report).splitlines()

    assert len(lines) == 4
    assert "entity_id=E2, phone_e164=+1******0102" in lines[2]
    assert "Deduplicate \\| then rerun." in lines[2]
    assert lines[3].count("|") == 7 and "| — |" in lines[3]


def test_dq_rows_follow_the_contract_and_carry_json_details() -> None:
    report = CheckReport("curated.dial_list", "c", ERROR, (PASSED, UNIQUE), extra={"row_count": 4})
    checked_at = pd.Timestamp("2026-06-30 12:00", tz="UTC")

    rows = dq_result_rows("run-1", [report], checked_at)

    assert list(rows.columns) == DQ_RESULT_COLUMNS
    row = rows.iloc[0]
    assert (row["run_id"], row["asset"], row["passed"], row["severity"]) == (
        "run-1",
        "curated.dial_list",
        False,
        "ERROR",
    )
    assert row["failed_count"] == 2
    assert row["checked_at"] == checked_at
    details = json.loads(row["details"])
    assert details["row_count"] == 4
    assert details["passed_rules"] == ["not null"]
    assert details["failures"][0]["sample_keys"] == [
        {"entity_id": "E2", "phone_e164": "+1******0102"}
    ]
    assert sample_keys_json(report) == [{"rule": UNIQUE.rule, "keys": list(UNIQUE.sample_keys)}]

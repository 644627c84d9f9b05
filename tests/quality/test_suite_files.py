"""Suite files: which table they guard, severities, and the errors a broken file gives."""

import json
from pathlib import Path

import pytest

from hygiene_pipeline.quality.suites import ReferenceColumn, SuiteError, load_suite, load_suites

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"


def write_suite(directory: Path, name: str, expectations: list, meta: dict | None = None) -> Path:
    path = directory / f"{name}.json"
    path.write_text(json.dumps({"name": name, "meta": meta or {}, "expectations": expectations}))
    return path


NOT_NULL = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "entity_id"}}


def test_shipped_suites_cover_the_feeds_and_curated_tables() -> None:
    tables = {suite.qualified_table for suite in load_suites(EXPECTATIONS_DIR)}

    assert {
        "staging.crm_contacts",
        "staging.email_bounces",
        "staging.call_logs",
        "staging.engagement_events",
        "staging.dnc_list",
        "curated.contact_xref",
        "curated.contacts_golden",
        "curated.dial_list",
    } <= tables


def test_file_name_gives_the_asset_and_golden_references_contact_xref() -> None:
    golden = load_suite(EXPECTATIONS_DIR / "curated.contacts_golden.json")

    assert golden.asset_key == ("curated", "contacts_golden")
    assert golden.key_columns == ("entity_id",)
    assert golden.references["contact_xref_entity_ids"] == ReferenceColumn(
        "curated", "contact_xref", "entity_id"
    )
    assert any(e.blocking for e in golden.expectations)
    assert all(e.hint for e in golden.expectations)


def test_severity_defaults_to_critical_like_great_expectations(tmp_path: Path) -> None:
    warning = {**NOT_NULL, "kwargs": {"column": "status"}, "severity": "warning"}
    suite = load_suite(write_suite(tmp_path, "curated.t", [NOT_NULL, warning]))

    assert [e.severity for e in suite.expectations] == ["critical", "warning"]
    assert [e.label for e in suite.expectations_where(blocking=False)] == [
        "expect_column_values_to_not_be_null(status)"
    ]


@pytest.mark.parametrize(
    ("name", "expectations", "meta", "message"),
    [
        ("crm_contacts", [NOT_NULL], None, "named <schema>.<table>.json"),
        ("curated.t", [], None, "no expectations"),
        ("curated.t", [{**NOT_NULL, "severity": "fatal"}], None, "severity 'fatal'"),
        ("curated.t", [{"kwargs": {}}], None, "with a 'type'"),
        (
            "curated.t",
            [
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "a", "value_set": {"$PARAMETER": "ids"}},
                }
            ],
            None,
            "undeclared parameters ['ids']",
        ),
        ("curated.t", [NOT_NULL], {"key_columns": ["a; drop table x"]}, "not a plain identifier"),
        (
            "curated.t",
            [NOT_NULL],
            {"parameters": {"ids": {"table": "contact_xref", "column": "entity_id"}}},
            "not a plain identifier",
        ),
    ],
)
def test_broken_suites_name_the_file_and_the_problem(
    tmp_path: Path, name: str, expectations: list, meta: dict | None, message: str
) -> None:
    path = write_suite(tmp_path, name, expectations, meta)

    with pytest.raises(SuiteError, match=path.name.replace(".", r"\.")) as error:
        load_suite(path)

    assert message in str(error.value)


def test_invalid_json_and_empty_directory_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="no expectation suites"):
        load_suites(tmp_path)
    (tmp_path / "curated.t.json").write_text("{not json")
    with pytest.raises(SuiteError, match="not valid JSON"):
        load_suites(tmp_path)

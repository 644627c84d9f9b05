"""Expectation suites evaluated inside the warehouse (DuckDB and PostgreSQL), turned into
findings on-call staff can act on."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.quality import evaluation
from hygiene_pipeline.quality.evaluation import describe_expected, evaluate_suite
from hygiene_pipeline.quality.suites import SuiteError, SuiteSpec, load_suite, load_suites
from hygiene_pipeline.warehouse.engine import Warehouse

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    """An empty warehouse on each engine."""
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    else:
        url = request.getfixturevalue("pg_database_url")
    store = Warehouse(url)
    store.ensure_schemas()
    return store


def write(warehouse: Warehouse, table: str, frame: pd.DataFrame) -> None:
    """Write `schema.table` into the warehouse."""
    schema, name = table.split(".")
    warehouse.replace_table(warehouse.schema_for(schema), name, frame)


def evaluate(warehouse: Warehouse, suite: SuiteSpec, frame: pd.DataFrame) -> list:
    """The suite's outcomes on `frame` written as its table."""
    write(warehouse, suite.qualified_table, frame)
    return list(evaluate_suite(suite, warehouse).outcomes)


def findings_by_rule(outcomes: list) -> dict:
    return {o.finding.rule: o.finding for o in outcomes}


def test_faulty_dial_list_names_rules_counts_and_masked_keys(warehouse: Warehouse) -> None:
    suite = load_suite(EXPECTATIONS_DIR / "curated.dial_list.json")
    dial = pd.DataFrame(
        {
            "entity_id": ["E1", "E2", "E2", "E4"],
            "phone_e164": ["+14155550100", "4155550101", "+14155550102", "+14155550104"],
            "intent_tier": ["high", "medium", "urgent", "low"],
            "priority_rank": [1, 2, 3, 4],
        }
    )

    found = findings_by_rule(evaluate(warehouse, suite, dial))

    unique = found["expect_column_values_to_be_unique(entity_id)"]
    assert not unique.passed and unique.failed_count == 2
    assert {k["entity_id"] for k in unique.sample_keys} == {"E2"}
    phone = found["expect_column_values_to_match_regex(phone_e164)"]
    assert phone.failed_count == 1
    assert phone.sample_keys == ({"phone_e164": "******0101", "entity_id": "E2"},)
    assert "4155550101" not in json.dumps([phone.observed, phone.sample_keys])
    assert "regex=" in phone.expected
    tier = found["expect_column_values_to_be_in_set(intent_tier)"]
    assert "'urgent'" in tier.observed and "1 of 4 rows" in tier.observed
    assert tier.hint and tier.hint.startswith("A tier outside")
    assert found["expect_table_row_count_to_be_between"].passed


def test_contain_set_reports_the_absent_values_as_offenders(warehouse: Warehouse) -> None:
    suite = load_suite(EXPECTATIONS_DIR / "curated.contacts_golden.json")
    golden = pd.DataFrame({"entity_id": ["E1", "E2", None]})
    write(
        warehouse,
        "curated.contact_xref",
        pd.DataFrame({"entity_id": ["E9", "E1", "E2", "E7", "E9", None]}),
    )

    found = findings_by_rule(evaluate(warehouse, suite, golden))

    contains = found["expect_column_distinct_values_to_contain_set(entity_id)"]
    assert not contains.passed
    assert contains.failed_count == 2
    assert contains.sample_keys == ({"entity_id": "E7"}, {"entity_id": "E9"})
    assert contains.observed == "2 of 4 required values absent"
    assert "<contact_xref_entity_ids>" in contains.expected


def test_a_missing_column_is_a_failed_finding_not_a_crash(warehouse: Warehouse) -> None:
    suite = load_suite(EXPECTATIONS_DIR / "curated.dial_list.json")
    dial = pd.DataFrame({"entity_id": ["E1"], "phone_e164": ["+14155550100"]})

    found = findings_by_rule(evaluate(warehouse, suite, dial))

    tier = found["expect_column_values_to_be_in_set(intent_tier)"]
    assert not tier.passed
    assert tier.observed.startswith("could not evaluate:") and "intent_tier" in tier.observed
    assert found["expect_column_values_to_be_unique(entity_id)"].passed


def test_invalid_expectation_is_an_error_naming_file_and_position(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "curated.t.json"
    path.write_text(
        json.dumps(
            {
                "name": "t",
                "expectations": [
                    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "a"}}
                ],
            }
        )
    )

    with pytest.raises(SuiteError, match=r"curated\.t\.json: expectation 0 .* is invalid"):
        evaluate(warehouse, load_suite(path), pd.DataFrame({"a": [1]}))


def write_suite(path: Path, most: int) -> SuiteSpec:
    """A one-expectation suite: column `a` at most `most`."""
    kwargs = {"column": "a", "max_value": most}
    expectation = {"type": "expect_column_values_to_be_between", "kwargs": kwargs}
    path.write_text(json.dumps({"name": "t", "expectations": [expectation]}))
    return load_suite(path)


def counted_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The types of the expectations GX validates from now on, in order."""
    gx_configuration = evaluation._great_expectations_configuration()
    validations: list[str] = []

    def counted(**config: object) -> object:
        validations.append(str(config["type"]))
        return gx_configuration(**config)

    monkeypatch.setattr(evaluation, "_great_expectations_configuration", lambda: counted)
    return validations


def test_gx_validates_a_suite_once_per_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Warehouse(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    store.ensure_schemas()
    write(store, "curated.t", pd.DataFrame({"a": [1]}))
    validated = tmp_path / "validated"
    validations = counted_validations(monkeypatch)
    suite = write_suite(tmp_path / "curated.t.json", 5)
    for _ in range(2):
        evaluate_suite(suite, store, validated=validated)
    assert validations == ["expect_column_values_to_be_between"]

    changed = write_suite(tmp_path / "curated.t.json", 6)
    evaluate_suite(changed, store, validated=validated)
    evaluate_suite(changed, store)  # without the folder, always validated
    assert len(validations) == 3
    assert sorted(p.suffix for p in validated.iterdir()) == [".valid", ".valid"]
    monkeypatch.setattr(evaluation, "VALIDATION_VERSION", evaluation.VALIDATION_VERSION + 1)
    evaluate_suite(changed, store, validated=validated)  # validation asks more: validated again
    assert len(validations) == 4

    invalid = tmp_path / "curated.t.json"
    invalid.write_text(json.dumps({"name": "t", "expectations": [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "a"}}
    ]}))  # fmt: skip
    for _ in range(2):  # a refused configuration is not remembered: refused every time
        with pytest.raises(SuiteError, match="is invalid"):
            evaluate_suite(load_suite(invalid), store, validated=validated)
    assert len(validations) == 6


def test_the_shipped_suites_are_accepted_by_gx_and_listed_as_shipped() -> None:
    gx_configuration = evaluation._great_expectations_configuration()
    suites = load_suites(EXPECTATIONS_DIR)
    for suite in suites:
        for spec in suite.expectations:
            gx_configuration(**spec.config).to_domain_obj()  # raises on a refused one
    listing = EXPECTATIONS_DIR / evaluation.ACCEPTED_LISTING
    expected = "".join(sorted(f"{evaluation.shipped_digest(s)}  {s.path.name}\n" for s in suites))
    assert listing.read_text(encoding="utf-8") == expected, f"write {listing} as:\n{expected}"


def test_a_shipped_suite_is_not_validated_again_but_an_edited_copy_of_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = tmp_path / "expectations"
    copies.mkdir()
    for path in [*EXPECTATIONS_DIR.glob("*.json"), EXPECTATIONS_DIR / evaluation.ACCEPTED_LISTING]:
        (copies / path.name).write_bytes(path.read_bytes())
    validated = counted_validations(monkeypatch)
    for suite in load_suites(copies):
        evaluation._validate_with_great_expectations(suite, None)
    assert validated == []

    edited = copies / "curated.dial_list.json"
    document = json.loads(edited.read_text(encoding="utf-8"))
    document["expectations"][0]["kwargs"]["min_value"] = 2
    edited.write_text(json.dumps(document), encoding="utf-8")
    suite = load_suite(edited)
    evaluation._validate_with_great_expectations(suite, None)
    assert len(validated) == len(suite.expectations)


def test_a_run_whose_suites_are_the_shipped_ones_does_not_import_gx() -> None:
    probe = (
        "import sys; from pathlib import Path; "
        "from hygiene_pipeline.quality import evaluation; "
        "from hygiene_pipeline.quality.suites import load_suites; "
        f"suites = load_suites(Path({str(EXPECTATIONS_DIR)!r})); "
        "[evaluation._validate_with_great_expectations(s, None) for s in suites]; "
        "print(len(suites), 'great_expectations' in sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == [str(len(load_suites(EXPECTATIONS_DIR))), "False"]


def test_a_missing_reference_table_fails_the_expectation_that_needs_it(
    warehouse: Warehouse,
) -> None:
    suite = load_suite(EXPECTATIONS_DIR / "curated.contacts_golden.json")

    found = findings_by_rule(evaluate(warehouse, suite, pd.DataFrame({"entity_id": ["E1"]})))

    contains = found["expect_column_distinct_values_to_contain_set(entity_id)"]
    assert not contains.passed
    assert contains.observed == (
        "could not evaluate: the reference column curated.contact_xref.entity_id does not exist"
    )
    assert found["expect_column_values_to_be_unique(entity_id)"].passed


def typed_empty_frame(suite: SuiteSpec) -> pd.DataFrame:
    """No rows, each column typed as its expectations read it: numbers compared to bounds,
    flags compared to booleans, text otherwise."""
    dtypes = {c: "string" for c in suite.key_columns}
    for e in suite.expectations:
        for column in e.columns:
            if "min_value" in e.kwargs or "max_value" in e.kwargs:
                dtypes[column] = "Float64"
            elif e.kwargs.get("value_set") == [True]:
                dtypes[column] = "boolean"
            else:
                dtypes.setdefault(column, "string")
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in sorted(dtypes.items())})


def test_every_shipped_suite_is_valid_and_evaluates_in_the_warehouse(warehouse: Warehouse) -> None:
    suites = load_suites(EXPECTATIONS_DIR)
    for suite in suites:
        write(warehouse, suite.qualified_table, typed_empty_frame(suite))

    for suite in suites:
        evaluation = evaluate_suite(suite, warehouse)

        errors = [o.finding for o in evaluation.outcomes if o.finding.observed.startswith("could")]
        assert not errors, f"{suite.path.name}: {errors}"
        assert evaluation.row_count == 0
        row_counts = [o.finding for o in evaluation.outcomes if o.finding.failed_count is None]
        assert all(f.observed == "0" for f in row_counts)


def test_describe_expected_shows_arguments_but_not_columns() -> None:
    suite = load_suite(EXPECTATIONS_DIR / "curated.contacts_golden.json")
    score = next(
        e
        for e in suite.expectations
        if e.label.endswith("(staleness_score)") and e.kwargs.get("max_value")
    )

    assert describe_expected(score) == "column values to be between (min_value=0, max_value=100)"


def test_multi_column_values_are_masked_per_column(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "curated.t.json"
    path.write_text(
        json.dumps(
            {
                "name": "t",
                "meta": {"key_columns": ["k"]},
                "expectations": [
                    {
                        "type": "expect_compound_columns_to_be_unique",
                        "kwargs": {"column_list": ["email", "source"]},
                    }
                ],
            }
        )
    )
    frame = pd.DataFrame({"k": ["a", "b"], "email": ["jane@x.com"] * 2, "source": ["sf"] * 2})

    [outcome] = evaluate(warehouse, load_suite(path), frame)

    shown = json.dumps([outcome.finding.observed, outcome.finding.sample_keys])
    assert "jane@x.com" not in shown and "j***@x***.com" in shown
    assert outcome.finding.failed_count == 2
    assert [k["k"] for k in outcome.finding.sample_keys] == ["b"]  # the repeat, not the first


def test_a_file_delivered_twice_is_sampled_from_the_copy(warehouse: Warehouse) -> None:
    suite = load_suite(EXPECTATIONS_DIR / "staging.call_logs.json")
    original = pd.DataFrame(
        {
            "call_id": ["c1", "c2", "c3"],
            "source_file": "calls.csv",
            "row_number": [1, 2, 3],
            "phone_e164": "+14155550100",
        }
    )
    copy = original.assign(source_file="calls_resent.csv")
    # Read back in any order, the copy is what comes after the original in read order.
    frame = pd.concat([copy, original], ignore_index=True)

    found = findings_by_rule(evaluate(warehouse, suite, frame))

    unique = found["expect_column_values_to_be_unique(call_id)"]
    assert not unique.passed and unique.failed_count == 6
    assert {k["source_file"] for k in unique.sample_keys} == {"calls_resent.csv"}
    assert [k["row_number"] for k in unique.sample_keys] == [1, 2, 3]
    assert "3 repeat an earlier row (in 'calls_resent.csv')" in unique.observed


def suite_file(tmp_path: Path, *expectations: dict, key_columns: tuple = ("k",)) -> SuiteSpec:
    """A suite of `expectations` guarding `curated.t`."""
    path = tmp_path / "curated.t.json"
    document = {
        "name": "t",
        "meta": {"key_columns": list(key_columns)},
        "expectations": expectations,
    }
    path.write_text(json.dumps(document))
    return load_suite(path)


def test_mostly_is_a_share_of_the_non_null_rows(warehouse: Warehouse, tmp_path: Path) -> None:
    suite = suite_file(
        tmp_path,
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "half", "value_set": [True], "mostly": 0.5},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "third", "value_set": [True], "mostly": 0.5},
        },
    )
    frame = pd.DataFrame(
        {
            "k": ["a", "b", "c", "d"],
            "half": pd.array([True, False, None, None], dtype="boolean"),
            "third": pd.array([True, False, False, None], dtype="boolean"),
        }
    )

    half, third = (o.finding for o in evaluate(warehouse, suite, frame))

    assert half.passed and half.failed_count == 1 and half.sample_keys == ()
    assert half.observed == "1 of 4 rows (50.00%), e.g. False"
    assert not third.passed and third.failed_count == 2
    assert third.observed == "2 of 4 rows (66.67%), e.g. False"
    assert [k["k"] for k in third.sample_keys] == ["b", "c"]


def test_regex_matches_anywhere_in_the_value_read_as_text(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    suite = suite_file(
        tmp_path,
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "n", "regex": "^[0-3]$"},
        },
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "s", "regex": "5"}},
    )
    frame = pd.DataFrame(
        {
            "k": ["a", "b", "c", "d", "e"],
            "n": pd.array([1, 7, None, -1, 7], dtype="Int64"),
            "s": ["15", "51", "x5x", "6", None],
        }
    )

    anchored, anywhere = (o.finding for o in evaluate(warehouse, suite, frame))

    assert anchored.failed_count == 3
    assert anchored.observed == "3 of 5 rows (75.00%), e.g. 7, -1"
    assert anchored.sample_keys == ({"n": 7, "k": "b"}, {"n": -1, "k": "d"}, {"n": 7, "k": "e"})
    assert anywhere.failed_count == 1 and anywhere.sample_keys == ({"s": "6", "k": "d"},)


def test_compound_uniqueness_ignores_rows_with_no_value_at_all(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    suite = suite_file(
        tmp_path,
        {
            "type": "expect_compound_columns_to_be_unique",
            "kwargs": {"column_list": ["contact_id", "source"]},
        },
    )
    frame = pd.DataFrame(
        {
            "k": ["a", "b", "c", "d", "e"],
            "contact_id": [None, None, None, None, "C1"],
            "source": ["sf", "sf", None, None, "sf"],
        }
    )

    [outcome] = evaluate(warehouse, suite, frame)

    assert outcome.finding.failed_count == 2
    assert outcome.finding.observed.startswith("2 of 5 rows share a value")
    assert outcome.finding.sample_keys == ({"k": "b"},)


def test_an_expectation_the_engine_cannot_evaluate_fails_alone(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    suite = suite_file(
        tmp_path,
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "s", "min_value": 0}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "s"}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 3}},
    )
    frame = pd.DataFrame({"k": ["a", "b"], "s": ["abc", None]})

    between, not_null, row_count = (o.finding for o in evaluate(warehouse, suite, frame))

    assert not between.passed and between.observed.startswith("could not evaluate: ")
    assert between.failed_count is None
    assert not_null.failed_count == 1 and not_null.observed == "1 of 2 rows (50.00%), e.g. None"
    assert not_null.sample_keys == ({"s": None, "k": "b"},)
    assert (row_count.passed, row_count.observed, row_count.failed_count) == (False, "2", None)

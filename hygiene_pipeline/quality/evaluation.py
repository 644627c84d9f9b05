"""Evaluate an expectation suite inside the warehouse (DuckDB or PostgreSQL).

Every expectation is compiled to SQL (`suite_sql`): one aggregate query per suite counts the
offending rows of each, and only an expectation with offenders has a few of them fetched (the
suite's `meta.key_columns` and the values at fault). No table is read into memory, so a check
costs about one scan of its table whatever its size.

The results are `Finding`s shaped as Great Expectations reports them: observed against expected
values (`N of M rows (p%)`, with the most frequent offending values of the sample), offending row
counts and masked sample keys. Uniqueness samples the repeats, the rows after the first of their
value in read order, since those are the copies to remove; a required value set reports the
values absent. An expectation the warehouse cannot evaluate (a missing column, a type mismatch)
is a failed finding naming the reason, not an error of the whole suite. Great Expectations
validates each expectation's configuration, as it defines the suite format; a folder given as
`validated` remembers the configurations it accepted (an empty `<digest>.valid` file per digest
of a suite's configurations and the validating releases), so an unchanged suite is not
validated again, and a run in one process whose suites are all known does not import GX at all
(about two seconds). The suites the project ships were validated by GX when the release was
tested: `accepted_configurations.txt` beside them lists the digest of each as shipped, so they
are not validated again even where no folder remembers them (a new Dagster home, a step's
container); a suite edited, or given other vocabularies, has another digest and is validated.
The listing vouches for the releases of GX the project was tested with, not for whichever
release of the pinned range is installed: the suites are evaluated by this module's SQL, and GX
only guards their form.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from hygiene_pipeline.quality.masking import mask_record, mask_text, mask_value
from hygiene_pipeline.quality.results import Finding, format_examples, plain_record
from hygiene_pipeline.quality.suite_sql import (
    CONTAINS,
    MAP,
    ROW_COUNT,
    ROWS,
    Reference,
    Relation,
    Rule,
    absent_values_query,
    aggregate_query,
    compile_rule,
    offending_rows_query,
    repeat_files_query,
    repeats_query,
)
from hygiene_pipeline.quality.suites import ExpectationSpec, SuiteError, SuiteSpec
from hygiene_pipeline.warehouse.engine import Warehouse

DEFAULT_SAMPLE_SIZE = 10
LINEAGE_ORDER = ["source_file", "row_number"]
"""The order rows were read in (files in name order): what comes later repeats what came first."""
_PARAMETER_KEY = "$PARAMETER"
_KWARGS_NOT_SHOWN = frozenset(
    {"column", "column_list", "column_A", "column_B", "batch_id", "result_format"}
)
_EXAMPLES_SHOWN = 5
VALIDATION_VERSION = 1
"""Part of every remembered suite's digest: raise it when `_validate_with_great_expectations`
asks more of a configuration, so that suites accepted before are validated again."""
_ONE_GX_VALIDATION = threading.Lock()
"""GX fills its registry of expectations while it is imported: a suite checked in one thread
while another imports GX would find the registry half full (steps run side by side in threads
on the embedded warehouse)."""
ACCEPTED_LISTING = "accepted_configurations.txt"
"""Beside the shipped suites: the digest of each shipped configuration GX accepted (see the
module's docstring)."""


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation of the suite and what its evaluation found."""

    expectation: ExpectationSpec
    finding: Finding


@dataclass(frozen=True)
class SuiteEvaluation:
    """The rows of the guarded table and one outcome per expectation, in suite order."""

    row_count: int
    outcomes: tuple[ExpectationOutcome, ...]


def evaluate_suite(
    suite: SuiteSpec,
    warehouse: Warehouse,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    validated: Path | None = None,
) -> SuiteEvaluation:
    """Evaluate `suite` on its table in `warehouse` (the handle's schema for the suite's schema).

    Parameters (`meta.parameters`) are read from their tables in the same handle's schemas.
    `validated` is the folder remembering the configurations GX accepted (see the module's
    docstring); without it, GX validates the suite every time unless it is shipped as listed.
    Raises SuiteError for an invalid expectation or one of a type without SQL here.
    """
    _validate_with_great_expectations(suite, validated)
    table = _relation(warehouse, suite.schema, suite.table)
    referenced = {
        name: _relation(warehouse, ref.schema, ref.table) for name, ref in suite.references.items()
    }
    references = {
        name: Reference(referenced[name].sql, ref.column) for name, ref in suite.references.items()
    }
    missing_references = {
        name: f"{ref.schema}.{ref.table}.{ref.column}"
        for name, ref in suite.references.items()
        if ref.column not in referenced[name].columns
    }
    rules = [compile_rule(suite, spec, table, references) for spec in suite.expectations]
    problems = {
        rule.spec.position: problem
        for rule in rules
        if (problem := _unevaluable(rule.spec, table, missing_references))
    }
    evaluable = [rule for rule in rules if rule.spec.position not in problems]
    figures, errors = _figures(warehouse, table, evaluable)
    problems |= errors
    sampler = _Sampler(warehouse, table, references, suite.key_columns, sample_size)
    outcomes = tuple(
        ExpectationOutcome(
            expectation=rule.spec,
            finding=_unevaluated(rule.spec, problems[rule.spec.position])
            if rule.spec.position in problems
            else _finding(rule, figures, sampler),
        )
        for rule in rules
    )
    return SuiteEvaluation(row_count=int(figures[ROW_COUNT]), outcomes=outcomes)


def describe_expected(spec: ExpectationSpec) -> str:
    """What the expectation asks for, in words: `values to be in set (value_set=[...])`."""
    phrase = spec.type.removeprefix("expect_").replace("_", " ")
    arguments = ", ".join(
        f"{key}={_describe_argument(value)}"
        for key, value in spec.kwargs.items()
        if key not in _KWARGS_NOT_SHOWN
    )
    return f"{phrase} ({arguments})" if arguments else phrase


def _validate_with_great_expectations(suite: SuiteSpec, validated: Path | None) -> None:
    """Have GX itself check every expectation's configuration (its kwargs' names, types and
    required ones: a misspelt `mostly` would otherwise be ignored), naming the file and the
    expectation; GX would log and drop an invalid one. GX is imported on first use (seconds),
    so a configuration `validated` remembers is not checked again; a folder that cannot be
    read or written only means checking again. A shipped suite as listed beside it is not
    checked (see the module's docstring)."""
    if shipped_digest(suite) in _shipped_as_accepted(suite.path.with_name(ACCEPTED_LISTING)):
        return
    accepted = validated / f"{_configuration_digest(suite)}.valid" if validated else None
    if accepted is not None and _remembered(accepted):
        return
    with _ONE_GX_VALIDATION:
        configuration = _great_expectations_configuration()
        for spec in suite.expectations:
            try:
                configuration(**spec.config).to_domain_obj()
            except Exception as error:  # GX raises several unrelated types for a bad one
                raise SuiteError.invalid(suite, spec, error) from error
    if accepted is not None:
        with suppress(OSError):
            accepted.parent.mkdir(parents=True, exist_ok=True)
            accepted.touch()


def _remembered(accepted: Path) -> bool:
    try:
        return accepted.exists()
    except OSError:  # a folder that cannot be searched
        return False


def _configuration_digest(suite: SuiteSpec) -> str:
    """What the verdict on a suite depends on: its expectations' configurations, the releases
    of GX and of pydantic, which checks GX's models, and what is asked of them here
    (`VALIDATION_VERSION`)."""
    return _digest(suite, f"validation {VALIDATION_VERSION}, {_validating_releases()}")


def shipped_digest(suite: SuiteSpec) -> str:
    """The digest `accepted_configurations.txt` lists a shipped suite by: its configurations
    and `VALIDATION_VERSION`; the releases are those the project was tested with."""
    return _digest(suite, f"validation {VALIDATION_VERSION}, as shipped")


def _digest(suite: SuiteSpec, judges: str) -> str:
    configurations = json.dumps(
        [dict(spec.config) for spec in suite.expectations], sort_keys=True, default=str
    )
    return hashlib.sha256(f"{judges}\n{configurations}".encode()).hexdigest()


@cache
def _shipped_as_accepted(listing: Path) -> frozenset[str]:
    """The digests a listing names (the first word of each line, the suite's file name after
    it), read once per process; none when there is no listing."""
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.split()[0] for line in lines if line.strip())


@cache
def _validating_releases() -> str:
    """The installed releases of GX and pydantic, looked up once per process."""
    return f"great_expectations {version('great_expectations')}, pydantic {version('pydantic')}"


@cache
def _great_expectations_configuration() -> type:
    """GX's `ExpectationConfiguration`, imported once with GX's logging quietened."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    return ExpectationConfiguration


def _relation(warehouse: Warehouse, schema: str, table: str) -> Relation:
    """A table of the handle's physical schema for the logical `schema`, with its columns."""
    physical = warehouse.schema_for(schema)
    return Relation(
        sql=warehouse.qualified(physical, table),
        columns=frozenset(warehouse.columns(physical, table)),
    )


def _unevaluable(
    spec: ExpectationSpec, table: Relation, missing_references: Mapping[str, str]
) -> str | None:
    """Why the expectation cannot be evaluated on this table, if it cannot."""
    missing = [column for column in spec.columns if column not in table.columns]
    if missing:
        return f"column {missing[0]!r} does not exist"
    absent = [missing_references[p] for p in spec.parameters() if p in missing_references]
    if absent:
        return f"the reference column {absent[0]} does not exist"
    return None


def _figures(
    warehouse: Warehouse, table: Relation, rules: Sequence[Rule]
) -> tuple[dict[str, object], dict[int, str]]:
    """Every rule's figures from one aggregate query, and the error of each rule that failed.

    Should the query fail, each rule is queried alone so one bad rule (say, a regex on a column
    the engine cannot cast) fails alone.
    """
    with suppress(Exception):  # the engines' driver errors share no base class
        return _one_row(warehouse, aggregate_query(table, rules, warehouse.dialect)), {}
    figures = _one_row(warehouse, aggregate_query(table, [], warehouse.dialect))
    errors: dict[int, str] = {}
    for rule in rules:
        try:
            figures |= _one_row(warehouse, aggregate_query(table, [rule], warehouse.dialect))
        except Exception as error:  # as above: reported as this rule's finding
            errors[rule.spec.position] = mask_text(str(error).strip().splitlines()[0])
    return figures, errors


def _one_row(warehouse: Warehouse, sql: str) -> dict[str, object]:
    """The single row of an aggregate query, values made plain."""
    return plain_record(warehouse.read_sql(sql).iloc[0].to_dict())


class _Sampler:
    """Fetches the offending rows of failed rules: key columns and values, masked."""

    def __init__(
        self,
        warehouse: Warehouse,
        table: Relation,
        references: Mapping[str, Reference],
        key_columns: Sequence[str],
        sample_size: int,
    ) -> None:
        self.warehouse = warehouse
        self.table = table
        self.references = references
        self.keys = [c for c in key_columns if c in table.columns]
        lineage = LINEAGE_ORDER if set(LINEAGE_ORDER) <= table.columns else []
        self.read_order = [*lineage, *(k for k in self.keys if k not in lineage)] if lineage else []
        """The order rows were read in, keys breaking ties, where the table records it; else
        samples come in table order."""
        self.sample_size = sample_size

    def rows(self, sql: str) -> list[dict[str, object]]:
        """The query's rows as plain records (not yet masked)."""
        return [plain_record(row) for row in self.warehouse.read_sql(sql).to_dict("records")]

    def offending(self, rule: Rule) -> list[dict[str, object]]:
        """The first offending rows of a column-value rule in read order: value, then keys."""
        column = rule.spec.kwargs["column"]
        columns = [column, *(k for k in self.keys if k != column)]
        return self.rows(
            offending_rows_query(
                self.table,
                rule,
                columns,
                self.read_order,
                self.sample_size,
                self.warehouse.dialect,
            )
        )

    def repeat_order(self, columns: list[str]) -> list[str]:
        """What decides which row of a value came first: read order, else key order."""
        return self.read_order or self.keys or columns

    def repeats(
        self, columns: list[str], selected: list[str], *, first_only: bool = False, limit: int
    ) -> list[dict[str, object]]:
        """Rows repeating an earlier row's value."""
        sql = repeats_query(
            self.table,
            columns,
            selected,
            self.repeat_order(columns),
            self.warehouse.dialect,
            first_only=first_only,
            limit=limit,
        )
        return self.rows(sql)

    def repeat_files(self, columns: list[str]) -> list[object]:
        """The distinct files the repeats come from, in name order."""
        sql = repeat_files_query(
            self.table, columns, self.repeat_order(columns), self.warehouse.dialect
        )
        return [row["source_file"] for row in self.rows(sql)]

    def absent(self, rule: Rule) -> list[dict[str, object]]:
        """The first required values the column lacks."""
        sql = absent_values_query(
            rule, self.table, self.references, self.sample_size, self.warehouse.dialect
        )
        return self.rows(sql)


def _finding(rule: Rule, figures: Mapping[str, object], sampler: _Sampler) -> Finding:
    """The finding of an evaluated rule."""
    spec = rule.spec
    if rule.kind == MAP:
        return _map_finding(rule, figures, sampler)
    if rule.kind == ROWS:
        rows = int(figures[ROW_COUNT])
        return _found(spec, _within_bounds(spec, rows), str(rows))
    if rule.kind == CONTAINS:
        absent, required = (
            int(figures[rule.figures["absent"]]),
            int(figures[rule.figures["required"]]),
        )
        sample = tuple(mask_record(row) for row in sampler.absent(rule)) if absent else ()
        observed = f"{absent:,} of {required:,} required values absent"
        return _found(spec, absent == 0, observed, absent, sample)
    return _unique_finding(rule, figures, sampler)


def _map_finding(rule: Rule, figures: Mapping[str, object], sampler: _Sampler) -> Finding:
    """A column-value rule as GX reports it: `N of M rows (p%)` and its sample's commonest values;
    `mostly` is the share of the considered (non-null) rows that must pass."""
    spec = rule.spec
    unexpected = int(figures[rule.figures["unexpected"]])
    considered = int(figures[rule.figures["considered"]])
    mostly = spec.kwargs.get("mostly")
    passed = considered == 0 or (considered - unexpected) / considered >= (
        1.0 if mostly is None else float(mostly)
    )
    percent = unexpected / considered * 100 if considered else 0.0
    observed = f"{unexpected:,} of {int(figures[ROW_COUNT]):,} rows ({percent:.2f}%)"
    rows = sampler.offending(rule) if unexpected else []
    column = spec.kwargs["column"]
    examples = [mask_value(column, v) for v in _commonest([row[column] for row in rows])]
    if examples:
        observed += f", e.g. {format_examples(examples)}"
    sample = () if passed else tuple(plain_record(mask_record(row)) for row in rows)
    return _found(spec, passed, observed, unexpected, sample)


def _unique_finding(rule: Rule, figures: Mapping[str, object], sampler: _Sampler) -> Finding:
    """Rows sharing a value that must be unique (all of them count, as in GX); the sample shows
    the repeats, the rows that come after the first of their value in read order, since those
    are the copies to remove (a file delivered twice: rows of the second file)."""
    spec = rule.spec
    columns = list(spec.columns)
    shared = int(figures[rule.figures["shared"]])
    repeats = shared - int(figures[rule.figures["groups"]])
    observed = f"{shared:,} of {int(figures[ROW_COUNT]):,} rows share a value"
    if not shared:
        return _found(spec, True, f"{observed}; 0 repeat an earlier row", 0)
    shown = sampler.keys or columns
    sample = tuple(
        plain_record(mask_record(row))
        for row in sampler.repeats(columns, shown, limit=sampler.sample_size)
    )
    firsts = sampler.repeats(columns, columns, first_only=True, limit=_EXAMPLES_SHOWN)
    examples = [
        mask_record(row) if len(columns) > 1 else mask_value(columns[0], row[columns[0]])
        for row in firsts
    ]
    observed += f", e.g. {format_examples(examples)}; {repeats:,} repeat an earlier row"
    if "source_file" in shown:
        observed += f" (in {format_examples(sampler.repeat_files(columns))})"
    return _found(spec, False, observed, shared, sample)


def _commonest(values: Sequence[object]) -> list[object]:
    """Distinct values, most frequent first, ties in value order (as GX's partial counts);
    values of mixed types keep their frequency order."""
    counted = Counter(values).most_common()
    with suppress(TypeError):
        counted.sort(key=lambda item: (-item[1], item[0]))
    return [value for value, _ in counted]


def _within_bounds(spec: ExpectationSpec, value: int) -> bool:
    """Whether a table-level figure meets `min_value`/`max_value` (strict if so flagged)."""
    low, high = spec.kwargs.get("min_value"), spec.kwargs.get("max_value")
    above = low is None or (value > low if spec.kwargs.get("strict_min") else value >= low)
    below = high is None or (value < high if spec.kwargs.get("strict_max") else value <= high)
    return above and below


def _found(
    spec: ExpectationSpec,
    passed: bool,
    observed: str,
    failed_count: int | None = None,
    sample_keys: tuple[Mapping[str, object], ...] = (),
) -> Finding:
    """A finding of the expectation with its label, expected text and hint."""
    return Finding(
        rule=spec.label,
        passed=passed,
        observed=observed,
        expected=describe_expected(spec),
        failed_count=failed_count,
        sample_keys=sample_keys,
        hint=spec.hint,
    )


def _unevaluated(spec: ExpectationSpec, reason: str) -> Finding:
    """The failed finding of an expectation that could not be evaluated."""
    return Finding(
        rule=spec.label,
        passed=False,
        observed=f"could not evaluate: {reason}",
        expected=describe_expected(spec),
        hint=spec.hint,
    )


def _describe_argument(value: object) -> str:
    """A kwarg value for `expected`: parameter names instead of their values, long sets cut."""
    if isinstance(value, Mapping) and _PARAMETER_KEY in value:
        return f"<{value[_PARAMETER_KEY]}>"
    if isinstance(value, (list, tuple, set)):
        return "[" + format_examples(list(value), limit=8) + "]"
    return f"'{value}'" if isinstance(value, str) else str(value)

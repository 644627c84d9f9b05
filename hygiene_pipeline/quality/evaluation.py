"""Evaluate an expectation suite on a DataFrame with Great Expectations Core 1.x.

One ephemeral GX context per evaluation (in memory, no project folder, progress bars and
analytics off), a pandas data source whose batch is the frame, and one validation pass over the
whole suite. GX is imported on first use because importing it takes seconds.

GX's results are turned into `Finding`s: observed against expected values, offending row counts,
and the keys of a sample of offending rows taken from GX's `unexpected_index_column_names`
(the suite's `meta.key_columns`). Expectations whose GX result names no offenders, or the wrong
ones (see `NATIVE_EVALUATORS`), are evaluated on the frame from their kwargs instead. Values
from personal-data columns are masked before they leave this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from hygiene_pipeline.quality.masking import mask_record, mask_text, mask_value
from hygiene_pipeline.quality.results import Finding, format_examples, plain_record, plain_value
from hygiene_pipeline.quality.suites import ExpectationSpec, SuiteError, SuiteSpec

DEFAULT_SAMPLE_SIZE = 10
_POSITION_META = "hygiene_position"
_PARAMETER_KEY = "$PARAMETER"
_KWARGS_NOT_SHOWN = frozenset(
    {"column", "column_list", "column_A", "column_B", "batch_id", "result_format"}
)


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation of the suite and what its evaluation found."""

    expectation: ExpectationSpec
    finding: Finding


def evaluate_suite(
    suite: SuiteSpec,
    frame: pd.DataFrame,
    parameters: Mapping[str, Sequence[object]] | None = None,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
) -> list[ExpectationOutcome]:
    """Validate `frame` against `suite`; one outcome per expectation, in suite order.

    `parameters` fills the suite's `{"$PARAMETER": name}` placeholders (see `suites`).
    """
    _great_expectations()
    parameters = dict(parameters or {})
    missing = {p for e in suite.expectations for p in e.parameters()} - parameters.keys()
    if missing:
        raise SuiteError(f"{suite.path.name}: no values given for parameters {sorted(missing)}")
    gx_expectations = [_gx_expectation(suite, e) for e in suite.expectations]
    delegated = [
        (spec, gx_expectation)
        for spec, gx_expectation in zip(suite.expectations, gx_expectations, strict=True)
        if spec.type not in NATIVE_EVALUATORS
    ]
    findings = _gx_findings(suite, delegated, frame, parameters, sample_size) if delegated else {}
    key_columns = [c for c in suite.key_columns if c in frame.columns]
    for spec in suite.expectations:
        if spec.type in NATIVE_EVALUATORS:
            findings[spec.position] = _native_finding(
                spec, frame, _resolved_kwargs(spec, parameters), key_columns, sample_size
            )
    return [
        ExpectationOutcome(expectation=spec, finding=findings[spec.position])
        for spec in suite.expectations
    ]


def describe_expected(spec: ExpectationSpec) -> str:
    """What the expectation asks for, in words: `values to be in set (value_set=[...])`."""
    phrase = spec.type.removeprefix("expect_").replace("_", " ")
    arguments = ", ".join(
        f"{key}={_describe_argument(value)}"
        for key, value in spec.kwargs.items()
        if key not in _KWARGS_NOT_SHOWN
    )
    return f"{phrase} ({arguments})" if arguments else phrase


NativeOutcome = tuple[int, tuple[dict[str, object], ...], str]
"""(offender count, masked sample keys, observed)."""
NativeEvaluator = Callable[[pd.DataFrame, Mapping[str, Any], list[str], int], NativeOutcome]
"""(frame, resolved kwargs, key columns present, sample size) -> outcome."""
LINEAGE_ORDER = ["source_file", "row_number"]
"""The order rows were read in (files in name order): what comes later repeats what came first."""


def _required_values_absent(
    frame: pd.DataFrame, kwargs: Mapping[str, Any], _keys: list[str], sample_size: int
) -> NativeOutcome:
    """Values the column must contain but does not: the offenders are the absent values."""
    name = kwargs["column"]
    required = pd.Index(pd.unique(pd.Series(list(kwargs["value_set"]), dtype=object)))
    absent = required.difference(pd.Index(frame[name].dropna().unique()))
    sample = tuple(plain_record(mask_record({name: v})) for v in absent[:sample_size])
    observed = f"{len(absent):,} of {len(required):,} required values absent"
    return len(absent), sample, observed


def _repeated_values(
    frame: pd.DataFrame, kwargs: Mapping[str, Any], keys: list[str], sample_size: int
) -> NativeOutcome:
    """Rows sharing a value that must be unique (all of them count, as in GX); the sample shows
    the repeats, the rows that come after the first of their value in read order, since those
    are the copies to remove (a file delivered twice: rows of the second file)."""
    columns = [kwargs["column"]] if "column" in kwargs else list(kwargs["column_list"])
    if all(c in frame.columns for c in LINEAGE_ORDER):
        frame = frame.sort_values(LINEAGE_ORDER, kind="stable")
    values = frame[columns]
    present = values.notna().any(axis=1)
    shared = values.duplicated(keep=False) & present
    repeated = values.duplicated(keep="first") & present
    repeats = frame.loc[repeated, keys or columns]
    sample = tuple(
        plain_record(mask_record(row)) for row in repeats.head(sample_size).to_dict("records")
    )
    examples = [
        mask_record(row) if len(columns) > 1 else mask_value(columns[0], row[columns[0]])
        for row in values[repeated].drop_duplicates().head(5).to_dict("records")
    ]
    observed = (
        f"{int(shared.sum()):,} of {len(frame):,} rows share a value"
        + (f", e.g. {format_examples(examples)}" if examples else "")
        + f"; {len(repeats):,} repeat an earlier row"
    )
    if "source_file" in repeats.columns and len(repeats):
        observed += f" (in {format_examples(repeats['source_file'].drop_duplicates().tolist())})"
    return int(shared.sum()), sample, observed


NATIVE_EVALUATORS: dict[str, NativeEvaluator] = {
    "expect_column_distinct_values_to_contain_set": _required_values_absent,
    "expect_column_values_to_be_unique": _repeated_values,
    "expect_compound_columns_to_be_unique": _repeated_values,
}
"""Expectation types evaluated on the frame instead of by GX.

Why: for a required set, GX reports the result without naming the offending values (its
observed value is the whole distinct set), and it copies the value set through pydantic once
per metric, which turns a reference set of 100,000 ids into minutes; a set difference in pandas
gives both in milliseconds. For uniqueness, GX's sample is the first offending rows in table
order, which are the originals; on-call staff need the copies.
"""


def _gx_findings(
    suite: SuiteSpec,
    delegated: Sequence[tuple[ExpectationSpec, Any]],
    frame: pd.DataFrame,
    parameters: Mapping[str, Any],
    sample_size: int,
) -> dict[int, Finding]:
    """Validate the delegated expectations in one GX pass; findings by suite position."""
    gx = _great_expectations()
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=[e for _, e in delegated])
    if len(gx_suite.expectations) != len(delegated):
        raise SuiteError(f"{suite.path.name}: the suite repeats an expectation")
    key_columns = [c for c in suite.key_columns if c in frame.columns]
    context = gx.get_context(mode="ephemeral", project_config=_project_config())
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(suite.qualified_table)
        .add_batch_definition_whole_dataframe("whole_table")
        .get_batch(batch_parameters={"dataframe": _columns_used(frame, delegated, key_columns)})
    )
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": sample_size,
    }
    if key_columns:
        result_format["unexpected_index_column_names"] = key_columns
    validation = batch.validate(
        gx_suite, result_format=result_format, expectation_parameters=dict(parameters)
    )
    results = {r.expectation_config.meta[_POSITION_META]: r for r in validation.results}
    return {spec.position: _gx_finding(spec, results[spec.position]) for spec, _ in delegated}


def _columns_used(
    frame: pd.DataFrame, delegated: Sequence[tuple[ExpectationSpec, Any]], key_columns: list[str]
) -> pd.DataFrame:
    """The frame cut to the columns the expectations and keys name (GX hashes every column).

    Whole-table expectations about the column set (`expect_table_column...`) get every column.
    """
    if any(spec.type.startswith("expect_table_column") for spec, _ in delegated):
        return frame
    named = {c for spec, _ in delegated for c in spec.columns} | set(key_columns)
    return frame[[c for c in frame.columns if c in named]]


def _native_finding(
    spec: ExpectationSpec,
    frame: pd.DataFrame,
    kwargs: Mapping[str, Any],
    key_columns: list[str],
    sample_size: int,
) -> Finding:
    """An expectation evaluated by its `NATIVE_EVALUATORS` entry."""
    expected = describe_expected(spec)
    missing = [column for column in spec.columns if column not in frame.columns]
    if missing:
        return Finding(
            rule=spec.label,
            passed=False,
            observed=f"could not evaluate: column {missing[0]!r} does not exist",
            expected=expected,
            hint=spec.hint,
        )
    count, sample, observed = NATIVE_EVALUATORS[spec.type](frame, kwargs, key_columns, sample_size)
    return Finding(
        rule=spec.label,
        passed=count == 0,
        observed=observed,
        expected=expected,
        failed_count=count,
        sample_keys=sample,
        hint=spec.hint,
    )


def _gx_finding(spec: ExpectationSpec, result: Any) -> Finding:
    """One GX expectation result as a `Finding` with masked values."""
    expected = describe_expected(spec)
    error = _exception_message(result.exception_info)
    if error:
        return Finding(
            rule=spec.label,
            passed=False,
            observed=f"could not evaluate: {error}",
            expected=expected,
            hint=spec.hint,
        )
    details = result.result or {}
    count = details.get("unexpected_count")
    return Finding(
        rule=spec.label,
        passed=bool(result.success),
        observed=_describe_observed(spec, details),
        expected=expected,
        failed_count=None if count is None else int(count),
        sample_keys=() if result.success else _sample_keys(details),
        hint=spec.hint,
    )


def _describe_observed(spec: ExpectationSpec, details: Mapping[str, Any]) -> str:
    """GX's observation in words, with personal values masked."""
    if "unexpected_count" in details:
        text = (
            f"{details['unexpected_count']:,} of {details.get('element_count', 0):,} rows "
            f"({details.get('unexpected_percent') or 0:.2f}%)"
        )
        counts = details.get("partial_unexpected_counts") or []
        examples = [_masked(spec, item["value"]) for item in counts]
        return f"{text}, e.g. {format_examples(examples)}" if examples else text
    if "observed_value" in details:
        observed = details["observed_value"]
        if isinstance(observed, (list, tuple)):
            return format_examples([_masked(spec, v) for v in observed])
        return str(plain_value(_masked(spec, observed)))
    return "not met"


def _sample_keys(details: Mapping[str, Any]) -> tuple[dict[str, object], ...]:
    """The keyed sample GX returned (row index when the table has none of the key columns)."""
    rows = details.get("partial_unexpected_index_list") or []
    return tuple(
        plain_record(mask_record(row)) if isinstance(row, Mapping) else {"row_index": row}
        for row in rows
    )


def _masked(spec: ExpectationSpec, value: object) -> object:
    """A value as GX reported it, masked for its column(s).

    Multi-column expectations report a row as a dict or as a list in column order.
    """
    if isinstance(value, Mapping):
        return mask_record(value)
    if isinstance(value, (list, tuple)) and len(spec.columns) > 1:
        return mask_record(dict(zip(spec.columns, value, strict=False)))
    return mask_value(spec.columns[0] if spec.columns else "", value)


def _describe_argument(value: object) -> str:
    """A kwarg value for `expected`: parameter names instead of their values, long sets cut."""
    if isinstance(value, Mapping) and _PARAMETER_KEY in value:
        return f"<{value[_PARAMETER_KEY]}>"
    if isinstance(value, (list, tuple, set)):
        return "[" + format_examples(list(value), limit=8) + "]"
    return f"'{value}'" if isinstance(value, str) else str(value)


def _resolved_kwargs(spec: ExpectationSpec, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The kwargs with parameter placeholders replaced by their values."""
    return {
        key: parameters[value[_PARAMETER_KEY]]
        if isinstance(value, Mapping) and _PARAMETER_KEY in value
        else value
        for key, value in spec.kwargs.items()
    }


def _exception_message(info: Mapping[str, Any] | None) -> str | None:
    """GX's exception info (flat, or keyed by metric) as one masked message; None if none raised."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [
        str(entry.get("exception_message") or "error")
        for entry in entries
        if isinstance(entry, Mapping) and entry.get("raised_exception")
    ]
    return mask_text("; ".join(dict.fromkeys(messages))) or None


def _gx_expectation(suite: SuiteSpec, spec: ExpectationSpec) -> Any:
    """The GX expectation object, tagged with its position so results can be matched back.

    GX would log and silently drop an invalid expectation; building each one here turns that
    into an error naming the file and the expectation.
    """
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    config = dict(spec.config)
    config["meta"] = {**(config.get("meta") or {}), _POSITION_META: spec.position}
    try:
        return ExpectationConfiguration(**config).to_domain_obj()
    except Exception as error:  # GX raises several unrelated types for a bad configuration
        raise SuiteError(
            f"{suite.path.name}: expectation {spec.position} ({spec.label}) is invalid: {error}"
        ) from error


def _project_config() -> Any:
    """An in-memory GX project: no files, no docs sites, no progress bars, no analytics."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )


@cache
def _great_expectations() -> Any:
    """The `great_expectations` module, imported once and with its logging quietened."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations

    return great_expectations

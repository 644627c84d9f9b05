"""Data-quality checks as Dagster asset checks: expectation suites, dial-list compliance, drift.

- `build_suite_checks(expectations_dir)`: one multi-check per suite file in `expectations/`
  (`<schema>.<table>.json` guards asset `[schema, table]`). It evaluates the suite once and
  reports two checks: `critical_expectations` (ERROR, blocking) and `warning_expectations`
  (WARN). Why per suite-and-severity rather than per expectation: blocking is decided per
  Dagster check, so one blocking check per table gates publication exactly; the table is read
  and validated once; and the asset's Checks tab shows two lines instead of dozens, with every
  failed expectation listed in the check's metadata.
- `build_compliance_checks()`: `dial_list_compliance` on `curated.dial_list`, blocking: nobody
  do-not-call, suppressed, without valid consent, or listed twice.
- `build_drift_checks(tolerances)`: `<metric>_drift` (WARN) on `curated/dq_scorecard`, judging
  the run's value of the measure in its scorecard against the latest published run's (one
  definition per measure).
- `build_rejected_files_check()`: `every_file_read` (WARN) on `curated.rejected_files`, naming
  each landing file that could not be read and the kind of reason (file names only, no values).

Every check states its severity and its runbook (`docs/runbooks/<check>.md`) in its description
and links the runbook in its metadata and in every evaluation's (`asset_catalog.check_spec`).

Checks read the run's own schemas (write-audit-publish: nothing is published yet). Every check
is a Dagster blocking check so that publication waits for all of them; a failure with severity
ERROR stops every asset downstream of its asset, the publication among them (Dagster skips them
and the run fails naming the check), a WARN failure stops nothing. A failed check's metadata
shows the failed rules, observed against expected values, the count of offending rows, a masked
sample of their keys and a one-line hint. Every evaluation, passed or failed, is appended at
once to the published log `curated.dq_check_results`, also when the run publishes nothing.

(No `from __future__ import annotations` here: Dagster checks the `context` annotation of a check
function by identity, which a string annotation fails.)
"""

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from hygiene_pipeline.defs.asset_catalog import check_spec, is_critical, runbook_metadata
from hygiene_pipeline.defs.quality_assets import DQ_RESULTS_TABLE
from hygiene_pipeline.defs.resources import BatchClockResource, WarehouseResource
from hygiene_pipeline.defs.scorecard_assets import (
    SCORECARD,
    SCORECARD_TABLE,
    published_scorecard,
    read_columns,
)
from hygiene_pipeline.domain.standardise import CRM_PHONE_COLUMNS
from hygiene_pipeline.package_files import expectations_dir
from hygiene_pipeline.quality.compliance import ComplianceEvidence, compliance_findings
from hygiene_pipeline.quality.drift import DRIFT_METRICS, DriftTolerances, drift_finding
from hygiene_pipeline.quality.evaluation import evaluate_suite
from hygiene_pipeline.quality.masking import mask_text
from hygiene_pipeline.quality.results import (
    ERROR,
    WARN,
    CheckReport,
    Finding,
    dq_result_rows,
    failures_markdown,
    sample_keys_json,
)
from hygiene_pipeline.quality.scorecard import previous_values
from hygiene_pipeline.quality.suites import SuiteSpec, load_suites
from hygiene_pipeline.warehouse.engine import Warehouse

EXPECTATIONS_DIR = expectations_dir()
VALIDATED_SUITES = "validated_suites"
"""The folder of the Dagster instance's home that remembers the suite configurations GX has
accepted (`evaluate_suite`): digests only, no data."""
CRITICAL_CHECK = "critical_expectations"
WARNING_CHECK = "warning_expectations"
COMPLIANCE_CHECK = "dial_list_compliance"

DIAL_LIST = AssetKey(["curated", "dial_list"])
CONTACTS_GOLDEN = AssetKey(["curated", "contacts_golden"])
CONTACT_XREF = AssetKey(["curated", "contact_xref"])
SUPPRESSION_EVENTS = AssetKey(["curated", "suppression_events"])
REJECTED_FILES = AssetKey(["curated", "rejected_files"])
REJECTED_FILES_CHECK = "every_file_read"


def staging(feed: str) -> AssetKey:
    """The asset key of a standardised feed."""
    return AssetKey(["staging", feed])


Evaluate = Callable[[Warehouse, str], list[CheckReport]]
"""(warehouse, run id) -> one report per check of the op."""


def build_suite_checks(expectations_dir: Path = EXPECTATIONS_DIR) -> list[AssetChecksDefinition]:
    """One multi-check per suite file in `expectations_dir`."""
    return [build_suite_check(suite) for suite in load_suites(expectations_dir)]


def build_suite_check(suite: SuiteSpec) -> AssetChecksDefinition:
    """The critical (blocking) and warning checks of one suite, evaluated in one pass."""
    asset = AssetKey(list(suite.asset_key))
    references = sorted({ref.asset_key for ref in suite.references.values()} - {suite.asset_key})
    groups = [
        (name, blocking)
        for name, blocking in ((CRITICAL_CHECK, True), (WARNING_CHECK, False))
        if suite.expectations_where(blocking)
    ]
    specs = [
        check_spec(
            name,
            asset,
            blocking=blocking,
            additional_deps=[AssetKey(list(key)) for key in references],
            description=f"{'Critical' if blocking else 'Warning'} expectations of "
            f"expectations/{suite.path.name}. {suite.description}",
        )
        for name, blocking in groups
    ]

    def evaluate(warehouse: Warehouse, validated: Path | None) -> list[CheckReport]:
        schema = warehouse.schema_for(suite.schema)
        if not warehouse.table_exists(schema, suite.table):
            missing = _missing_table(suite.qualified_table)
            return [
                _report(suite.qualified_table, name, blocking, (missing,))
                for name, blocking in groups
            ]
        evaluation = evaluate_suite(suite, warehouse, validated=validated)
        extra = {"suite": f"expectations/{suite.path.name}", "row_count": evaluation.row_count}
        return [
            _report(
                suite.qualified_table,
                name,
                blocking,
                tuple(o.finding for o in evaluation.outcomes if o.expectation.blocking == blocking),
                extra,
            )
            for name, blocking in groups
        ]

    @multi_asset_check(
        specs=specs,
        name=f"{suite.schema}__{suite.table}__expectations",
        description=f"Expectation suite expectations/{suite.path.name} on {suite.qualified_table}.",
    )
    def suite_checks(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        validated = Path(context.instance.root_directory) / VALIDATED_SUITES
        yield from _run_checks(
            context, warehouse, asset, specs, lambda wh, _run_id: evaluate(wh, validated)
        )

    return suite_checks


def build_compliance_checks() -> list[AssetChecksDefinition]:
    """The blocking compliance check of `curated.dial_list` (see `quality.compliance`)."""
    spec = check_spec(
        COMPLIANCE_CHECK,
        DIAL_LIST,
        blocking=True,
        additional_deps=[
            CONTACTS_GOLDEN,
            CONTACT_XREF,
            SUPPRESSION_EVENTS,
            staging("crm_contacts"),
            staging("call_logs"),
            staging("dnc_list"),
        ],
        description="Nobody on the dial list who is do-not-call (flag, DNC list or request), "
        "suppressed, without valid consent at the batch's as-of time, or listed twice.",
    )

    @multi_asset_check(specs=[spec], name=COMPLIANCE_CHECK, description=spec.description)
    def dial_list_compliance(
        context: AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        clock: BatchClockResource,
    ) -> Iterator[AssetCheckResult]:
        as_of = clock.timestamp()
        yield from _run_checks(
            context,
            warehouse,
            DIAL_LIST,
            [spec],
            lambda wh, _run_id: _compliance_reports(wh, as_of),
        )

    return [dial_list_compliance]


def build_rejected_files_check() -> list[AssetChecksDefinition]:
    """A WARN check that names every landing file no feed could read (the feeds went on)."""
    spec = check_spec(
        REJECTED_FILES_CHECK,
        REJECTED_FILES,
        blocking=False,
        description="Every file in the landing folders was read; a file that could not be read "
        "(empty, not text, unsupported type, corrupt workbook) is named with the kind of reason. "
        "Its feed went on with the other files: fix or remove the file and run again.",
    )

    @multi_asset_check(specs=[spec], name=REJECTED_FILES_CHECK, description=spec.description)
    def every_file_read(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        yield from _run_checks(context, warehouse, REJECTED_FILES, [spec], _rejected_files_reports)

    return [every_file_read]


def _rejected_files_reports(warehouse: Warehouse, _run_id: str) -> list[CheckReport]:
    """The files `curated.rejected_files` lists, as `feed/file (kind of reason)`."""
    refused = _select(warehouse, "curated", "rejected_files", ["feed", "source_file", "reason"])
    refused = refused.sort_values(["feed", "source_file"])
    kinds = refused["reason"].astype(str).str.split("(", n=1).str[0].str.strip()
    named = (refused["feed"] + "/" + refused["source_file"] + " (" + kinds + ")").tolist()
    finding = Finding(
        rule="every landing file read",
        passed=not named,
        observed=f"{len(named)} file(s) could not be read: {'; '.join(named)}"
        if named
        else "every file read",
        expected="no unreadable file",
        failed_count=len(named),
        hint="Open curated.rejected_files for each file's full reason; fix or remove the file "
        "in its landing folder, then run again.",
    )
    extra = {"rejected_files": len(named), "files": "; ".join(named) or None}
    return [_report(".".join(REJECTED_FILES.path), REJECTED_FILES_CHECK, False, (finding,), extra)]


def build_drift_checks(
    tolerances: DriftTolerances | None = None,
) -> list[AssetChecksDefinition]:
    """One WARN check per drift metric: this run's rate against the latest published run's."""
    tolerances = tolerances or DriftTolerances()
    return [build_drift_check(metric, tolerances.of(metric)) for metric in DRIFT_METRICS]


def build_drift_check(metric: str, tolerance: float) -> AssetChecksDefinition:
    """The drift check of one metric on `curated.dq_scorecard` (see `quality.drift`): it reads
    the run's value from the run's scorecard, which measured it, and the baseline from the
    published scorecard."""
    asset_name = ".".join(SCORECARD.path)
    check_name = f"{metric}_drift"
    spec = check_spec(
        check_name,
        SCORECARD,
        blocking=False,
        description=f"{metric.replace('_', ' ')} (a measure of the scorecard) moved by at most "
        f"{tolerance:.2%} since the latest published run (first run: no baseline, passes).",
    )

    def evaluate(warehouse: Warehouse, run_id: str) -> list[CheckReport]:
        value, baseline = _scorecard_measure(warehouse, metric, run_id)
        finding = drift_finding(metric, value, baseline, tolerance)
        extra = {"metric": metric, "value": value, "baseline": baseline, "tolerance": tolerance}
        return [_report(asset_name, check_name, False, (finding,), extra)]

    @multi_asset_check(specs=[spec], name=check_name, description=spec.description)
    def drift_check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        yield from _run_checks(context, warehouse, SCORECARD, [spec], evaluate)

    return drift_check


def _scorecard_measure(
    warehouse: Warehouse, measure: str, run_id: str
) -> tuple[float, float | None]:
    """A measure's value in the run's scorecard (this run's row) and its baseline in the
    published one (the latest earlier run's value; None before the first publication)."""
    rows = read_columns(warehouse, "curated", SCORECARD_TABLE, ["run_id", "measure", "value"])
    own = rows[(rows["run_id"] == run_id) & (rows["measure"] == measure)]
    if own.empty:
        raise ValueError(
            f"curated.{SCORECARD_TABLE} of this run has no {measure}: materialise "
            f"{SCORECARD.to_user_string()} in the run before its drift checks"
        )
    baseline = previous_values(published_scorecard(warehouse.published()), run_id).get(measure)
    return float(own["value"].iloc[-1]), baseline


def _run_checks(
    context: AssetCheckExecutionContext,
    warehouse_resource: WarehouseResource,
    asset: AssetKey,
    specs: Sequence[AssetCheckSpec],
    evaluate: Evaluate,
) -> Iterator[AssetCheckResult]:
    """Evaluate, record every result in dq_check_results, log a masked summary, report to Dagster.

    An evaluation that raises is recorded as failed (with the error) before the error propagates.
    """
    warehouse = warehouse_resource.get_warehouse()
    log = warehouse_resource.get_published_warehouse()
    run_id = context.run.run_id
    try:
        reports = evaluate(warehouse, run_id)
    except Exception as error:
        failure = Finding(
            rule="evaluation",
            passed=False,
            observed=f"error: {mask_text(str(error))}",
            expected="the check runs",
        )
        _record(
            log,
            run_id,
            [_report(".".join(asset.path), s.name, is_critical(s), (failure,)) for s in specs],
        )
        raise
    _record(log, run_id, reports)
    for report in reports:
        log = context.log.info if report.passed else context.log.warning
        log(
            f"{report.check_name}: {report.summary}"
            + (f" Hint: {report.hint}" if report.hint else "")
        )
        yield AssetCheckResult(
            asset_key=asset,
            check_name=report.check_name,
            passed=report.passed,
            severity=AssetCheckSeverity(report.severity),
            description=report.summary,
            metadata=_metadata(report),
        )


def _metadata(report: CheckReport) -> dict[str, object]:
    """What on-call staff read in the UI; only masked values and aggregates."""
    metadata: dict[str, object] = {
        "summary": report.summary,
        "rules_evaluated": len(report.findings),
        "rules_failed": len(report.failures),
        "offending_rows": report.failed_count,
        **runbook_metadata(report.check_name, report.severity == ERROR),
        **{k: v for k, v in report.extra.items() if v is not None},
    }
    if report.failures:
        metadata["hint"] = report.hint or ""
        metadata["failed_rules"] = MetadataValue.md(failures_markdown(report))
        metadata["sample_keys"] = MetadataValue.json(sample_keys_json(report))
    return metadata


def _record(warehouse: Warehouse, run_id: str, reports: Sequence[CheckReport]) -> None:
    """Append the evaluations to curated.dq_check_results."""
    rows = dq_result_rows(run_id, reports, pd.Timestamp.now(tz="UTC"))
    warehouse.append_rows(warehouse.schema_for("curated"), DQ_RESULTS_TABLE, rows)


def _report(
    asset: str,
    check_name: str,
    blocking: bool,
    findings: tuple[Finding, ...],
    extra: dict[str, object] | None = None,
) -> CheckReport:
    """A report with the severity that goes with blocking or not."""
    return CheckReport(
        asset=asset,
        check_name=check_name,
        severity=ERROR if blocking else WARN,
        findings=findings,
        extra=extra or {},
    )


def _missing_table(table: str) -> Finding:
    """The finding when the guarded table does not exist."""
    return Finding(
        rule="table exists",
        passed=False,
        observed=f"{table} does not exist",
        expected=f"{table} written by its asset",
        hint="The asset reported success without writing its table: check the asset's logs.",
    )


def _select(
    warehouse: Warehouse,
    schema: str,
    table: str,
    columns: Sequence[str],
    where: str | None = None,
) -> pd.DataFrame:
    """Some columns of a table; of the rows `where` holds for, when given (a condition written
    here, never from input)."""
    name = warehouse.qualified(warehouse.schema_for(schema), table)
    condition = f" WHERE {where}" if where else ""
    return warehouse.read_sql(f"SELECT {', '.join(columns)} FROM {name}{condition}")


def _compliance_reports(warehouse: Warehouse, as_of: pd.Timestamp) -> list[CheckReport]:
    """The compliance check's report, judged at the batch's as-of time."""
    evidence = _compliance_evidence(warehouse, as_of)
    extra = {"as_of": as_of.isoformat(), "row_count": len(evidence.dial_list)}
    findings = tuple(compliance_findings(evidence))
    return [_report("curated.dial_list", COMPLIANCE_CHECK, True, findings, extra)]


def _compliance_evidence(warehouse: Warehouse, as_of: pd.Timestamp) -> ComplianceEvidence:
    """The frames the compliance rules read, with only the columns they need."""
    # Records and their numbers are joined and unpivoted where they live: a million records'
    # columns cost seconds to merge and stack in pandas.
    xref = warehouse.qualified(warehouse.schema_for("curated"), "contact_xref")
    crm = warehouse.qualified(warehouse.schema_for("staging"), "crm_contacts")
    members = warehouse.read_sql(
        "SELECT x.contact_id, x.entity_id, c.do_not_call, c.consent_status, "
        f"c.consent_expires_at FROM {xref} x LEFT JOIN {crm} c USING (record_key)"
    )
    member_numbers = warehouse.read_sql(
        " UNION ALL ".join(
            f"SELECT x.entity_id, x.account_id, c.{kind}_e164 AS phone_e164, "
            + ("c.phone_type IS DISTINCT FROM 'mobile'" if kind == "phone" else "FALSE")
            + f" AS work_line FROM {xref} x JOIN {crm} c USING (record_key) "
            f"WHERE c.{kind}_e164 IS NOT NULL"
            for kind in CRM_PHONE_COLUMNS
        )
    )
    dnc_calls = _select(
        warehouse,
        "staging",
        "call_logs",
        ["phone_e164", "contact_id"],
        where="disposition = 'do_not_call'",
    )
    phone_suppressions = _select(
        warehouse,
        "curated",
        "suppression_events",
        ["channel", "value", "entity_id", "scope"],
        where="channel = 'phone'",
    )
    return ComplianceEvidence(
        dial_list=_select(warehouse, "curated", "dial_list", ["entity_id", "phone_e164"]),
        golden=_select(
            warehouse, "curated", "contacts_golden", ["entity_id", "do_not_call", "consent_valid"]
        ),
        members=members[["entity_id", "do_not_call", "consent_status", "consent_expires_at"]],
        dnc_numbers=_optional_column(warehouse, "staging", "dnc_list", "phone_e164"),
        dnc_entries=_optional_column(warehouse, "staging", "dnc_list", "phone_raw"),
        do_not_call_calls=dnc_calls,
        contacts=members[["contact_id", "entity_id"]],
        member_numbers=member_numbers,
        phone_suppressions=phone_suppressions,
        as_of=as_of,
    )


def _optional_column(warehouse: Warehouse, schema: str, table: str, column: str) -> pd.Series:
    """A column of an optional feed's table; empty when the feed never arrived."""
    if not warehouse.table_exists(warehouse.schema_for(schema), table):
        return pd.Series(dtype=object, name=column)
    return _select(warehouse, schema, table, [column])[column]

"""What the warehouse remembers batch after batch (`hygiene_pipeline.history`).

Between linkage and scoring, `held_changes` holds sensitive changes from weaker sources
(`curated.pending_changes`) and hands scoring the golden identities that keep the current values;
`carried_forward` writes the record state the next run compares against (`source_records`) and
finds the people of the previous publication to carry forward. `batch_history` runs after the
people are scored: the field-level change log, job changes and entity lineage.

Write-audit-publish: the past (the previous people, source records, pending changes and logs) is
read from what was published (`get_published_warehouse()`); everything this run decides is written
to its own schemas (frames through the warehouse IO manager, the append-only logs as a copy of the
published log extended in the run's curated schema) and lands with the run's publication, or not
at all when a blocking check fails."""

from collections.abc import Iterator

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetOut,
    Output,
    multi_asset,
    multi_asset_check,
)

from hygiene_pipeline.defs.asset_catalog import ERROR, check_spec, runbook_metadata
from hygiene_pipeline.defs.metadata import counts_table, table_schema
from hygiene_pipeline.defs.quality_assets import DQ_RESULTS_TABLE
from hygiene_pipeline.defs.resources import (
    IO_RETRY,
    WAREHOUSE_POOL,
    BatchClockResource,
    LandingResource,
    LinkageResource,
    WarehouseResource,
)
from hygiene_pipeline.defs.scorecard_assets import table_rows
from hygiene_pipeline.defs.warehouse_io import (
    deferred_input,
    projected_input,
    store_patched_copy,
)
from hygiene_pipeline.history.entity_lineage import entity_lineage
from hygiene_pipeline.history.golden_changes import GOLDEN_FIELDS_READ, golden_changes
from hygiene_pipeline.history.job_changes import JOB_FIELDS, job_changes
from hygiene_pipeline.history.pending_changes import (
    Evidence,
    hold_sensitive_changes,
    holds_nothing,
)
from hygiene_pipeline.history.persistence import (
    carried_people,
    file_modes,
    full_snapshot_sources,
    source_records,
    standing_requests,
)
from hygiene_pipeline.linkage.overrides import load_overrides
from hygiene_pipeline.quality.results import CheckReport, Finding, dq_result_rows
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.run_scope import start_from_published
from hygiene_pipeline.warehouse.status_history import spell_disagreements
from hygiene_pipeline.warehouse.stored_table import StoredTable

GROUP = "history"
SENSITIVE_RECORD_COLUMNS = ["phone_e164", "email", "consent_status", "do_not_call"]
HELD_RECORD_COLUMNS = ["record_key", "source_system", *SENSITIVE_RECORD_COLUMNS]
CALL_EVIDENCE_COLUMNS = ["phone_e164", "disposition"]
ENGAGEMENT_EVIDENCE_COLUMNS = ["email", "event_type"]
BATCH_RECORD_COLUMNS = ["record_key", "source_system", "contact_id", "is_deleted"]
RECORD_STATE_COLUMNS = [*BATCH_RECORD_COLUMNS, "source_file"]
MEMBER_COLUMNS = ["record_key", "entity_id"]
"""The columns of the staged feeds and the cross-reference each history step reads
(`warehouse_io.projected_input`)."""
CONTACTS_KEY = AssetKey(["staging", "crm_contacts"])
XREF_KEY = AssetKey(["curated", "contact_xref"])
GOLDEN_IDENTITIES = AssetKey(["linkage", "golden_identities"])
VERIFIED_IDENTITIES = AssetKey(["history", "verified_identities"])
LOG_TABLES = ("golden_changes", "entity_lineage", "job_changes")
"""Append-only tables: a run adds its rows to a copy of the published log."""


def _published(published: Warehouse, table: str) -> pd.DataFrame | None:
    """The published curated table, or None before the first publication."""
    schema = published.curated_schema
    return published.read_table(schema, table) if published.table_exists(schema, table) else None


def _record_state(
    published: Warehouse,
    contacts: pd.DataFrame,
    xref: pd.DataFrame,
    landing: LandingResource,
    as_of: pd.Timestamp,
) -> tuple[pd.DataFrame | None, pd.DataFrame, set[str]]:
    """The published `source_records`, this batch's new state and the sources that sent a full
    snapshot."""
    files = contacts[["source_system", "source_file"]].drop_duplicates()
    modes = file_modes(
        files,
        landing.source_modes,
        landing.delta_file_patterns,
        landing.full_file_patterns,
        landing.default_source_mode,
    )
    full = full_snapshot_sources(files, modes)
    previous = _published(published, "source_records")
    batch = contacts[BATCH_RECORD_COLUMNS]
    return previous, source_records(previous, batch, xref, full, as_of), full


@multi_asset(
    outs={
        "verified_identities": AssetOut(
            key=VERIFIED_IDENTITIES,
            description="The golden identities scoring reads: a sensitive change from a weaker "
            "source keeps the current value until it is confirmed. A view of the golden "
            "identities when no value is kept, else a copy made inside the warehouse with the "
            "kept values set.",
            kinds={"python", "sql"},
        ),
        "pending_changes": AssetOut(
            key=AssetKey(["curated", "pending_changes"]),
            description="Phone, email, consent and do-not-call changes from a source ranked "
            "below the one that set the current value, waiting for confirmation; rows end "
            "confirmed or superseded and are never deleted.",
            kinds={"python", "sql"},
            metadata={"table": "curated.pending_changes"},
        ),
    },
    ins={
        "golden": deferred_input(GOLDEN_IDENTITIES),
        "xref": deferred_input(XREF_KEY, MEMBER_COLUMNS),
        "contacts": deferred_input(CONTACTS_KEY, HELD_RECORD_COLUMNS),
        "call_logs": deferred_input(AssetKey(["staging", "call_logs"]), CALL_EVIDENCE_COLUMNS),
        "engagement_events": deferred_input(
            AssetKey(["staging", "engagement_events"]), ENGAGEMENT_EVIDENCE_COLUMNS
        ),
    },
    group_name=GROUP,
    retry_policy=IO_RETRY,
)
def held_changes(
    context: AssetExecutionContext,
    golden: StoredTable,
    xref: StoredTable,
    contacts: StoredTable,
    call_logs: StoredTable,
    engagement_events: StoredTable,
    landing: LandingResource,
    clock: BatchClockResource,
    warehouse: WarehouseResource,
):
    """Hold weakly sourced sensitive changes until evidence confirms them. A batch that can hold
    nothing (`holds_nothing`: a first batch, or no source ranked and no change pending) reads
    none of its inputs, nor the published people."""
    published = warehouse.get_published_warehouse()
    previous_pending = _published(published, "pending_changes")
    people = table_rows(published, "curated", "contacts_golden")
    previous, records = None, None
    proposed, evidence = pd.DataFrame({"entity_id": pd.Series(dtype=object)}), Evidence.none()
    if not holds_nothing(landing.source_ranks, people, previous_pending):
        previous = _published(published, "contacts_golden")
        records = _published(published, "source_records")
        proposed = golden.frame()
        evidence = Evidence(
            records=contacts.frame().merge(xref.frame(), on="record_key"),
            calls=call_logs.frame(),
            engagement=engagement_events.frame(),
        )
    held = hold_sensitive_changes(
        proposed,
        previous,
        previous_pending,
        evidence,
        landing.source_ranks,
        records,
        clock.timestamp(),
        context.run_id,
    )
    pending = held.pending
    waiting = int(pending["state"].eq("pending").sum())
    context.log.info("%d changes wait, %d confirmed", waiting, len(held.confirmations))
    # the verified identities are the golden ones but for the people whose values were kept
    store_patched_copy(
        warehouse, VERIFIED_IDENTITIES, GOLDEN_IDENTITIES, held.kept_rows(), "entity_id"
    )
    yield Output(None, output_name="verified_identities")
    yield Output(
        pending,
        output_name="pending_changes",
        metadata={
            "dagster/row_count": len(pending),
            "by_state_and_field": counts_table(
                (pending["state"] + ": " + pending["field"]).value_counts(), "state: field"
            ),
            "confirmed_this_run": len(held.confirmations),
            "dagster/column_schema": table_schema(pending, "pending_changes"),
        },
    )


@multi_asset(
    outs={
        "carried_people": AssetOut(
            key=AssetKey(["history", "carried_people"]),
            description="People of the previous publication without a live record in this "
            "batch, as they go on in contacts_golden: removed from their sources, or not sent "
            "by a delta.",
            kinds={"python", "pandas"},
        ),
        "standing_requests": AssetOut(
            key=AssetKey(["history", "standing_requests"]),
            description="Do-not-call requests and flags of the carried-forward people, from "
            "the published suppression_events: a request is permanent, so scoring keeps it and "
            "blocks the number for whoever holds it now.",
            kinds={"python", "pandas"},
        ),
        "source_records": AssetOut(
            key=AssetKey(["curated", "source_records"]),
            description="Every source record ever seen: the person it belongs to, whether it is "
            "still in its source, first and last seen; the next run's memory.",
            kinds={"python", "sql"},
            metadata={"table": "curated.source_records"},
        ),
    },
    ins={
        "golden": projected_input(GOLDEN_IDENTITIES, ["entity_id"]),
        "xref": projected_input(XREF_KEY, MEMBER_COLUMNS),
        "contacts": projected_input(CONTACTS_KEY, RECORD_STATE_COLUMNS),
    },
    group_name=GROUP,
    retry_policy=IO_RETRY,
)
def carried_forward(
    context: AssetExecutionContext,
    golden: pd.DataFrame,
    xref: pd.DataFrame,
    contacts: pd.DataFrame,
    landing: LandingResource,
    clock: BatchClockResource,
    warehouse: WarehouseResource,
):
    """Remember this batch's records (`source_records`, the next run's memory) and find the
    people of the previous publication to carry forward, with their do-not-call requests."""
    published = warehouse.get_published_warehouse()
    as_of = clock.timestamp()
    previous = _published(published, "contacts_golden")
    previous_records, records, full = _record_state(published, contacts, xref, landing, as_of)
    carried = carried_people(previous, previous_records, records, golden["entity_id"], as_of)
    removed = int((~carried["in_source"].astype(bool)).sum()) if len(carried) else 0
    requests = standing_requests(_published(published, "suppression_events"), carried)
    context.log.info(
        "%d people carried forward, %d of them removed from their sources; %d do-not-call "
        "requests of theirs stand",
        len(carried),
        removed,
        len(requests),
    )
    yield Output(
        carried,
        output_name="carried_people",
        metadata={
            "carried": len(carried),
            "removed_from_source": removed,
            "full_snapshot_sources": ", ".join(sorted(full)) or "none",
        },
    )
    yield Output(
        requests,
        output_name="standing_requests",
        metadata={"requests": len(requests), "people": requests["entity_id"].nunique()},
    )
    yield Output(
        records,
        output_name="source_records",
        metadata={
            "records": len(records),
            "in_source": int(records["in_source"].sum()),
            "dagster/row_count": len(records),
            "dagster/column_schema": table_schema(records, "source_records"),
        },
    )


@multi_asset(
    outs={
        "golden_changes": AssetOut(
            key=AssetKey(["curated", "golden_changes"]),
            description="One row per golden field that changed between runs: old and new "
            "value, the record and source that brought it, why, run and time. Append-only.",
            kinds={"python", "sql"},
            metadata={"table": "curated.golden_changes"},
        ),
        "job_changes": AssetOut(
            key=AssetKey(["curated", "job_changes"]),
            description="People now at another account with a new work domain: left_company "
            "at the old account, carrying on at the new one. Append-only.",
            kinds={"python", "sql"},
            metadata={"table": "curated.job_changes"},
        ),
        "entity_lineage": AssetOut(
            key=AssetKey(["curated", "entity_lineage"]),
            description="Identity events per run: ids created, merged into another, split or "
            "retired, with the record keys that moved and why. Append-only.",
            kinds={"python", "sql"},
            metadata={"table": "curated.entity_lineage"},
        ),
    },
    ins={
        "people": projected_input(
            AssetKey(["curated", "contacts_golden"]),
            [*GOLDEN_FIELDS_READ, *JOB_FIELDS, "in_source"],
        ),
        "xref": projected_input(XREF_KEY, MEMBER_COLUMNS),
        "pending": AssetIn(key=AssetKey(["curated", "pending_changes"])),
    },
    group_name=GROUP,
    retry_policy=IO_RETRY,
    pool=WAREHOUSE_POOL,
)
def batch_history(
    context: AssetExecutionContext,
    people: pd.DataFrame,
    xref: pd.DataFrame,
    pending: pd.DataFrame,
    linkage: LinkageResource,
    clock: BatchClockResource,
    warehouse: WarehouseResource,
):
    """Log this run's changes, job changes and identity events."""
    run, published = warehouse.get_warehouse(), warehouse.get_published_warehouse()
    as_of, run_id = clock.timestamp(), context.run_id
    before = _published(published, "contacts_golden")
    previous_records = _published(published, "source_records")
    moves = job_changes(before, people, run_id, as_of)
    confirmed = pending.loc[
        pending["state"].eq("confirmed") & pending["resolved_at"].eq(as_of),
        ["entity_id", "field", "resolution"],
    ].rename(columns={"resolution": "reason"})
    changes = golden_changes(before, people, run_id, as_of, moves["entity_id"], confirmed)
    path = linkage.overrides_path()
    overrides = load_overrides(path) if path else None
    cannot = overrides.loc[overrides["rule"].eq("cannot_link")] if overrides is not None else None
    lineage = entity_lineage(
        previous_records,
        xref[MEMBER_COLUMNS],
        set() if before is None else set(before["entity_id"]),
        set(people["entity_id"]),
        run_id,
        cannot,
    )
    if before is None and previous_records is None:
        lineage = lineage.loc[lineage["event"].eq("created")]
    for table, rows in zip(LOG_TABLES, (changes, lineage, moves), strict=True):
        _extend_log(run, published, table, rows)
    context.log.info(
        "%d field changes, %d job changes, %d identity events",
        len(changes),
        len(moves),
        len(lineage),
    )
    curated = run.curated_schema
    yield Output(
        None,
        output_name="golden_changes",
        metadata={
            "changes_this_run": len(changes),
            "by_field": counts_table(changes["field"].value_counts(), "field", "changes"),
            "by_reason": counts_table(changes["reason"].value_counts(), "reason", "changes"),
            "dagster/row_count": run.row_count(curated, "golden_changes"),
            "dagster/column_schema": table_schema(changes, "golden_changes"),
        },
    )
    yield Output(
        None,
        output_name="job_changes",
        metadata={
            "job_changes_this_run": len(moves),
            "dagster/row_count": run.row_count(curated, "job_changes"),
            "dagster/column_schema": table_schema(moves, "job_changes"),
        },
    )
    yield Output(
        None,
        output_name="entity_lineage",
        metadata={
            "by_event": counts_table(lineage["event"].value_counts(), "event", "ids"),
            "dagster/row_count": run.row_count(curated, "entity_lineage"),
            "dagster/column_schema": table_schema(lineage, "entity_lineage"),
        },
    )


def _extend_log(run: Warehouse, published: Warehouse, table: str, rows: pd.DataFrame) -> None:
    """The published log with this run's rows appended, as the run's table (a retried step
    starts again from the published log, so no row is written twice)."""
    if start_from_published(run, published, table):
        run.append_rows(run.curated_schema, table, rows)
    else:
        run.replace_table(run.curated_schema, table, rows)


history_assets = [held_changes, carried_forward, batch_history]

HISTORY_CHECK = "history_agrees_with_golden"
STATUS_HISTORY = AssetKey(["curated", "contact_status_history"])


def build_history_checks() -> list[AssetChecksDefinition]:
    """A blocking check that the run's status history agrees with the run's people, before
    either is published."""
    spec = check_spec(
        HISTORY_CHECK,
        STATUS_HISTORY,
        blocking=True,
        description="Every person in contacts_golden has exactly one open status spell, equal to "
        "their current status, and no id that is nobody now has an open spell.",
        additional_deps=[AssetKey(["curated", "contacts_golden"])],
    )

    @multi_asset_check(specs=[spec], name=HISTORY_CHECK, description=spec.description)
    def history_agrees_with_golden(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        findings = tuple(
            Finding(
                rule=f"no {rule}",
                passed=count == 0,
                observed=f"{count} found",
                expected="none",
                failed_count=count,
                hint="Compare curated.contact_status_history (valid_to IS NULL) with "
                "curated.contacts_golden; see the runbook.",
            )
            for rule, count in spell_disagreements(warehouse.get_warehouse()).items()
        )
        report = CheckReport(
            asset="curated.contact_status_history",
            check_name=HISTORY_CHECK,
            severity=ERROR,
            findings=findings,
        )
        rows = dq_result_rows(context.run.run_id, [report], pd.Timestamp.now(tz="UTC"))
        log = warehouse.get_published_warehouse()
        log.append_rows(log.curated_schema, DQ_RESULTS_TABLE, rows)
        yield AssetCheckResult(
            asset_key=STATUS_HISTORY,
            check_name=HISTORY_CHECK,
            passed=report.passed,
            severity=AssetCheckSeverity.ERROR,
            description=report.summary,
            metadata={
                "summary": report.summary,
                "offending_rows": report.failed_count,
                **runbook_metadata(HISTORY_CHECK, True),
            },
        )

    return [history_agrees_with_golden]

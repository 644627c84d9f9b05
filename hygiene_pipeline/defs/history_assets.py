"""What the warehouse remembers batch after batch (`hygiene_pipeline.history`).

Between linkage and scoring, `held_changes` holds sensitive changes from weaker sources
(`curated.pending_changes`) and hands scoring the golden identities that keep the current values;
`carried_forward` finds the people of the previous run to carry forward. `batch_history` runs
after the people are published: the field-level change log, job changes, entity lineage and the
record state the next run compares against."""

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
from sqlalchemy import text

from hygiene_pipeline.defs.asset_catalog import ERROR, check_spec, runbook_metadata
from hygiene_pipeline.defs.metadata import counts_table, table_schema
from hygiene_pipeline.defs.resources import (
    IO_RETRY,
    WAREHOUSE_POOL,
    BatchClockResource,
    LandingResource,
    LinkageResource,
    WarehouseResource,
)
from hygiene_pipeline.domain.feed_frames import FeedFrames
from hygiene_pipeline.history.entity_lineage import entity_lineage
from hygiene_pipeline.history.golden_changes import golden_changes
from hygiene_pipeline.history.job_changes import job_changes
from hygiene_pipeline.history.pending_changes import Evidence, hold_sensitive_changes
from hygiene_pipeline.history.persistence import (
    carried_people,
    file_modes,
    full_snapshot_sources,
    source_records,
)
from hygiene_pipeline.linkage.overrides import load_overrides
from hygiene_pipeline.quality.results import CheckReport, Finding, dq_result_rows
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.status_history import spell_disagreements

GROUP = "history"
SENSITIVE_RECORD_COLUMNS = ["phone_e164", "email", "consent_status", "do_not_call"]
LOG_TABLES = ("golden_changes", "entity_lineage", "job_changes")
"""Append-only tables: a run adds its rows (a retried step replaces its own run's rows)."""


def _previous(store: Warehouse, table: str) -> pd.DataFrame | None:
    """The previously published curated table, or None before the first run."""
    return store.read_table("curated", table) if store.table_exists("curated", table) else None


def _record_state(
    store: Warehouse, contacts: pd.DataFrame, xref: pd.DataFrame, landing: LandingResource, as_of
) -> tuple[pd.DataFrame | None, pd.DataFrame, set[str]]:
    """The previous `source_records`, this batch's new state and the sources that sent a full
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
    previous = _previous(store, "source_records")
    batch = contacts[["record_key", "source_system", "contact_id", "is_deleted"]]
    return previous, source_records(previous, batch, xref, full, as_of), full


@multi_asset(
    outs={
        "verified_identities": AssetOut(
            key=AssetKey(["history", "verified_identities"]),
            description="The golden identities scoring reads: a sensitive change from a weaker "
            "source keeps the current value until it is confirmed.",
            kinds={"python", "pandas"},
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
        "golden": AssetIn(key=AssetKey(["linkage", "golden_identities"])),
        "xref": AssetIn(key=AssetKey(["curated", "contact_xref"])),
        "contacts": AssetIn(key=AssetKey(["staging", "crm_contacts"])),
        "call_logs": AssetIn(key=AssetKey(["staging", "call_logs"])),
        "engagement_events": AssetIn(key=AssetKey(["staging", "engagement_events"])),
    },
    group_name=GROUP,
    retry_policy=IO_RETRY,
    pool=WAREHOUSE_POOL,
)
def held_changes(
    context: AssetExecutionContext,
    golden: pd.DataFrame,
    xref: pd.DataFrame,
    contacts: FeedFrames,
    call_logs: FeedFrames,
    engagement_events: FeedFrames,
    landing: LandingResource,
    clock: BatchClockResource,
    warehouse: WarehouseResource,
):
    """Hold weakly sourced sensitive changes until evidence confirms them."""
    store = warehouse.get_warehouse()
    linked = contacts.accepted[["record_key", "source_system", *SENSITIVE_RECORD_COLUMNS]].merge(
        xref[["record_key", "entity_id"]], on="record_key"
    )
    evidence = Evidence(
        records=linked,
        calls=call_logs.accepted[["phone_e164", "disposition"]],
        engagement=engagement_events.accepted[["email", "event_type"]],
    )
    held = hold_sensitive_changes(
        golden,
        _previous(store, "contacts_golden"),
        _previous(store, "pending_changes"),
        evidence,
        landing.source_ranks,
        _previous(store, "source_records"),
        clock.timestamp(),
        context.run_id,
    )
    pending = held.pending
    store.replace_table("curated", "pending_changes", pending)
    waiting = int(pending["state"].eq("pending").sum())
    context.log.info("%d changes wait, %d confirmed", waiting, len(held.confirmations))
    yield Output(held.golden, output_name="verified_identities")
    yield Output(
        None,
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
            description="People of the previous run without a live record in this batch, as "
            "they go on in contacts_golden: removed from their sources, or not sent by a delta.",
            kinds={"python", "pandas"},
        ),
        "previous_people": AssetOut(
            key=AssetKey(["history", "previous_people"]),
            description="contacts_golden as the previous run published it: what this run's "
            "changes are measured against.",
            kinds={"python", "pandas"},
        ),
    },
    ins={
        "golden": AssetIn(key=AssetKey(["linkage", "golden_identities"])),
        "xref": AssetIn(key=AssetKey(["curated", "contact_xref"])),
        "contacts": AssetIn(key=AssetKey(["staging", "crm_contacts"])),
    },
    group_name=GROUP,
    retry_policy=IO_RETRY,
    pool=WAREHOUSE_POOL,
)
def carried_forward(
    context: AssetExecutionContext,
    golden: pd.DataFrame,
    xref: pd.DataFrame,
    contacts: FeedFrames,
    landing: LandingResource,
    clock: BatchClockResource,
    warehouse: WarehouseResource,
):
    """Find the people of the previous run to carry forward, and hand on the previous golden."""
    store = warehouse.get_warehouse()
    as_of = clock.timestamp()
    previous = _previous(store, "contacts_golden")
    previous_records, records, full = _record_state(store, contacts.accepted, xref, landing, as_of)
    carried = carried_people(previous, previous_records, records, golden["entity_id"], as_of)
    removed = int((~carried["in_source"].astype(bool)).sum()) if len(carried) else 0
    context.log.info(
        "%d people carried forward, %d of them removed from their sources", len(carried), removed
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
        previous if previous is not None else pd.DataFrame(),
        output_name="previous_people",
        metadata={"people": 0 if previous is None else len(previous)},
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
        "source_records": AssetOut(
            key=AssetKey(["curated", "source_records"]),
            description="Every source record ever seen: the person it belongs to, whether it is "
            "still in its source, first and last seen; the next run's memory.",
            kinds={"python", "sql"},
            metadata={"table": "curated.source_records"},
        ),
    },
    ins={
        "people": AssetIn(key=AssetKey(["curated", "contacts_golden"])),
        "xref": AssetIn(key=AssetKey(["curated", "contact_xref"])),
        "previous": AssetIn(key=AssetKey(["history", "previous_people"])),
        "contacts": AssetIn(key=AssetKey(["staging", "crm_contacts"])),
    },
    deps=[AssetKey(["curated", "pending_changes"])],
    group_name=GROUP,
    retry_policy=IO_RETRY,
    pool=WAREHOUSE_POOL,
)
def batch_history(
    context: AssetExecutionContext,
    people: pd.DataFrame,
    xref: pd.DataFrame,
    previous: pd.DataFrame,
    contacts: FeedFrames,
    landing: LandingResource,
    linkage: LinkageResource,
    clock: BatchClockResource,
    warehouse: WarehouseResource,
):
    """Log this run's changes, job changes and identity events; remember its records."""
    store = warehouse.get_warehouse()
    as_of, run_id = clock.timestamp(), context.run_id
    before = previous if len(previous.columns) else None
    previous_records, records, _ = _record_state(store, contacts.accepted, xref, landing, as_of)
    moves = job_changes(before, people, run_id, as_of)
    pending = _previous(store, "pending_changes")
    confirmed = (
        pending.loc[
            pending["state"].eq("confirmed") & pending["resolved_at"].eq(as_of),
            ["entity_id", "field", "resolution"],
        ].rename(columns={"resolution": "reason"})
        if pending is not None
        else None
    )
    changes = golden_changes(before, people, run_id, as_of, moves["entity_id"], confirmed)
    path = linkage.overrides_path()
    overrides = load_overrides(path) if path else None
    cannot = overrides.loc[overrides["rule"].eq("cannot_link")] if overrides is not None else None
    lineage = entity_lineage(
        previous_records,
        xref[["record_key", "entity_id"]],
        set() if before is None else set(before["entity_id"]),
        set(people["entity_id"]),
        run_id,
        cannot,
    )
    if before is None and previous_records is None:
        lineage = lineage.loc[lineage["event"].eq("created")]
    for table, rows in zip(LOG_TABLES, (changes, lineage, moves), strict=True):
        _append_run(store, table, rows, run_id)
    store.replace_table("curated", "source_records", records)
    context.log.info(
        "%d field changes, %d job changes, %d identity events",
        len(changes),
        len(moves),
        len(lineage),
    )
    yield Output(
        None,
        output_name="golden_changes",
        metadata={
            "changes_this_run": len(changes),
            "by_field": counts_table(changes["field"].value_counts(), "field", "changes"),
            "by_reason": counts_table(changes["reason"].value_counts(), "reason", "changes"),
            "dagster/row_count": store.row_count("curated", "golden_changes"),
            "dagster/column_schema": table_schema(changes, "golden_changes"),
        },
    )
    yield Output(
        None,
        output_name="job_changes",
        metadata={
            "job_changes_this_run": len(moves),
            "dagster/row_count": store.row_count("curated", "job_changes"),
            "dagster/column_schema": table_schema(moves, "job_changes"),
        },
    )
    yield Output(
        None,
        output_name="entity_lineage",
        metadata={
            "by_event": counts_table(lineage["event"].value_counts(), "event", "ids"),
            "dagster/row_count": store.row_count("curated", "entity_lineage"),
            "dagster/column_schema": table_schema(lineage, "entity_lineage"),
        },
    )
    yield Output(
        None,
        output_name="source_records",
        metadata={
            "records": len(records),
            "in_source": int(records["in_source"].sum()),
            "dagster/row_count": len(records),
            "dagster/column_schema": table_schema(records, "source_records"),
        },
    )


def _append_run(store: Warehouse, table: str, rows: pd.DataFrame, run_id: str) -> None:
    """Append this run's rows to a log table, replacing rows a retried step wrote before."""
    if store.table_exists("curated", table):
        with store.transaction() as conn:
            conn.execute(
                text(f"DELETE FROM {store.qualified('curated', table)} WHERE run_id = :run_id"),
                {"run_id": run_id},
            )
    store.append_rows("curated", table, rows)


history_assets = [held_changes, carried_forward, batch_history]

HISTORY_CHECK = "history_agrees_with_golden"
STATUS_HISTORY = AssetKey(["curated", "contact_status_history"])


def build_history_checks() -> list[AssetChecksDefinition]:
    """A blocking check that status history agrees with the published people."""
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
        store = warehouse.get_warehouse()
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
            for rule, count in spell_disagreements(store).items()
        )
        report = CheckReport(
            asset="curated.contact_status_history",
            check_name=HISTORY_CHECK,
            severity=ERROR,
            findings=findings,
        )
        rows = dq_result_rows(context.run.run_id, [report], pd.Timestamp.now(tz="UTC"))
        store.append_rows("curated", "dq_check_results", rows)
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

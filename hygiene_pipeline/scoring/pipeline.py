"""`score_people`: the scoring wing in one call, from linked identities to decisions.

Steps, each a module: load the inputs into an in-memory DuckDB workspace and resolve the DNC
entries to the numbers they denote (`inputs`, `dnc`), attribute the evidence (`evidence`),
decide each account's status (`account_status`), each person's status (`status`), intent
(`intent`) and compliance with the dial-list decision (`compliance`), then the suppression
events (`suppression`) and the calling window of each number to dial (`calling_window`). The
rules are in `docs/scoring_rules.md`, their parameters in `ScoringSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from hygiene_pipeline.scoring.account_status import account_status
from hygiene_pipeline.scoring.calling_window import calling_windows
from hygiene_pipeline.scoring.compliance import dial_decision, person_compliance, refusal_holds
from hygiene_pipeline.scoring.evidence import gather_evidence
from hygiene_pipeline.scoring.frames import utc_as_of
from hygiene_pipeline.scoring.inputs import ScoringInputs, Table, frame_of, load_inputs
from hygiene_pipeline.scoring.intent import person_intent
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.status import person_status
from hygiene_pipeline.scoring.suppression import suppression_events
from hygiene_pipeline.scoring.workspace import Workspace

SCORING_COLUMNS: list[str] = [
    "status",
    "status_reason",
    "staleness_score",
    "last_presence_at",
    "intent_score",
    "intent_tier",
    "intent_top_signals",
    "scoring_version",
    "is_callable",
    "is_emailable",
    "is_dnc",
    "dnc_reason",
    "consent_valid",
    "calls_today",
    "calls_7d",
    "under_call_cap",
    "linkage_review_hold",
    "dial_phone_e164",
    "on_dial_list",
    "dial_block_reason",
    "priority_rank",
    "phone_timezone",
    "phone_timezone_ambiguous",
    "call_window_start_utc",
    "call_window_end_utc",
    "call_window_start_local",
    "call_window_end_local",
    "callable_now",
]
"""Columns `score_people` adds to `contacts_golden` (replacing any of the same name)."""

RESULT_TABLES: tuple[str, ...] = (
    "person_status",
    "person_intent",
    "person_compliance",
    "dial_decision",
    "person_numbers",
    "suppression_events",
    "people",
    "departures",
    "account_status",
)
"""The workspace tables `score_people` reads its results from."""

DIAL_LIST_COLUMNS: list[str] = [
    "entity_id",
    "phone_e164",
    "intent_tier",
    "intent_score",
    "calls_7d",
    "priority_rank",
]


@dataclass(frozen=True)
class ScoringResult:
    """What scoring hands to publishing: people, accounts, suppressions, the dial list, the DNC
    entries that match nobody, and stats for asset metadata."""

    contacts: pd.DataFrame
    accounts: pd.DataFrame
    suppression_events: pd.DataFrame
    dial_list: pd.DataFrame
    dnc_unmatched: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


def score_people(
    contacts_golden: Table,
    contact_xref: Table,
    crm_contacts: Table,
    email_bounces: pd.DataFrame | None,
    call_logs: Table | None,
    engagement_events: Table | None = None,
    dnc_list: pd.DataFrame | None = None,
    *,
    accounts: pd.DataFrame | None = None,
    as_of: datetime | pd.Timestamp,
    settings: ScoringSettings | None = None,
    default_region: str = "US",
    standing_requests: pd.DataFrame | None = None,
    spill_dir: Path | None = None,
) -> ScoringResult:
    """Status, staleness, intent and compliance for every person in `contacts_golden`.

    Inputs are the tables of `docs/data_model.md`: golden identities and `contact_xref` (both
    with `account_id`), the standardised feeds (optional ones may be None), the account
    identities (`linkage.accounts.ACCOUNT_COLUMNS`). The golden identities, the
    cross-reference, contacts, calls and events may be frames, Arrow or deferred
    (`inputs.Table`); a deferred one is read when scoring takes it. A person whose every record
    is a ghost record (`domain.placeholders`) is a ghost. `as_of` must be timezone-aware.
    `standing_requests` are do-not-call requests of people no longer in their sources
    (`ScoringInputs`). `spill_dir` is where the workspace may spill (`Workspace`).
    """
    settings = settings or ScoringSettings()
    stamp = utc_as_of(as_of)
    ws = Workspace(stamp, spill_dir)
    try:
        dnc_unmatched = load_inputs(
            ws,
            ScoringInputs(
                golden=contacts_golden,
                xref=contact_xref,
                crm=crm_contacts,
                bounces=email_bounces,
                calls=call_logs,
                events=engagement_events,
                dnc=dnc_list,
                default_region=default_region,
                standing_requests=standing_requests,
            ),
        )
        ws.create(
            "person_ghosts",
            """
            SELECT entity_id, bool_and(is_ghost_record) AS is_ghost,
                   'every record is a placeholder (' || min(ghost_reasons) || ')' AS ghost_reason
            FROM records GROUP BY entity_id
            """,
        )
        stats: dict[str, Any] = gather_evidence(ws, settings)
        account_status(ws)
        person_status(ws, settings)
        ws.drop("presence", "person_presence", "channel_state")  # now in person_status
        person_intent(ws, settings)
        person_compliance(ws, settings)
        refusal_holds(ws)
        dial_decision(ws)
        suppression_events(ws, settings)
        ws.keep(*RESULT_TABLES)  # the evidence is in them now
        scored = ws.frame(
            """
            SELECT s.*, i.* EXCLUDE (entity_id), c.* EXCLUDE (entity_id),
                   d.* EXCLUDE (entity_id), n.type AS dial_phone_type
            FROM person_status s
            JOIN person_intent i USING (entity_id)
            JOIN person_compliance c USING (entity_id)
            JOIN dial_decision d USING (entity_id)
            LEFT JOIN person_numbers n
                   ON n.entity_id = s.entity_id AND n.phone_e164 = c.dial_phone_e164
            """
        )
        events = ws.frame("SELECT * FROM suppression_events")
        account_rows = ws.frame(
            """
            WITH people_per AS (
                SELECT account_id, count(*) AS people FROM people GROUP BY account_id
            ),
            departed AS (
                SELECT account_id, count(*) AS departures FROM departures
                WHERE NOT current_account GROUP BY account_id
            )
            SELECT a.account_id, a.status, a.status_reason, a.status_since,
                   coalesce(p.people, 0) AS people, coalesce(d.departures, 0) AS departures
            FROM account_status a
            LEFT JOIN people_per p USING (account_id)
            LEFT JOIN departed d USING (account_id)
            """
        )
    finally:
        ws.close()

    scored["scoring_version"] = settings.scoring_version
    windows = calling_windows(scored["dial_phone_e164"], settings, stamp, scored["dial_phone_type"])
    for name in windows.columns:
        scored[name] = windows[name]
    # Read (when deferred) only now that the workspace is gone; one merge makes the table, in
    # the golden rows' order with a fresh index.
    golden = frame_of(contacts_golden).drop(columns=SCORING_COLUMNS, errors="ignore")
    contacts = golden.merge(scored[["entity_id", *SCORING_COLUMNS]], on="entity_id", how="left")
    del golden
    dial = (
        contacts[contacts["on_dial_list"]]
        .assign(phone_e164=lambda f: f["dial_phone_e164"])
        .sort_values("priority_rank")[DIAL_LIST_COLUMNS]
        .reset_index(drop=True)
    )
    accounts_out = _accounts(accounts, account_rows)
    stats.update(
        {
            "people": len(contacts),
            "status_counts": contacts["status"].value_counts().to_dict(),
            "intent_tier_counts": contacts["intent_tier"].value_counts().to_dict(),
            "account_status_counts": accounts_out["status"].value_counts().to_dict(),
            "callable": int(contacts["is_callable"].sum()),
            "emailable": int(contacts["is_emailable"].sum()),
            "dial_list": len(dial),
            "dnc_entries_unmatched": len(dnc_unmatched),
        }
    )
    return ScoringResult(
        contacts=contacts,
        accounts=accounts_out,
        suppression_events=events,
        dial_list=dial,
        dnc_unmatched=dnc_unmatched,
        stats=stats,
    )


def _accounts(identities: pd.DataFrame | None, decided: pd.DataFrame) -> pd.DataFrame:
    """Account identities with their people, departures and status."""
    if identities is None:
        identities = pd.DataFrame({"account_id": decided["account_id"]})
    out = identities.merge(decided, on="account_id", how="left")
    out["people"] = out["people"].fillna(0).astype("int64")
    out["departures"] = out["departures"].fillna(0).astype("int64")
    out["status"] = out["status"].fillna("active")
    out["status_reason"] = out["status_reason"].fillna("active: no closure or move reported")
    return out.sort_values("account_id").reset_index(drop=True)

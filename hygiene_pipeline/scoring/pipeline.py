"""`score_people`: the scoring wing in one call, from linked identities to decisions.

Steps, each a module: resolve the DNC entries to numbers (`dnc`), load the inputs into an
in-memory DuckDB workspace (`inputs`), attribute the evidence (`evidence`), decide each account's
status (`account_status`), each person's status (`status`), intent (`intent`) and compliance
with the dial-list decision (`compliance`), then the suppression events (`suppression`) and the
calling windows of the numbers to dial (`calling_window`). The rules are in
`docs/scoring_rules.md`, their parameters in `ScoringSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from hygiene_pipeline.scoring.account_status import account_status
from hygiene_pipeline.scoring.calling_window import calling_windows
from hygiene_pipeline.scoring.compliance import dial_decision, person_compliance, refusal_holds
from hygiene_pipeline.scoring.dnc import resolve_dnc
from hygiene_pipeline.scoring.evidence import gather_evidence
from hygiene_pipeline.scoring.frames import column, utc_as_of
from hygiene_pipeline.scoring.inputs import NUMBER_LINES, ScoringInputs, load_inputs
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


def _known_numbers(crm: pd.DataFrame, calls: pd.DataFrame | None) -> pd.DataFrame:
    """Every number on a record or in a call, with its region (what a DNC entry may denote)."""
    parts = [
        pd.DataFrame({"phone_e164": column(crm, f"{f}_e164"), "region": column(crm, f"{f}_region")})
        for f in NUMBER_LINES
    ]
    if calls is not None:
        parts.append(
            pd.DataFrame(
                {"phone_e164": column(calls, "phone_e164"), "region": column(calls, "phone_region")}
            )
        )
    return pd.concat(parts, ignore_index=True).dropna(subset=["phone_e164"]).drop_duplicates()


def score_people(
    contacts_golden: pd.DataFrame,
    contact_xref: pd.DataFrame,
    crm_contacts: pd.DataFrame,
    email_bounces: pd.DataFrame | None,
    call_logs: pd.DataFrame | None,
    engagement_events: pd.DataFrame | None = None,
    dnc_list: pd.DataFrame | None = None,
    *,
    accounts: pd.DataFrame | None = None,
    as_of: datetime | pd.Timestamp,
    settings: ScoringSettings | None = None,
    default_region: str = "US",
) -> ScoringResult:
    """Status, staleness, intent and compliance for every person in `contacts_golden`.

    Inputs are the frames of `docs/data_model.md`: golden identities and `contact_xref` (both
    with `account_id`), the standardised feeds (optional ones may be None), the account
    identities (`linkage.accounts.ACCOUNT_COLUMNS`). A person whose every record is a ghost
    record (`domain.placeholders`) is a ghost. `as_of` must be timezone-aware.
    """
    settings = settings or ScoringSettings()
    stamp = utc_as_of(as_of)
    golden = contacts_golden.drop(columns=SCORING_COLUMNS, errors="ignore")
    dnc_numbers, dnc_unmatched = resolve_dnc(
        dnc_list, _known_numbers(crm_contacts, call_logs), default_region, stamp
    )
    ws = Workspace(stamp)
    try:
        load_inputs(
            ws,
            ScoringInputs(
                golden=golden,
                xref=contact_xref,
                crm=crm_contacts,
                bounces=email_bounces,
                calls=call_logs,
                events=engagement_events,
                dnc_numbers=dnc_numbers,
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
        person_intent(ws, settings)
        person_compliance(ws, settings)
        refusal_holds(ws)
        dial_decision(ws)
        suppression_events(ws, settings)
        scored = ws.frame(
            """
            SELECT * FROM person_status
            JOIN person_intent USING (entity_id)
            JOIN person_compliance USING (entity_id)
            JOIN dial_decision USING (entity_id)
            """
        )
        events = ws.frame("SELECT * FROM suppression_events")
        account_rows = ws.frame(
            """
            SELECT a.account_id, a.status, a.status_reason, a.status_since,
                   count(p.entity_id) AS people,
                   (SELECT count(*) FROM departures d
                    WHERE d.account_id = a.account_id AND NOT d.current_account) AS departures
            FROM account_status a LEFT JOIN people p USING (account_id)
            GROUP BY ALL
            """
        )
    finally:
        ws.close()

    scored["scoring_version"] = settings.scoring_version
    types = (
        pd.concat(
            [
                pd.DataFrame(
                    {
                        "phone_e164": column(crm_contacts, f"{f}_e164"),
                        "type": column(crm_contacts, f"{f}_type"),
                    }
                )
                for f in NUMBER_LINES
            ]
        )
        .dropna(subset=["phone_e164"])
        .drop_duplicates("phone_e164")
        .set_index("phone_e164")["type"]
    )
    people = golden.merge(scored, on="entity_id", how="left")
    window_number = (
        people["dial_phone_e164"].fillna(people["phone_e164"]).fillna(people["mobile_phone_e164"])
    )
    windows = calling_windows(window_number, settings, stamp, window_number.map(types))
    contacts = pd.concat([people, windows], axis=1)
    contacts = contacts[[c for c in golden.columns] + SCORING_COLUMNS]
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
        contacts=contacts.reset_index(drop=True),
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

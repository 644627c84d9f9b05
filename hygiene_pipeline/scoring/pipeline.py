"""`score_people`: the scoring wing in one call, from linked identities to scored people.

Steps: attribute the evidence (`signals`), decide channel validity (`channels`), status and
staleness (`status`), intent (`intent`), compliance and the calling window (`compliance`), then
the suppression events and the dial list. Everything works on whole columns (merges, group-bys,
numpy), so 100,000 contacts score in seconds. The rules are in `docs/scoring_rules.md`, their
parameters in `ScoringSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from hygiene_pipeline.scoring.channels import (
    channel_usability,
    dead_numbers,
    mailbox_states,
    usable_numbers,
)
from hygiene_pipeline.scoring.compliance import compliance, dial_list
from hygiene_pipeline.scoring.frames import utc_as_of
from hygiene_pipeline.scoring.intent import intent_scores
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.signals import gather_evidence, last_presence
from hygiene_pipeline.scoring.status import person_status
from hygiene_pipeline.scoring.suppression import suppression_events

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
    "phone_timezone",
    "phone_timezone_ambiguous",
    "call_window_start_utc",
    "call_window_end_utc",
    "call_window_start_local",
    "call_window_end_local",
    "callable_now",
]
"""Columns `score_people` adds to `contacts_golden` (replacing any of the same name)."""


@dataclass(frozen=True)
class ScoringResult:
    """What scoring hands to publishing: scored people, suppressions, the dial list, stats."""

    contacts: pd.DataFrame
    suppression_events: pd.DataFrame
    dial_list: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


def score_people(
    contacts_golden: pd.DataFrame,
    contact_xref: pd.DataFrame,
    crm_contacts: pd.DataFrame,
    email_bounces: pd.DataFrame | None,
    call_logs: pd.DataFrame | None,
    engagement_events: pd.DataFrame | None = None,
    dnc_list: pd.DataFrame | None = None,
    *,
    as_of: datetime | pd.Timestamp,
    settings: ScoringSettings | None = None,
) -> ScoringResult:
    """Status, staleness, intent and compliance for every person in `contacts_golden`.

    Inputs are the frames of `docs/data_model.md` (golden identity columns, `contact_xref`,
    standardised feeds; the optional feeds may be None). `as_of` must be timezone-aware.
    """
    settings = settings or ScoringSettings()
    stamp = utc_as_of(as_of)
    golden = contacts_golden.drop(columns=SCORING_COLUMNS, errors="ignore")
    evidence = gather_evidence(
        crm_contacts, contact_xref, email_bounces, call_logs, engagement_events, dnc_list, stamp
    )
    presence = last_presence(evidence)
    mailboxes = mailbox_states(evidence, presence, settings)
    dead = dead_numbers(evidence)
    channels = channel_usability(golden, evidence, mailboxes, dead)
    scored = pd.concat(
        [
            person_status(golden, evidence, presence, channels, settings, stamp),
            intent_scores(pd.Index(golden["entity_id"]), evidence, settings, stamp),
            compliance(golden, evidence, channels, usable_numbers(evidence, dead), settings, stamp),
        ],
        axis=1,
    )
    contacts = golden.merge(scored[SCORING_COLUMNS], left_on="entity_id", right_index=True)
    dial = dial_list(contacts)
    stats: dict[str, Any] = {
        **evidence.stats,
        "people": len(contacts),
        "status_counts": contacts["status"].value_counts().to_dict(),
        "intent_tier_counts": contacts["intent_tier"].value_counts().to_dict(),
        "callable": int(contacts["is_callable"].sum()),
        "emailable": int(contacts["is_emailable"].sum()),
        "dial_list": len(dial),
    }
    return ScoringResult(
        contacts=contacts.reset_index(drop=True),
        suppression_events=suppression_events(evidence, mailboxes, dead, settings),
        dial_list=dial,
        stats=stats,
    )

"""Every controlled vocabulary of the product, in one place.

The contract (`contract.py`), the scorer, the SQL models' checks and the docs all read these
tuples; nothing else spells them out. Order matters where it is documented: `STATUSES` is in
precedence order (the first that holds for a person wins), `INTENT_TIERS` best first.
"""

from __future__ import annotations

STATUSES: tuple[str, ...] = (
    "ghost",
    "company_closed",
    "left_company",
    "company_relocated",
    "invalid_contact",
    "stale_inactive",
    "active",
)
"""A person's status, in precedence order: a test/placeholder record that is nobody first, then
the company's fate, the person's departure, the company's move, dead channels, dormancy."""

COARSE_STATUS: dict[str, str] = {
    "active": "active",
    "stale_inactive": "stale",
    "left_company": "unreachable",
    "company_closed": "unreachable",
    "invalid_contact": "unreachable",
    "company_relocated": "relocated",
    "ghost": "ghost",
}
"""The four outcomes sales ops act on (call, re-engage, replace, update the address), plus ghost."""

ACCOUNT_STATUSES: tuple[str, ...] = ("active", "relocated", "closed")

INTENT_TIERS: tuple[str, ...] = ("high", "medium", "low")

CALL_DISPOSITIONS: tuple[str, ...] = (
    "connected", "no_answer", "busy", "voicemail", "disconnected", "wrong_number",
    "left_company", "company_moved", "company_closed", "do_not_call", "not_interested",
    "interested", "callback",
)  # fmt: skip

EVENT_TYPES: tuple[str, ...] = (
    "email_open", "email_click", "web_visit", "pricing_page_view", "content_download",
    "form_submit", "demo_request", "meeting_booked", "unsubscribe",
)  # fmt: skip

CONSENT_STATUSES: tuple[str, ...] = ("opted_in", "opted_out", "expired", "unknown")

BOUNCE_CLASSES: tuple[str, ...] = ("hard", "soft", "block", "complaint")

EMAIL_SUPPRESSION_REASONS: tuple[str, ...] = (
    "hard_bounce", "dead_domain", "soft_bounces", "complaint", "unsubscribe", "do_not_email",
    "opted_out",
)  # fmt: skip

PHONE_SUPPRESSION_REASONS: tuple[str, ...] = (
    "dnc_list", "do_not_call_request", "do_not_call_flag", "disconnected", "wrong_number",
    "opted_out",
)  # fmt: skip

DEAD_NUMBER_REASONS: tuple[str, ...] = ("disconnected", "wrong_number")
"""Phone suppression reasons that say the number no longer reaches the person, not that the
person must not be called: they block that number only."""

TASK_TYPES: tuple[str, ...] = (
    "find_replacement_contact", "reconfirm_contact", "renew_consent", "review_merge",
    "verify_dnc_entry", "fix_in_source",
)  # fmt: skip
"""Follow-up task types of `curated.follow_up_tasks` (rules: `history/follow_up_tasks.py`)."""

SOURCE_MODES: tuple[str, ...] = ("full", "delta")
"""How a source system's export is read: a full snapshot (a record missing from it was removed
in the source) or a delta (it adds and updates records, it never removes one)."""

REMOVED_FROM_SOURCE = "removed_from_source"
"""The status reason of a person whose records all left their source systems; their status spell
is closed and reopened under this reason (README, "Batch after batch")."""

LINEAGE_EVENTS: tuple[str, ...] = ("created", "merged", "split", "retired")
"""What happened to an entity id in a run (`curated.entity_lineage`)."""

TRACKED_GOLDEN_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "email", "phone_e164", "mobile_phone_e164", "company", "job_title",
    "country", "account_id", "consent_status", "do_not_call", "do_not_email", "in_source",
)  # fmt: skip
"""Golden fields whose changes between runs are logged in `curated.golden_changes`."""

SENSITIVE_FIELDS: tuple[str, ...] = ("phone_e164", "email", "consent_status", "do_not_call")
"""Fields whose change from a lower-ranked source waits in `curated.pending_changes`."""

PENDING_STATES: tuple[str, ...] = ("pending", "confirmed", "superseded")
"""A held change waits (`pending`), is applied once evidence confirms it (`confirmed`), or is
dropped when its source no longer proposes it (`superseded`); rows are never deleted."""

CHANGE_REASONS: tuple[str, ...] = (
    "source_update", "job_change", "removed_from_source", "returned_to_source",
    "confirmed_by_trusted_source", "confirmed_by_answered_call", "confirmed_by_engagement",
)  # fmt: skip
"""Why a golden field changed (`curated.golden_changes.reason`)."""


def presence_flag(column: str) -> str:
    """The name under which a reader that only asks whether `column` holds a value gets it, as
    a flag (`read_columns(..., present=...)`): a million texts cost a second to read."""
    return f"{column}_present"

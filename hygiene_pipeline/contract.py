"""The public contract's output tables and vocabularies: what BI tools and on-call staff read."""

from hygiene_pipeline import vocabulary

CURATED_TABLES: dict[str, tuple[str, ...]] = {
    "contact_xref": (
        "contact_id",
        "source_system",
        "entity_id",
        "account_id",
        "match_probability",
    ),
    "contacts_golden": (
        "entity_id",
        "account_id",
        "first_name",
        "last_name",
        "email",
        "phone_e164",
        "company",
        "job_title",
        "country",
        "status",
        "status_reason",
        "staleness_score",
        "intent_score",
        "intent_tier",
        "is_callable",
        "is_emailable",
        "last_activity_at",
        "source_count",
    ),
    "accounts": (
        "account_id",
        "name",
        "domains",
        "country",
        "city",
        "people",
        "status",
        "status_reason",
    ),
    "dnc_unmatched": ("phone_raw", "source_file", "row_number", "reason"),
    "dial_list": ("entity_id", "phone_e164", "intent_tier", "priority_rank"),
    "suppression_list": ("channel", "value", "entity_id", "reason", "since"),
    "contact_status_history": (
        "entity_id",
        "status",
        "status_reason",
        "valid_from",
        "valid_to",
        "run_id",
    ),
    "match_pairs": ("contact_id_left", "contact_id_right", "match_probability", "decision"),
    "rejected_records": ("feed", "source_file", "row_number", "reason", "raw"),
    "dq_check_results": (
        "run_id",
        "asset",
        "check_name",
        "passed",
        "severity",
        "failed_count",
        "details",
        "checked_at",
    ),
    "follow_up_tasks": (
        "task_id",
        "task_type",
        "entity_id",
        "account_id",
        "reason",
        "priority",
        "opened_at",
        "closed_at",
    ),
    "dq_scorecard": ("run_id", "measure", "value", "previous_value", "measured_at"),
}
"""Every table in schema `curated` after a run, with the columns it has at least."""

STATUSES = vocabulary.STATUSES
INTENT_TIERS = vocabulary.INTENT_TIERS
TASK_TYPES = vocabulary.TASK_TYPES

"""The CRM pipeline's linkage spec and golden-record rules, over the standardised `crm_contacts`.

Input: `linkable_contacts` keeps the records the source system has not deleted (a deleted
record stays in staging, marked, and never becomes a person); `linkage_input` empties
placeholders, writes Chinese names in pinyin and reads a missing first or last name from the
record's personal mailbox.

Blocking: canonical mailbox key; any valid E.164 number of the person (phone, mobile, home or
other phone, each against each); phonetic
surname with first initial plus company key, and plus postal code (each also with first and last
name swapped); exact surname plus company key, for records that lack a first name. Oversized
blocks are windowed in name order (sorted neighbourhood).
Comparison: names straight and crossed (Chinese names written in either order), frequent names
weigh a little less (at most e-fold: records are blocked within a company, where a common name
is far less common than in the whole CRM); mailbox key; phones; company. A number shared by
more than three surnames (a switchboard) and a role mailbox (info@, sales@) carry no evidence.
Namesakes at different companies, and colleagues who share a first name but not a surname, are
not merged unless an e-mail or phone confirms them; nor are records that share no name, mailbox
or number (a company and a switchboard are not a person). Pairs are linked from a match
probability of 0.4: the fitted prior falls as a CRM grows (more candidate pairs per true
match), and 0.5 left a million-record CRM's recall 1.5 points short.

Survivorship: the most complete record gives the name; the most recent valid e-mail and phones
win; the company comes by source priority (CRM systems before marketing tools); a do-not-call,
do-not-email or opt-out on any record holds for the person.
"""

from __future__ import annotations

import pandas as pd

from hygiene_pipeline.domain.placeholders import ghost_flags
from hygiene_pipeline.linkage.accounts import ACCOUNT_INPUT_COLUMNS
from hygiene_pipeline.linkage.mailbox_names import names_from_mailboxes
from hygiene_pipeline.linkage.romanise import romanised
from hygiene_pipeline.linkage.spec import BlockingKey, Comparison, HardNegative, LinkageSpec
from hygiene_pipeline.linkage.survivorship import FieldRule, SurvivorshipRules

_NAME_SWAP = {"first_name_norm": "last_name_norm", "last_name_norm": "first_name_norm"}
_NAME_ORDER = ("last_name_norm", "first_name_norm")

CRM_LINKAGE_SPEC = LinkageSpec(
    record_key="record_key",
    valid_if={
        "phone_e164": "phone_valid",
        "mobile_phone_e164": "mobile_phone_valid",
        "home_phone_e164": "home_phone_valid",
        "other_phone_e164": "other_phone_valid",
    },
    comparisons=(
        Comparison(
            "first_name",
            "first_name_norm",
            crossed="last_name_norm",
            term_frequency=True,
            nicknames=True,
            initials=True,
            typos=True,
        ),
        Comparison(
            "last_name",
            "last_name_norm",
            crossed="first_name_norm",
            term_frequency=True,
            typos=True,
        ),
        Comparison(
            "email",
            "email_key",
            kind="exact",
            ignore_if="email_is_role",
            compare_within="email_domain",
            shared_limit=3,
            shared_distinct_on="last_name_norm",
        ),
        Comparison(
            "phone",
            "phone_e164",
            kind="exact",
            also=("mobile_phone_e164", "home_phone_e164", "other_phone_e164"),
            shared_limit=3,
            shared_distinct_on="last_name_norm",
        ),
        Comparison("company", "company_key", scorer="token_sort", thresholds=(0.9, 0.75)),
    ),
    blocking=(
        BlockingKey("email", ("email_key",), max_block_size=20, sort_by=_NAME_ORDER),
        BlockingKey(
            "phone",
            ("phone_e164",),
            variants=(
                {"phone_e164": "mobile_phone_e164"},
                {"phone_e164": "home_phone_e164"},
                {"phone_e164": "other_phone_e164"},
            ),
            max_block_size=20,
            sort_by=_NAME_ORDER,
        ),
        BlockingKey(
            "name_company",
            ("soundex(last_name_norm)", "initial(first_name_norm)", "company_key"),
            variants=(_NAME_SWAP,),
            sort_by=_NAME_ORDER,
        ),
        BlockingKey("surname_company", ("last_name_norm", "company_key"), sort_by=_NAME_ORDER),
        BlockingKey(
            "name_postal_code",
            ("soundex(last_name_norm)", "initial(first_name_norm)", "postal_code_key"),
            variants=(_NAME_SWAP,),
            sort_by=_NAME_ORDER,
        ),
    ),
    hard_negatives=(
        HardNegative(
            "namesake_at_other_company", disagree=("company",), unless_agree=("email", "phone")
        ),
        HardNegative(
            "colleague_with_other_surname",
            disagree=("last_name",),
            unless_agree=("email", "phone"),
        ),
        HardNegative(
            "nothing_personal_in_common",
            disagree=(),
            unless_agree=("first_name", "last_name", "email", "phone"),
        ),
    ),
    match_threshold=0.4,
    possible_threshold=0.3,
    conflict_threshold=0.1,
    max_cluster_size=12,
    term_frequency_cap=1.0,
)

CRM_SOURCE_PRIORITY: tuple[str, ...] = ("salesforce", "hubspot", "dynamics", "pipedrive", "zoho")

CRM_GOLDEN_RULES = SurvivorshipRules(
    record_key="record_key",
    recency=("updated_at", "created_at"),
    source_column="source_system",
    source_priority=CRM_SOURCE_PRIORITY,
    completeness_columns=(
        "first_name",
        "last_name",
        "email",
        "phone_e164",
        "mobile_phone_e164",
        "company",
        "job_title",
        "street",
        "city",
        "postal_code",
        "country",
    ),
    xref_columns=("contact_id", "source_system"),
    fields=(
        FieldRule("first_name", "most_complete", companions=("last_name",)),
        FieldRule("email", "most_recent", valid_if="email_valid", companions=("email_key",)),
        FieldRule("phone_e164", "most_recent", valid_if="phone_valid"),
        FieldRule("mobile_phone_e164", "most_recent", valid_if="mobile_phone_valid"),
        FieldRule("company", "source_priority", companions=("company_key",)),
        FieldRule("job_title", "most_recent"),
        FieldRule("country", "most_complete"),
        FieldRule("last_activity_at", "max"),
        FieldRule("do_not_call", "any_true"),
        FieldRule("do_not_email", "any_true"),
        FieldRule(
            "consent_status",
            "most_recent",
            ignore_values=("unknown",),
            sticky_values=("opted_out",),
            companions=("consent_expires_at",),
            default="unknown",
        ),
    ),
)


def linkable_contacts(contacts: pd.DataFrame) -> pd.DataFrame:
    """The standardised contacts linkage reads: every record not deleted in its source system.

    Positions matter downstream (candidate pairs, clusters), so every linkage stage must read
    this same frame; it has a fresh 0..n-1 index.
    """
    if "is_deleted" not in contacts.columns or not contacts["is_deleted"].any():
        return contacts
    return contacts.loc[~contacts["is_deleted"].fillna(False).astype(bool)].reset_index(drop=True)


JUNK_BLANKS: dict[str, tuple[str, ...]] = {
    "name_is_placeholder": ("first_name_norm", "last_name_norm"),
    "email_is_placeholder": ("email_key",),
    "phone_is_placeholder": ("phone_e164",),
    "mobile_phone_is_placeholder": ("mobile_phone_e164",),
    "company_is_placeholder": ("company_key",),
}
"""Placeholder flag (`domain.placeholders`) -> the linkage columns it empties."""


def linkage_input(contacts: pd.DataFrame) -> pd.DataFrame:
    """The linkable contacts as blocking, comparison and clustering see them: placeholder values
    (`test@test.com`, `555-555-5555`, `Test Test`, `ACME`) are emptied, so junk is never evidence
    that two records are one person, the way a role mailbox or a switchboard is not; names in
    Chinese characters are written in pinyin (`romanise`); a missing first or last name is read
    from the record's personal mailbox where it can be (`mailbox_names`). Rows are those of
    `linkable_contacts`, in the same order."""
    contacts = linkable_contacts(contacts)
    if not any(flag in contacts.columns for flag in JUNK_BLANKS):
        contacts = pd.concat([contacts, ghost_flags(contacts)], axis=1)
    view = contacts.copy(deep=False)
    for flag, columns in JUNK_BLANKS.items():
        junk = view[flag].eq(True).to_numpy()
        if not junk.any():
            continue
        for column in columns:
            if column in view.columns:
                view[column] = view[column].where(~junk, None)
    for column in ("first_name_norm", "last_name_norm"):
        if column in view.columns:
            view[column] = romanised(view[column])
    if {"first_name_norm", "last_name_norm", "email_key", "email_is_role"} <= set(view.columns):
        view["first_name_norm"], view["last_name_norm"] = names_from_mailboxes(
            view["first_name_norm"],
            view["last_name_norm"],
            view["email_key"],
            view["email_is_role"],
        )
    return view


LINKAGE_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(
        (
            "record_key",
            "is_deleted",
            "master_record_key",
            *CRM_LINKAGE_SPEC.columns,
            *JUNK_BLANKS,
            *CRM_GOLDEN_RULES.xref_columns,
        )
    )
)
"""The contact columns blocking, comparison, clustering and the pair table read
(`linkage_input`, `master_record_links`)."""

PAIR_TABLE_COLUMNS: tuple[str, ...] = (
    "record_key",
    "is_deleted",
    "master_record_key",
    *CRM_GOLDEN_RULES.xref_columns,
)
"""The contact columns the pair table reads: its records (`linkable_contacts`), the source
systems' merges (`master_record_links`) and each record's ids."""

GOLDEN_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(("is_deleted", *CRM_GOLDEN_RULES.columns, *ACCOUNT_INPUT_COLUMNS))
)
"""The contact columns golden records and account resolution read."""

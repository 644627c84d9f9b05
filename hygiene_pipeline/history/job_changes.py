"""Job changes: the same person (the same entity) now at another account with a new work
domain. The most valuable signal a CRM has: a lead at the new company, and a departure at the
old one, which needs a new contact.

A new account alone is not a job change (a record may have been re-linked, a company renamed):
the domain of the person's email must change too."""

from __future__ import annotations

import pandas as pd

JOB_CHANGE_COLUMNS = [
    "entity_id",
    "old_account_id",
    "new_account_id",
    "old_company",
    "new_company",
    "status_at_old_account",
    "run_id",
    "detected_at",
]


JOB_FIELDS: tuple[str, ...] = ("entity_id", "account_id", "company", "email")
"""The golden fields a job change is read from (with `in_source`, when present)."""


def job_changes(
    previous: pd.DataFrame | None, current: pd.DataFrame, run_id: str, detected_at: pd.Timestamp
) -> pd.DataFrame:
    """One row per person in both runs, in their sources now, whose account and work domain
    both changed; the person `left_company` at the old account and carries on at the new one."""
    if previous is None or previous.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in JOB_CHANGE_COLUMNS})
        return empty.astype({"detected_at": "datetime64[us, UTC]"})
    columns = list(JOB_FIELDS)
    now = current[[*columns, *(["in_source"] if "in_source" in current.columns else [])]]
    both = previous[columns].merge(now, on="entity_id", suffixes=("_old", "_new"))
    if "in_source" in both.columns:
        both = both.loc[both["in_source"].ne(False)]
    old_domain, new_domain = _domain(both["email_old"]), _domain(both["email_new"])
    moved = (
        both["account_id_old"].notna()
        & both["account_id_new"].notna()
        & both["account_id_old"].ne(both["account_id_new"])
        & new_domain.notna()
        & new_domain.ne(old_domain)
    )
    found = both.loc[moved]
    return pd.DataFrame(
        {
            "entity_id": found["entity_id"].to_numpy(),
            "old_account_id": found["account_id_old"].to_numpy(),
            "new_account_id": found["account_id_new"].to_numpy(),
            "old_company": found["company_old"].to_numpy(),
            "new_company": found["company_new"].to_numpy(),
            "status_at_old_account": "left_company",
            "run_id": run_id,
            "detected_at": pd.Series(detected_at, index=range(len(found))),
        },
        columns=JOB_CHANGE_COLUMNS,
    ).astype({"detected_at": "datetime64[us, UTC]"})


def _domain(emails: pd.Series) -> pd.Series:
    return emails.astype(object).str.lower().str.rsplit("@", n=1).str[1]

"""Follow-up tasks: the work sales ops act on, kept open across batches until resolved.

Why: a table of statuses does not tell anyone what to do. Each condition below opens a task
with a stable id (a hash of the task type and its subject), so the same finding in the next
batch is the same task, not a new one; a batch in which the condition no longer holds closes it
(`closed_at`), and a task is never deleted. A closed task whose condition comes back is opened
again under its id (`opened_at` the new opening, `closed_at` cleared).

| task_type | opened when | subject | priority |
|---|---|---|---|
| `find_replacement_contact` | a person left a company whose account is still active | person | 1 |
| `review_merge` | a person's merge is under review (held off the dial list) | person | 1 |
| `verify_dnc_entry` | a do-not-call entry matches no number we know (`dnc_unmatched`) | entry | 1 |
| `reconfirm_contact` | the phone is dead but the email works, or the reverse | person + dead channel | 2 |
| `renew_consent` | opted-in consent expires within `consent_renewal_days` | person | 2 |
| `fix_in_source` | a live source record holds junk or invalid values | source record | 3 |

Priority 1 is first. Reasons and evidence name dates, reasons, counts and fields, never values
(names, numbers, addresses): they are read in masked views and dashboards. People who are ghosts,
left, or whose company closed get no reconfirm or consent task.
"""  # noqa: E501

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hygiene_pipeline.vocabulary import DEAD_NUMBER_REASONS, presence_flag

TASK_COLUMNS: tuple[str, ...] = (
    "task_id",
    "task_type",
    "entity_id",
    "account_id",
    "reason",
    "evidence",
    "priority",
    "source_record_ids",
    "opened_at",
    "closed_at",
    "last_seen_at",
)
DEAD_EMAIL_REASONS: tuple[str, ...] = ("hard_bounce", "dead_domain")
GONE_STATUSES: tuple[str, ...] = ("ghost", "left_company", "company_closed")
"""People no one should reconfirm or ask for consent."""
PHONE_PREFIXES: tuple[str, ...] = ("phone", "mobile_phone")
PRESENCE_COLUMNS: tuple[str, ...] = ("email", *(f"{p}_raw" for p in PHONE_PREFIXES))
"""Record columns the rules only test for a value: read as flags (`presence_flag`)."""
RECORD_PROBLEMS: dict[str, str] = {
    "is_ghost_record": "a ghost record (test, placeholder or junk)",
    "name_is_placeholder": "placeholder name",
    "email_is_placeholder": "placeholder email",
    "phone_is_placeholder": "made-up phone",
    "mobile_phone_is_placeholder": "made-up mobile",
    "company_is_placeholder": "placeholder company",
    "invisible_characters_stripped": "invisible characters in name or company",
}
"""Boolean staging columns that make a source record worth fixing, and how a task names them."""


@dataclass(frozen=True)
class TaskInputs:
    """This batch's decisions (only the columns named are read).

    `people`: contacts_golden (`entity_id`, `account_id`, `status`, `status_reason`,
    `dial_phone_e164`, `is_emailable`, `consent_status`, `consent_expires_at`,
    `linkage_review_hold`); `accounts`: (`account_id`, `status`); `suppressions`:
    suppression_events (`channel`, `entity_id`, `reason`, `since`); `dnc_unmatched`:
    (`source_file`, `row_number`, `reason`); `xref`: contact_xref (`record_key`, `entity_id`,
    `account_id`, `merge_probability`, `cluster_flag`); `records`: staging.crm_contacts
    (`record_key`, `is_deleted`, `email_valid`, `<phone>_valid`, `formula_columns`,
    `future_dates`, the `RECORD_PROBLEMS` flags, and the `presence_flag` of each of
    `PRESENCE_COLUMNS`).
    """

    people: pd.DataFrame
    accounts: pd.DataFrame
    suppressions: pd.DataFrame
    dnc_unmatched: pd.DataFrame
    xref: pd.DataFrame
    records: pd.DataFrame
    as_of: pd.Timestamp
    consent_renewal_days: int = 30


def task_ids(task_type: str, subjects: pd.Series) -> pd.Series:
    """`T` + 16 hex digits of a hash of task type and subject key: the same finding, the same id."""
    keys = pd.Series(task_type + "|" + subjects.astype(str).to_numpy(), dtype=object)
    hashes = pd.util.hash_pandas_object(keys, index=False).to_numpy(dtype=np.uint64)
    return pd.Series([f"T{h:016x}" for h in hashes], index=subjects.index, dtype=object)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype=object)


def _flag(frame: pd.DataFrame, name: str) -> pd.Series:
    return _column(frame, name).eq(True).fillna(False).astype(bool)


def _evidence(frame: pd.DataFrame) -> pd.Series:
    """One JSON object per row of `frame` (dates as ISO dates, missing values left out)."""

    def one(row: dict[str, object]) -> str:
        kept = {
            k: (v.date().isoformat() if isinstance(v, pd.Timestamp) else v)
            for k, v in row.items()
            if not (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT)
        }
        return json.dumps(kept, sort_keys=True, default=str)

    return pd.Series([one(r) for r in frame.to_dict("records")], index=frame.index, dtype=object)


def _tasks(
    task_type: str,
    subjects: pd.Series,
    entity_id: pd.Series | None,
    account_id: pd.Series | None,
    reason: pd.Series | str,
    evidence: pd.Series,
    priority: int,
    source_record_ids: pd.Series | None = None,
) -> pd.DataFrame:
    index = subjects.index
    nothing = pd.Series(None, index=index, dtype=object)
    return pd.DataFrame(
        {
            "task_id": task_ids(task_type, subjects),
            "task_type": task_type,
            "entity_id": nothing if entity_id is None else entity_id,
            "account_id": nothing if account_id is None else account_id,
            "reason": reason,
            "evidence": evidence,
            "priority": priority,
            "source_record_ids": nothing if source_record_ids is None else source_record_ids,
        },
        index=index,
    )


def find_replacement_contact(inputs: TaskInputs) -> pd.DataFrame:
    """People who left a company whose account is still active: find who decides there now."""
    live = inputs.accounts.loc[inputs.accounts["status"] == "active", "account_id"]
    people = inputs.people
    left = people[(people["status"] == "left_company") & people["account_id"].isin(live)]
    active_there = people[people["status"] == "active"].groupby("account_id").size()
    evidence = pd.DataFrame(
        {
            "departure": left["status_reason"],
            "active_people_at_account": left["account_id"].map(active_there).fillna(0).astype(int),
        }
    )
    return _tasks(
        "find_replacement_contact",
        left["entity_id"],
        left["entity_id"],
        left["account_id"],
        "the contact left; the account is active: find the new decision maker there",
        _evidence(evidence),
        1,
    )


def reconfirm_contact(inputs: TaskInputs) -> pd.DataFrame:
    """People whose phone died while their email works, or whose email died while a phone works:
    reconfirm through the channel that still works."""
    people = inputs.people[~inputs.people["status"].isin(GONE_STATUSES)]
    events = inputs.suppressions.dropna(subset=["entity_id"])
    dead_phone = events[(events["channel"] == "phone") & events["reason"].isin(DEAD_NUMBER_REASONS)]
    dead_email = events[(events["channel"] == "email") & events["reason"].isin(DEAD_EMAIL_REASONS)]
    phone_works = _column(people, "dial_phone_e164").notna()
    email_works = _flag(people, "is_emailable")
    frames = []
    for dead, channel, other, condition in (
        (dead_phone, "phone", "email", ~phone_works & email_works),
        (dead_email, "email", "phone", ~email_works & phone_works),
    ):
        why = (
            dead.sort_values("since")
            .groupby("entity_id")
            .agg(dead_reason=("reason", "first"), dead_since=("since", "first"))
        )
        chosen = people[condition & people["entity_id"].isin(why.index)]
        evidence = why.reindex(chosen["entity_id"]).set_axis(chosen.index)
        evidence.insert(0, "dead_channel", channel)
        evidence["working_channel"] = other
        frames.append(
            _tasks(
                "reconfirm_contact",
                chosen["entity_id"] + "|" + channel,
                chosen["entity_id"],
                chosen["account_id"],
                f"the {channel} no longer reaches the person but the {other} does: reconfirm "
                f"the contact details by {other}",
                _evidence(evidence),
                2,
            )
        )
    return pd.concat(frames)


def renew_consent(inputs: TaskInputs) -> pd.DataFrame:
    """Opted-in people whose consent expires within `consent_renewal_days` after as-of."""
    people = inputs.people[~inputs.people["status"].isin(GONE_STATUSES)]
    expires = pd.to_datetime(_column(people, "consent_expires_at"), utc=True)
    horizon = inputs.as_of + pd.Timedelta(days=inputs.consent_renewal_days)
    due = (
        (_column(people, "consent_status") == "opted_in")
        & (expires > inputs.as_of)
        & (expires <= horizon)
    )
    chosen = people[due.fillna(False).astype(bool)]
    evidence = pd.DataFrame(
        {
            "consent_expires_at": expires[chosen.index],
            "days_left": (expires[chosen.index] - inputs.as_of).dt.days,
        }
    )
    return _tasks(
        "renew_consent",
        chosen["entity_id"],
        chosen["entity_id"],
        chosen["account_id"],
        f"consent expires within {inputs.consent_renewal_days} days: renew it",
        _evidence(evidence),
        2,
    )


def review_merge(inputs: TaskInputs) -> pd.DataFrame:
    """People whose merge is under review (flagged cluster, or a weak link): confirm or undo it
    with an override."""
    chosen = inputs.people[_flag(inputs.people, "linkage_review_hold")]
    members = inputs.xref[inputs.xref["entity_id"].isin(chosen["entity_id"])]
    stats = members.groupby("entity_id").agg(
        records=("record_key", "size"),
        merge_probability=("merge_probability", "min"),
        cluster_flag=("cluster_flag", "first"),
    )
    stats["merge_probability"] = stats["merge_probability"].round(4)
    evidence = stats.reindex(chosen["entity_id"]).set_axis(chosen.index)
    keys = members.groupby("entity_id")["record_key"].agg(lambda k: "; ".join(sorted(k)))
    return _tasks(
        "review_merge",
        chosen["entity_id"],
        chosen["entity_id"],
        chosen["account_id"],
        "an uncertain merge holds the person off the dial list: confirm it, or undo it with a "
        "cannot-link override",
        _evidence(evidence),
        1,
        chosen["entity_id"].map(keys),
    )


def verify_dnc_entry(inputs: TaskInputs) -> pd.DataFrame:
    """Do-not-call entries that match no number we know: verify how they were written."""
    entries = inputs.dnc_unmatched
    subjects = entries["source_file"].astype(str) + "#" + entries["row_number"].astype(str)
    evidence = entries[["source_file", "row_number"]].assign(
        row_number=entries["row_number"].astype(int)
    )
    return _tasks(
        "verify_dnc_entry",
        subjects,
        None,
        None,
        "a do-not-call entry matches no number we know: verify the number and its country",
        _evidence(evidence),
        1,
        "dnc_list:" + subjects,
    )


def record_problems(records: pd.DataFrame) -> pd.Series:
    """Per live source record, what is wrong with it ('; '-joined, None when nothing is)."""
    found = pd.Series("", index=records.index, dtype=object)

    def add(mask: pd.Series, text: pd.Series | str) -> None:
        # only the rows with the problem: a million records have a handful each
        rows = mask.to_numpy(dtype=bool)
        found[rows] = found[rows] + (text[rows] if isinstance(text, pd.Series) else text) + "; "

    for column, text in RECORD_PROBLEMS.items():
        add(_flag(records, column), text)
    add(_flag(records, presence_flag("email")) & ~_flag(records, "email_valid"), "invalid email")
    for prefix in PHONE_PREFIXES:
        present = _flag(records, presence_flag(f"{prefix}_raw"))
        add(present & ~_flag(records, f"{prefix}_valid"), f"invalid {prefix.replace('_', ' ')}")
    formulas = _column(records, "formula_columns")
    add(formulas.notna(), "formula-like text in " + formulas.fillna("").astype(str))
    future = _column(records, "future_dates")
    add(future.notna(), "dates in the future in " + future.fillna("").astype(str))
    found = found.str.removesuffix("; ")
    return found.where(found != "", None)


def fix_in_source(inputs: TaskInputs) -> pd.DataFrame:
    """Live source records with junk or invalid values: fix them in the source CRM."""
    records = inputs.records[~_flag(inputs.records, "is_deleted")]
    problems = record_problems(records)
    chosen = records[problems.notna()]
    people = inputs.xref.set_index("record_key")
    evidence = pd.DataFrame({"problems": problems[chosen.index]})
    system = chosen["record_key"].str.split(":").str[0]
    return _tasks(
        "fix_in_source",
        chosen["record_key"],
        chosen["record_key"].map(people["entity_id"]),
        chosen["record_key"].map(people["account_id"]) if "account_id" in people else None,
        "junk or invalid values in a source record: fix them in " + system,
        _evidence(evidence),
        3,
        chosen["record_key"],
    )


TASK_BUILDERS = (
    find_replacement_contact,
    reconfirm_contact,
    renew_consent,
    review_merge,
    verify_dnc_entry,
    fix_in_source,
)


def current_tasks(inputs: TaskInputs) -> pd.DataFrame:
    """Every task this batch's decisions call for (open), one row per task id."""
    found = pd.concat([build(inputs) for build in TASK_BUILDERS], ignore_index=True)
    return found.drop_duplicates("task_id").reset_index(drop=True)


def follow_up_tasks(inputs: TaskInputs, previous: pd.DataFrame) -> pd.DataFrame:
    """The task table after this batch, from its findings and the previously published table.

    A finding whose task is open keeps its `opened_at`; a new finding, or one whose task was
    closed, opens at as-of; an open task without a finding closes at as-of; closed tasks stay as
    they were. Reasons, evidence and priority are this batch's where there is a finding.
    """
    found = current_tasks(inputs)
    as_of = inputs.as_of
    prior = previous.set_index("task_id") if len(previous) else None
    if prior is None:
        opened = pd.Series(as_of, index=found.index)
    else:
        was_open = found["task_id"].map(prior["closed_at"].isna()).eq(True)
        opened = found["task_id"].map(prior["opened_at"]).where(was_open, as_of)
    now = found.assign(
        opened_at=pd.to_datetime(opened, utc=True),
        closed_at=pd.Series(pd.NaT, index=found.index, dtype="datetime64[ns, UTC]"),
        last_seen_at=as_of,
    )
    table = now[list(TASK_COLUMNS)]
    if prior is not None:
        gone = previous[~previous["task_id"].isin(found["task_id"])].copy()
        closing = gone["closed_at"].isna()
        gone["closed_at"] = pd.to_datetime(gone["closed_at"], utc=True).mask(closing, as_of)
        table = pd.concat([table, gone[list(TASK_COLUMNS)]], ignore_index=True)
    for column in ("opened_at", "closed_at", "last_seen_at"):
        table[column] = pd.to_datetime(table[column], utc=True)
    table["priority"] = table["priority"].astype("int64")
    return table.sort_values(["priority", "task_type", "task_id"], ignore_index=True)

"""Suppression events: which phone numbers and email addresses must not be used, why, since when.

One row per (`channel`, `value`, `entity_id`, `reason`) with the earliest `since` (NaT when the
source has no date, e.g. a CRM flag) and a short `detail`. The published `suppression_list` (one
row per channel key) is built from these by the warehouse's SQL model.

Reasons, email: `hard_bounce`, `soft_bounces`, `complaint`, `unsubscribe`, `do_not_email`,
`opted_out`. Phone: `dnc_list`, `do_not_call_request`, `do_not_call_flag`, `disconnected`,
`wrong_number`, `opted_out`. Person-level requests (unsubscribe, flags, opt-out, a do-not-call
request) cover every number or address of the person's member records; a do-not-call request
also covers the number it was made on for whoever shares it, and stays listed (without a person)
when no one in the CRM has that number.
"""

from __future__ import annotations

import pandas as pd

from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.signals import DNC_DISPOSITION, Evidence

SUPPRESSION_COLUMNS: list[str] = ["channel", "value", "entity_id", "reason", "since", "detail"]


def suppression_events(
    evidence: Evidence,
    mailboxes: pd.DataFrame,
    dead: pd.DataFrame,
    settings: ScoringSettings,
) -> pd.DataFrame:
    """Every suppressed channel key with its person, reason and date (`SUPPRESSION_COLUMNS`).

    `mailboxes` is `channels.mailbox_states(...)`, `dead` is `channels.dead_numbers(...)`.
    """
    members = evidence.members
    numbers = evidence.phones[["entity_id", "phone_e164"]].rename(columns={"phone_e164": "value"})
    addresses = evidence.mailboxes[["entity_id", "email"]].rename(columns={"email": "value"})
    opted_out = members.loc[members["consent_status"] == "opted_out", ["entity_id"]]
    events = evidence.events
    unsubscribed = (
        events[events["event_type"] == "unsubscribe"]
        .groupby("entity_id", as_index=False)["occurred_at"]
        .min()
        .rename(columns={"occurred_at": "since"})
    )
    calls = evidence.calls
    requests = calls[calls["disposition"] == DNC_DISPOSITION]
    soft_detail = (
        f"{settings.soft_bounces_to_suppress} soft bounces within "
        f"{settings.soft_bounce_window_days} days"
    )
    boxes = mailboxes.rename(columns={"email": "value"})
    listed = evidence.phones.merge(evidence.dnc_numbers, on="phone_e164")
    dead_owned = evidence.phones.merge(dead, left_on="phone_e164", right_index=True)
    request_numbers = requests[requests["dialled"]]
    request_owners = request_numbers.drop(columns="entity_id").merge(
        evidence.phones[["phone_e164", "entity_id"]], on="phone_e164", how="left"
    )
    parts = [
        _rows("email", _having(boxes, "hard_at"), "hard_bounce", "hard_at", "hard_evidence"),
        _rows(
            "email",
            _having(boxes, "soft_since").assign(detail=soft_detail),
            "soft_bounces",
            "soft_since",
            "detail",
        ),
        _rows("email", _having(boxes, "complaint_at"), "complaint", "complaint_at"),
        _rows("email", _fan_out(unsubscribed, addresses), "unsubscribe", "since"),
        _rows("email", _fan_out(members[members["do_not_email"]], addresses), "do_not_email"),
        _rows("email", _fan_out(opted_out, addresses), "opted_out"),
        _rows(
            "phone",
            listed.rename(columns={"phone_e164": "value"}),
            "dnc_list",
            "added_at",
            "source",
        ),
        _rows(
            "phone",
            request_owners.rename(columns={"phone_e164": "value"}),
            "do_not_call_request",
            "called_at",
        ),
        _rows(
            "phone",
            _fan_out(requests[requests["entity_id"].notna()], numbers),
            "do_not_call_request",
            "called_at",
        ),
        _rows("phone", _fan_out(members[members["do_not_call"]], numbers), "do_not_call_flag"),
        _rows(
            "phone",
            dead_owned.rename(columns={"phone_e164": "value"}),
            dead_owned["dead_disposition"],
            "dead_at",
        ),
        _rows("phone", _fan_out(opted_out, numbers), "opted_out"),
    ]
    events_frame = pd.concat(parts, ignore_index=True)
    events_frame = events_frame.sort_values("since", kind="stable", na_position="last")
    keys = ["channel", "value", "entity_id", "reason"]
    deduped = events_frame.drop_duplicates(keys).sort_values(keys, kind="stable")
    return deduped[SUPPRESSION_COLUMNS].reset_index(drop=True)


def _fan_out(per_person: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Spread person-level rows onto every number or address (`value`) of the person."""
    return per_person.drop(columns=["value"], errors="ignore").merge(targets, on="entity_id")


def _having(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows where the dated column says the reason applies."""
    return frame[frame[column].notna()]


def _rows(
    channel: str,
    frame: pd.DataFrame,
    reason: str | pd.Series,
    since: str | None = None,
    detail: str | None = None,
) -> pd.DataFrame:
    """Suppression rows from `frame` (with `entity_id`, `value`), dated by its `since` column."""
    return pd.DataFrame(
        {
            "channel": channel,
            "value": frame["value"],
            "entity_id": frame["entity_id"],
            "reason": reason,
            "since": pd.to_datetime(frame[since], utc=True) if since else pd.NaT,
            "detail": frame[detail] if detail else None,
        },
        index=frame.index,
    )

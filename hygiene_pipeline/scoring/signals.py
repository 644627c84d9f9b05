"""Evidence per person: calls, engagement events, bounces and CRM fields, each tied to an entity.

How a row reaches a person (`entity_id`):

- A row with a `contact_id` is matched through `contact_xref`. Contact ids are unique only
  within a source system and the call/event feeds do not say which system, so one id may name
  records of several people. Then the person whose numbers (calls) or mailbox keys (events)
  include the row's `phone_e164` / `email_key` wins; when none or several of them do, the row is
  left unattributed and counted as ambiguous rather than guessed.
- A row without a `contact_id` (or with one that `contact_xref` does not know) is matched by its
  standardised `phone_e164` or `email_key`, but only when exactly one person has that number or
  mailbox: a switchboard or a shared role mailbox says nothing about any one colleague.
- Number-level evidence (dead numbers, do-not-call requests) stays on the number whether or not
  a person was found, and bounces stay on the mailbox; `channels` and `compliance` read them so.
  A call without a dialled number is taken to be on its member record's phone (else mobile) for
  the number's state (dead or answered), but a do-not-call request blocks a number for others
  only when that number was actually dialled: the record's phone may be a shared switchboard.

Evidence dated after `as_of` is ignored, so a back-dated run sees only what was known then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hygiene_pipeline.scoring.bounces import classify_bounces
from hygiene_pipeline.scoring.frames import bool_column, column, utc_column

PRESENCE_DISPOSITIONS: frozenset[str] = frozenset(
    {"connected", "interested", "callback", "not_interested"}
)
"""Dispositions that prove the person answered on that number."""

DEAD_NUMBER_DISPOSITIONS: frozenset[str] = frozenset({"disconnected", "wrong_number"})
"""Dispositions that make the dialled number unusable until a later answered call on it."""

STATUS_DISPOSITIONS: dict[str, str] = {
    "company_closed": "company_closed",
    "left_company": "left_company",
    "company_moved": "company_relocated",
}
"""Disposition -> the status it is evidence for."""

DNC_DISPOSITION = "do_not_call"

MEMBER_COLUMNS: list[str] = [
    "record_key",
    "entity_id",
    "email",
    "email_key",
    "phone_e164",
    "mobile_phone_e164",
    "last_activity_at",
    "consent_status",
    "consent_expires_at",
    "do_not_call",
    "do_not_email",
    "cluster_flag",
    "match_probability",
]


@dataclass(frozen=True)
class Evidence:
    """Every input signal after attribution, in the shapes the scoring steps read.

    - `members`: one row per CRM record with its `entity_id`, linkage `cluster_flag` and
      `match_probability` (1.0 when the cross-reference has none) (`MEMBER_COLUMNS`).
    - `phones`: `phone_e164`, `entity_id`, `phone_valid`, `phone_type`: who has which number.
    - `mailboxes`: `email_key`, `entity_id`, `email`: who has which mailbox.
    - `calls`: `call_id`, `entity_id` (None if not one person's), `phone_e164` (dialled, else the
      member record's), `dialled` (the number is the one dialled), `called_at`, `disposition`.
    - `events`: attributed engagement events: `event_id`, `entity_id`, `event_type`, `occurred_at`.
    - `bounces`: `bounce_id`, `email`, `email_key`, `bounced_at`, `bounce_class`,
      `bounce_evidence` (per mailbox, see `bounces.classify_bounces`).
    - `dnc_numbers`: `phone_e164`, `added_at`, `source` from the DNC list.
    - `stats`: counts of how rows were attributed, for asset metadata.
    """

    members: pd.DataFrame
    phones: pd.DataFrame
    mailboxes: pd.DataFrame
    calls: pd.DataFrame
    events: pd.DataFrame
    bounces: pd.DataFrame
    dnc_numbers: pd.DataFrame
    stats: dict[str, int] = field(default_factory=dict)


def gather_evidence(
    crm_contacts: pd.DataFrame,
    contact_xref: pd.DataFrame,
    email_bounces: pd.DataFrame | None,
    call_logs: pd.DataFrame | None,
    engagement_events: pd.DataFrame | None,
    dnc_list: pd.DataFrame | None,
    as_of: pd.Timestamp,
) -> Evidence:
    """Attribute every feed row up to `as_of` to a person, a number or a mailbox."""
    members = _members(crm_contacts, contact_xref, as_of)
    phones = _phone_owners(members, crm_contacts)
    mailboxes = (
        members.loc[members["email_key"].notna(), ["email_key", "entity_id", "email"]]
        .drop_duplicates(["email_key", "entity_id"])
        .reset_index(drop=True)
    )
    ids = contact_xref.loc[
        contact_xref["contact_id"].notna(), ["contact_id", "entity_id", "record_key"]
    ].drop_duplicates(["contact_id", "entity_id"])
    stats: dict[str, int] = {}
    calls = _calls(call_logs, ids, phones, members, as_of, stats)
    events = _events(engagement_events, ids, mailboxes, as_of, stats)
    return Evidence(
        members=members,
        phones=phones,
        mailboxes=mailboxes,
        calls=calls,
        events=events,
        bounces=_bounces(email_bounces, as_of),
        dnc_numbers=_dnc_numbers(dnc_list, as_of),
        stats=stats,
    )


def last_presence(evidence: Evidence) -> pd.DataFrame:
    """`last_presence_at` and `last_presence_label` per `entity_id` (people with any presence).

    Presence is an answered call, any engagement event, or CRM `last_activity_at`.
    """
    calls = evidence.calls
    answered = calls[calls["entity_id"].notna() & calls["disposition"].isin(PRESENCE_DISPOSITIONS)]
    events = evidence.events
    members = evidence.members[evidence.members["last_activity_at"].notna()]
    presence = pd.concat(
        [
            pd.DataFrame(
                {
                    "entity_id": answered["entity_id"],
                    "at": answered["called_at"],
                    "label": "call " + answered["disposition"].astype(str),
                }
            ),
            pd.DataFrame(
                {
                    "entity_id": events["entity_id"],
                    "at": events["occurred_at"],
                    "label": "engagement " + events["event_type"].astype(str),
                }
            ),
            pd.DataFrame(
                {
                    "entity_id": members["entity_id"],
                    "at": members["last_activity_at"],
                    "label": "CRM activity",
                }
            ),
        ],
        ignore_index=True,
    )
    latest = presence.sort_values("at", kind="stable", ascending=False).drop_duplicates("entity_id")
    return latest.set_index("entity_id").rename(
        columns={"at": "last_presence_at", "label": "last_presence_label"}
    )


def _members(crm: pd.DataFrame, xref: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """CRM records with their entity; activity dated after `as_of` is not yet known."""
    frame = pd.DataFrame(
        {
            "record_key": crm["record_key"],
            "email": column(crm, "email"),
            "email_key": column(crm, "email_key"),
            "phone_e164": column(crm, "phone_e164"),
            "mobile_phone_e164": column(crm, "mobile_phone_e164"),
            "last_activity_at": utc_column(crm, "last_activity_at"),
            "consent_status": column(crm, "consent_status"),
            "consent_expires_at": utc_column(crm, "consent_expires_at"),
            "do_not_call": bool_column(crm, "do_not_call"),
            "do_not_email": bool_column(crm, "do_not_email"),
        }
    )
    frame["last_activity_at"] = frame["last_activity_at"].where(frame["last_activity_at"] <= as_of)
    links = xref[["record_key", "entity_id"]].assign(
        cluster_flag=column(xref, "cluster_flag"),
        match_probability=pd.to_numeric(column(xref, "match_probability")).fillna(1.0),
    )
    frame = frame.merge(links, on="record_key", how="inner")
    return frame[MEMBER_COLUMNS]


def _phone_owners(members: pd.DataFrame, crm: pd.DataFrame) -> pd.DataFrame:
    """Who has which number (primary or mobile of any member record), its validity and type."""
    facts = crm[["record_key"]].assign(
        phone_valid=bool_column(crm, "phone_valid"),
        phone_type=column(crm, "phone_type"),
        mobile_phone_valid=bool_column(crm, "mobile_phone_valid"),
        mobile_phone_type=column(crm, "mobile_phone_type"),
    )
    both = members[["record_key", "entity_id", "phone_e164", "mobile_phone_e164"]].merge(
        facts, on="record_key", how="left"
    )
    columns = ["phone_e164", "entity_id", "phone_valid", "phone_type"]
    long = pd.concat(
        [
            both[columns],
            both[
                ["mobile_phone_e164", "entity_id", "mobile_phone_valid", "mobile_phone_type"]
            ].set_axis(columns, axis=1),
        ],
        ignore_index=True,
    ).dropna(subset=["phone_e164"])
    long["phone_valid"] = long["phone_valid"].eq(True)
    return (
        long.groupby(["phone_e164", "entity_id"], as_index=False, sort=False)
        .agg(phone_valid=("phone_valid", "any"), phone_type=("phone_type", "first"))
        .reset_index(drop=True)
    )


def _calls(
    calls: pd.DataFrame | None,
    ids: pd.DataFrame,
    phones: pd.DataFrame,
    members: pd.DataFrame,
    as_of: pd.Timestamp,
    stats: dict[str, int],
) -> pd.DataFrame:
    """Call attempts up to `as_of`, with the person (if one) and the number dialled."""
    calls = _known_by(calls, "called_at", as_of)
    dialled = column(calls, "phone_e164")
    who = _attribute(column(calls, "contact_id"), dialled, ids, phones, "phone_e164")
    member_phone = members.set_index("record_key")["phone_e164"].fillna(
        members.set_index("record_key")["mobile_phone_e164"]
    )
    number = dialled.fillna(who["record_key"].map(member_phone))
    _count(stats, "calls", who["via"])
    return pd.DataFrame(
        {
            "call_id": column(calls, "call_id"),
            "entity_id": who["entity_id"],
            "phone_e164": number,
            "dialled": dialled.notna(),
            "called_at": utc_column(calls, "called_at"),
            "disposition": column(calls, "disposition"),
        }
    ).reset_index(drop=True)


def _events(
    events: pd.DataFrame | None,
    ids: pd.DataFrame,
    mailboxes: pd.DataFrame,
    as_of: pd.Timestamp,
    stats: dict[str, int],
) -> pd.DataFrame:
    """Engagement events up to `as_of` that reach exactly one person."""
    events = _known_by(events, "occurred_at", as_of)
    who = _attribute(
        column(events, "contact_id"),
        column(events, "email_key"),
        ids,
        mailboxes[["email_key", "entity_id"]],
        "email_key",
    )
    _count(stats, "events", who["via"])
    frame = pd.DataFrame(
        {
            "event_id": column(events, "event_id"),
            "entity_id": who["entity_id"],
            "event_type": column(events, "event_type"),
            "occurred_at": utc_column(events, "occurred_at"),
        }
    )
    return frame[frame["entity_id"].notna()].reset_index(drop=True)


def _bounces(bounces: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    """Bounces up to `as_of`, classified, keyed by mailbox."""
    bounces = _known_by(bounces, "bounced_at", as_of)
    classes = classify_bounces(bounces)
    return pd.DataFrame(
        {
            "bounce_id": column(bounces, "bounce_id"),
            "email": column(bounces, "email"),
            "email_key": column(bounces, "email_key").fillna(column(bounces, "email")),
            "bounced_at": utc_column(bounces, "bounced_at"),
            "bounce_class": classes["bounce_class"],
            "bounce_evidence": classes["bounce_evidence"],
        }
    ).reset_index(drop=True)


def _dnc_numbers(dnc: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    """DNC list entries known by `as_of` (an entry without a date always counts)."""
    if dnc is None:
        dnc = pd.DataFrame()
    added = utc_column(dnc, "added_at")
    keep = column(dnc, "phone_e164").notna() & ~(added > as_of)
    frame = pd.DataFrame(
        {
            "phone_e164": column(dnc, "phone_e164"),
            "added_at": added,
            "source": column(dnc, "source"),
        }
    )
    return frame[keep].reset_index(drop=True)


def _known_by(frame: pd.DataFrame | None, at: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows dated at or before `as_of` (an optional feed that is absent counts as empty)."""
    if frame is None or frame.empty:
        return pd.DataFrame(columns=[at])
    return frame[utc_column(frame, at) <= as_of]


def _attribute(
    contact_ids: pd.Series,
    keys: pd.Series,
    ids: pd.DataFrame,
    owners: pd.DataFrame,
    key: str,
) -> pd.DataFrame:
    """`entity_id`, `record_key` and `via` for each row, by contact id first, else by channel key.

    `ids`: `contact_id`, `entity_id`, `record_key`, distinct by (`contact_id`, `entity_id`);
    `owners`: `key`, `entity_id` (distinct).
    `via` is `contact_id`, the key's name, `ambiguous` or `unmatched`.
    """
    count = len(contact_ids)
    rows = pd.DataFrame(
        {"row": np.arange(count), "contact_id": contact_ids.to_numpy(), "key": keys.to_numpy()}
    )
    owned = owners[[key, "entity_id"]].rename(columns={key: "key"})
    candidates = rows.dropna(subset=["contact_id"]).merge(ids, on="contact_id")
    shared_id = candidates["contact_id"].isin(ids.loc[ids["contact_id"].duplicated(), "contact_id"])
    contested = candidates[shared_id].merge(owned, on=["key", "entity_id"])
    contested = contested[~contested["row"].duplicated(keep=False)]
    by_id = pd.concat([candidates[~shared_id], contested])

    no_id = ~rows["row"].isin(candidates["row"]) & rows["key"].notna()
    sole_owner = owned[~owned["key"].duplicated(keep=False)]
    by_key = rows[no_id].merge(sole_owner, on="key")

    entity = np.full(count, None, dtype=object)
    record = np.full(count, None, dtype=object)
    via = np.full(count, "unmatched", dtype=object)
    via[candidates["row"].to_numpy()] = "ambiguous"
    via[rows.loc[no_id & rows["key"].isin(owned["key"]), "row"].to_numpy()] = "ambiguous"
    for matched, how in ((by_id, "contact_id"), (by_key, key)):
        positions = matched["row"].to_numpy()
        entity[positions] = matched["entity_id"].to_numpy()
        via[positions] = how
    record[by_id["row"].to_numpy()] = by_id["record_key"].to_numpy()
    return pd.DataFrame(
        {"entity_id": entity, "record_key": record, "via": via}, index=contact_ids.index
    )


def _count(stats: dict[str, int], feed: str, via: pd.Series) -> None:
    """Add `<feed>_by_<how>` counts to the attribution stats."""
    for how, count in via.value_counts().items():
        stats[f"{feed}_{how}"] = int(count)

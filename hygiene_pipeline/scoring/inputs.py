"""The scoring inputs, reduced to the columns the rules read, typed, and loaded into the workspace.

Optional feeds and optional columns (a CRM export without mobile numbers, no engagement feed)
arrive as empty or all-NULL columns, so every query can rely on one schema. Evidence dated after
`as_of` is dropped here: a back-dated run sees only what was known then.

Tables created: `records` (one per CRM record, with its person and account), `record_numbers`
(one per record and number, with its line: `work` for the CRM's phone field, `mobile`, `home`,
`other`), `people` (golden identities), `calls`, `events`, `bounces`, `dnc_numbers` (the numbers
the DNC entries denote, in whatever form they were written: `dnc`), `standing_requests` (numbers
on which a person no longer in their sources asked not to be called, with that person).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hygiene_pipeline.domain.placeholders import ghost_flags
from hygiene_pipeline.linkage.accounts import corporate_domains
from hygiene_pipeline.scoring.bounces import classify_bounces
from hygiene_pipeline.scoring.dnc import resolve_dnc
from hygiene_pipeline.scoring.frames import bool_column, column, utc_column
from hygiene_pipeline.scoring.workspace import Workspace

NUMBER_LINES: dict[str, str] = {
    "phone": "work",
    "mobile_phone": "mobile",
    "home_phone": "home",
    "other_phone": "other",
}
"""CRM phone fields and the line each is: the CRM's main phone is the company line."""

CRM_COLUMNS: tuple[str, ...] = (
    "record_key",
    "contact_id",
    "email",
    "email_key",
    "email_domain",
    "email_valid",
    "email_is_role",
    "website",
    "first_name_norm",
    "last_name_norm",
    "company_key",
    "job_title",
    "street",
    "postal_code_key",
    "created_at",
    "updated_at",
    "last_activity_at",
    "consent_status",
    "consent_expires_at",
    "do_not_call",
    "do_not_email",
    "is_ghost_record",
    "ghost_reasons",
    "email_bounced",
    "email_bounced_at",
    "email_bounce_reason",
    *(f"{field}_{part}" for field in NUMBER_LINES for part in ("e164", "valid", "type", "region")),
)
"""The columns of `staging.crm_contacts` scoring reads (`website` is optional)."""

CALL_COLUMNS: tuple[str, ...] = (
    "call_id",
    "contact_id",
    "phone_e164",
    "phone_region",
    "called_at",
    "disposition",
)
"""The columns of `staging.call_logs` scoring reads."""

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "contact_id",
    "email_key",
    "event_type",
    "occurred_at",
)
"""The columns of `staging.engagement_events` scoring reads."""


@dataclass(frozen=True)
class ScoringInputs:
    """The frames scoring reads (see `docs/data_model.md`); optional feeds may be None.

    `xref` carries `account_id` per record, `golden` `account_id` per person (linkage's
    `accounts.resolve_accounts`); `dnc` is `staging.dnc_list`, read in `default_region` where an
    entry names no country. `standing_requests` (`phone_e164`, `entity_id`, `account_id`,
    `since`, `scope`) are do-not-call requests remembered from earlier batches whose records
    are gone (a request is permanent: the number stays blocked for whoever holds it now).
    """

    golden: pd.DataFrame
    xref: pd.DataFrame
    crm: pd.DataFrame
    bounces: pd.DataFrame | None
    calls: pd.DataFrame | None
    events: pd.DataFrame | None
    dnc: pd.DataFrame | None
    default_region: str
    standing_requests: pd.DataFrame | None = None


def _text(frame: pd.DataFrame, name: str) -> np.ndarray:
    values = column(frame, name)
    return values.astype(object).where(values.notna(), None).to_numpy(dtype=object)


def _known_by(frame: pd.DataFrame | None, at: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows dated at or before `as_of` (an absent optional feed counts as empty)."""
    if frame is None or frame.empty:
        return pd.DataFrame(columns=[at])
    return frame[utc_column(frame, at) <= as_of].reset_index(drop=True)


def _records(crm: pd.DataFrame, xref: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    activity = utc_column(crm, "last_activity_at")
    ghosts = crm if "is_ghost_record" in crm.columns else ghost_flags(crm)
    frame = pd.DataFrame(
        {
            "record_key": _text(crm, "record_key"),
            "contact_id": _text(crm, "contact_id"),
            "email": _text(crm, "email"),
            "email_key": _text(crm, "email_key"),
            "email_domain": _text(crm, "email_domain"),
            "email_valid": bool_column(crm, "email_valid").to_numpy(),
            "email_is_role": bool_column(crm, "email_is_role").to_numpy(),
            "first_name_norm": _text(crm, "first_name_norm"),
            "last_name_norm": _text(crm, "last_name_norm"),
            "corporate_domain": corporate_domains(crm).to_numpy(dtype=object)
            if len(crm)
            else np.array([], dtype=object),
            "company_key": _text(crm, "company_key"),
            "job_title": _text(crm, "job_title"),
            "street": _text(crm, "street"),
            "postal_code_key": _text(crm, "postal_code_key"),
            "created_at": utc_column(crm, "created_at").array,
            "updated_at": utc_column(crm, "updated_at").where(lambda s: s <= as_of).array,
            "last_activity_at": activity.where(activity <= as_of).array,
            "consent_status": _text(crm, "consent_status"),
            "consent_expires_at": utc_column(crm, "consent_expires_at").array,
            "do_not_call": bool_column(crm, "do_not_call").to_numpy(),
            "do_not_email": bool_column(crm, "do_not_email").to_numpy(),
            "is_ghost_record": ghosts["is_ghost_record"].to_numpy(dtype=bool),
            "ghost_reasons": ghosts["ghost_reasons"].to_numpy(dtype=object),
        }
    )
    links = pd.DataFrame(
        {
            "record_key": _text(xref, "record_key"),
            "entity_id": _text(xref, "entity_id"),
            "account_id": _text(xref, "account_id"),
            "cluster_flag": _text(xref, "cluster_flag"),
            "merge_probability": pd.to_numeric(column(xref, "merge_probability"))
            .fillna(1.0)
            .to_numpy(dtype=float),
        }
    )
    return frame.merge(links, on="record_key", how="inner")


def _record_numbers(crm: pd.DataFrame) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "record_key": _text(crm, "record_key"),
                "phone_e164": _text(crm, f"{field}_e164"),
                "valid": bool_column(crm, f"{field}_valid").to_numpy(),
                "type": _text(crm, f"{field}_type"),
                "region": _text(crm, f"{field}_region"),
                "line": line,
            }
        )
        for field, line in NUMBER_LINES.items()
    ]
    numbers = pd.concat(parts, ignore_index=True)
    return numbers[numbers["phone_e164"].notna()].reset_index(drop=True)


def _people(golden: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity_id": _text(golden, "entity_id"),
            "account_id": _text(golden, "account_id"),
            "email": _text(golden, "email"),
            "email_key": _text(golden, "email_key"),
            "phone_e164": _text(golden, "phone_e164"),
            "mobile_phone_e164": _text(golden, "mobile_phone_e164"),
        }
    )


def _calls(calls: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    calls = _known_by(calls, "called_at", as_of)
    return pd.DataFrame(
        {
            "row_id": np.arange(len(calls), dtype=np.int64),
            "call_id": _text(calls, "call_id"),
            "contact_id": _text(calls, "contact_id"),
            "phone_e164": _text(calls, "phone_e164"),
            "phone_region": _text(calls, "phone_region"),
            "called_at": utc_column(calls, "called_at").array,
            "disposition": _text(calls, "disposition"),
        }
    )


def _events(events: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    events = _known_by(events, "occurred_at", as_of)
    return pd.DataFrame(
        {
            "row_id": np.arange(len(events), dtype=np.int64),
            "event_id": _text(events, "event_id"),
            "contact_id": _text(events, "contact_id"),
            "email_key": _text(events, "email_key"),
            "event_type": _text(events, "event_type"),
            "occurred_at": utc_column(events, "occurred_at").array,
        }
    )


def _crm_bounces(crm: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Bounces a CRM already recorded (Salesforce `EmailBouncedDate` / `EmailBouncedReason`)."""
    at = utc_column(crm, "email_bounced_at")
    bounced = (bool_column(crm, "email_bounced") | at.notna()) & column(crm, "email").notna()
    bounced &= ~(at > as_of)
    rows = crm[bounced.to_numpy()]
    return pd.DataFrame(
        {
            "bounce_id": "crm:" + column(rows, "record_key").astype(str),
            "email": column(rows, "email"),
            "email_key": column(rows, "email_key"),
            "bounced_at": at[bounced.to_numpy()].fillna(utc_column(rows, "updated_at")),
            "bounce_type": "hard",
            "diagnostic": column(rows, "email_bounce_reason"),
        }
    )


def _bounces(bounces: pd.DataFrame | None, crm: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    feed = _known_by(bounces, "bounced_at", as_of)
    rows = pd.concat([feed, _crm_bounces(crm, as_of)], ignore_index=True)
    classes = classify_bounces(rows)
    email = column(rows, "email").astype("string").str.strip().str.lower()
    key = column(rows, "email_key").astype("string").fillna(email)
    return pd.DataFrame(
        {
            "bounce_id": _text(rows, "bounce_id"),
            "email_key": key.astype(object).where(key.notna(), None).to_numpy(dtype=object),
            "email_domain": email.str.split("@").str[-1].astype(object).to_numpy(dtype=object),
            "bounced_at": utc_column(rows, "bounced_at").array,
            "bounce_class": classes["bounce_class"].to_numpy(dtype=object),
            "bounce_scope": classes["bounce_scope"].to_numpy(dtype=object),
            "bounce_evidence": classes["bounce_evidence"].to_numpy(dtype=object),
        }
    )


def load_inputs(ws: Workspace, inputs: ScoringInputs) -> pd.DataFrame:
    """Create the input tables of the module docstring in `ws`; returns the DNC entries that
    denote no number on a record or in a call (`dnc.resolve_dnc`)."""
    as_of = ws.as_of
    ws.load("records", _records(inputs.crm, inputs.xref, as_of))
    ws.load("record_numbers", _record_numbers(inputs.crm))
    ws.load("people", _people(inputs.golden))
    ws.load("calls", _calls(inputs.calls, as_of))
    ws.load("events", _events(inputs.events, as_of))
    ws.load("bounces", _bounces(inputs.bounces, inputs.crm, as_of))
    known = ws.frame(
        """
        SELECT DISTINCT phone_e164, region FROM record_numbers
        UNION SELECT DISTINCT phone_e164, phone_region FROM calls WHERE phone_e164 IS NOT NULL
        """
    )
    matches, unmatched = resolve_dnc(inputs.dnc, known, inputs.default_region, as_of)
    ws.load(
        "dnc_numbers",
        pd.DataFrame(
            {
                "phone_e164": _text(matches, "phone_e164"),
                "added_at": utc_column(matches, "added_at").array,
                "source": _text(matches, "source"),
                "read_as": _text(matches, "read_as"),
            }
        ),
    )
    ws.load("standing_requests", _standing_requests(inputs.standing_requests))
    return unmatched


def _standing_requests(requests: pd.DataFrame | None) -> pd.DataFrame:
    frame = requests if requests is not None else pd.DataFrame()
    return pd.DataFrame(
        {
            "phone_e164": _text(frame, "phone_e164"),
            "entity_id": _text(frame, "entity_id"),
            "account_id": _text(frame, "account_id"),
            "since": utc_column(frame, "since").array,
            "scope": column(frame, "scope").fillna("channel").to_numpy(dtype=object),
        }
    )

"""The scoring inputs, reduced to the columns the rules read, typed, and loaded into the workspace.

The contacts, the cross-reference, calls and events are read by SQL where they lie: Arrow from
the warehouse as it is, a frame once its columns have the types the SQL reads (`_canonical`).
An input may arrive unread (`Deferred`, the warehouse's `StoredTable`): each is read when its
table is made, only the columns scoring reads, and let go once copied, so the workspace never
holds its inputs beside its own tables.
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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

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

XREF_COLUMNS: tuple[str, ...] = (
    "record_key",
    "entity_id",
    "account_id",
    "cluster_flag",
    "merge_probability",
)
"""The columns of `curated.contact_xref` scoring reads."""


class Deferred(Protocol):
    """A table read only when scoring takes it (the warehouse's `StoredTable`)."""

    @property
    def column_names(self) -> Sequence[str]:
        """The table's columns."""
        ...

    def arrow(self, columns: Sequence[str] | None = None) -> pa.Table:
        """The table's columns among `columns` (all without) as Arrow."""
        ...

    def frame(self) -> pd.DataFrame:
        """The whole table as a frame."""
        ...


Table = pd.DataFrame | pa.Table | Deferred
"""An input table: a frame, Arrow (no Python object per value), or a table not yet read."""


def frame_of(table: Table) -> pd.DataFrame:
    """An input table as a frame (read now when it was deferred)."""
    if isinstance(table, pd.DataFrame):
        return table
    if isinstance(table, pa.Table):
        return table.to_pandas()
    return table.frame()


@dataclass(frozen=True)
class ScoringInputs:
    """The frames scoring reads (see `docs/data_model.md`); optional feeds may be None.

    `xref` carries `account_id` per record, `golden` `account_id` per person (linkage's
    `accounts.record_accounts` and `person_accounts`); `dnc` is `staging.dnc_list`, read in
    `default_region` where an entry names no country. `standing_requests` (`phone_e164`,
    `entity_id`, `account_id`, `since`, `scope`) are do-not-call requests remembered from
    earlier batches whose records are gone (a request is permanent: the number stays blocked for
    whoever holds it now).
    """

    golden: Table
    xref: Table
    crm: Table
    bounces: pd.DataFrame | None
    calls: Table | None
    events: Table | None
    dnc: pd.DataFrame | None
    default_region: str
    standing_requests: pd.DataFrame | None = None


TEXT, FLAG, TIME, NUMBER = "text", "flag", "time", "number"
_SQL_TYPES = {TEXT: "VARCHAR", FLAG: "BOOLEAN", TIME: "TIMESTAMPTZ", NUMBER: "DOUBLE"}


def _text(frame: pd.DataFrame, name: str) -> np.ndarray:
    values = column(frame, name)
    return values.astype(object).where(values.notna(), None).to_numpy(dtype=object)


def _names(table: Table) -> list[str]:
    return list(table.columns) if isinstance(table, pd.DataFrame) else list(table.column_names)


def _canonical(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """The frame's columns of `kinds` as SQL reads them, converted only where they are not so
    already: text with None for missing, flags as bool (anything but True is False), times in
    UTC (unreadable ones missing); numbers as they come."""
    fixes: dict[str, object] = {}
    for name, kind in kinds.items():
        if name not in frame.columns:
            continue
        dtype = frame[name].dtype
        if kind == TEXT:
            fixes[name] = _text(frame, name)
        elif kind == FLAG and not pd.api.types.is_bool_dtype(dtype):
            fixes[name] = bool_column(frame, name).to_numpy()
        elif kind == TIME and not isinstance(dtype, pd.DatetimeTZDtype):
            fixes[name] = utc_column(frame, name).array
    return frame.assign(**fixes) if fixes else frame


class _Scan:
    """An input registered in the workspace under `name`, and SQL for its columns: a column the
    input lacks reads as missing (text, time) or False (flag). A deferred input is read here,
    only the columns of `kinds`; `close` lets the input go."""

    def __init__(self, ws: Workspace, name: str, table: Table | None, kinds: dict[str, str]):
        table = pd.DataFrame() if table is None else table
        if isinstance(table, pd.DataFrame):
            table = _canonical(table, kinds)
        elif not isinstance(table, pa.Table):
            table = table.arrow(list(kinds))
        ws.con.register(name, table)
        self.ws = ws
        self.name = name
        self.present = set(_names(table))
        self.kinds = kinds

    def close(self) -> None:
        """Unregister the input, so that nothing of the workspace keeps it alive."""
        self.ws.con.unregister(self.name)

    def __call__(self, name: str) -> str:
        kind = self.kinds[name]
        if name not in self.present:
            return "false" if kind == FLAG else f"CAST(NULL AS {_SQL_TYPES[kind]})"
        value = f'CAST({self.name}."{name}" AS {_SQL_TYPES[kind]})'
        return f"coalesce({value}, false)" if kind == FLAG else value


_CRM_KINDS: dict[str, str] = {
    **{name: TEXT for name in CRM_COLUMNS},
    **{
        name: FLAG
        for name in (
            "email_valid",
            "email_is_role",
            "do_not_call",
            "do_not_email",
            "is_ghost_record",
            "email_bounced",
            *(f"{field}_valid" for field in NUMBER_LINES),
        )
    },
    **{
        name: TIME
        for name in (
            "created_at",
            "updated_at",
            "last_activity_at",
            "consent_expires_at",
            "email_bounced_at",
        )
    },
}
_XREF_KINDS = {
    **{name: TEXT for name in XREF_COLUMNS},
    "merge_probability": NUMBER,  # read as it comes (`_probability`)
}
_PEOPLE_COLUMNS = (
    "entity_id",
    "account_id",
    "email",
    "email_key",
    "phone_e164",
    "mobile_phone_e164",
)
_CALL_KINDS = {**{name: TEXT for name in CALL_COLUMNS}, "called_at": TIME}
_EVENT_KINDS = {**{name: TEXT for name in EVENT_COLUMNS}, "occurred_at": TIME}


def _with_ghost_flags(crm: Table) -> Table:
    """The CRM input with its ghost flags (`staging.crm_contacts` has them already)."""
    if "is_ghost_record" in _names(crm):
        return crm
    frame = frame_of(crm)
    flags = ghost_flags(frame)
    return frame.assign(
        is_ghost_record=flags["is_ghost_record"].to_numpy(dtype=bool),
        ghost_reasons=flags["ghost_reasons"].to_numpy(dtype=object),
    )


def _corporate_domains(ws: Workspace, crm: _Scan) -> str:
    """Create `corporate_domains`, the company mail domain of each distinct combination of the
    columns `corporate_domains` reads (judged once per domain, not per record); returns the
    condition joining it (`d`) to the CRM input."""
    present = [name for name in ("email_domain", "email_valid", "website") if name in crm.present]
    if not present:
        ws.load("corporate_domains", pd.DataFrame({"corporate_domain": pd.Series(dtype=object)}))
        return "false"
    select = ", ".join(f'{crm(name)} AS "{name}"' for name in present)
    keys = ws.frame(f"SELECT DISTINCT {select} FROM {crm.name}")
    keys["corporate_domain"] = corporate_domains(keys).to_numpy(dtype=object) if len(keys) else []
    ws.load("corporate_domains", keys)
    return " AND ".join(f'd."{name}" IS NOT DISTINCT FROM {crm(name)}' for name in present)


def _records(ws: Workspace, crm: _Scan, xref: _Scan) -> None:
    domain_join = _corporate_domains(ws, crm)
    texts = (
        "record_key",
        "contact_id",
        "email",
        "email_key",
        "email_domain",
        "first_name_norm",
        "last_name_norm",
    )
    rest = ("company_key", "job_title", "street", "postal_code_key")
    ws.create(
        "records",
        f"""
        SELECT {", ".join(f"{crm(name)} AS {name}" for name in texts)},
               {crm("email_valid")} AS email_valid, {crm("email_is_role")} AS email_is_role,
               d.corporate_domain,
               {", ".join(f"{crm(name)} AS {name}" for name in rest)},
               {crm("created_at")} AS created_at,
               CASE WHEN {crm("updated_at")} <= $as_of THEN {crm("updated_at")} END
                   AS updated_at,
               CASE WHEN {crm("last_activity_at")} <= $as_of THEN {crm("last_activity_at")} END
                   AS last_activity_at,
               {crm("consent_status")} AS consent_status,
               {crm("consent_expires_at")} AS consent_expires_at,
               {crm("do_not_call")} AS do_not_call, {crm("do_not_email")} AS do_not_email,
               {crm("is_ghost_record")} AS is_ghost_record,
               {crm("ghost_reasons")} AS ghost_reasons,
               x.entity_id, x.account_id, x.cluster_flag, x.merge_probability
        FROM {crm.name}
        LEFT JOIN corporate_domains d ON {domain_join}
        JOIN (
            SELECT {xref("record_key")} AS record_key, {xref("entity_id")} AS entity_id,
                   {xref("account_id")} AS account_id, {xref("cluster_flag")} AS cluster_flag,
                   coalesce({_probability(xref)}, 1.0) AS merge_probability
            FROM {xref.name}
        ) x ON x.record_key = {crm("record_key")}
        """,
    )


def _probability(xref: _Scan) -> str:
    if "merge_probability" not in xref.present:
        return "CAST(NULL AS DOUBLE)"
    return f'TRY_CAST({xref.name}."merge_probability" AS DOUBLE)'


def _record_numbers(ws: Workspace, crm: _Scan) -> None:
    lines = " UNION ALL ".join(
        f"""
        SELECT {crm("record_key")} AS record_key, {crm(f"{field}_e164")} AS phone_e164,
               {crm(f"{field}_valid")} AS valid, {crm(f"{field}_type")} AS type,
               {crm(f"{field}_region")} AS region, '{line}' AS line
        FROM {crm.name}
        """
        for field, line in NUMBER_LINES.items()
    )
    ws.create("record_numbers", f"SELECT * FROM ({lines}) WHERE phone_e164 IS NOT NULL")


def _people(ws: Workspace, golden: Table) -> None:
    people = _Scan(ws, "golden_input", golden, dict.fromkeys(_PEOPLE_COLUMNS, TEXT))
    select = ", ".join(f"{people(name)} AS {name}" for name in _PEOPLE_COLUMNS)
    ws.create("people", f"SELECT {select} FROM {people.name}")
    people.close()


def _dated(ws: Workspace, name: str, feed: _Scan, columns: tuple[str, ...], at: str) -> None:
    """A feed's rows dated at or before `as_of`, each with a `row_id` of its own."""
    select = ", ".join(f"{feed(column)} AS {column}" for column in columns)
    ws.create(
        name,
        f"""
        SELECT row_number() OVER () - 1 AS row_id, *
        FROM (SELECT {select} FROM {feed.name}) WHERE {at} <= $as_of
        """,
    )


def _crm_bounces(ws: Workspace, crm: _Scan) -> pd.DataFrame:
    """Bounces a CRM already recorded (Salesforce `EmailBouncedDate` / `EmailBouncedReason`)."""
    return ws.frame(
        f"""
        SELECT 'crm:' || {crm("record_key")} AS bounce_id, {crm("email")} AS email,
               {crm("email_key")} AS email_key,
               coalesce({crm("email_bounced_at")}, {crm("updated_at")}) AS bounced_at,
               'hard' AS bounce_type, {crm("email_bounce_reason")} AS diagnostic
        FROM {crm.name}
        WHERE ({crm("email_bounced")} OR {crm("email_bounced_at")} IS NOT NULL)
          AND {crm("email")} IS NOT NULL
          AND NOT coalesce({crm("email_bounced_at")} > $as_of, false)
        """
    )


def _known_by(frame: pd.DataFrame | None, at: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows dated at or before `as_of` (an absent optional feed counts as empty)."""
    if frame is None or frame.empty:
        return pd.DataFrame(columns=[at])
    return frame[utc_column(frame, at) <= as_of].reset_index(drop=True)


def _bounces(
    bounces: pd.DataFrame | None, crm_bounces: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    feed = _known_by(bounces, "bounced_at", as_of)
    rows = pd.concat([feed, crm_bounces], ignore_index=True)
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
    crm = _Scan(ws, "crm_input", _with_ghost_flags(inputs.crm), _CRM_KINDS)
    xref = _Scan(ws, "xref_input", inputs.xref, _XREF_KINDS)
    _records(ws, crm, xref)
    xref.close()
    _record_numbers(ws, crm)
    crm_bounces = _crm_bounces(ws, crm)
    crm.close()
    _people(ws, inputs.golden)
    calls = _Scan(ws, "calls_input", inputs.calls, _CALL_KINDS)
    _dated(ws, "calls", calls, CALL_COLUMNS, "called_at")
    calls.close()
    events = _Scan(ws, "events_input", inputs.events, _EVENT_KINDS)
    _dated(ws, "events", events, EVENT_COLUMNS, "occurred_at")
    events.close()
    ws.load("bounces", _bounces(inputs.bounces, crm_bounces, as_of))
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

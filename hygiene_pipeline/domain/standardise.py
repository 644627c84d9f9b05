"""One standardiser per feed: raw ingested frames -> the standardised frames of the data model.

Each function takes the `FeedFrames` of `read_feed` (string values, normalised column names,
lineage columns) and returns the staging frame of its feed (`docs/data_model.md`). Rows that
cannot be standardised move to `rejected` with their original values and a specific reason:
an unreadable date in a date column that has a value, an unmappable disposition or event type,
a bounce whose address is not a valid e-mail, a do-not-call row whose phone is not a number at
all, and (contacts) a missing key or a key already seen. Columns the feed does not define are
carried through as text. Every input row ends in exactly one of `accepted` or `rejected`.

`not_after` (the batch's as-of time plus a tolerance) is the latest believable event time: a
bounce, call or engagement row dated later is rejected (`event time in the future: ...`), except
a do-not-call call and an unsubscribe, which count whatever their date; a contact keeps its row
and loses only the impossible date (`future_dates` names it); DNC entries are kept whatever
their date. Contacts also carry their names and company as received (`*_raw`), whether
invisible characters were removed from them, their ghost flags and the text columns a
spreadsheet would run as a formula (`formula_columns`).

Written dates are read month-first (`03/04/2024` = 4 March) only when the default region is a
month-first one (`MONTH_FIRST_REGIONS`) and a column's values allow both readings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from hygiene_pipeline.domain.column_ops import (
    arrow_backed_text,
    background_executor,
    blank_to_none,
    clean_text,
    has_invisible,
    map_distinct,
    shared_work,
    worker_processes_of,
)
from hygiene_pipeline.domain.companies import standardise_companies
from hygiene_pipeline.domain.countries import to_iso2
from hygiene_pipeline.domain.emails import standardise_emails
from hygiene_pipeline.domain.feed_frames import FeedFrames
from hygiene_pipeline.domain.feed_specs import feed_spec
from hygiene_pipeline.domain.flags import consent_statuses, parse_flags
from hygiene_pipeline.domain.names import standardise_names
from hygiene_pipeline.domain.phones import PHONE_FIELDS, parse_phones
from hygiene_pipeline.domain.placeholders import (
    GHOST_PHONE_COLUMNS,
    ghost_flags,
    junk_kinds,
)
from hygiene_pipeline.domain.spreadsheet_safety import formula_hits, formula_like, named_hits
from hygiene_pipeline.domain.timestamps import later_than, parse_timestamps, unparseable_mask
from hygiene_pipeline.domain.vocabularies import Vocabularies, default_vocabularies

LINEAGE_COLUMNS: tuple[str, ...] = ("source_file", "row_number")
MONTH_FIRST_REGIONS: frozenset[str] = frozenset({"US", "CA", "PH"})

CRM_INPUT_COLUMNS: frozenset[str] = frozenset(feed_spec("crm_contacts").columns)
"""The contact columns the feed knows; any other input column is carried through as it is."""
CRM_PHONE_COLUMNS: tuple[str, ...] = ("phone", "mobile_phone", "home_phone", "other_phone")
"""Every number of the person; each becomes the six `PHONE_FIELDS` columns under its prefix."""
PARSED_PHONE_TEXT: tuple[str, ...] = tuple(f"{name}_raw" for name in CRM_PHONE_COLUMNS)
"""The phone numbers as received, judged formula-like only where they do not parse."""
RECEIVED_TEXT_COLUMNS: tuple[str, ...] = ("first_name", "last_name", "full_name", "company")
"""Text whose value as received is kept beside its cleaned form (`<column>_raw`)."""

BOUNCE_INPUT_COLUMNS = frozenset(
    ["email", "bounced_at", "bounce_type", "smtp_code", "enhanced_status", "diagnostic", "provider"]
)
CALL_INPUT_COLUMNS = frozenset(feed_spec("call_logs").columns)
EVENT_INPUT_COLUMNS = frozenset(
    ["contact_id", "email", "event_type", "occurred_at", "source", "url"]
)
DNC_INPUT_COLUMNS = frozenset(["phone", "added_at", "source", "country"])

CRM_WORKER_ROWS = 250_000
"""Contacts from which companies are standardised, and the phone columns parsed in parts shared
with the caller (`CRM_PHONE_PARTS`), in a worker process; below this its start (about two
seconds in a run, which imports the whole program) outweighs the work."""
CALL_LOG_WORKER_ROWS = 500_000
"""Call rows from which the dialled numbers are parsed in a worker process, in parts shared with
the caller (`CALL_LOG_PHONE_PARTS`): parsing is a small share of a call's work, so below this the
worker's start outlasts the parse it takes over."""

CRM_PHONE_PARTS = 4
"""Parts each CRM phone column is parsed in (`CALL_LOG_PHONE_PARTS` says why)."""
CALL_LOG_PHONE_PARTS = 16
"""Parts the dialled numbers are parsed in: the worker takes them from the front, and the
caller, its own columns done, does from the back those the worker has not started."""

EVENT_WORKER_ROWS = 500_000
"""Engagement events from which the e-mails are standardised in a worker process, beside the
event types, times and ids."""

DNC_DISPOSITIONS: tuple[str, ...] = ("do_not_call",)
"""Call outcomes honoured whatever their date (a request not to be called)."""

PROVIDER_NAMES: dict[str, str] = {
    "ses": "ses", "amazonses": "ses", "awsses": "ses", "amazon": "ses",
    "sendgrid": "sendgrid", "twiliosendgrid": "sendgrid",
    "mailgun": "mailgun", "postmark": "postmark", "postmarkapp": "postmark",
}  # fmt: skip
"""Spellings of the e-mail providers whose exports are recognised (letters only, lower case)."""


# --- shared helpers ---------------------------------------------------------------------------


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The raw column, or an all-missing one when the file did not have it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype="object")


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    return blank_to_none(_column(frame, name))


def _carried(frame: pd.DataFrame, known: frozenset[str], produced: list[str]) -> pd.DataFrame:
    """Input columns the feed does not define, kept as they came (unless a name is taken)."""
    extra = [c for c in frame.columns if c not in known and c not in produced]
    return frame[extra]


def _prefixed_phones(phones: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return phones.rename(columns={field: f"{prefix}_{field}" for field in PHONE_FIELDS})


def _regions(country: pd.Series, default_region: str) -> pd.Series:
    """Phone parsing region per row: the row's ISO-2 country, else the configured default."""
    return country.where(country.notna(), default_region.upper())


def stable_row_ids(frame: pd.DataFrame, feed: str) -> pd.Series:
    """A 16-hex-digit id per row from feed + source file + row number, stable across runs."""
    keyed = pd.DataFrame(
        {
            "feed": feed,
            "source_file": frame["source_file"].astype(str),
            "row_number": frame["row_number"].astype("int64"),
        },
        index=frame.index,
    )
    hashes = pd.util.hash_pandas_object(keyed, index=False).to_numpy(dtype=np.uint64)
    hexed = np.frombuffer(hashes.astype(">u8").tobytes().hex().encode("ascii"), dtype="S16")
    return pd.Series(hexed.astype(str), index=frame.index, dtype="object")


def _timestamps(
    frame: pd.DataFrame,
    columns: list[str],
    default_region: str,
    not_after: pd.Timestamp | None = None,
    honoured: pd.Series | None = None,
) -> tuple[dict[str, pd.Series], list[pd.Series]]:
    """Parsed UTC columns and, per column, the rejection reason of rows with unreadable dates
    and (with `not_after`) of rows whose time lies after it, except the `honoured` rows: a
    do-not-call request or an unsubscribe counts whatever its date (compliance errs towards
    not calling)."""
    dayfirst = default_region.upper() not in MONTH_FIRST_REGIONS
    parsed: dict[str, pd.Series] = {}
    reasons: list[pd.Series] = []
    for name in columns:
        raw = _column(frame, name)
        parsed[name] = parse_timestamps(raw, dayfirst=dayfirst)
        bad = unparseable_mask(raw, parsed[name])
        reasons.append(_reason(bad, f"unparseable date in {name}: '" + raw[bad].str.strip() + "'"))
        future = later_than(parsed[name], not_after)
        if honoured is not None:
            future &= ~honoured.fillna(False).astype(bool)
        if future.any():
            when = parsed[name][future].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
            reasons.append(
                _reason(
                    future,
                    f"event time in the future: {name} " + when + " is after the batch's as-of "
                    f"time plus its tolerance ({not_after:%Y-%m-%dT%H:%M:%SZ})",
                )
            )
    return parsed, reasons


def _future_dates(
    dates: dict[str, pd.Series], not_after: pd.Timestamp | None
) -> tuple[dict[str, pd.Series], pd.Series]:
    """Record dates after `not_after` emptied, and per row the names of the columns emptied.

    A contact is not quarantined for an impossible date: its other values (a do-not-call flag,
    consent) still count; the date alone is dropped and named in `future_dates`.
    """
    index = next(iter(dates.values())).index
    names = pd.Series("", index=index, dtype="object")
    kept: dict[str, pd.Series] = {}
    for name, values in dates.items():
        future = later_than(values, not_after)
        kept[name] = values.mask(future)
        names[future] = names[future] + name + "; "
    names = names.str.removesuffix("; ")
    return kept, names.where(names != "", None)


def _reason(mask: pd.Series, text: pd.Series | str) -> pd.Series:
    """`text` where `mask` holds, None elsewhere."""
    series = (
        text.reindex(mask.index) if isinstance(text, pd.Series) else pd.Series(text, mask.index)
    )
    return series.astype("object").where(mask.fillna(False).astype(bool), None)


def _combined(index: pd.Index, reasons: list[pd.Series]) -> pd.Series:
    """All reasons of a row joined with '; ' (None for rows without any)."""
    out = pd.Series(None, index=index, dtype="object")
    if not reasons:
        return out
    table = pd.concat(reasons, axis=1)
    flagged = table.notna().any(axis=1)
    if flagged.any():
        out[flagged] = table[flagged].apply(lambda row: "; ".join(row.dropna()), axis=1)
    return out


def _finish(
    batch: FeedFrames, raw: pd.DataFrame, standardised: pd.DataFrame, reasons: list[pd.Series]
) -> FeedFrames:
    """Quarantine the raw rows that have a reason; keep the standardised form of the others."""
    reason = _combined(raw.index, reasons)
    return replace(batch, accepted=raw).quarantine(reason.notna(), reason, standardised)


def _assemble(
    raw: pd.DataFrame, parts: list[pd.DataFrame | dict[str, pd.Series]], known: frozenset[str]
) -> pd.DataFrame:
    """Standardised columns in order, then lineage, then the carried-through input columns.

    The frame holds the parts' own arrays (`copy=False`): a copy would stack the columns of
    each type into one block, at a million contacts about half a gigabyte of pointers to the
    same strings, held beside the parts while the batch is judged and quarantined."""
    columns: dict[str, pd.Series] = {}
    for part in parts:
        columns.update(part.items())
    columns.update(raw[list(LINEAGE_COLUMNS)].items())
    columns.update(_carried(raw, known | set(LINEAGE_COLUMNS), list(columns)).items())
    return pd.DataFrame(columns, index=raw.index, copy=False)


def _positional(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a 0..n-1 index (copied only when it has another index)."""
    if frame.index.equals(pd.RangeIndex(len(frame))):
        return frame
    return frame.reset_index(drop=True)


# --- feeds ------------------------------------------------------------------------------------


def standardise_crm_contacts(
    batch: FeedFrames,
    default_region: str = "US",
    vocab: Vocabularies | None = None,
    not_after: pd.Timestamp | None = None,
) -> FeedFrames:
    """Contacts: keys, names, e-mail, phones, company, address, country, dates, consent, and
    what the source CRM says of the record (deleted, merged into a master, e-mail bounced).

    Phones are parsed in the region of the contact's country, else `default_region`. Companies
    are standardised, then the four phone columns (`CRM_PHONE_COLUMNS`) parsed and judged for
    ghost flags in parts, in the background (`background_executor`: a worker process from
    `CRM_WORKER_ROWS` rows, so that both cores work) while this process standardises the other
    columns and judges them (formula-like text; junk names and e-mails for the ghost flags),
    then parses the parts the worker has not started (`shared_work`).
    E-mails stay here: their domains are validated in a pool of their own
    (`column_ops.map_values`), which a worker process would run one at a time. `vocab` is
    accepted for a uniform signature; contacts use no vocabulary table.
    """
    raw = _positional(batch.accepted)
    country = to_iso2(_column(raw, "country"))
    region = _regions(country, default_region)
    with background_executor(len(raw), CRM_WORKER_ROWS) as background:
        workers = worker_processes_of(background)
        companies = background.submit(standardise_companies, _column(raw, "company"))
        phone_parts = [
            (name, rows)
            for name in CRM_PHONE_COLUMNS
            for rows in _row_parts(workers, len(raw), CRM_PHONE_PARTS)
        ]
        all_phones = shared_work(
            background,
            crm_phone_part,
            [
                (name, _column(raw, name).iloc[rows], region.iloc[rows], workers)
                for name, rows in phone_parts
            ],
        )
        contact_id = _text(raw, "contact_id")
        source_system = map_distinct(
            _column(raw, "source_system"), lambda d: blank_to_none(d).str.lower()
        )
        dates, date_reasons = _timestamps(
            raw,
            [
                "created_at",
                "updated_at",
                "last_activity_at",
                "consent_expires_at",
                "email_bounced_at",
            ],
            default_region,
        )
        expires_at = dates.pop("consent_expires_at")  # a date meant to lie ahead
        dates, future_dates = _future_dates(dates, not_after)
        dates["consent_expires_at"] = expires_at
        bounced_at = dates.pop("email_bounced_at")
        in_source = source_record_state(raw, source_system, bounced_at, dates["updated_at"])
        postal_code = _text(raw, "postal_code")
        names = standardise_names(
            _column(raw, "first_name"), _column(raw, "last_name"), _column(raw, "full_name")
        )
        emails = standardise_emails(_column(raw, "email")).drop(columns="email_error")
        parts = [
            {
                "record_key": (source_system + ":" + contact_id).astype("object"),
                "contact_id": contact_id,
                "source_system": source_system,
            },
            names,
            emails,
        ]
        rest = [
            {
                "job_title": clean_text(_column(raw, "job_title")),
                "street": clean_text(_column(raw, "street")),
                "city": clean_text(_column(raw, "city")),
                "state": clean_text(_column(raw, "state")),
                "postal_code": postal_code,
                "postal_code_key": map_distinct(
                    postal_code, lambda d: d.str.upper().str.replace(r"\s+", "", regex=True)
                ),
                "country": country,
                **dates,
                **in_source,
                "lifecycle_stage": _text(raw, "lifecycle_stage"),
                "lead_status": _text(raw, "lead_status"),
                "owner": _text(raw, "owner"),
                "consent_source": _text(raw, "consent_source"),
                "consent_status": consent_statuses(_column(raw, "consent_status")),
                "do_not_call": parse_flags(_column(raw, "do_not_call"), unrecognised=True),
                "do_not_email": parse_flags(_column(raw, "do_not_email"), unrecognised=True),
                "future_dates": future_dates,
            },
            received_text(raw, RECEIVED_TEXT_COLUMNS),
        ]
        # While the background makes the phones and companies, the columns made here are
        # judged: which hold formula-like text, whether the name and the e-mail are junk.
        own = {name: values for part in [*parts, *rest] for name, values in part.items()}
        formulas = _formula_hits(own.items())
        judged = junk_kinds(pd.concat([names, emails], axis=1), ("name", "email"))
        numbers, phone_kinds = _phone_columns(phone_parts, all_phones())
        company_columns = companies.result()
    standardised = _assemble(raw, [*parts, *numbers, company_columns, *rest], CRM_INPUT_COLUMNS)
    made_later = [(name, standardised[name]) for name in standardised if name not in own]
    formulas.update(_formula_hits(made_later))
    formulas.update(_phone_formula_hits(standardised))
    # Ghost flags are never formula-like text: both are added before the lineage columns.
    flags = ghost_flags(standardised, {**judged, **phone_kinds}).assign(
        formula_columns=named_hits(
            formulas,
            [*(name for name in standardised if name not in PARSED_PHONE_TEXT), *PARSED_PHONE_TEXT],
            standardised.index,
        )
    )
    standardised = _before_lineage(standardised, flags)
    missing_key = [
        _reason(values.isna(), f"missing required value: {name}")
        for name, values in (("contact_id", contact_id), ("source_system", source_system))
    ]
    duplicate = _duplicate_reasons(raw, contact_id, source_system)
    return _finish(batch, raw, standardised, [*missing_key, *date_reasons, duplicate])


def crm_phone_part(
    name: str, values: pd.Series, region: pd.Series, workers: int | None = None
) -> tuple[pd.DataFrame, pd.Series | None]:
    """The `PHONE_FIELDS` columns of some rows of one phone column, under its prefix, parsed in
    each row's region, and why the numbers are junk (`junk_kinds`) for `GHOST_PHONE_COLUMNS`.
    Runs in the background (a worker process for large batches) beside the other contact
    columns, or in the caller once they are done (`shared_work`), so it takes and returns
    picklable frames, their text in Arrow (`arrow_backed_text`). Each column is parsed on its
    own: all at once (a number on two columns read once) was no faster at a million contacts and
    held four columns' intermediate frames together, 0.4 GB more. `workers` as for
    `parse_phones` (`worker_processes_of`)."""
    frame = _prefixed_phones(parse_phones(values, region, workers), name)
    kinds = junk_kinds(frame, (name,))[name] if name in GHOST_PHONE_COLUMNS else None
    return arrow_backed_text(frame), kinds


def _phone_columns(
    parts: list[tuple[str, slice]], results: list[tuple[pd.DataFrame, pd.Series | None]]
) -> tuple[list[pd.DataFrame], dict[str, pd.Series]]:
    """Each phone column's parts (`crm_phone_part`) put together, in column order."""
    frames: dict[str, list[pd.DataFrame]] = {}
    kinds: dict[str, list[pd.Series]] = {}
    for (name, _), (frame, kind) in zip(parts, results, strict=True):
        frames.setdefault(name, []).append(frame)
        if kind is not None:
            kinds.setdefault(name, []).append(kind)
    return (
        [pd.concat(pieces) for pieces in frames.values()],
        {name: pd.concat(pieces) for name, pieces in kinds.items()},
    )


def received_text(raw: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, pd.Series]:
    """`<column>_raw`, the value as received (trimmed), beside its cleaned form, and
    `invisible_characters_stripped`: whether any of them held invisible or bidi control
    characters that the cleaned form dropped."""
    received = {f"{name}_raw": _text(raw, name) for name in columns}
    stripped = pd.Series(False, index=raw.index)
    for values in received.values():
        stripped |= has_invisible(values)
    return {**received, "invisible_characters_stripped": stripped}


def _formula_hits(columns: Iterable[tuple[str, pd.Series]]) -> dict[str, np.ndarray]:
    """`formula_hits` of contact columns, the parsed phones (`_e164`, `PARSED_PHONE_TEXT`) and
    the lineage aside."""
    text = ((name, values) for name, values in columns if not name.endswith("_e164"))
    return formula_hits(text, {*PARSED_PHONE_TEXT, *LINEAGE_COLUMNS})


def _phone_formula_hits(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Phone text as received is formula-like only where it is not a valid number: `+44 ...`
    is a phone."""
    hits: dict[str, np.ndarray] = {}
    for name in CRM_PHONE_COLUMNS:
        column = f"{name}_raw"
        if column in frame:
            valid = frame[f"{name}_valid"].eq(True).to_numpy(dtype=bool)
            unread = ~valid & formula_like(frame[column]).to_numpy(dtype=bool)
            if unread.any():
                hits[column] = unread
    return hits


def _before_lineage(frame: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """`frame` with `extra`'s columns inserted before the lineage columns, sharing the arrays of
    both (see `_assemble`). An input column carried through under one of `extra`'s names gives
    way, as `_carried` lets every name the feed produces win."""
    names = [name for name in frame.columns if name not in extra.columns]
    at = names.index(LINEAGE_COLUMNS[0])
    columns = {
        **{name: frame[name] for name in names[:at]},
        **dict(extra.items()),
        **{name: frame[name] for name in names[at:]},
    }
    return pd.DataFrame(columns, index=frame.index, copy=False)


def source_record_state(
    raw: pd.DataFrame, source_system: pd.Series, bounced_at: pd.Series, updated_at: pd.Series
) -> dict[str, pd.Series]:
    """What the source CRM says of each record (Salesforce `IsDeleted`, `MasterRecordId`,
    `IsEmailBounced`, `EmailBouncedDate`, `EmailBouncedReason`; the same ideas elsewhere).

    `is_deleted` is False when the export does not say; a deleted record is kept and marked,
    never treated as live. `master_record_key` names, within the record's own source system,
    the record a merge kept (`source_system:master_record_id`). A bounce flag, date or reason
    each count as `email_bounced`; a flagged bounce without a date takes the record's last
    modification time (`updated_at`), when the export has one, as `email_bounced_at`.
    """
    master_record_id = _text(raw, "master_record_id")
    reason = _text(raw, "email_bounce_reason")
    bounced = parse_flags(_column(raw, "email_bounced")) | bounced_at.notna() | reason.notna()
    return {
        "is_deleted": parse_flags(_column(raw, "is_deleted")),
        "master_record_id": master_record_id,
        "master_record_key": (source_system + ":" + master_record_id).astype("object"),
        "email_bounced": bounced,
        "email_bounced_at": bounced_at.where(bounced_at.notna() | ~bounced, updated_at),
        "email_bounce_reason": reason,
    }


def _duplicate_reasons(
    raw: pd.DataFrame, contact_id: pd.Series, source_system: pd.Series
) -> pd.Series:
    """Rows whose key an earlier row already has (after trimming and lower-casing the system)."""
    record_key = source_system + ":" + contact_id
    duplicate = record_key.notna() & record_key.duplicated(keep="first")
    if not duplicate.any():
        return _reason(duplicate, "")
    first = raw[list(LINEAGE_COLUMNS)].groupby(record_key).transform("first")
    return _reason(
        duplicate,
        "duplicate contact_id '" + contact_id + "' within source_system '" + source_system
        + "' (first seen in row " + first["row_number"].astype("Int64").astype(str) + " of "
        + first["source_file"].astype(str) + ")",
    )  # fmt: skip


def _enhanced_status(values: pd.Series) -> pd.Series:
    return values.str.extract(r"\b([245]\.\d{1,3}\.\d{1,3})\b", expand=False)


def _provider(values: pd.Series) -> pd.Series:
    letters = values.str.lower().str.replace(r"[^a-z]", "", regex=True)
    return letters.map(PROVIDER_NAMES).fillna(values).astype("object")


def standardise_email_bounces(
    batch: FeedFrames,
    default_region: str = "US",
    vocab: Vocabularies | None = None,
    not_after: pd.Timestamp | None = None,
) -> FeedFrames:
    """Bounces: stable id, address and mailbox key, UTC time, SMTP and RFC 3463 codes.

    A bounce whose address is not a valid e-mail is rejected. `enhanced_status` and `smtp_code`
    are taken from the diagnostic text when their own columns are empty.
    """
    raw = _positional(batch.accepted)
    emails = standardise_emails(_column(raw, "email"))
    dates, date_reasons = _timestamps(raw, ["bounced_at"], default_region, not_after)
    diagnostic = _text(raw, "diagnostic")
    smtp_text = _text(raw, "smtp_code").str.extract(r"([245]\d\d)", expand=False)
    smtp_text = smtp_text.fillna(diagnostic.str.extract(r"^\s*([245]\d\d)\b", expand=False))
    standardised = _assemble(
        raw,
        [
            {
                "bounce_id": stable_row_ids(raw, batch.feed),
                "email": emails["email"],
                "email_key": emails["email_key"],
                **dates,
                "bounce_type": _text(raw, "bounce_type").str.lower(),
                "smtp_code": pd.to_numeric(smtp_text).astype("Int64"),
                "enhanced_status": _enhanced_status(_text(raw, "enhanced_status")).fillna(
                    _enhanced_status(diagnostic)
                ),
                "diagnostic": diagnostic,
                "provider": _provider(_text(raw, "provider")),
            }
        ],
        BOUNCE_INPUT_COLUMNS,
    )
    email_reasons = [
        _reason(emails["email"].isna(), "missing required value: email"),
        _reason(emails["email_error"].notna(), "invalid email: " + emails["email_error"]),
    ]
    return _finish(batch, raw, standardised, [*email_reasons, *date_reasons])


def standardise_call_logs(
    batch: FeedFrames,
    default_region: str = "US",
    vocab: Vocabularies | None = None,
    not_after: pd.Timestamp | None = None,
) -> FeedFrames:
    """Calls: id (given or stable hash), dialled phone in E.164, UTC time, canonical disposition.

    A documented status that says nothing about the person (`ignored` in the disposition table,
    e.g. Twilio `failed`) keeps the call as an attempt with no disposition and the reason in
    `disposition_ignored`. A row without a disposition, or with an ignored one, takes its outcome
    from `answered` when the export has it (`answered` -> connected, else `unanswered` ->
    no_answer). A call whose disposition is in neither list is rejected. A national number with
    the dialer's country calling code beside it (VICIdial `phone_code`) is read in that country;
    the numbers are parsed in parts shared with a worker (`background_executor`, a process from
    `CALL_LOG_WORKER_ROWS` rows; `shared_work`) beside the other columns.
    """
    raw = _positional(batch.accepted)
    vocab = vocab or default_vocabularies()
    with background_executor(len(raw), CALL_LOG_WORKER_ROWS) as background:
        workers = worker_processes_of(background)
        numbers = _with_calling_code(_column(raw, "phone_dialed"), _text(raw, "phone_country_code"))
        regions = _regions(to_iso2(_column(raw, "country")), default_region)
        dialled = shared_work(
            background,
            _phones_in_arrow,
            [
                (numbers.iloc[rows], regions.iloc[rows], workers)
                for rows in _row_parts(workers, len(raw), CALL_LOG_PHONE_PARTS)
            ],
        )
        disposition_raw = _dispositions_with_answered(
            _text(raw, "disposition"), _text(raw, "answered"), vocab
        )
        disposition = vocab.map_dispositions(disposition_raw)
        ignored = vocab.ignored_reasons(disposition_raw).where(disposition.isna())
        dates, date_reasons = _timestamps(
            raw, ["called_at"], default_region, not_after, disposition.isin(DNC_DISPOSITIONS)
        )
        ids = {"call_id": _call_ids(raw, batch.feed), "contact_id": _text(raw, "contact_id")}
        outcome = {
            **dates,
            "disposition_raw": disposition_raw,
            "disposition": disposition,
            "disposition_ignored": ignored,
            "duration_seconds": duration_seconds(_text(raw, "duration_seconds")),
            "agent_id": _text(raw, "agent_id"),
            "campaign": _text(raw, "campaign"),
            "notes": _text(raw, "notes"),
        }
        phones = pd.concat(dialled())
    standardised = _assemble(
        raw, [ids, _prefixed_phones(phones, "phone"), outcome], CALL_INPUT_COLUMNS
    )
    disposition_reasons = [
        _reason(disposition_raw.isna(), "missing required value: disposition"),
        _reason(
            disposition_raw.notna() & disposition.isna() & ignored.isna(),
            "unmappable disposition: '" + disposition_raw + "'",
        ),
    ]
    return _finish(batch, raw, standardised, [*disposition_reasons, *date_reasons])


def _row_parts(workers: int | None, rows: int, parts: int) -> list[slice]:
    """Consecutive row ranges of about equal size covering `rows`, for work shared with a
    background executor (`workers` of `worker_processes_of`): `parts` of them with a worker
    process, one with a thread (which shares this process's core, so parts would only add their
    own costs)."""
    size = max(1, -(-rows // (parts if workers == 1 else 1)))
    return [slice(start, min(start + size, rows)) for start in range(0, rows, size)] or [
        slice(0, 0)
    ]


def _phones_in_arrow(
    raw: pd.Series, region: pd.Series | str, workers: int | None = None
) -> pd.DataFrame:
    """`parse_phones` with its text in Arrow (`arrow_backed_text`), for a worker process: two
    million calls' numbers come back as buffers, and go to the warehouse as they are."""
    return arrow_backed_text(parse_phones(raw, region, workers))


def _call_ids(raw: pd.DataFrame, feed: str) -> pd.Series:
    """The dialer's call id, else a stable id of the row (hashed only for the rows without one:
    most exports give every call its id)."""
    call_id = _text(raw, "call_id")
    missing = call_id.isna().to_numpy()
    if not missing.any():
        return call_id
    return call_id.fillna(stable_row_ids(raw.loc[missing, list(LINEAGE_COLUMNS)], feed))


def _dispositions_with_answered(
    disposition: pd.Series, answered: pd.Series, vocab: Vocabularies
) -> pd.Series:
    """The disposition text, or the `answered` flag's word where that says more."""
    says_nothing = disposition.isna() | vocab.ignored_reasons(disposition).notna()
    word = pd.Series(
        np.where(parse_flags(answered, unrecognised=True), "answered", "unanswered"),
        index=answered.index,
        dtype="object",
    )
    return disposition.where(~(says_nothing & answered.notna()), word)


def _with_calling_code(numbers: pd.Series, calling_code: pd.Series) -> pd.Series:
    """National numbers prefixed with `+<code>` where the dialer gives the country code."""
    code = calling_code.str.replace(r"\D", "", regex=True).replace("", None)
    national = (
        numbers.notna()
        & code.notna()
        & ~numbers.astype("string").str.match(r"\s*(\+|00)", na=False).astype(bool)
    )
    if not national.any():
        return numbers
    return numbers.where(~national, "+" + code + " " + numbers.astype("object"))


def duration_seconds(values: pd.Series) -> pd.Series:
    """Whole seconds from `83`, `83.4` or clock text `1:23` / `0:01:23` (Five9, RingCentral).

    Each distinct text is read once: a dialer export repeats a few thousand durations over
    millions of calls, and reading text as numbers is slow per value. The seconds are spread
    back as nullable integers (`column_ops.map_distinct` would spread Python objects, three
    times slower here)."""
    codes, distinct = pd.factorize(values)
    seconds = _distinct_seconds(pd.Series(distinct, dtype="object"))
    return pd.Series(
        seconds.array.take(codes, allow_fill=True), index=values.index, name=values.name
    )


def _distinct_seconds(values: pd.Series) -> pd.Series:
    """Whole seconds of distinct duration texts (see `duration_seconds`)."""
    seconds = pd.to_numeric(values, errors="coerce")
    clock = values.str.fullmatch(r"\s*\d+(:\d{1,2}){1,2}\s*", na=False).astype(bool)
    if clock.any():
        parts = values[clock].str.strip().str.split(":", expand=True).astype("float64")
        if parts.shape[1] == 2:
            parts[2] = np.nan
        minutes_seconds = parts[0] * 60 + parts[1]
        seconds[clock] = minutes_seconds.where(
            parts[2].isna(), parts[0] * 3600 + parts[1] * 60 + parts[2]
        )
    return seconds.round().astype("Int64")


def standardise_engagement_events(
    batch: FeedFrames,
    default_region: str = "US",
    vocab: Vocabularies | None = None,
    not_after: pd.Timestamp | None = None,
) -> FeedFrames:
    """Events: stable id, contact or e-mail (with mailbox key), canonical type, UTC time.

    An event whose type is missing or not in the mapping table is rejected; an invalid e-mail
    is kept (its `email_key` is None). The e-mails are standardised in the background
    (`background_executor`; a worker process from `EVENT_WORKER_ROWS` rows) beside the other
    columns.
    """
    raw = _positional(batch.accepted)
    vocab = vocab or default_vocabularies()
    with background_executor(len(raw), EVENT_WORKER_ROWS) as background:
        addresses = background.submit(
            event_emails, _column(raw, "email"), worker_processes_of(background)
        )
        event_raw = _text(raw, "event_type")
        event_type = vocab.map_event_types(event_raw)
        dates, date_reasons = _timestamps(
            raw, ["occurred_at"], default_region, not_after, event_type.eq("unsubscribe")
        )
        ids = {"event_id": stable_row_ids(raw, batch.feed), "contact_id": _text(raw, "contact_id")}
        rest = {
            "event_type": event_type,
            **dates,
            "source": _text(raw, "source"),
            "url": _text(raw, "url"),
        }
        emails = addresses.result()
    standardised = _assemble(raw, [ids, emails, rest], EVENT_INPUT_COLUMNS)
    event_reasons = [
        _reason(event_raw.isna(), "missing required value: event_type"),
        _reason(
            event_raw.notna() & event_type.isna(), "unmappable event_type: '" + event_raw + "'"
        ),
    ]
    return _finish(batch, raw, standardised, [*event_reasons, *date_reasons])


def event_emails(values: pd.Series, workers: int | None = None) -> pd.DataFrame:
    """The `email` and `email_key` of `standardise_emails`, the only e-mail columns an event
    keeps (a worker process hands back no more than that, in Arrow: `arrow_backed_text`);
    `workers` as for `standardise_emails` (1 in a worker process, which starts no pool of its
    own)."""
    return arrow_backed_text(standardise_emails(values, workers)[["email", "email_key"]])


def standardise_dnc_list(
    batch: FeedFrames,
    default_region: str = "US",
    vocab: Vocabularies | None = None,
    not_after: pd.Timestamp | None = None,
) -> FeedFrames:
    """Do-not-call entries: phone in E.164 (national numbers read in the row's `country`, else in
    `default_region`); `country` is kept so scoring knows which entries named their region.

    A row whose phone is not a number at all is rejected; a number that parses but is not valid
    for its region is kept with `phone_valid` False, since suppressing it costs nothing. An entry
    is kept whatever its date (`not_after` is accepted for a uniform signature).
    """
    raw = _positional(batch.accepted)
    country = to_iso2(_column(raw, "country"))
    phones = parse_phones(_column(raw, "phone"), _regions(country, default_region))
    dates, date_reasons = _timestamps(raw, ["added_at"], default_region)
    standardised = _assemble(
        raw,
        [
            _prefixed_phones(phones, "phone"),
            {**dates, "source": _text(raw, "source"), "country": country},
        ],
        DNC_INPUT_COLUMNS,
    )
    has_digits = phones["raw"].str.contains(r"\d", na=False).astype(bool)
    phone_reasons = [
        _reason(phones["raw"].isna(), "missing required value: phone"),
        _reason(
            phones["raw"].notna() & phones["e164"].isna(),
            pd.Series("phone is not a number (no digits)", index=raw.index).where(
                ~has_digits, "phone is not a number (cannot be read as a phone number)"
            ),
        ),
    ]
    return _finish(batch, raw, standardised, [*phone_reasons, *date_reasons])

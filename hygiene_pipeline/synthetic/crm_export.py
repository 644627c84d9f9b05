"""`crm_contacts/`: the CRM exports in each system's own shape.

- Salesforce (`salesforce_contacts_<region>.csv`): API field names (`Id`, `FirstName`,
  `Account.Name`, `MailingCountry`, `HasOptedOutOfEmail`, `DoNotCall`, `OwnerId`, ...), ISO
  timestamps with `+0000`, `LastActivityDate` as a date, consent in `Consent Status`, `Consent
  Source` and `Consent Expiry Date`, an extra `region_code`.
- HubSpot (`hubspot_contacts_export.csv`): internal property names (`Record ID`, `firstname`,
  `hs_email_optout`, `hs_legal_basis`, `marketing_consent`, `consent_expiry`, ...), minute
  timestamps, an extra `favorite_color`.
- Legacy CRM (`legacy_crm_contacts_<region>.csv`): the contract's own column names, no
  `source_system` column; written dates per region (US `03/15/2024`, Europe `15.03.2024`,
  China `2024/03/15`), booleans spelled `Y`/`yes`/`1`/`TRUE`, an extra `legacy_segment`.

Every file carries a few planted bad rows (see `bad_rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from hygiene_pipeline.synthetic.bad_rows import (
    duplicate_id,
    missing,
    ragged,
    template_row,
    too_long,
    unparseable_date,
)
from hygiene_pipeline.synthetic.columns import pick
from hygiene_pipeline.synthetic.crm_fields import NO_TIME, ConsentStatus, CrmFields
from hygiene_pipeline.synthetic.file_io import (
    BadRow,
    Written,
    format_times,
    spell_booleans,
    write_csv,
)
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES, CrmFile, Source
from hygiene_pipeline.synthetic.records import Records

CRM_BAD_ROWS = 5  # planted per generated CRM, counted in `contacts`
_CONSENT_TEXT = np.array([None, "opted_in", "opted_out", "expired", "unknown"], dtype=object)
_LEGACY_DATES = {  # (timestamp format, date format) of each legacy export
    "legacy_crm_contacts_na.csv": ("%m/%d/%Y %H:%M", "%m/%d/%Y"),
    "legacy_crm_contacts_europe.csv": ("%d.%m.%Y %H:%M", "%d.%m.%Y"),
    "legacy_crm_contacts_cn.csv": ("%Y/%m/%d %H:%M", "%Y/%m/%d"),
}
_LEGACY_BOOLEANS = np.array(
    [("Y", "N"), ("yes", "no"), ("1", "0"), ("TRUE", "FALSE")], dtype=object
)
_CONSENT_SOURCES = ("web_form", "trade_show", "webinar", "customer_contract", "purchased_list")
_HUBSPOT_LEGAL_BASIS = (
    "Freely given consent from contact",
    "Legitimate interest - prospect/lead",
    "Legitimate interest - existing customer",
    "Performance of a contract",
)


def _taker(rows: np.ndarray) -> Callable[[pa.Array], pa.Array]:
    """A function picking this file's rows out of a record column."""
    index = pa.array(rows, pa.int64())
    return lambda values: values.take(index)


def _salesforce(
    records: Records, fields: CrmFields, rows: np.ndarray, rng: np.random.Generator
) -> pa.Table:
    n = len(rows)
    at = _taker(rows)
    flags = np.tile(np.array([("true", "false")], dtype=object), (n, 1))
    consent = fields.consent_status[rows]
    return pa.table(
        {
            "Id": at(records.contact_id),
            "FirstName": at(records.first_name),
            "LastName": at(records.last_name),
            "Email": at(records.email),
            "Phone": at(records.phone),
            "MobilePhone": at(records.mobile_phone),
            "Account.Name": at(records.company),
            "Title": at(records.job_title),
            "MailingStreet": at(records.street),
            "MailingCity": at(records.city),
            "MailingState": at(records.state),
            "MailingPostalCode": at(records.postal_code),
            "MailingCountry": at(records.country),
            "CreatedDate": format_times(
                fields.created_at[rows], "%Y-%m-%dT%H:%M:%S.000+0000", NO_TIME
            ),
            "LastModifiedDate": format_times(
                fields.updated_at[rows], "%Y-%m-%dT%H:%M:%S.000+0000", NO_TIME
            ),
            "LastActivityDate": format_times(fields.last_activity_at[rows], "%Y-%m-%d", NO_TIME),
            "HasOptedOutOfEmail": spell_booleans(fields.do_not_email[rows], flags),
            "DoNotCall": spell_booleans(fields.do_not_call[rows], flags),
            "OwnerId": pick(
                rng,
                (
                    "0055g00000Bc3kLAAR",
                    "0055g00000Bc3kMAAR",
                    "0055g00000D7xQaAAJ",
                    "0055g00000E1pZtAAJ",
                ),
                n,
            ),
            "LeadSource": pick(
                rng, ("Web", "Trade Show", "Partner Referral", "Purchased List", "Webinar"), n
            ),
            "Consent Status": pa.array(_CONSENT_TEXT[consent], pa.string()),
            "Consent Source": _consent_source(rng, consent, _CONSENT_SOURCES),
            "Consent Expiry Date": format_times(
                fields.consent_expires_at[rows], "%Y-%m-%d", NO_TIME
            ),
            "region_code": pick(rng, ("NA-E", "NA-W", "EMEA-N", "EMEA-S", "APAC"), n),
            "source_system": pa.array(np.full(n, "Salesforce", dtype=object), pa.string()),
        }
    )


def _hubspot(
    records: Records, fields: CrmFields, rows: np.ndarray, rng: np.random.Generator
) -> pa.Table:
    n = len(rows)
    at = _taker(rows)
    consent = fields.consent_status[rows]
    return pa.table(
        {
            "Record ID": at(records.contact_id),
            "firstname": at(records.first_name),
            "lastname": at(records.last_name),
            "email": at(records.email),
            "phone": at(records.phone),
            "mobilephone": at(records.mobile_phone),
            "company": at(records.company),
            "jobtitle": at(records.job_title),
            "address": at(records.street),
            "city": at(records.city),
            "state": at(records.state),
            "zip": at(records.postal_code),
            "country": at(records.country),
            "createdate": format_times(fields.created_at[rows], "%Y-%m-%d %H:%M", NO_TIME),
            "lastmodifieddate": format_times(fields.updated_at[rows], "%Y-%m-%d %H:%M", NO_TIME),
            "notes_last_updated": format_times(
                fields.last_activity_at[rows], "%Y-%m-%d %H:%M", NO_TIME
            ),
            "hs_lead_status": pick(
                rng,
                (
                    "NEW",
                    "OPEN",
                    "IN_PROGRESS",
                    "CONNECTED",
                    "ATTEMPTED_TO_CONTACT",
                    "UNQUALIFIED",
                    "BAD_TIMING",
                ),
                n,
            ),
            "hs_email_optout": spell_booleans(
                fields.do_not_email[rows],
                np.tile(np.array([("true", "false")], dtype=object), (n, 1)),
            ),
            "hs_legal_basis": _consent_source(rng, consent, _HUBSPOT_LEGAL_BASIS),
            "marketing_consent": pa.array(_CONSENT_TEXT[consent], pa.string()),
            "consent_expiry": format_times(fields.consent_expires_at[rows], "%Y-%m-%d", NO_TIME),
            "hubspot_owner_id": pick(rng, ("52181463", "52181490", "60390712", "71234009"), n),
            "favorite_color": pick(rng, ("blue", "green", "red", "purple", "orange", "teal"), n),
            "Source System": pa.array(np.full(n, "HubSpot", dtype=object), pa.string()),
        }
    )


def _legacy(
    records: Records,
    fields: CrmFields,
    rows: np.ndarray,
    rng: np.random.Generator,
    name: str,
) -> pa.Table:
    n = len(rows)
    at = _taker(rows)
    stamp_format, date_format = _LEGACY_DATES[name]
    spelling = _LEGACY_BOOLEANS[rng.integers(0, len(_LEGACY_BOOLEANS), size=n)]
    consent = fields.consent_status[rows]
    return pa.table(
        {
            "contact_id": at(records.contact_id),
            "first_name": at(records.first_name),
            "last_name": at(records.last_name),
            "full_name": at(records.full_name),
            "email": at(records.email),
            "phone": at(records.phone),
            "mobile_phone": at(records.mobile_phone),
            "company": at(records.company),
            "job_title": at(records.job_title),
            "street": at(records.street),
            "city": at(records.city),
            "state": at(records.state),
            "postal_code": at(records.postal_code),
            "country": at(records.country),
            "created_at": format_times(fields.created_at[rows], stamp_format, NO_TIME),
            "updated_at": format_times(fields.updated_at[rows], stamp_format, NO_TIME),
            "last_activity_at": format_times(
                fields.last_activity_at[rows],
                stamp_format if name.endswith("cn.csv") else date_format,
                NO_TIME,
            ),
            "lifecycle_stage": pick(rng, ("Lead", "Prospect", "Customer", "Former Customer"), n),
            "consent_status": pa.array(_CONSENT_TEXT[consent], pa.string()),
            "consent_source": _consent_source(rng, consent, _CONSENT_SOURCES),
            "consent_expires_at": format_times(
                fields.consent_expires_at[rows], date_format, NO_TIME
            ),
            "do_not_call": spell_booleans(fields.do_not_call[rows], spelling),
            "do_not_email": spell_booleans(fields.do_not_email[rows], spelling),
            "owner": pick(
                rng, ("J. Carter", "M. Okafor", "S. Lindqvist", "T. Nakamura", "R. Dubois"), n
            ),
            "legacy_segment": pick(rng, ("A", "B", "C", "KEY"), n),
        }
    )


def _consent_source(
    rng: np.random.Generator, consent: np.ndarray, sources: tuple[str, ...]
) -> pa.Array:
    """Where consent came from, on records that state a consent decision."""
    stated = np.isin(
        consent, (ConsentStatus.OPTED_IN, ConsentStatus.OPTED_OUT, ConsentStatus.EXPIRED)
    )
    chosen = np.array(sources, dtype=object)[rng.integers(0, len(sources), size=len(consent))]
    return pa.array(np.where(stated, chosen, None), pa.string())


def _table(
    spec: CrmFile,
    records: Records,
    fields: CrmFields,
    rows: np.ndarray,
    rng: np.random.Generator,
) -> pa.Table:
    if spec.source == Source.SALESFORCE:
        return _salesforce(records, fields, rows, rng)
    if spec.source == Source.HUBSPOT:
        return _hubspot(records, fields, rows, rng)
    return _legacy(records, fields, rows, rng, spec.name)


def _bad_rows(spec: CrmFile, table: pa.Table) -> tuple[BadRow, ...]:
    """The planted defects of one CRM file, each made from one of its own rows."""
    id_column = table.column_names[0]
    first, last = template_row(table, 0), template_row(table, max(table.num_rows - 1, 0))
    if spec.name == "salesforce_contacts_amer.csv":
        fresh = first | {id_column: "0035g00000ZZZ01AAA"}
        return (
            duplicate_id(last, id_column, str(first[id_column])),
            unparseable_date(fresh, "CreatedDate", "2024-02-30T10:15:00.000+0000"),
        )
    if spec.source == Source.HUBSPOT:
        return (missing(first, id_column),)
    if spec.name == "legacy_crm_contacts_na.csv":
        return (ragged(first | {id_column: "L-9999901"}),)
    if spec.name == "legacy_crm_contacts_europe.csv":
        fresh = first | {id_column: "L-9999902"}
        return (too_long(fresh, "job_title", "Head of Strategic Partnerships "),)
    return ()


def write_crm_exports(
    folder: Path, rng: np.random.Generator, records: Records, fields: CrmFields
) -> list[Written]:
    """Write every CRM export file of the landing folder `crm_contacts/`."""
    written = []
    for index, spec in enumerate(CRM_FILES):
        rows = np.flatnonzero(records.file == index)
        table = _table(spec, records, fields, rows, rng)
        written.append(write_csv(folder / spec.name, table, spec.encoding, _bad_rows(spec, table)))
    return written

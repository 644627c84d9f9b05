"""Readers for the landing files of a generated CRM, independent of the pipeline's own ingest:
each file is read with the encoding and column names the generator documents, as a user would."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import phonenumbers

from hygiene_pipeline.synthetic.reference_data import COUNTRIES

# Contract column -> header, per source system.
CRM_COLUMNS = {
    "salesforce": {
        "contact_id": "Id",
        "phone": "Phone",
        "mobile_phone": "MobilePhone",
        "email": "Email",
        "country": "MailingCountry",
        "do_not_call": "DoNotCall",
        "consent_status": "Consent Status",
        "consent_expires_at": "Consent Expiry Date",
        "first_name": "FirstName",
        "last_name": "LastName",
        "last_activity": "LastActivityDate",
    },
    "hubspot": {
        "contact_id": "Record ID",
        "phone": "phone",
        "mobile_phone": "mobilephone",
        "email": "email",
        "country": "country",
        "consent_status": "marketing_consent",
        "consent_expires_at": "consent_expiry",
        "first_name": "firstname",
        "last_name": "lastname",
        "last_activity": "notes_last_updated",
    },
    "legacy": {
        "contact_id": "contact_id",
        "phone": "phone",
        "mobile_phone": "mobile_phone",
        "email": "email",
        "country": "country",
        "do_not_call": "do_not_call",
        "consent_status": "consent_status",
        "consent_expires_at": "consent_expires_at",
        "first_name": "first_name",
        "last_name": "last_name",
        "last_activity": "last_activity_at",
    },
}
EXPIRY_FORMATS = {
    "legacy_crm_contacts_na.csv": "%m/%d/%Y",
    "legacy_crm_contacts_europe.csv": "%d.%m.%Y",
    "legacy_crm_contacts_cn.csv": "%Y/%m/%d",
}
ACTIVITY_FORMATS = {
    "salesforce": "%Y-%m-%d",
    "hubspot": "%Y-%m-%d %H:%M",
    "legacy_crm_contacts_na.csv": "%m/%d/%Y",
    "legacy_crm_contacts_europe.csv": "%d.%m.%Y",
    "legacy_crm_contacts_cn.csv": "%Y/%m/%d %H:%M",
}
TRUE_WORDS = {"true", "y", "yes", "1"}
COUNTRY_BY_TEXT = {
    text: code
    for code, info in COUNTRIES.items()
    for text in (info.iso2, info.iso3, info.english_name, info.local_name)
}


def read_rows(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a landing CSV, decoded as the generator wrote it."""
    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def read_jsonl(path: Path) -> list[str]:
    """The lines of a JSON Lines file."""
    return path.read_text(encoding="utf-8").splitlines()


def e164(raw: str, region: str) -> str | None:
    """E.164 of a written number when it parses to a valid number, else None."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

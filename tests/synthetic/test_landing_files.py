"""The landing files: required columns per feed, encodings, native ESP shapes, vocabularies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from landing_readers import read_jsonl, read_rows

from hygiene_pipeline.synthetic.call_export import DISPOSITION_CODES
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES

CANONICAL_DISPOSITIONS = {
    "connected",
    "no_answer",
    "busy",
    "voicemail",
    "disconnected",
    "wrong_number",
    "left_company",
    "company_moved",
    "company_closed",
    "do_not_call",
    "not_interested",
    "interested",
    "callback",
}
EVENT_TYPES = {
    "email_open",
    "email_click",
    "web_visit",
    "pricing_page_view",
    "content_download",
    "form_submit",
    "demo_request",
    "meeting_booked",
    "unsubscribe",
}
REQUIRED_HEADERS = {
    "salesforce": {
        "Id",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "MobilePhone",
        "Account.Name",
        "Title",
        "MailingStreet",
        "MailingCity",
        "MailingState",
        "MailingPostalCode",
        "MailingCountry",
        "CreatedDate",
        "LastModifiedDate",
        "LastActivityDate",
        "HasOptedOutOfEmail",
        "DoNotCall",
        "OwnerId",
        "Consent Status",
        "Consent Expiry Date",
        "region_code",
        "source_system",
    },
    "hubspot": {
        "Record ID",
        "firstname",
        "lastname",
        "email",
        "phone",
        "mobilephone",
        "company",
        "jobtitle",
        "address",
        "city",
        "state",
        "zip",
        "country",
        "createdate",
        "lastmodifieddate",
        "notes_last_updated",
        "hs_lead_status",
        "hs_email_optout",
        "favorite_color",
        "Source System",
    },
    "legacy": {
        "contact_id",
        "first_name",
        "last_name",
        "full_name",
        "email",
        "phone",
        "mobile_phone",
        "company",
        "job_title",
        "country",
        "created_at",
        "updated_at",
        "last_activity_at",
        "consent_status",
        "consent_expires_at",
        "do_not_call",
        "do_not_email",
        "legacy_segment",
    },
    "bounces_mta_export.csv": {
        "email",
        "bounced_at",
        "bounce_type",
        "smtp_code",
        "enhanced_status",
        "diagnostic",
        "provider",
    },
    "vicidial_call_export.csv": {
        "call_id",
        "phone_dialed",
        "contact_id",
        "called_at",
        "disposition",
        "duration_seconds",
        "agent_id",
        "campaign",
        "notes",
    },
    "dialer_calls_export.csv": {
        "call_id",
        "phone_dialed",
        "contact_id",
        "called_at",
        "disposition",
        "duration_seconds",
        "agent_id",
        "campaign",
        "notes",
    },
    "web_activity.csv": {"contact_id", "event_type", "occurred_at", "source", "url"},
    "national_dnc_registry.csv": {"phone", "added_at", "source"},
    "internal_dnc_requests.csv": {"phone", "added_at", "source"},
    "regional_dnc_requests.csv": {"phone", "country", "added_at", "source"},
}


def _landing(generated_crm: Path, feed: str, name: str) -> Path:
    return generated_crm / "landing" / feed / name


@pytest.mark.parametrize("spec", CRM_FILES, ids=lambda spec: spec.name)
def test_crm_exports_have_their_systems_columns(generated_crm: Path, spec) -> None:
    header, rows = read_rows(_landing(generated_crm, "crm_contacts", spec.name), spec.encoding)
    assert REQUIRED_HEADERS[spec.name.split("_")[0]] <= set(header)
    assert ("source_system" in header or "Source System" in header) == (
        not spec.name.startswith("legacy")
    )
    assert rows, "every export holds records"


@pytest.mark.parametrize(
    ("feed", "name"),
    [
        ("email_bounces", "bounces_mta_export.csv"),
        ("call_logs", "vicidial_call_export.csv"),
        ("call_logs", "dialer_calls_export.csv"),
        ("engagement_events", "web_activity.csv"),
        ("dnc_list", "national_dnc_registry.csv"),
        ("dnc_list", "internal_dnc_requests.csv"),
        ("dnc_list", "regional_dnc_requests.csv"),
    ],
)
def test_other_feeds_have_the_contract_columns(generated_crm: Path, feed: str, name: str) -> None:
    header, rows = read_rows(_landing(generated_crm, feed, name), "utf-8")
    assert set(header) == REQUIRED_HEADERS[name]
    assert rows


def test_encodings_are_the_documented_ones(generated_crm: Path) -> None:
    folder = generated_crm / "landing" / "crm_contacts"
    chinese = (folder / "legacy_crm_contacts_cn.csv").read_bytes()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.decode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        chinese.decode("utf-8")
    latin = (folder / "legacy_crm_contacts_europe.csv").read_bytes()
    assert any(ord(ch) > 127 for ch in latin.decode("latin-1"))
    with pytest.raises(UnicodeDecodeError):
        latin.decode("utf-8")
    assert (folder / "legacy_crm_contacts_na.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for name in ("salesforce_contacts_emea.csv", "hubspot_contacts_export.csv"):
        data = (folder / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        data.decode("utf-8")


def _documents(generated_crm: Path, name: str) -> list[dict]:
    lines = read_jsonl(_landing(generated_crm, "email_bounces", name))
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return parsed


def test_esp_exports_have_their_native_shapes(generated_crm: Path) -> None:
    ses = _documents(generated_crm, "ses_notifications.jsonl")
    assert {d["notificationType"] for d in ses} == {"Bounce", "Complaint"}
    bounce = next(d for d in ses if d["notificationType"] == "Bounce")["bounce"]
    assert bounce["bounceType"] in {"Permanent", "Transient"}
    assert {"emailAddress", "status", "diagnosticCode"} <= set(bounce["bouncedRecipients"][0])

    sendgrid = _documents(generated_crm, "sendgrid_events.jsonl")
    assert {d["event"] for d in sendgrid} >= {"bounce", "spamreport"}
    hard = next(d for d in sendgrid if d["event"] == "bounce" and d["type"] == "bounce")
    assert hard["status"].startswith("5.1.") and isinstance(hard["timestamp"], int)

    mailgun = _documents(generated_crm, "mailgun_events.jsonl")
    failed = [d for d in mailgun if d["event"] == "failed"]
    assert {d["severity"] for d in failed} == {"permanent", "temporary"}
    assert {"code", "message", "enhanced-code"} <= set(failed[0]["delivery-status"])

    postmark = _documents(generated_crm, "postmark_bounces.jsonl")
    types = {d["Type"] for d in postmark}
    assert (
        {"HardBounce", "SoftBounce"}
        <= types
        <= {"HardBounce", "SoftBounce", "Blocked", "SpamComplaint"}
    )
    assert {"RecordType", "TypeCode", "Email", "BouncedAt", "Details"} <= set(postmark[0])


def test_dispositions_are_dialer_codes_or_canonical_words(generated_crm: Path) -> None:
    codes = {code for options in DISPOSITION_CODES.values() for code in options}
    header, rows = read_rows(
        _landing(generated_crm, "call_logs", "vicidial_call_export.csv"), "utf-8"
    )
    written = {row[header.index("disposition")] for row in rows if len(row) == len(header)}
    assert written <= codes and {"NA", "DC", "DNC", "NI", "XFER"} <= written
    header, rows = read_rows(
        _landing(generated_crm, "call_logs", "dialer_calls_export.csv"), "utf-8"
    )
    words = {row[header.index("disposition")] for row in rows}
    assert words - CANONICAL_DISPOSITIONS == {"ZZ_UNKNOWN"}  # the planted unmappable one
    assert {"left_company", "company_moved", "company_closed"} <= words


def test_engagement_event_types_are_canonical(generated_crm: Path) -> None:
    header, rows = read_rows(
        _landing(generated_crm, "engagement_events", "web_activity.csv"), "utf-8"
    )
    web = {row[header.index("event_type")] for row in rows if len(row) == len(header)}
    lines = read_jsonl(_landing(generated_crm, "engagement_events", "email_activity.jsonl"))
    email = set()
    for line in lines:
        try:
            email.add(json.loads(line)["event_type"])
        except json.JSONDecodeError:
            continue
    assert (web | email) - {""} == EVENT_TYPES


@pytest.mark.parametrize("name", ["vicidial_call_export.csv", "dialer_calls_export.csv"])
def test_call_ids_are_unique_in_each_dialer_export(generated_crm: Path, name: str) -> None:
    header, rows = read_rows(_landing(generated_crm, "call_logs", name), "utf-8")
    ids = [row[header.index("call_id")] for row in rows if len(row) == len(header)]
    assert len(ids) == len(set(ids))

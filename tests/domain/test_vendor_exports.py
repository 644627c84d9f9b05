"""Exports of real CRMs, dialers and e-mail providers, read and standardised end to end.

The sample files in `samples/` were written for these tests from each vendor's documented column
names (no vendor file is copied); the source of each shape:

- `salesforce_contacts_dataloader.csv`: Salesforce Object Reference "Contact" (API field names,
  as Data Loader writes them), including IsDeleted, MasterRecordId, HomePhone, OtherPhone,
  IsEmailBounced, EmailBouncedDate, EmailBouncedReason.
- `salesforce_leads_report.csv`: Salesforce Field Reference "Lead" field labels, as a report
  export writes them (Lead ID, Company / Account, Lead Status, Deleted, Email Bounced Date, ...).
- `hubspot_contacts_export.csv`: HubSpot "Default contact properties" labels (Record ID, Lifecycle
  Stage, Lead Status, Email hard bounce reason, ...).
- `dynamics_contacts_excel_export.csv`: Microsoft Learn "Contact table/entity reference" display
  names, as Dynamics 365 "Export to Excel" writes them, with its "(Do Not Modify)" id columns.
- `zoho_contacts_export.csv`: Zoho CRM "Modules and fields" Contacts labels, with CONTACTID.
- `pipedrive_persons_export.csv`: Pipedrive "Exporting data" / "People fields" (`Person - ...`).
- `fxiaoke_contacts_export.csv` (UTF-8 with BOM) and `neocrm_contacts_export.csv` (GB18030):
  the Chinese field labels of Fxiaoke (纷享销客) and Neocrm (销售易) contact exports.
- `twilio_call_log.csv`: Twilio "Call resource" properties (Sid, To, From, Status, StartTime,
  EndTime, Duration, Direction, AnsweredBy), statuses completed / no-answer / busy / failed /
  canceled.
- `five9_call_log_report.csv`: Five9 "Call Log" report fields (CALL ID, TIMESTAMP, DISPOSITION,
  ANI, DNIS, LENGTH, ...) with system dispositions.
- `aircall_calls_export.csv`: Aircall Public API "Call" object (id, direction, status,
  missed_call_reason, started_at, answered_at, duration, raw_digits).
- `genesys_interactions_export.csv`: Genesys Cloud interactions view export (Conversation ID,
  Date, Direction, ANI, DNIS, Duration, Wrap-up) with outbound system wrap-up codes.
- `ringcentral_call_log.csv`: RingCentral admin portal call log CSV (Type, Phone Number, Date,
  Time, Action Result, Call Length, ...).
- `vicidial_call_log.csv`: VICIdial `vicidial_log` table columns (uniqueid, lead_id, call_date,
  length_in_sec, status, phone_code, phone_number, user, vendor_lead_code, ...).
- `ses_sns_notifications.jsonl`: an Amazon SES bounce notification inside its SNS envelope whose
  only time is the envelope's `Timestamp` (SES developer guide "Notification contents").
- `mailgun_legacy_webhooks.jsonl`: Mailgun legacy webhook form fields (event bounced / dropped,
  code, error, reason, description, recipient, timestamp) as JSON objects.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.domain.feed_frames import FeedFrames
from hygiene_pipeline.domain.readers import read_feed
from hygiene_pipeline.domain.standardise import (
    standardise_call_logs,
    standardise_crm_contacts,
    standardise_email_bounces,
)
from hygiene_pipeline.linkage.crm_spec import linkable_contacts
from hygiene_pipeline.linkage.overrides import combined_overrides, master_record_links

SAMPLES = Path(__file__).parent / "samples"


def landed(tmp_path: Path, feed: str, *names: str) -> Path:
    """A landing folder holding copies of the named samples in `feed/`."""
    folder = tmp_path / feed
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
    return tmp_path


def fully_read(batch: FeedFrames, rows: int) -> None:
    """Every row accepted, no file refused: nothing of the export was misunderstood."""
    assert batch.rejected_files.empty, batch.rejected_files.to_dict("records")
    assert batch.rejected.empty, batch.rejected[["source_file", "reason"]].to_dict("records")
    assert len(batch.accepted) == rows


CRM_SAMPLES = {
    "salesforce_contacts_dataloader.csv": 4,
    "salesforce_leads_report.csv": 2,
    "hubspot_contacts_export.csv": 2,
    "dynamics_contacts_excel_export.csv": 2,
    "zoho_contacts_export.csv": 2,
    "pipedrive_persons_export.csv": 2,
    "fxiaoke_contacts_export.csv": 2,
    "neocrm_contacts_export.csv": 1,
}


@pytest.mark.parametrize(("name", "rows"), CRM_SAMPLES.items())
def test_every_crm_export_is_read_whole(tmp_path: Path, name: str, rows: int) -> None:
    raw = read_feed(landed(tmp_path, "crm_contacts", name), "crm_contacts")
    fully_read(raw, rows)
    # Chinese CRMs write national mobile numbers without a country: their users set region CN
    region = "CN" if name.startswith(("fxiaoke", "neocrm")) else "US"
    contacts = standardise_crm_contacts(raw, default_region=region)
    fully_read(contacts, rows)
    frame = contacts.accepted
    # the essentials of a person were recognised in every export
    assert frame["contact_id"].notna().all()
    assert frame["source_system"].eq(name.split("_")[0]).all()
    assert (frame["last_name"].notna() | frame["full_name"].notna()).all()
    assert frame["email"].notna().any() and frame["phone_e164"].notna().any()
    assert frame["company"].notna().all() or name.startswith("salesforce_contacts")
    assert frame["created_at"].notna().all()
    report = raw.column_mapping
    assert set(report["source_file"]) == {name}
    recognised = report.loc[report["status"] != "unrecognised", "column"]
    assert {"contact_id", "email"} <= set(recognised)


def test_salesforce_record_state_deleted_merged_bounced_and_extra_phones(tmp_path: Path) -> None:
    landing = landed(tmp_path, "crm_contacts", "salesforce_contacts_dataloader.csv")
    frame = standardise_crm_contacts(read_feed(landing, "crm_contacts")).accepted
    by_id = frame.set_index("contact_id")
    assert by_id["is_deleted"].to_dict() == {
        "0035g00000AbCdEAAA": False,
        "0035g00000AbCdFAAA": True,
        "0035g00000AbCdGAAA": False,
        "0035g00000AbCdHAAA": False,
    }
    assert by_id.loc["0035g00000AbCdFAAA", "master_record_key"] == "salesforce:0035g00000AbCdEAAA"
    # bounce with its date and reason; flagged bounce without a date takes LastModifiedDate
    sara, jonas = by_id.loc["0035g00000AbCdGAAA"], by_id.loc["0035g00000AbCdHAAA"]
    assert (sara["email_bounced"], sara["email_bounce_reason"]) == (True, "550 5.1.1 user unknown")
    assert sara["email_bounced_at"] == pd.Timestamp("2024-06-09T22:01:00Z")
    assert jonas["email_bounced"] and jonas["email_bounced_at"] == jonas["updated_at"]
    assert not by_id.loc["0035g00000AbCdEAAA", "email_bounced"]
    assert pd.isna(by_id.loc["0035g00000AbCdEAAA", "email_bounced_at"])
    # home and other phones are the person's numbers, standardised like the others
    chidi = by_id.loc["0035g00000AbCdEAAA"]
    assert (chidi["phone_e164"], chidi["mobile_phone_e164"], chidi["home_phone_e164"]) == (
        "+16175550142",
        "+16175550199",
        "+16175550111",
    )
    assert chidi["home_phone_valid"] and chidi["home_phone_type"] is not None
    assert sara["other_phone_e164"] == "+46705550121"
    assert (sara["do_not_call"], sara["do_not_email"]) == (True, True)
    # the deleted record never reaches linkage; live records keep their positions' frame
    live = linkable_contacts(frame)
    assert "0035g00000AbCdFAAA" not in set(live["contact_id"])
    assert len(live) == 3


def test_dynamics_merge_becomes_a_must_link_that_a_user_cannot_link_overrides(
    tmp_path: Path,
) -> None:
    landing = landed(tmp_path, "crm_contacts", "dynamics_contacts_excel_export.csv")
    frame = standardise_crm_contacts(read_feed(landing, "crm_contacts")).accepted
    merged = "dynamics:9a4d3b21-1c7f-ee11-9ae7-000d3a5a1b2c"
    master = "dynamics:8f3c2a10-0b6e-ee11-9ae7-000d3a5a1b2c"
    links = master_record_links(linkable_contacts(frame))
    assert links[["record_key_left", "record_key_right", "rule"]].values.tolist() == [
        [merged, master, "must_link"]
    ]
    assert frame.set_index("record_key").loc[merged, "do_not_call"]  # "Do Not Allow"
    assert not frame.set_index("record_key").loc[master, "do_not_call"]  # "Allow"
    user = pd.DataFrame(
        {"record_key_left": [master], "record_key_right": [merged], "rule": ["cannot_link"]}
    )
    assert combined_overrides(links, user)["rule"].tolist() == ["cannot_link"]


def test_hubspot_lead_status_does_not_overwrite_the_lifecycle_stage(tmp_path: Path) -> None:
    landing = landed(tmp_path, "crm_contacts", "hubspot_contacts_export.csv")
    frame = standardise_crm_contacts(read_feed(landing, "crm_contacts")).accepted
    assert frame[["lifecycle_stage", "lead_status"]].values.tolist() == [
        ["Sales Qualified Lead", "In Progress"],
        ["Opportunity", "Connected"],
    ]
    assert frame["email_bounced"].tolist() == [False, True]  # a hard bounce reason is a bounce


def test_chinese_headers_in_utf8_bom_and_gb18030(tmp_path: Path) -> None:
    landing = landed(
        tmp_path, "crm_contacts", "fxiaoke_contacts_export.csv", "neocrm_contacts_export.csv"
    )
    raw = read_feed(landing, "crm_contacts")
    assert raw.file_encodings == {
        "fxiaoke_contacts_export.csv": "utf-8-sig",
        "neocrm_contacts_export.csv": "gb18030",
    }
    frame = standardise_crm_contacts(raw, default_region="CN").accepted.set_index("contact_id")
    assert frame.loc["FX-20240001", ["mobile_phone_e164", "company", "job_title", "owner"]].tolist(
    ) == ["+8613800138000", "北京星辰科技有限公司", "销售总监", "李娜"]  # fmt: skip
    assert frame.loc["FX-20240001", "last_activity_at"] == pd.Timestamp("2024-05-06 16:00Z")
    assert frame.loc["NEO-77001", ["state", "city", "lead_status"]].tolist() == [
        "广东",
        "广州",
        "已联系",
    ]
    assert frame.loc["NEO-77001", "created_at"] == pd.Timestamp("2024-03-01", tz="UTC")


CALL_SAMPLES = {
    "twilio_call_log.csv": {
        "connected": 1, "no_answer": 1, "busy": 1, None: 2,
    },
    "five9_call_log_report.csv": {
        "no_answer": 1, "voicemail": 1, "disconnected": 1, "do_not_call": 1, None: 1,
    },
    "aircall_calls_export.csv": {"connected": 1, None: 2},
    "genesys_interactions_export.csv": {
        "connected": 1, "voicemail": 1, "disconnected": 1, None: 1,
    },
    "ringcentral_call_log.csv": {"connected": 1, "no_answer": 1, "voicemail": 1, None: 1},
    "vicidial_call_log.csv": {"interested": 1, "no_answer": 1, "disconnected": 1, "callback": 1},
}  # fmt: skip


@pytest.mark.parametrize(("name", "outcomes"), CALL_SAMPLES.items())
def test_every_dialer_export_is_read_whole_with_its_statuses(
    tmp_path: Path, name: str, outcomes: dict[str | None, int]
) -> None:
    rows = sum(outcomes.values())
    raw = read_feed(landed(tmp_path, "call_logs", name), "call_logs")
    fully_read(raw, rows)
    calls = standardise_call_logs(raw, default_region="US")
    fully_read(calls, rows)  # a documented status is never quarantined as unmappable
    frame = calls.accepted
    counted = frame["disposition"].value_counts(dropna=False)
    assert {(None if pd.isna(k) else k): v for k, v in counted.items()} == outcomes
    # a call with no canonical disposition says why it was ignored
    assert frame["disposition_ignored"].notna().eq(frame["disposition"].isna()).all()
    assert frame["called_at"].notna().all() and frame["call_id"].notna().all()
    assert frame["phone_e164"].notna().all() and frame["phone_valid"].all()
    assert frame["duration_seconds"].notna().all()


def test_dialer_details_twilio_five9_vicidial(tmp_path: Path) -> None:
    landing = landed(
        tmp_path,
        "call_logs",
        "twilio_call_log.csv",
        "five9_call_log_report.csv",
        "vicidial_call_log.csv",
    )
    frame = standardise_call_logs(read_feed(landing, "call_logs")).accepted.set_index("call_id")
    twilio = frame.loc["CA1f2e3d4c5b6a79881726354453627184"]
    assert twilio["disposition_raw"] == "failed" and twilio["disposition_ignored"].startswith(
        "Twilio"
    )
    assert frame.loc["CA1f2e3d4c5b6a79881726354453627181", "duration_seconds"] == 125
    assert frame.loc["300000000001238", ["phone_e164", "duration_seconds"]].tolist() == [
        "+14155550171",
        62,  # LENGTH 0:01:02
    ]
    assert frame.loc["1714990200.125", "phone_e164"] == "+442071838750"  # phone_code 44
    assert frame.loc["1714990000.123", "contact_id"] == "00Q5g00000LmNoPEAV"  # vendor_lead_code


def test_ses_envelope_time_and_mailgun_legacy_webhooks(tmp_path: Path) -> None:
    landing = landed(
        tmp_path, "email_bounces", "ses_sns_notifications.jsonl", "mailgun_legacy_webhooks.jsonl"
    )
    raw = read_feed(landing, "email_bounces")
    fully_read(raw, 4)
    frame = standardise_email_bounces(raw).accepted.set_index("email")
    ses = frame.loc["sara.lindqvist@example.se"]
    assert ses["bounced_at"] == pd.Timestamp("2024-05-06T08:12:45.123Z")
    assert (ses["provider"], ses["bounce_type"], ses["enhanced_status"]) == ("ses", "hard", "5.1.1")
    assert frame.loc["luis.ortega@example.mx", ["bounce_type", "smtp_code"]].tolist() == [
        "hard",
        550,
    ]
    assert frame.loc["luis.ortega@example.mx", "bounced_at"] == pd.Timestamp(
        1714982400, unit="s", tz="UTC"
    )
    assert frame.loc["marc.dubois@example.fr", "bounce_type"] == "hard"  # dropped: hardfail
    assert frame.loc["emma.wilson@example.com", "bounce_type"] == "soft"  # dropped: maxfails

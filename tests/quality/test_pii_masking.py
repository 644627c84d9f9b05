"""Masking keeps enough to recognise a value and never the whole of it."""

import pandas as pd
import pytest

from hygiene_pipeline.quality.masking import (
    mask_email,
    mask_name,
    mask_phone,
    mask_record,
    mask_series,
    mask_text,
    pii_kind,
)


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane.doe@example.com", "j***@e***.com"),
        ("J@d.co.uk", "J***@d***.uk"),
        ("no-at-sign", "n***"),
        ("x@localhost", "x***@l***"),
    ],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+14155550100", "+1******0100"),
        ("+447700900123", "+4*******0123"),
        ("(415) 555-0100", "******0100"),
        ("12345", "*****"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_mask_name_keeps_initials_only() -> None:
    assert mask_name("jane van Dijk") == "J. V. D."
    assert mask_name("王小明") == "王."


def test_mask_text_masks_emails_and_phones_inside_free_text() -> None:
    text = (
        '{"email": "jane@example.com", "phone": "+1 415 555 0100", "id": "C-12", '
        '"mobile": "(415) 555-0199", "at": "2026-06-30T12:00:00"}'
    )

    masked = mask_text(text)

    assert "jane@example.com" not in masked and "555" not in masked
    assert "j***@e***.com" in masked and "+1******0100" in masked and "******0199" in masked
    assert "C-12" in masked and "2026-06-30T12:00:00" in masked


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("email", "email"),
        ("email_key", "email"),
        ("phone_e164", "phone"),
        ("mobile_phone_raw", "phone"),
        ("first_name", "name"),
        ("last_name_norm", "name"),
        ("raw", "text"),
        ("value", "text"),
        ("entity_id", None),
        ("record_key", None),
        ("status", None),
    ],
)
def test_pii_kind_by_column_name(column: str, kind: str | None) -> None:
    assert pii_kind(column) == kind


def test_mask_record_masks_personal_columns_and_keeps_keys() -> None:
    record = {"entity_id": "E1", "phone_e164": "+14155550100", "email_valid": True, "n": None}

    assert mask_record(record) == {
        "entity_id": "E1",
        "phone_e164": "+1******0100",
        "email_valid": True,
        "n": None,
    }


def test_mask_series_masks_every_value_and_keeps_missing() -> None:
    emails = pd.Series(["ann@example.com", None, "ann@example.com", "bo@x.org"], dtype=object)

    masked = mask_series("email", emails)

    assert masked.tolist()[0] == "a***@e***.com"
    assert masked.tolist()[2] == "a***@e***.com"
    assert masked.isna().tolist() == [False, True, False, False]
    assert mask_series("status", emails) is emails

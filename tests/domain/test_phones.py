"""Phone standardisation: every common format of US, GB, DE, CN and FR numbers to E.164."""

from __future__ import annotations

import pandas as pd
import phonenumbers
import pytest

from hygiene_pipeline.domain import column_ops
from hygiene_pipeline.domain.phone_metadata import metadata_read
from hygiene_pipeline.domain.phones import (
    national_significant_numbers,
    parse_keys,
    parse_phones,
    phone_keys,
)

# (raw, parsing region, expected E.164, expected extension)
FORMATS = [
    ("+1 212-555-0100", "US", "+12125550100", None),
    ("(212) 555-0100", "US", "+12125550100", None),
    ("212.555.0100", "US", "+12125550100", None),
    ("1-212-555-0100", "US", "+12125550100", None),
    ("001 212 555 0100", "DE", "+12125550100", None),
    ("011 44 20 7946 0018", "US", "+442079460018", None),
    ("+1 (212) 555-0100 x123", "US", "+12125550100", "123"),
    ("212-555-0100 ext. 45", "US", "+12125550100", "45"),
    ("+442079460018", "GB", "+442079460018", None),
    ("020 7946 0018", "GB", "+442079460018", None),
    ("+44 (0)20 7946 0018", "US", "+442079460018", None),
    ("0044 20 7946 0018", "GB", "+442079460018", None),
    ("07911 123456", "GB", "+447911123456", None),
    ("020 7946 0018 #12", "GB", "+442079460018", "12"),
    ("+49 30 1234567", "DE", "+49301234567", None),
    ("030 1234567", "DE", "+49301234567", None),
    ("0049 (0)30 123 4567", "DE", "+49301234567", None),
    ("0151 23456789", "DE", "+4915123456789", None),
    ("030/1234567 Ext 7", "DE", "+49301234567", "7"),
    ("+86 138 0013 8000", "CN", "+8613800138000", None),
    ("138-0013-8000", "CN", "+8613800138000", None),
    ("010 1234 5678", "CN", "+861012345678", None),
    ("0086 10 1234 5678", "CN", "+861012345678", None),
    ("+33 1 23 45 67 89", "FR", "+33123456789", None),
    ("01 23 45 67 89", "FR", "+33123456789", None),
    ("01.23.45.67.89", "FR", "+33123456789", None),
    ("0033 6 12 34 56 78", "FR", "+33612345678", None),
]


@pytest.mark.parametrize(("raw", "region", "e164", "extension"), FORMATS)
def test_formats_reach_e164(raw: str, region: str, e164: str, extension: str | None) -> None:
    out = parse_phones(pd.Series([raw]), pd.Series([region]))
    assert out.loc[0, "e164"] == e164
    assert out.loc[0, "valid"]
    assert out.loc[0, "extension"] == extension
    assert out.loc[0, "raw"] == raw.strip()


def test_type_and_region_follow_the_library() -> None:
    out = parse_phones(
        pd.Series(["+4915123456789", "+442079460018", "+18005550100", "+8613800138000"]), "US"
    )
    assert out["type"].tolist() == ["mobile", "fixed_line", "toll_free", "mobile"]
    assert out["region"].tolist() == ["DE", "GB", "US", "CN"]


def test_invalid_and_garbage_numbers() -> None:
    out = parse_phones(pd.Series(["12", "n/a", "", None, "+1 000 000 0000", "call me"]), "US")
    assert out["e164"].tolist() == ["+112", None, None, None, "+10000000000", None]
    assert not out["valid"].any()
    assert out.loc[0, "type"] == "unknown"
    assert out["raw"].tolist()[1:4] == ["n/a", None, None]


def test_region_applies_only_to_national_numbers() -> None:
    raw = pd.Series(["030 1234567", "030 1234567", "+49 30 1234567", "+49 30 1234567"])
    keys = phone_keys(raw, pd.Series(["DE", "GB", "DE", "GB"]))
    assert keys["region"].tolist() == ["DE", "GB", "", ""]
    assert keys["number"].nunique() == 2
    out = parse_phones(raw, pd.Series(["DE", "GB", "DE", "GB"]))
    assert out["e164"].tolist()[0] == "+49301234567"
    assert out["e164"].tolist()[1] != "+49301234567"


def test_formatting_noise_collapses_to_one_key() -> None:
    raw = pd.Series(["+1 (212) 555-0100", "+1.212.555.0100", "001 212 555 0100 x9", "+12125550100"])
    keys = phone_keys(raw, pd.Series("US", index=raw.index))
    assert keys["number"].unique().tolist() == ["+12125550100"]


def test_validity_matches_is_valid_number() -> None:
    numbers = ["+12125550100", "+11234567890", "+442079460018", "+4420794600", "+8613800138000"]
    e164s, valids, _, _ = parse_keys([(n, "") for n in numbers])
    assert valids == [phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in numbers]
    assert e164s == numbers


def test_process_pool_gives_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chinese trunk prefixes follow a pattern, so these keys are read per key by phonenumbers.
    raw = pd.Series([f"010 1234 {i:04d}" for i in range(60)] + ["garbage", "+1 212 555 0100"])
    keys = phone_keys(raw, pd.Series("CN", index=raw.index)).dropna(subset=["number"])
    assert (metadata_read(keys[["number", "region"]])["country_code"] == 0).sum() == 60
    in_process = parse_phones(raw, "CN", workers=1)
    monkeypatch.setattr(column_ops, "POOL_THRESHOLD", 10)
    pooled = parse_phones(raw, "CN", workers=2)
    pd.testing.assert_frame_equal(in_process, pooled)
    assert pooled["e164"].iloc[0] == "+861012340000"


def test_national_numbers_are_those_of_the_parse() -> None:
    raw = pd.Series([number for number, *_ in FORMATS] + ["+39 06 1234 5678", "+800 1234 5678"])
    region = pd.Series([r for _, r, *_ in FORMATS] + ["IT", "US"])
    e164 = parse_phones(raw, region)["e164"]
    expected = [
        phonenumbers.national_significant_number(phonenumbers.parse(number, r))
        for number, r in zip(raw, region, strict=True)
    ]
    assert national_significant_numbers(e164).tolist() == expected


def test_a_value_without_a_calling_code_keeps_its_digits() -> None:
    values = pd.Series(["+999 123", "212-555-0100", "+1", None])
    assert national_significant_numbers(values).tolist() == ["999123", "2125550100", "1", None]

"""Phone numbers: every plan yields valid numbers, every style reads back, and every number in the
landing files is a valid number of its owner's country under the region a reader would use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from landing_readers import e164, read_rows

from hygiene_pipeline.synthetic.phones import PLAN_INDEX, NumberBook, Style, allowed_styles
from hygiene_pipeline.synthetic.reference_data import JUNK_PHONES, NUMBER_PLANS


@pytest.fixture(scope="module")
def book() -> NumberBook:
    plans = np.repeat(np.arange(len(NUMBER_PLANS)), 200)
    return NumberBook.draw(np.random.default_rng(1), plans)


def test_every_plan_draws_unique_valid_numbers_of_its_country(book: NumberBook) -> None:
    numbers = book.e164(np.arange(len(book))).to_pylist()
    assert len(set(numbers)) == len(numbers)
    for number, plan in zip(numbers, book.plan, strict=True):
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.region_code_for_number(parsed) == NUMBER_PLANS[plan].country


@pytest.mark.parametrize("region_is_own", [True, False], ids=["own-region", "default-US"])
def test_every_allowed_style_reads_back_to_the_same_number(
    book: NumberBook, region_is_own: bool
) -> None:
    for index, plan in enumerate(NUMBER_PLANS):
        ids = np.flatnonzero(book.plan == index)[:20]
        expected = book.e164(ids).to_pylist()
        region = plan.country if region_is_own else "US"
        for style in allowed_styles(plan, region_is_own):
            written = book.format(ids, np.full(len(ids), style)).to_pylist()
            assert [e164(w, region) for w in written] == expected, (plan.name, Style(style).name)


def test_mobile_plans_are_mobile_numbers(book: NumberBook) -> None:
    mobile_types = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    for name in ("gb_mobile", "de_mobile_long", "cn_mobile", "fr_mobile"):
        ids = np.flatnonzero(book.plan == PLAN_INDEX[name])[:20]
        for number in book.e164(ids).to_pylist():
            assert phonenumbers.number_type(phonenumbers.parse(number)) in mobile_types


def test_crm_phones_are_valid_numbers_of_the_persons_country(crm_rows: pd.DataFrame) -> None:
    checked = 0
    for column in ("phone", "mobile_phone"):
        written = crm_rows[crm_rows[column] != ""]
        for raw, region, country in zip(
            written[column], written["region"], written["person_country"], strict=True
        ):
            if raw in JUNK_PHONES:
                assert e164(raw, region) is None
                continue
            number = e164(raw, region)
            assert number is not None, (raw, region)
            assert phonenumbers.region_code_for_number(phonenumbers.parse(number)) == country
            checked += 1
    assert checked > len(crm_rows) // 2
    for shape in (r"^\+\d+$", r"^\+\d+ ", r"^00\d", r"^\(", r"\d\.\d", r" (?:x|ext\.? |#)\d+$"):
        assert crm_rows["phone"].str.contains(shape).any(), shape


@pytest.mark.parametrize(
    ("feed", "name", "column"),
    [
        ("call_logs", "vicidial_call_export.csv", "phone_dialed"),
        ("call_logs", "dialer_calls_export.csv", "phone_dialed"),
        ("dnc_list", "national_dnc_registry.csv", "phone"),
        ("dnc_list", "internal_dnc_requests.csv", "phone"),
    ],
)
def test_numbers_without_a_country_read_with_the_default_region(
    generated_crm: Path, truth: dict, feed: str, name: str, column: str
) -> None:
    bad = set(truth["bad_rows"].loc[truth["bad_rows"]["file"] == name, "row_number"].astype(int))
    header, rows = read_rows(generated_crm / "landing" / feed / name, "utf-8")
    values = [row[header.index(column)] for i, row in enumerate(rows, 1) if i not in bad]
    dialled = [v for v in values if v]
    assert dialled and all(e164(v, "US") for v in dialled)

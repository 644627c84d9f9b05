"""Phone numbers: every plan yields valid numbers, every style reads back, every number on a real
person's record is a valid number of their country under the region a reader would use, and
every number in the call logs and do-not-call lists reads back with the region its file implies
(a national-format request without a country in at least one region)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from landing_readers import e164, read_rows
from observed import REGIONS

from hygiene_pipeline.synthetic.dnc_export import vanity
from hygiene_pipeline.synthetic.phones import PLAN_INDEX, NumberBook, Style, allowed_styles
from hygiene_pipeline.synthetic.reference_data import JUNK_PHONES, NUMBER_PLANS, US_JUNK_PHONES


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
    real = crm_rows[crm_rows["person_id"].str.startswith("P")]
    for column in ("phone", "mobile_phone"):
        written = real[real[column] != ""]
        for raw, region, country in zip(
            written[column], written["region"], written["person_country"], strict=True
        ):
            if raw in JUNK_PHONES or (raw in US_JUNK_PHONES and region == "US"):
                assert e164(raw, region) is None
                continue
            number = e164(raw, region)
            assert number is not None, (raw, region)
            assert phonenumbers.region_code_for_number(phonenumbers.parse(number)) == country
            checked += 1
    assert checked > len(real) // 2
    for shape in (r"^\+\d+$", r"^\+\d+ ", r"^00\d", r"^\(", r"\d\.\d", r" (?:x|ext\.? |#)\d+$"):
        assert crm_rows["phone"].str.contains(shape).any(), shape


@pytest.mark.parametrize(
    ("feed", "name", "column"),
    [
        ("call_logs", "vicidial_call_export.csv", "phone_dialed"),
        ("call_logs", "dialer_calls_export.csv", "phone_dialed"),
        ("dnc_list", "national_dnc_registry.csv", "phone"),
    ],
)
def test_numbers_without_a_country_read_with_the_default_region(
    generated_crm: Path, truth: dict, feed: str, name: str, column: str
) -> None:
    values = _column(generated_crm, truth, feed, name, column)
    assert values and all(e164(v, "US") for v in values)


def test_requests_with_a_country_read_with_it(generated_crm: Path, truth: dict) -> None:
    phones = _column(generated_crm, truth, "dnc_list", "regional_dnc_requests.csv", "phone")
    countries = _column(generated_crm, truth, "dnc_list", "regional_dnc_requests.csv", "country")
    assert phones and all(e164(p, c) for p, c in zip(phones, countries, strict=True))
    assert any(e164(p, r) and e164(p, r) != e164(p, "US") for p in phones for r in REGIONS), (
        "some requests are written in another region's national format"
    )  # national formats need their country


def test_requests_without_a_country_read_in_some_region(generated_crm: Path, truth: dict) -> None:
    phones = _column(generated_crm, truth, "dnc_list", "internal_dnc_requests.csv", "phone")
    assert phones and all(any(e164(p, r) for r in REGIONS) for p in phones)
    assert any(e164(p, r) and e164(p, r) != e164(p, "US") for p in phones for r in REGIONS), (
        "some requests are written in another region's national format"
    )


def test_vanity_letters_denote_the_number() -> None:
    book = NumberBook.draw(np.random.default_rng(3), np.full(400, PLAN_INDEX["us_new_york"]))
    ids = np.arange(len(book))
    written, possible = vanity(np.random.default_rng(4), book, ids)
    assert possible.any() and not possible.all()
    expected = book.e164(ids).to_pylist()
    for text, number, ok in zip(written.to_pylist(), expected, possible, strict=True):
        if ok:
            assert re.search(r"[A-Z]{4}$", text) and e164(text, "US") == number


def _column(generated_crm: Path, truth: dict, feed: str, name: str, column: str) -> list[str]:
    bad = set(truth["bad_rows"].loc[truth["bad_rows"]["file"] == name, "row_number"].astype(int))
    header, rows = read_rows(generated_crm / "landing" / feed / name, "utf-8")
    values = [row[header.index(column)] for i, row in enumerate(rows, 1) if i not in bad]
    return [v for v in values if v]

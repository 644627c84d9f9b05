"""Do-not-call entries in any written form reach the numbers they denote (cause: entries in
national format matched nobody and their people were dialled)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("written", "country"),
    [
        ("0121 276 1071", None),  # national format, no country, default region US
        ("0121 276 1071", "GB"),
        ("+44 121 276 1071", None),
        ("0044 121 276 1071", None),
        ("44 121 276 1071", None),  # international digits without the plus
        ("121-276-1071", "GB"),
    ],
)
def test_a_uk_number_written_any_way_blocks_the_person(
    world, written: str, country: str | None
) -> None:
    w = world()
    w.person("UK", phone="+441212761071", phone_region="GB", country="GB")
    w.person("OTHER")
    w.dnc_number(written, country=country)
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert scored.loc["UK", "is_dnc"]
    assert not scored.loc["UK", "on_dial_list"]
    assert "DNC list" in scored.loc["UK", "dnc_reason"]
    assert list(result.dial_list["entity_id"]) == ["OTHER"]
    assert result.dnc_unmatched.empty


def test_vanity_letters_become_keypad_digits(world) -> None:
    w = world()
    w.person("FLOWERS", phone="+18003569377")
    w.dnc_number("1-800-FLOWERS")
    assert w.scored().loc["FLOWERS", "is_dnc"]


def test_a_french_mobile_in_national_form_is_found_in_the_regions_we_know(world) -> None:
    w = world()
    w.person("P", mobile="+33612345678")
    w.records[0]["mobile_phone_region"] = "FR"
    w.dnc_number("06 12 34 56 78")
    assert w.scored().loc["P", "is_dnc"]


def test_entries_that_denote_no_known_number_are_reported(world) -> None:
    w = world()
    w.person("P")
    w.dnc_number("+442079460018")
    w.dnc_number("12345")
    result = w.score()
    assert not result.contacts.loc[0, "is_dnc"]
    unmatched = result.dnc_unmatched.set_index("phone_raw")
    assert set(unmatched.index) == {"+442079460018", "12345"}
    assert unmatched.loc["+442079460018", "reason"].startswith("a valid number (+442079460018)")
    assert unmatched.loc["12345", "reason"].startswith("not a valid number in US")
    assert list(unmatched["row_number"]) == [1, 2]
    listed = result.suppression_events
    assert set(listed.loc[listed["reason"] == "dnc_list", "value"]) == {"+442079460018"}

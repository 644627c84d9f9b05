"""Each compliance rule catches its own violation, from the evidence rather than the flags."""

from dataclasses import replace

import pandas as pd
import pytest

from hygiene_pipeline.quality.compliance import (
    ComplianceEvidence,
    _spellings,
    compliance_findings,
    entry_digits,
    spelled_by_entries,
)

AS_OF = pd.Timestamp("2026-06-30 12:00", tz="UTC")
PHONES = ["+14155550101", "+14155550102", "+14155550103"]


def evidence(**changes: object) -> ComplianceEvidence:
    """A compliant dial list of three persons, each with one opted-in member record."""
    base = {
        "dial_list": pd.DataFrame({"entity_id": ["E1", "E2", "E3"], "phone_e164": PHONES}),
        "golden": pd.DataFrame(
            {"entity_id": ["E1", "E2", "E3"], "do_not_call": False, "consent_valid": True}
        ),
        "members": pd.DataFrame(
            {
                "entity_id": ["E1", "E2", "E3"],
                "do_not_call": [False, None, False],
                "consent_status": "opted_in",
                "consent_expires_at": pd.to_datetime([None, "2027-01-01", None], utc=True),
            }
        ),
        "dnc_numbers": pd.Series(["+14155559999"]),
        "dnc_entries": pd.Series(["+1 415 555 9999", "0121 276 1071"]),
        "do_not_call_calls": pd.DataFrame({"phone_e164": [], "contact_id": []}, dtype=object),
        "contacts": pd.DataFrame(
            {"contact_id": ["c1", "c2", "c3"], "entity_id": ["E1", "E2", "E3"]}
        ),
        "member_numbers": pd.DataFrame(
            {
                "entity_id": ["E1", "E2", "E3"],
                "account_id": "A1",
                "phone_e164": PHONES,
                "work_line": True,
            }
        ),
        "phone_suppressions": pd.DataFrame(
            {
                "value": ["+14155558888", PHONES[0]],
                "entity_id": ["E9", "E9"],
                "scope": ["channel", "person"],
            }
        ),
        "as_of": AS_OF,
    }
    return ComplianceEvidence(**{**base, **changes})


def failed(ev: ComplianceEvidence) -> dict[str, list[str]]:
    """Failed rule -> offending entity ids."""
    return {
        f.rule: [k["entity_id"] for k in f.sample_keys]
        for f in compliance_findings(ev)
        if not f.passed
    }


def test_compliant_dial_list_passes_every_rule() -> None:
    assert failed(evidence()) == {}


def members_with(column: str, values: list) -> pd.DataFrame:
    members = evidence().members.copy()
    members[column] = values
    return members


@pytest.mark.parametrize(
    ("changes", "rule", "offenders"),
    [
        (
            {"members": members_with("do_not_call", [False, True, False])},
            "do_not_call_person",
            ["E2"],
        ),
        (
            {"golden": evidence().golden.assign(do_not_call=[False, False, True])},
            "do_not_call_person",
            ["E3"],
        ),
        ({"dnc_numbers": pd.Series([PHONES[0]])}, "do_not_call_number", ["E1"]),
        (
            {"do_not_call_calls": pd.DataFrame({"phone_e164": [PHONES[1]], "contact_id": [None]})},
            "do_not_call_request",
            ["E2"],
        ),
        (
            {
                "phone_suppressions": pd.DataFrame(
                    {
                        "value": [PHONES[2], PHONES[1]],
                        "entity_id": ["E9", "E2"],
                        "scope": ["channel", "person"],
                    }
                )
            },
            "suppressed_phone",
            ["E2", "E3"],
        ),
        (
            {"members": members_with("consent_status", ["opted_in", "opted_out", "opted_in"])},
            "no_valid_consent",
            ["E2"],
        ),
        (
            {
                "members": members_with(
                    "consent_expires_at", pd.to_datetime([None, "2026-06-01", None], utc=True)
                )
            },
            "no_valid_consent",
            ["E2"],
        ),
        (
            {"golden": evidence().golden.assign(consent_valid=[True, True, None])},
            "no_valid_consent",
            ["E3"],
        ),
        ({"members": evidence().members.iloc[:2]}, "no_valid_consent", ["E3"]),
    ],
)
def test_each_rule_catches_its_violation(changes: dict, rule: str, offenders: list[str]) -> None:
    assert failed(evidence(**changes)) == {rule: offenders}


def test_a_person_listed_twice_is_caught_a_shared_switchboard_is_not() -> None:
    dial = pd.DataFrame(
        {
            "entity_id": ["E1", "E2", "E2", "E3"],
            "phone_e164": [PHONES[0], PHONES[1], "+14155550109", PHONES[0]],
        }
    )

    findings = {f.rule: f for f in compliance_findings(evidence(dial_list=dial))}

    twice = findings["listed_twice"]
    assert twice.failed_count == 2
    assert {k["entity_id"] for k in twice.sample_keys} == {"E2"}
    assert all(k["phone_e164"].startswith("+1******") for k in twice.sample_keys)
    assert twice.hint and "Deduplicate" in twice.hint


@pytest.mark.parametrize(
    "written",
    ["(415) 555-0102", "415.555.0102", "1-415-555-0102", "+1 415 555 0102", "0014155550102",
     "011 1 415 555 0102", "4155550102"],
)  # fmt: skip
def test_an_entry_written_any_way_spells_the_dial_number(written: str) -> None:
    ev = evidence(dnc_entries=pd.Series([written]))
    assert failed(ev) == {"do_not_call_entry_digits": ["E2"]}


@pytest.mark.parametrize("written", ["0121 276 1071", "+44 (0)121 276 1071", "44 121 2761071"])
def test_a_national_uk_entry_spells_a_uk_dial_number(written: str) -> None:
    ev = evidence(
        dial_list=pd.DataFrame({"entity_id": ["E1"], "phone_e164": ["+441212761071"]}),
        dnc_entries=pd.Series([written]),
    )
    assert failed(ev) == {"do_not_call_entry_digits": ["E1"]}


def test_vanity_entries_spell_their_keypad_digits() -> None:
    ev = evidence(
        dial_list=pd.DataFrame({"entity_id": ["E1"], "phone_e164": ["+18003569377"]}),
        dnc_entries=pd.Series(["1-800-FLOWERS"]),
    )
    assert failed(ev) == {"do_not_call_entry_digits": ["E1"]}


def test_numbers_sharing_no_last_digits_with_an_entry_are_judged_as_when_each_is_parsed() -> None:
    # short national numbers (Niue, Saint Helena), an Italian leading zero, a number that does
    # not parse, and entries spelling some of them in each way people write numbers
    dial = pd.Series(
        ["+68341234", "+2903456", "+390612345678", "+4420797", "+441212761071", "+14155550102",
         "+4915123456789", "+9999123456", "+33142685300", "+14155550101 ext. 123", None]
    )  # fmt: skip
    entries = pd.Series(
        ["41234", "+290 3456", "06 1234 5678", "0044 20797", "+44 (0)121 276 1071",
         "4155550101", "015123456789", "9999123456", "1 42 68 53 01"]
    )  # fmt: skip
    written = entry_digits(entries)
    parsed_each = dial.map(
        lambda number: bool(_spellings(number) & written) if isinstance(number, str) else False
    )
    assert parsed_each.any() and not parsed_each.all()
    pd.testing.assert_series_equal(spelled_by_entries(dial, entries), parsed_each)


SWITCHBOARD = "+14155550100"


def switchboard_evidence(caller: str | None) -> ComplianceEvidence:
    """E1 and E2 both reached through one company switchboard; a `do_not_call` call on it
    named contact `caller` (None: no contact id)."""
    return evidence(
        dial_list=pd.DataFrame({"entity_id": ["E1", "E2"], "phone_e164": [SWITCHBOARD] * 2}),
        member_numbers=pd.DataFrame(
            {
                "entity_id": ["E1", "E2", "E3"],
                "account_id": "A1",
                "phone_e164": SWITCHBOARD,
                "work_line": True,
            }
        ),
        do_not_call_calls=pd.DataFrame({"phone_e164": [SWITCHBOARD], "contact_id": [caller]}),
    )


def test_a_colleagues_request_on_a_switchboard_binds_the_colleague_only() -> None:
    assert failed(switchboard_evidence("c3")) == {}
    assert failed(switchboard_evidence("c2")) == {"do_not_call_request": ["E2"]}


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 2, 1, 0]], ids=["as_read", "reversed"])
def test_a_switchboard_is_judged_per_account_whatever_the_records_order(order: list[int]) -> None:
    """E1 carries the desk line at two accounts; at A1 E2 carries it too. It is A1's
    switchboard, so E2's request binds E2 alone, in whichever order the rows arrive."""
    ev = switchboard_evidence("c2")
    numbers = pd.DataFrame(
        {
            "entity_id": ["E1", "E1", "E2", "E3"],
            "account_id": ["A2", "A1", "A1", "A3"],
            "phone_e164": SWITCHBOARD,
            "work_line": True,
        }
    )
    ev = replace(ev, member_numbers=numbers.iloc[order].reset_index(drop=True))
    assert failed(ev) == {"do_not_call_request": ["E2"]}


def test_a_request_naming_nobody_blocks_the_switchboard_for_everyone() -> None:
    assert failed(switchboard_evidence(None)) == {"do_not_call_request": ["E1", "E2"]}
    assert failed(switchboard_evidence("unknown")) == {"do_not_call_request": ["E1", "E2"]}


def test_a_request_on_a_line_only_one_person_has_blocks_it_whoever_is_named() -> None:
    ev = evidence(do_not_call_calls=pd.DataFrame({"phone_e164": [PHONES[0]], "contact_id": ["c3"]}))
    assert failed(ev) == {"do_not_call_request": ["E1"]}


def test_requests_named_to_nobody_leave_other_numbers_alone() -> None:
    ev = evidence(
        do_not_call_calls=pd.DataFrame({"phone_e164": ["+14155550999"], "contact_id": [None]})
    )
    assert failed(ev) == {}

"""Compliance rules for the dial list, checked again from the evidence, independently of scoring.

Why a second look: calling a do-not-call person or someone without consent is a legal risk, so
the published dial list is re-checked against the raw evidence (member records, the DNC list,
do-not-call dispositions, the suppression list) rather than only trusting the flags the scoring
step computed. Any violation fails a blocking check and holds back everything downstream.

Rules, each reported with the offending dial-list rows (entity_id, masked phone):
- `do_not_call_person`: a member record or the golden record says do-not-call;
- `do_not_call_number`: the number is on the DNC list in E.164;
- `do_not_call_entry_digits`: a DNC entry, however it was written, spells the number: its digits
  (vanity letters as keypad digits, international prefix `+`/`00`/`011` dropped) are the number's
  national significant number, with or without the national trunk prefix, with or without the
  country calling code. This compares digits with digits and shares no code with scoring's
  region-by-region reading, so an entry scoring failed to resolve still stops the list;
- `do_not_call_request`: a call on the number ended with a `do_not_call` disposition, and the
  request binds this person: the call named no one person by its contact id, named this person,
  or went to a number that is not a company switchboard (a work line on the records of several
  people of one account). A colleague's request on the switchboard binds the colleague, not the
  switchboard;
- `suppressed_phone`: the number is suppressed for everyone (scope `channel`: a DNC entry, a
  request made on it, a dead number), or for this person (scope `person`: their flag, opt-out or
  request, listed against every number of theirs);
- `no_valid_consent`: a member opted out, the golden record says consent is not valid, or no
  member opted in with consent unexpired at `as_of`;
- `listed_twice`: the person appears more than once (colleagues may share a switchboard
  number: each is one person to reach, so a shared number is not a duplicate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import phonenumbers

from hygiene_pipeline.quality.masking import mask_record
from hygiene_pipeline.quality.results import Finding, plain_record

DIAL_LIST_KEYS: list[str] = ["entity_id", "phone_e164"]

_HINTS = {
    "do_not_call_person": "Remove these persons from the dialer now; the do-not-call flag on a "
    "member record did not reach scoring — check the CRM flag mapping and linkage.",
    "do_not_call_number": "Remove these numbers from the dialer now; the DNC list was not applied "
    "— check that staging.dnc_list loaded and that phones match in E.164.",
    "do_not_call_entry_digits": "Remove these numbers from the dialer now; a DNC entry written "
    "in another form (national format, no country, vanity letters) spells the number but was "
    "not enforced — check curated.dnc_unmatched and the entry's country column.",
    "do_not_call_request": "Remove these numbers from the dialer now; a callee asked not to be "
    "called — check the do_not_call disposition mapping and call-to-person attribution.",
    "suppressed_phone": "Remove these numbers from the dialer now; scoring listed a number that "
    "curated.suppression_events suppresses — check the dial phone choice in scoring.",
    "no_valid_consent": "Remove these persons from the dialer now; consent is missing, expired or "
    "withdrawn — check consent_status/consent_expires_at mapping and the consent rule.",
    "listed_twice": "Deduplicate the dial list before dialling; the dial_list model emits a "
    "person more than once — check its joins.",
}


@dataclass(frozen=True)
class ComplianceEvidence:
    """Everything the rules look at, as plain frames read from the warehouse.

    - `dial_list`: `entity_id`, `phone_e164`;
    - `golden`: `entity_id`, `do_not_call`, `consent_valid`;
    - `members`: one row per source record: `entity_id`, `do_not_call`, `consent_status`,
      `consent_expires_at`;
    - `dnc_numbers`: E.164 numbers on the DNC list;
    - `dnc_entries`: the DNC entries as written (`staging.dnc_list.phone_raw`);
    - `do_not_call_calls`: `phone_e164`, `contact_id` of the calls that ended `do_not_call`;
    - `contacts`: `contact_id`, `entity_id` of the member records;
    - `member_numbers`: `entity_id`, `account_id`, `phone_e164`, `work_line` (a work number that
      is not a mobile) of every number on the member records;
    - `phone_suppressions`: the phone rows of `suppression_events`: `value`, `entity_id`,
      `scope` (`channel` or `person`).
    """

    dial_list: pd.DataFrame
    golden: pd.DataFrame
    members: pd.DataFrame
    dnc_numbers: pd.Series
    dnc_entries: pd.Series
    do_not_call_calls: pd.DataFrame
    contacts: pd.DataFrame
    member_numbers: pd.DataFrame
    phone_suppressions: pd.DataFrame
    as_of: pd.Timestamp


def compliance_findings(evidence: ComplianceEvidence, sample_size: int = 10) -> list[Finding]:
    """One finding per rule over the dial list's rows."""
    dial = evidence.dial_list.reset_index(drop=True)
    entity = dial["entity_id"]
    phone = dial["phone_e164"]
    members = evidence.members
    golden = evidence.golden

    dnc_person = _any_per_entity(entity, members["entity_id"], _flag(members["do_not_call"])) | (
        _any_per_entity(entity, golden["entity_id"], _flag(golden["do_not_call"]))
    )

    masks = {
        "do_not_call_person": dnc_person,
        "do_not_call_number": phone.isin(evidence.dnc_numbers.dropna()),
        "do_not_call_entry_digits": spelled_by_entries(phone, evidence.dnc_entries),
        "do_not_call_request": _requested(dial, evidence),
        "suppressed_phone": _suppressed(dial, evidence.phone_suppressions),
        "no_valid_consent": ~_has_valid_consent(entity, members, golden, evidence.as_of),
        "listed_twice": entity.duplicated(keep=False),
    }
    return [_finding(rule, mask, dial, sample_size) for rule, mask in masks.items()]


def entry_digits(entries: pd.Series) -> set[str]:
    """The digit strings of DNC entries: vanity letters as keypad digits, no punctuation, no
    international prefix."""
    digits = set()
    for text in entries.dropna().astype(str).unique():
        spelled = phonenumbers.convert_alpha_characters_in_number(text)
        plain = re.sub(r"\D", "", spelled)
        for prefix in ("011", "00"):
            if plain.startswith(prefix) and not spelled.lstrip().startswith("+"):
                plain = plain[len(prefix) :]
                break
        if plain:
            digits.add(plain)
    return digits


def _spellings(number: str) -> set[str]:
    """How a number's digits may be written: national significant number, with the trunk
    prefix, with the country code (and the trunk prefix kept, as people write "+44 (0)121")."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return {re.sub(r"\D", "", number)}
    national = phonenumbers.national_significant_number(parsed)
    code = str(parsed.country_code)
    region = phonenumbers.region_code_for_country_code(parsed.country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = (metadata.national_prefix if metadata else None) or ""
    return {national, trunk + national, code + national, code + trunk + national}


SPELLING_TAIL_DIGITS = 7
"""Trailing digits shared by every spelling of a number of ten digits or more (`_spellings`)."""


def spelled_by_entries(phones: pd.Series, entries: pd.Series) -> pd.Series:
    """Per dial-list number: whether any DNC entry's digits spell it.

    Every spelling ends with the national number, which has `SPELLING_TAIL_DIGITS` digits or
    more when an E.164 number has ten (a country code has three at most): such a number can be
    spelled only by an entry that ends in its last digits. Only those numbers, shorter ones and
    anything not written `+digits` are parsed: a parse costs about 0.1 ms, and a dial list holds
    hundreds of thousands of numbers against a DNC list's thousands of entries."""
    written = entry_digits(entries)
    tails = {digits[-SPELLING_TAIL_DIGITS:] for digits in written}
    spelled = [
        number
        for number in phones.dropna().unique()
        if _may_be_spelled(number, tails) and _spellings(number) & written
    ]
    return phones.isin(spelled)


def _may_be_spelled(number: str, tails: set[str]) -> bool:
    """False only for an E.164 number of ten digits or more whose last `SPELLING_TAIL_DIGITS`
    digits end none of the entries (`tails`)."""
    digits = number[1:]
    e164 = number.startswith("+") and digits.isascii() and digits.isdigit() and len(digits) >= 10
    return not e164 or digits[-SPELLING_TAIL_DIGITS:] in tails


def _requested(dial: pd.DataFrame, evidence: ComplianceEvidence) -> pd.Series:
    """Per dial-list row: a `do_not_call` call on its number binds this person (see the module
    docstring: only a named colleague's request on a switchboard leaves the others callable)."""
    numbers = evidence.member_numbers.dropna(subset=["entity_id", "phone_e164"])
    calls = _named(evidence.do_not_call_calls, evidence.contacts, numbers)
    # switchboards among the called numbers only: a million records carry millions of numbers
    called = numbers[numbers["phone_e164"].isin(calls["phone_e164"].dropna())]
    work = called[called["work_line"].astype("boolean").fillna(False).astype(bool)]
    # people per account and number: whatever order the records come in
    holders = work.groupby(["account_id", "phone_e164"])["entity_id"].nunique()
    switchboards = holders[holders > 1].index.get_level_values("phone_e164")
    colleague = calls["entity_id"].notna() & calls["phone_e164"].isin(switchboards)
    own = dial.reset_index().merge(
        calls.loc[colleague, ["phone_e164", "entity_id"]], on=["phone_e164", "entity_id"]
    )["index"]
    return dial["phone_e164"].isin(calls.loc[~colleague, "phone_e164"].dropna()) | (
        dial.index.isin(own)
    )


def _named(calls: pd.DataFrame, contacts: pd.DataFrame, numbers: pd.DataFrame) -> pd.DataFrame:
    """`phone_e164`, `entity_id` per call: the one person its contact id names; when it names
    several, the one of them who has the number; else missing."""
    calls = calls.reset_index(drop=True).rename_axis("call").reset_index()
    called = calls.dropna(subset=["contact_id"]).astype({"contact_id": str})
    # only the contacts and numbers of the calls' people: the calls are few, the records many
    ids = contacts.dropna().astype({"contact_id": str})
    ids = ids[ids["contact_id"].isin(called["contact_id"])].drop_duplicates()
    named = called.merge(ids)
    numbers = numbers.loc[
        numbers["entity_id"].isin(named["entity_id"]), ["entity_id", "phone_e164"]
    ]
    several = named["call"].duplicated(keep=False)
    holds = (
        named.merge(numbers.drop_duplicates(), how="left", indicator=True)["_merge"]
        .eq("both")
        .to_numpy()
    )
    named = named[~several.to_numpy() | holds]
    sole = named.drop_duplicates("call", keep=False).set_index("call")["entity_id"]
    named_entity = calls["call"].map(sole).astype(object)
    return calls.assign(entity_id=named_entity)[["phone_e164", "entity_id"]]


def _suppressed(dial: pd.DataFrame, suppressions: pd.DataFrame) -> pd.Series:
    """Per dial-list row: its number is suppressed for everyone, or for this person."""
    scope = suppressions.get("scope", pd.Series("channel", index=suppressions.index))
    for_all = suppressions.loc[scope.fillna("channel") == "channel", "value"]
    personal = suppressions.loc[scope == "person", ["value", "entity_id"]]
    mine = dial.reset_index().merge(
        personal, left_on=["phone_e164", "entity_id"], right_on=["value", "entity_id"]
    )["index"]
    return dial["phone_e164"].isin(for_all.dropna()) | dial.index.isin(mine)


def _has_valid_consent(
    entity: pd.Series, members: pd.DataFrame, golden: pd.DataFrame, as_of: pd.Timestamp
) -> pd.Series:
    """Per dial-list row: no member opted out, one opted in and unexpired, golden agrees."""
    status = members["consent_status"].astype("string").str.lower()
    expires = pd.to_datetime(members["consent_expires_at"], utc=True, errors="coerce")
    opted_in = (status == "opted_in").fillna(False) & (expires.isna() | (expires > as_of))
    opted_out = (status == "opted_out").fillna(False)
    golden_invalid = ~_flag(golden["consent_valid"])
    return _any_per_entity(entity, members["entity_id"], opted_in.astype(bool)) & ~(
        _any_per_entity(entity, members["entity_id"], opted_out.astype(bool))
        | _any_per_entity(entity, golden["entity_id"], golden_invalid)
    )


def _any_per_entity(entity: pd.Series, owners: pd.Series, flags: pd.Series) -> pd.Series:
    """Per dial-list row: whether any row owned by that entity has the flag (False if none)."""
    return entity.isin(owners[flags.to_numpy()].dropna().unique())


def _flag(values: pd.Series) -> pd.Series:
    """A boolean column as read back from SQL (None/NULL counts as False)."""
    return values.astype("boolean").fillna(False).astype(bool)


def _finding(rule: str, offending: pd.Series, dial: pd.DataFrame, sample_size: int) -> Finding:
    """The rule's result with a masked sample of offending dial-list keys."""
    count = int(offending.sum())
    sample = dial.loc[offending, DIAL_LIST_KEYS].head(sample_size).to_dict("records")
    return Finding(
        rule=rule,
        passed=count == 0,
        observed=f"{count:,} of {len(dial):,} dial-list rows",
        expected="no dial-list row",
        failed_count=count,
        sample_keys=tuple(plain_record(mask_record(key)) for key in sample),
        hint=_HINTS[rule],
    )

"""The ground truth agrees with the landing files under the scoring rules: evidence read back from
the files (not from the generator's internals) implies what people.csv says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from email_validator import EmailNotValidError, validate_email
from landing_readers import EXPIRY_FORMATS, TRUE_WORDS, e164, read_jsonl, read_rows

from hygiene_pipeline.contract import STATUSES as CONTRACT_STATUSES
from hygiene_pipeline.synthetic.call_export import DISPOSITION_CODES

AS_OF = datetime(2026, 6, 30, 12, 0, 0, tzinfo=UTC)
STATUSES = set(CONTRACT_STATUSES)
CODE_MEANING = {code: word for word, codes in DISPOSITION_CODES.items() for code in codes}


@pytest.fixture(scope="module")
def people(truth: dict) -> pd.DataFrame:
    frame = truth["people"].set_index("person_id")
    for column in ("is_dnc", "consent_valid", "is_callable", "on_dial_list"):
        frame[column] = frame[column] == "true"
    for column in ("calls_today", "calls_7d"):
        frame[column] = frame[column].astype(int)
    frame["intent_score"] = frame["intent_score"].astype(float)
    return frame


@pytest.fixture(scope="module")
def number_owners(crm_rows: pd.DataFrame) -> dict[str, set[str]]:
    """E.164 number -> people whose records show it."""
    owners: dict[str, set[str]] = {}
    for column in ("phone", "mobile_phone"):
        for raw, region, person in zip(
            crm_rows[column], crm_rows["region"], crm_rows["person_id"], strict=True
        ):
            number = e164(raw, region) if raw else None
            if number:
                owners.setdefault(number, set()).add(person)
    return owners


@pytest.fixture(scope="module")
def calls(
    generated_crm: Path, truth: dict, crm_rows: pd.DataFrame, number_owners: dict
) -> pd.DataFrame:
    """Every good call-log row with its canonical disposition and the people it reaches."""
    person_of = dict(zip(crm_rows["contact_id"], crm_rows["person_id"], strict=True))
    frames = []
    for name, fmt in (
        ("vicidial_call_export.csv", "%Y-%m-%d %H:%M:%S"),
        ("dialer_calls_export.csv", "%Y-%m-%dT%H:%M:%SZ"),
    ):
        bad = set(
            truth["bad_rows"].loc[truth["bad_rows"]["file"] == name, "row_number"].astype(int)
        )
        header, rows = read_rows(generated_crm / "landing" / "call_logs" / name, "utf-8")
        frame = pd.DataFrame([r for i, r in enumerate(rows, 1) if i not in bad], columns=header)
        frame["at"] = pd.to_datetime(frame["called_at"], format=fmt, utc=True)
        frame["disposition"] = frame["disposition"].map(lambda d: CODE_MEANING.get(d, d))
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame["number"] = [e164(raw, "US") if raw else None for raw in frame["phone_dialed"]]
    frame["people"] = [
        {person_of[contact]} if contact else number_owners.get(number, set())
        for contact, number in zip(frame["contact_id"], frame["number"], strict=True)
    ]
    return frame


def test_every_status_of_the_vocabulary_occurs(people: pd.DataFrame) -> None:
    assert set(people["status"]) == STATUSES
    prefix = [
        reason.startswith(f"{status}:")
        for reason, status in zip(people["status_reason"], people["status"], strict=True)
    ]
    assert all(prefix)


def test_calls_without_contact_id_reach_exactly_one_person(calls: pd.DataFrame) -> None:
    by_phone = calls[calls["contact_id"] == ""]
    assert len(by_phone) and (by_phone["people"].map(len) == 1).all()


def test_do_not_call_evidence_makes_people_dnc(
    people: pd.DataFrame,
    calls: pd.DataFrame,
    crm_rows: pd.DataFrame,
    generated_crm: Path,
    number_owners: dict,
) -> None:
    asked = set().union(*calls.loc[calls["disposition"] == "do_not_call", "people"])
    flagged = set(crm_rows.loc[crm_rows["do_not_call"].str.lower().isin(TRUE_WORDS), "person_id"])
    listed = set()
    for name in ("national_dnc_registry.csv", "internal_dnc_requests.csv"):
        header, rows = read_rows(generated_crm / "landing" / "dnc_list" / name, "utf-8")
        for row in rows:
            if len(row) == len(header) and row[0]:
                listed |= number_owners.get(e164(row[0], "US"), set())
    assert asked and flagged and listed
    assert people.loc[sorted(asked | flagged | listed), "is_dnc"].all()
    assert not people.loc[~people.index.isin(asked | flagged | listed), "is_dnc"].any()


def test_consent_follows_the_records(people: pd.DataFrame, crm_rows: pd.DataFrame) -> None:
    def expiry(value: str, file: str) -> datetime | None:
        if not value:
            return None
        return datetime.strptime(value, EXPIRY_FORMATS.get(file, "%Y-%m-%d")).replace(tzinfo=UTC)

    expires = [
        expiry(v, f) for v, f in zip(crm_rows["consent_expires_at"], crm_rows["file"], strict=True)
    ]
    unexpired = pd.Series([e is None or e > AS_OF for e in expires], index=crm_rows.index)
    current = (crm_rows["consent_status"] == "opted_in") & unexpired
    opted_out = set(crm_rows.loc[crm_rows["consent_status"] == "opted_out", "person_id"])
    valid = set(crm_rows.loc[current, "person_id"]) - opted_out
    assert set(people.index[people["consent_valid"]]) == valid


def test_status_signals_are_in_the_call_logs(people: pd.DataFrame, calls: pd.DataFrame) -> None:
    def people_with(disposition: str) -> set[str]:
        return set().union(*calls.loc[calls["disposition"] == disposition, "people"])

    left = people[people["status"] == "left_company"]
    assert set(left.index) <= people_with("left_company")
    for status, disposition in (
        ("company_closed", "company_closed"),
        ("company_relocated", "company_moved"),
    ):
        companies = set(people.loc[sorted(people_with(disposition)), "company_id"])
        assert set(people.loc[people["status"] == status, "company_id"]) <= companies


def test_invalid_contacts_have_every_number_killed(
    people: pd.DataFrame, calls: pd.DataFrame, crm_rows: pd.DataFrame
) -> None:
    killed = set(calls.loc[calls["disposition"].isin({"disconnected", "wrong_number"}), "number"])
    invalid = crm_rows[
        crm_rows["person_id"].isin(people.index[people["status"] == "invalid_contact"])
    ]
    numbers = {
        e164(raw, region)
        for column in ("phone", "mobile_phone")
        for raw, region in zip(invalid[column], invalid["region"], strict=True)
        if raw
    }
    assert numbers - {None} <= killed


def test_intent_tiers_follow_the_scores_with_margin(people: pd.DataFrame) -> None:
    active = people[people["status"] == "active"]
    assert (people.loc[people["status"] != "active", "intent_tier"] == "").all()
    expected = pd.cut(
        active["intent_score"], [-1, 15, 50, 101], right=False, labels=["low", "medium", "high"]
    )
    assert (active["intent_tier"] == expected.astype(str)).all()
    assert set(active["intent_tier"]) == {"low", "medium", "high"}
    score = active["intent_score"]
    assert not (score.between(12, 18) | score.between(45, 55)).any()


def test_frequency_cap_counts_match_the_call_logs(
    people: pd.DataFrame, calls: pd.DataFrame
) -> None:
    day_start = AS_OF.replace(hour=0, minute=0, second=0)
    today = calls[(calls["at"] >= day_start) & (calls["at"] <= AS_OF)]
    week = calls[(calls["at"] > AS_OF - timedelta(days=7)) & (calls["at"] <= AS_OF)]
    for frame, column in ((today, "calls_today"), (week, "calls_7d")):
        counted = pd.Series([p for reached in frame["people"] for p in reached]).value_counts()
        assert (counted.reindex(people.index, fill_value=0) == people[column]).all(), column
    capped = people[
        (people["status"] == "active") & people["is_callable"] & (people["calls_today"] >= 2)
    ]
    assert len(capped) and not capped["on_dial_list"].any()


def test_dial_list_follows_the_rule(people: pd.DataFrame) -> None:
    rule = (
        (people["status"] == "active")
        & people["is_callable"]
        & (people["calls_today"] < 2)
        & (people["calls_7d"] < 7)
    )
    assert (people["on_dial_list"] == rule).all() and rule.any()
    assert not (people["is_callable"] & (people["is_dnc"] | ~people["consent_valid"])).any()


def test_hard_negatives_are_present_and_genuinely_different_people(
    truth: dict, people: pd.DataFrame, crm_rows: pd.DataFrame
) -> None:
    pairs = truth["hard_negatives"]
    assert set(pairs["kind"]) == {"namesake", "shared_switchboard", "shared_role_mailbox"}
    assert (pairs["person_id_left"] != pairs["person_id_right"]).all()
    left = people.loc[pairs["person_id_left"]].reset_index()
    right = people.loc[pairs["person_id_right"]].reset_index()
    namesake = (pairs["kind"] == "namesake").to_numpy()
    same_name = (left["first_name"] == right["first_name"]) & (
        left["last_name"] == right["last_name"]
    )
    assert same_name[namesake].all() and (left["company_id"] != right["company_id"])[namesake].all()
    assert (left["company_id"] == right["company_id"])[~namesake].all()
    shows = crm_rows.assign(
        number=[
            e164(raw, region) if raw else None
            for raw, region in zip(crm_rows["phone"], crm_rows["region"], strict=True)
        ]
    )
    for row in pairs[pairs["kind"] == "shared_switchboard"].head(20).itertuples():
        holders = set(shows.loc[shows["number"] == row.shared_value, "person_id"])
        assert {row.person_id_left, row.person_id_right} <= holders
    mailbox = crm_rows["email"].str.strip().str.lower()
    for row in pairs[pairs["kind"] == "shared_role_mailbox"].head(20).itertuples():
        holders = set(crm_rows.loc[mailbox == row.shared_value, "person_id"])
        assert {row.person_id_left, row.person_id_right} <= holders


def test_true_emails_are_valid_and_record_emails_mostly_so(
    people: pd.DataFrame, crm_rows: pd.DataFrame
) -> None:
    def valid(address: str) -> bool:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            return False
        return True

    assert all(valid(address) for address in people["email"])
    written = crm_rows.loc[crm_rows["email"] != "", "email"].str.strip()
    broken = written[[not valid(address) for address in written]]
    assert 0 < len(broken) < 0.02 * len(written)
    assert (broken.str.contains("@@") | ~broken.str.contains("@")).all()


def test_engagement_events_reach_known_people(
    generated_crm: Path, crm_rows: pd.DataFrame, people: pd.DataFrame
) -> None:
    header, rows = read_rows(
        generated_crm / "landing" / "engagement_events" / "web_activity.csv", "utf-8"
    )
    ids = {row[0] for row in rows if len(row) == len(header)} - {"L-9999990"}
    assert ids <= set(crm_rows["contact_id"])

    def mailbox(addresses: pd.Series) -> set[str]:
        return set(addresses.str.strip().str.lower().str.replace(r"\+[^@]*@", "@", regex=True))

    emails = []
    for line in read_jsonl(
        generated_crm / "landing" / "engagement_events" / "email_activity.jsonl"
    ):
        try:
            emails.append(json.loads(line)["email"])
        except json.JSONDecodeError:
            continue
    assert emails and mailbox(pd.Series(emails)) <= mailbox(crm_rows["email"])

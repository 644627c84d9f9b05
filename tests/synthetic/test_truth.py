"""The ground truth is consistent, and every fact of it can be known from the landing files by a
careful reader (perhaps only through an indirect route), while nothing in the files contradicts
it. The reader here uses the files only: contact ids, numbers and mailboxes on the records, the
documented dispositions, event types and status codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from landing_readers import EXPIRY_FORMATS, TRUE_WORDS
from observed import Observed

from hygiene_pipeline.contract import STATUSES
from hygiene_pipeline.synthetic.truth import COARSE_STATUS

AS_OF = datetime(2026, 6, 30, 12, 0, 0, tzinfo=UTC)
ANSWERED = {"connected", "interested", "callback", "not_interested", "do_not_call"}
GENUINE_EVENTS = {"email_click", "form_submit", "demo_request", "meeting_booked"}
NEED_EVENTS = {"form_submit", "demo_request", "meeting_booked", "pricing_page_view"}
RESEARCH_EVENTS = {"web_visit", "pricing_page_view", "content_download", "email_click"}
DEAD_LINES = {"disconnected", "wrong_number"}


@pytest.fixture(scope="module")
def people(truth: dict) -> pd.DataFrame:
    frame = truth["people"].set_index("person_id")
    for column in (
        "is_ghost",
        "is_dnc",
        "consent_valid",
        "over_call_cap",
        "working_number",
        "dialable",
    ):
        frame[column] = frame[column] == "true"
    return frame


@pytest.fixture(scope="module")
def real(people: pd.DataFrame) -> pd.DataFrame:
    return people[~people["is_ghost"]]


def _since(observed: Observed, frame: str, days: float, **equals: object) -> set[str]:
    rows = getattr(observed, frame)
    rows = rows[rows["at"] > AS_OF - timedelta(days=days)]
    for column, value in equals.items():
        rows = rows[rows[column].isin(value)]
    return set().union(*rows["people"]) if len(rows) else set()


def _refusals(observed: Observed, crm_rows: pd.DataFrame) -> set[str]:
    flagged = crm_rows["do_not_call"].str.lower().isin(TRUE_WORDS)
    requests = observed.dnc[observed.dnc["file"] != "national_dnc_registry.csv"]
    return (
        observed.people_with("calls", disposition={"not_interested", "do_not_call"})
        | observed.people_with("events", event_type="unsubscribe")
        | set(crm_rows.loc[crm_rows["consent_status"] == "opted_out", "person_id"])
        | set(crm_rows.loc[flagged, "person_id"])
        | (set().union(*requests["people"]) if len(requests) else set())
    )


def test_every_status_occurs_and_the_coarse_status_follows(people: pd.DataFrame) -> None:
    assert set(people["status"]) == {*STATUSES, "ghost"}
    assert (people["coarse_status"] == people["status"].map(COARSE_STATUS)).all()
    assert (people.loc[people["is_ghost"], "status"] == "ghost").all()


def test_dialable_means_fit_for_the_dial_list(real: pd.DataFrame) -> None:
    fit = (
        (real["status"] == "active")
        & real["working_number"]
        & ~real["is_dnc"]
        & real["consent_valid"]
        & ~real["over_call_cap"]
    )
    assert (real["dialable"] == fit).all() and fit.sum() > 50
    assert not (real["is_dnc"] & real["dialable"]).any()
    assert real.loc[real["is_dnc"]].shape[0] > 10


def test_do_not_call_is_known_exactly(
    real: pd.DataFrame, observed: Observed, crm_rows: pd.DataFrame
) -> None:
    """A call disposition, a CRM flag or a list entry denoting one of their numbers (a
    national-format request without a country in any region)."""
    flagged = crm_rows["do_not_call"].str.lower().isin(TRUE_WORDS)
    told = (
        observed.people_with("calls", disposition="do_not_call")
        | set(crm_rows.loc[flagged, "person_id"])
        | set().union(*observed.dnc["people"])
    )
    assert set(real.index[real["is_dnc"]]) == told & set(real.index)
    requests = observed.dnc[observed.dnc["file"] == "internal_dnc_requests.csv"]
    national = [
        phone
        for phone, numbers in zip(requests["phone"], requests["numbers"], strict=True)
        if numbers and not phone.startswith(("+", "00", "011"))
    ]
    assert national, "some requests are written in a national format without a country"


def test_consent_is_known_exactly(
    real: pd.DataFrame, observed: Observed, crm_rows: pd.DataFrame
) -> None:
    """Valid: some record says opted in and unexpired, none says opted out or expired, and the
    person never unsubscribed."""

    def expiry(value: str, file: str) -> datetime | None:
        if not value:
            return None
        return datetime.strptime(value, EXPIRY_FORMATS.get(file, "%Y-%m-%d")).replace(tzinfo=UTC)

    expires = [
        expiry(v, f) for v, f in zip(crm_rows["consent_expires_at"], crm_rows["file"], strict=True)
    ]
    unexpired = pd.Series([e is None or e > AS_OF for e in expires], index=crm_rows.index)
    current = (crm_rows["consent_status"] == "opted_in") & unexpired
    taken_back = set(
        crm_rows.loc[crm_rows["consent_status"].isin({"opted_out", "expired"}), "person_id"]
    ) | set(crm_rows.loc[(crm_rows["consent_status"] == "opted_in") & ~unexpired, "person_id"])
    unsubscribed = observed.people_with("events", event_type="unsubscribe")
    valid = set(crm_rows.loc[current, "person_id"]) - taken_back - unsubscribed
    assert set(real.index[real["consent_valid"]]) == valid & set(real.index)
    only_unsubscribed = unsubscribed & set(crm_rows.loc[current, "person_id"]) - taken_back
    assert only_unsubscribed, "some withdrawals show only as an unsubscribe"


def test_departures_closures_and_moves_are_signalled(
    real: pd.DataFrame, observed: Observed, truth: dict, crm_rows: pd.DataFrame
) -> None:
    records = truth["records"]
    account_of = dict(zip(records["contact_id"], records["account"], strict=True))
    left = real[real["status"] == "left_company"]
    told = observed.people_with("calls", disposition="left_company")
    job_change = set(
        records.loc[records["account"] != records["person_id"].map(real["account"]), "person_id"]
    )
    unknown = observed.bounces[observed.bounces["status"].isin({"5.1.1", "5.1.10"})]
    bounced = set().union(*unknown["people"]) if len(unknown) else set()
    cut = observed.people_with("calls", disposition=DEAD_LINES)
    signalled = told | (job_change & set(real.index)) | (bounced & cut)
    assert set(left.index) <= signalled
    changers = set(real.index[real["new_account"] != ""])
    closed = set(real.index[real["status"] == "company_closed"])
    assert told - set(left.index) - closed - changers == set()

    for status, disposition in (
        ("company_relocated", "company_moved"),
        ("company_closed", "company_closed"),
    ):
        calls = observed.calls[observed.calls["disposition"] == disposition]
        reported = set(calls["contact_id"].map(account_of))
        assert set(real.loc[real["status"] == status, "account"]) <= reported, status


def test_nobody_reachable_means_every_channel_on_file_observed_dead(
    real: pd.DataFrame, observed: Observed, crm_rows: pd.DataFrame
) -> None:
    dead_numbers = set(observed.calls.loc[observed.calls["disposition"].isin(DEAD_LINES), "number"])
    hard = set(observed.bounces.loc[observed.bounces["status"].str.startswith("5."), "mailbox"])
    invalid = set(real.index[real["status"] == "invalid_contact"])
    assert invalid
    numbers_of: dict[str, set[str]] = {}
    for number, owners in observed.number_owners.items():
        for person in owners:
            numbers_of.setdefault(person, set()).add(number)
    mailboxes_of: dict[str, set[str]] = {}
    for address, owners in observed.mailbox_owners.items():
        for person in owners:
            mailboxes_of.setdefault(person, set()).add(address)
    for person in invalid:
        assert numbers_of.get(person, set()) <= dead_numbers, person
        assert mailboxes_of.get(person, set()) <= hard, person


def test_call_frequency_is_unambiguous(real: pd.DataFrame, observed: Observed) -> None:
    today = observed.calls[observed.calls["at"] >= AS_OF.replace(hour=0)]
    week = observed.calls[observed.calls["at"] > AS_OF - timedelta(days=7)]
    window = observed.calls[observed.calls["at"] > AS_OF - timedelta(days=8)]

    def count(frame: pd.DataFrame) -> pd.Series:
        reached = pd.Series([p for people in frame["people"] for p in people], dtype=object)
        return reached.value_counts().reindex(real.index, fill_value=0)

    over = (count(today) >= 3) | (count(week) >= 8)
    assert (over == real["over_call_cap"]).all() and over.any()
    assert (count(window)[~real["over_call_cap"]] <= 1).all()


def test_activity_is_known_from_genuine_interaction(real: pd.DataFrame, observed: Observed) -> None:
    """Active people answered a call, clicked, filled a form, asked for a demo or booked a
    meeting within six months; stale people did none of it (opens and logged outbound touches
    do not count)."""
    genuine = _since(observed, "calls", 180, disposition=ANSWERED) | _since(
        observed, "events", 180, event_type=GENUINE_EVENTS
    )
    open_people = real[real["status"].isin({"active", "stale_inactive"})]
    assert set(open_people.index[open_people["status"] == "active"]) == genuine & set(
        open_people.index
    )


def test_intent_tiers_are_known_from_needs_engagement_and_refusals(
    real: pd.DataFrame, observed: Observed, crm_rows: pd.DataFrame
) -> None:
    refused = _refusals(observed, crm_rows)
    need = _since(observed, "calls", 30, disposition={"interested", "callback"}) | _since(
        observed, "events", 30, event_type=NEED_EVENTS
    )
    engaged = _since(observed, "calls", 90, disposition={"interested", "callback"}) | _since(
        observed, "events", 90, event_type=NEED_EVENTS | RESEARCH_EVENTS
    )
    active = real[real["status"] == "active"]
    expected = pd.Series("low", index=active.index)
    expected[active.index.isin(engaged - refused)] = "medium"
    expected[active.index.isin(need - refused)] = "high"
    assert (active["intent_tier"] == expected).all()
    assert set(active["intent_tier"]) == {"high", "medium", "low"}

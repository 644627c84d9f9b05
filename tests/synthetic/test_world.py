"""The world and its observations, read back from the landing files: namesake companies, leavers'
mailboxes, dead domains, job changes, moves, ghosts, weak presence and realistic noise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from observed import Observed

AS_OF = datetime(2026, 6, 30, 12, 0, 0, tzinfo=UTC)
USER_UNKNOWN = {"5.1.1", "5.1.10"}
DOMAIN_GONE = {"5.1.2", "5.4.4"}


@pytest.fixture(scope="module")
def people(truth: dict) -> pd.DataFrame:
    return truth["people"].set_index("person_id")


@pytest.fixture(scope="module")
def accounts(truth: dict) -> pd.DataFrame:
    return truth["accounts"].set_index("account")


def _domain(address: str) -> str:
    return address.rpartition("@")[2]


def test_namesake_companies_have_different_domains_and_places(accounts: pd.DataFrame) -> None:
    namesakes = accounts[accounts["shares_name_with"] != ""]
    assert len(namesakes) >= 2
    for account, row in namesakes.iterrows():
        other = accounts.loc[row["shares_name_with"]]
        assert other["name"].split(" ")[:2] == row["name"].split(" ")[:2], account
        assert other["domain"] != row["domain"]
        assert (other["city"], other["country"]) != (row["city"], row["country"])


def test_leavers_mailboxes_say_user_unknown_while_colleagues_mail_works(
    observed: Observed, people: pd.DataFrame, accounts: pd.DataFrame
) -> None:
    unknown = observed.bounces[observed.bounces["status"].isin(USER_UNKNOWN)]
    corporate = set(accounts["domain"])
    at_work = unknown[unknown["mailbox"].map(_domain).isin(corporate)]
    assert len(at_work) > 0
    left = set(people.index[(people["status_since"] != "") | (people["new_account"] != "")])
    bounced_domains = set()
    for row in at_work.itertuples():
        assert row.people and row.people <= left, row.mailbox
        bounced_domains.add(_domain(row.mailbox))
    # Colleagues at the same domains receive mail: their mailboxes never bounce hard.
    hard = set(observed.bounces.loc[observed.bounces["status"].str.startswith("5."), "mailbox"])
    working = [
        address
        for address in observed.mailbox_owners
        if _domain(address) in bounced_domains and address not in hard
    ]
    assert len(working) > len(bounced_domains)


def test_closed_companies_domains_are_gone(observed: Observed, accounts: pd.DataFrame) -> None:
    gone = observed.bounces[observed.bounces["status"].isin(DOMAIN_GONE)]
    closed = accounts[accounts["status"] == "closed"]
    assert len(gone) > 0 and len(closed) > 0
    closed_on = dict(zip(closed["domain"], closed["fate_date"], strict=True))
    for row in gone.itertuples():
        domain = _domain(row.mailbox)
        assert domain in closed_on, domain
        assert row.at.date().isoformat() >= closed_on[domain]


def test_job_changers_reappear_at_another_company(
    truth: dict, people: pd.DataFrame, accounts: pd.DataFrame, crm_rows: pd.DataFrame
) -> None:
    """A new record at the new employer, never with an address at the old one, and with the
    personal mobile they took along; they carry on there (never `left_company`)."""
    changers = people[people["new_account"] != ""]
    assert len(changers) > 0
    records = truth["records"].merge(
        crm_rows[["contact_id", "email", "mobile_phone"]], on="contact_id"
    )
    for person, row in changers.iterrows():
        theirs = records[records["person_id"] == person]
        new = theirs[theirs["account"] == row["new_account"]]
        old = theirs[theirs["account"] == row["account"]]
        assert len(new) == 1 and len(old) >= 1 and row["status"] != "left_company"
        assert new["mobile_phone"].iloc[0] != ""
        address = new["email"].iloc[0].strip().lower()
        assert _domain(address) != accounts.loc[row["account"], "domain"]


def test_a_move_is_reported_by_one_or_two_colleagues(
    observed: Observed, truth: dict, accounts: pd.DataFrame
) -> None:
    account_of = dict(zip(truth["records"]["contact_id"], truth["records"]["account"], strict=True))
    reports = observed.calls[observed.calls["disposition"] == "company_moved"]
    per_account = reports["contact_id"].map(account_of).value_counts()
    moved = set(accounts.index[accounts["status"] == "relocated"])
    assert moved and set(per_account.index) == moved
    assert per_account.between(1, 2).all()
    closures = observed.calls[observed.calls["disposition"] == "company_closed"]
    closed = set(accounts.index[accounts["status"] == "closed"])
    assert set(closures["contact_id"].map(account_of)) == closed


def test_the_crm_is_the_last_to_know(
    observed: Observed, people: pd.DataFrame, crm_rows: pd.DataFrame
) -> None:
    """Leavers keep their old company on file and keep getting touched: recent last-activity
    dates and email opens after they left."""
    leavers = people[people["status"] == "left_company"]
    since = pd.to_datetime(leavers["status_since"], utc=True)
    opens = observed.events[observed.events["event_type"] == "email_open"]
    opened_after = {
        person
        for at, concerned in zip(opens["at"], opens["people"], strict=True)
        for person in concerned
        if person in since.index and at > since[person] + timedelta(days=1)
    }
    assert opened_after
    stale = set(people.index[people["status"] == "stale_inactive"])
    recent = crm_rows["last_activity_at"] > AS_OF - timedelta(days=90)
    assert (recent & crm_rows["person_id"].isin(stale)).any()


def test_ghost_records_are_junk_and_share_junk(truth: dict, crm_rows: pd.DataFrame) -> None:
    ghosts = crm_rows[crm_rows["person_id"].str.startswith("G")]
    records = truth["records"]
    assert len(ghosts) == (records["is_ghost"] == "true").sum() > 0
    assert (ghosts["email"].str.lower() == "test@test.com").sum() >= 2
    real = crm_rows[crm_rows["person_id"].str.startswith("P")]
    assert set(ghosts["phone"]) & set(real["phone"]) - {""}
    pairs = truth["hard_negatives"]
    assert (pairs["kind"] == "ghost_shared_junk_phone").any()
    ghost_people = truth["people"][truth["people"]["is_ghost"] == "true"]
    assert (ghost_people["status"] == "ghost").all() and (ghost_people["dialable"] == "false").all()


def test_calls_without_contact_id_reach_exactly_one_person(observed: Observed) -> None:
    by_number = observed.calls[observed.calls["contact_id"] == ""]
    assert len(by_number) and (by_number["people"].map(len) == 1).all()


def test_outbound_attempts_mostly_ring_out(observed: Observed) -> None:
    quiet = observed.calls["disposition"].isin({"no_answer", "voicemail", "busy"})
    assert 0.5 < quiet.mean() < 0.9

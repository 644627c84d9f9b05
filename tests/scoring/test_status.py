"""Status, reason and staleness under the evidence model: strong vs weak presence, departures and
closures read from channels, company news kept inside its account, moves resolved by data."""

from __future__ import annotations

import pytest

from hygiene_pipeline.scoring.settings import ScoringSettings

EFFECTS = {
    "connected": "active",
    "interested": "active",
    "callback": "active",
    "not_interested": "active",
    "voicemail": "stale_inactive",
    "no_answer": "stale_inactive",
    "busy": "stale_inactive",
    "disconnected": "stale_inactive",
    "wrong_number": "stale_inactive",
    "left_company": "left_company",
    "company_moved": "company_relocated",
    "company_closed": "company_closed",
    "do_not_call": "stale_inactive",
}


def silent(w, entity_id: str, **values) -> str:
    """A person with no presence of any kind."""
    return w.person(entity_id, presence_days=None, last_activity_days=None, **values)


@pytest.mark.parametrize(("disposition", "status"), sorted(EFFECTS.items()))
def test_each_disposition_on_a_silent_person(world, disposition: str, status: str) -> None:
    w = world()
    phone = silent(w, "P")
    w.call(5, disposition, contact_id="P", phone=phone)
    person = w.scored().loc["P"]

    assert person["status"] == status
    assert person["is_callable"] == (
        disposition not in {"disconnected", "wrong_number", "do_not_call"}
    )
    assert person["is_dnc"] == (disposition == "do_not_call")
    assert person["status_reason"].startswith(f"{status}: ")
    if status in ("left_company", "company_relocated", "company_closed"):
        assert f"call disposition {disposition} on {w.ago(5):%Y-%m-%d}" in person["status_reason"]


def test_reason_names_the_last_strong_presence_and_its_date(world) -> None:
    w = world()
    silent(w, "P")
    w.call(3, "connected", contact_id="P")
    person = w.scored().loc["P"]
    assert person["status_reason"] == (
        f"active: last strong presence answered call (connected) on {w.ago(3):%Y-%m-%d}"
    )
    assert person["last_presence_at"] == w.ago(3)


@pytest.mark.parametrize(
    ("first", "second", "winner"),
    [
        ("company_closed", "left_company", "company_closed"),
        ("left_company", "company_closed", "company_closed"),
        ("company_closed", "company_moved", "company_closed"),
        ("left_company", "company_moved", "left_company"),
        ("company_moved", "left_company", "left_company"),
    ],
)
def test_precedence_between_status_signals(world, first: str, second: str, winner: str) -> None:
    w = world()
    silent(w, "P")
    w.call(20, first, contact_id="P")
    w.call(10, second, contact_id="P")
    assert w.scored().loc["P", "status"] == winner


# Cause 1: company news spreads inside one account, never by company name.


def test_a_closure_spreads_to_colleagues_of_the_account_only(world) -> None:
    w = world()
    silent(w, "LEEDS_1", company="Smith Logistics", email="a@smith-leeds.co.uk")
    silent(w, "LEEDS_2", company="Smith Logistics", email="b@smith-leeds.co.uk")
    silent(w, "OHIO", company="Smith Logistics", email="c@smithlogistics.com")
    w.call(10, "company_closed", contact_id="LEEDS_1")
    scored = w.scored()
    assert scored.loc["LEEDS_1", "status"] == "company_closed"
    assert scored.loc["LEEDS_2", "status"] == "company_closed"
    assert scored.loc["OHIO", "status"] == "stale_inactive"
    assert scored.loc["LEEDS_2", "account_id"] != scored.loc["OHIO", "account_id"]


def test_a_closure_is_outweighed_by_a_colleague_answering_a_work_line_later(world) -> None:
    w = world()
    silent(w, "A", company="Acme")
    w.person("B", company="Acme", presence_days=5)
    w.call(20, "company_closed", contact_id="A")
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert set(scored["status"]) == {"active", "stale_inactive"}
    assert set(result.accounts["status"]) == {"active"}


def test_a_move_reported_by_one_colleague_relocates_the_account(world) -> None:
    w = world()
    w.person("A", company="Acme")
    w.person("B", company="Acme")
    w.call(30, "company_moved", contact_id="A")
    result = w.score()
    assert set(result.contacts["status"]) == {"company_relocated"}
    account = result.accounts.iloc[0]
    assert account["status"] == "relocated"
    assert "1 report(s)" in account["status_reason"]


# Cause 3: weak presence never beats strong absence.


@pytest.mark.parametrize("weak", ["crm_activity", "email_open"])
@pytest.mark.parametrize("signal", ["left_company_call", "user_unknown_bounce"])
def test_weak_presence_does_not_cancel_a_departure(world, weak: str, signal: str) -> None:
    w = world()
    w.person("P", company="Acme", presence_days=60, last_activity_days=None)
    silent(w, "COLLEAGUE", company="Acme")
    if signal == "left_company_call":
        w.call(30, "left_company", contact_id="P")
    else:
        w.bounce(30, "p@acme.com", enhanced_status="5.1.1", smtp_code=550)
    if weak == "crm_activity":
        w.records[0]["last_activity_at"] = w.ago(2)
    else:
        w.event(2, "email_open", email="p@acme.com")
    person = w.scored().loc["P"]
    assert person["status"] == "left_company"
    assert not person["on_dial_list"]


def test_a_later_answered_work_line_cancels_a_departure_but_a_mobile_does_not(world) -> None:
    w = world()
    work = w.person("WORK", company="Acme", mobile="+12125559001", presence_days=None)
    w.person("MOBILE", company="Beta", mobile="+12125559002", presence_days=None)
    w.call(30, "left_company", contact_id="WORK")
    w.call(30, "left_company", contact_id="MOBILE")
    w.call(10, "connected", phone=work)
    w.call(10, "connected", phone="+12125559002")
    scored = w.scored()
    assert scored.loc["WORK", "status"] == "active"
    assert scored.loc["MOBILE", "status"] == "left_company"


def test_weak_presence_keeps_a_person_fresh_only_when_configured(world) -> None:
    for keeps, status in ((False, "stale_inactive"), (True, "active")):
        w = world(ScoringSettings(weak_presence_keeps_fresh=keeps))
        w.person("P", presence_days=400, last_activity_days=3)
        person = w.scored().loc["P"]
        assert person["status"] == status
        if not keeps:
            assert "weak presence only (CRM activity" in person["status_reason"]


# Cause 4: a relocation is resolved only by newer address or phone data.


def test_presence_does_not_resolve_a_move(world) -> None:
    w = world()
    w.person("P", company="Acme", street="1 Old Road", postal_code_key="10001")
    w.call(40, "company_moved", contact_id="P")
    w.call(5, "connected", contact_id="P")
    assert w.scored().loc["P", "status"] == "company_relocated"


@pytest.mark.parametrize(
    ("street", "postal", "resolved"),
    [("9 New Street", "10002", True), ("1 Old Road", "10001", False)],
)
def test_a_record_updated_with_a_new_address_brings_its_person_up_to_date(
    world, street: str, postal: str, resolved: bool
) -> None:
    w = world()
    w.person(
        "P", company="Acme", street="1 Old Road", postal_code_key="10001", updated_at=w.ago(90)
    )
    w.person(
        "Q",
        company="Acme",
        street=street,
        postal_code_key=postal,
        updated_at=w.ago(10),
        phone=None,
        mobile="+12125559600",
    )
    w.call(40, "company_moved", contact_id="P")
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert scored.loc["P", "status"] == "company_relocated"
    assert scored.loc["Q", "status"] == ("active" if resolved else "company_relocated")
    assert result.accounts.loc[0, "status"] == "relocated"
    assert f"{int(resolved)} of 2 people's records" in result.accounts.loc[0, "status_reason"]


def test_a_changed_work_line_brings_a_person_up_to_date_but_a_line_seen_once_does_not(
    world,
) -> None:
    w = world()
    w.person("P", company="Acme", updated_at=w.ago(90))
    w.person("HIRE", company="Acme", updated_at=w.ago(10))
    w.call(40, "company_moved", contact_id="P")
    assert set(w.scored()["status"]) == {"company_relocated"}
    w.record("P", contact_id="P-2", company="Acme", phone_e164="+12125559500",
             email="p@acme.com", updated_at=w.ago(5))  # fmt: skip
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert (scored.loc["P", "status"], scored.loc["HIRE", "status"]) == (
        "active",
        "company_relocated",
    )
    assert "1 of 2 people's records" in result.accounts.loc[0, "status_reason"]


# Cause 5: channel deaths read as departures and closures.


def test_user_unknown_on_a_corporate_mailbox_is_a_departure_despite_a_working_mobile(
    world,
) -> None:
    w = world()
    phone = w.person("P", company="Acme", mobile="+12125559100", presence_days=60)
    w.person("COLLEAGUE", company="Acme")
    w.bounce(20, "p@acme.com", enhanced_status="5.1.1", smtp_code=550)
    w.call(15, "disconnected", phone=phone)
    person = w.scored().loc["P"]
    assert person["status"] == "left_company"
    assert "hard bounce 5.1.1 on the corporate mailbox" in person["status_reason"]
    assert "work line dead since" in person["status_reason"]


def test_a_hard_bounce_on_free_mail_only_kills_that_address(world) -> None:
    w = world()
    w.person("P", email="someone@gmail.com")
    w.bounce(20, "someone@gmail.com", enhanced_status="5.1.1", smtp_code=550)
    person = w.scored().loc["P"]
    assert person["status"] == "active"
    assert not person["is_emailable"]
    assert person["is_callable"]


def test_a_dead_domain_and_dead_work_lines_close_the_account(world) -> None:
    w = world()
    a = w.person("A", company="Acme", mobile="+12125559200", presence_days=90)
    w.person("B", company="Acme", presence_days=90)
    w.bounce(20, "a@acme.com", enhanced_status="5.1.2", smtp_code=550)
    w.bounce(19, "b@acme.com", diagnostic="Host or domain name not found")
    w.call(15, "disconnected", phone=a)
    result = w.score()
    assert set(result.contacts["status"]) == {"company_closed"}
    assert "mail domain dead" in result.accounts.iloc[0]["status_reason"]


def test_a_dead_domain_alone_only_kills_the_addresses(world) -> None:
    w = world()
    w.person("A", company="Acme", presence_days=90)
    w.bounce(20, "a@acme.com", enhanced_status="5.1.2", smtp_code=550)
    person = w.scored().loc["A"]
    assert person["status"] == "active"
    assert not person["is_emailable"]


def test_user_unknown_is_not_a_departure_at_a_dead_domain(world) -> None:
    w = world()
    w.person("A", company="Acme", presence_days=90)
    w.bounce(30, "a@acme.com", enhanced_status="5.1.2", smtp_code=550)
    w.bounce(20, "a@acme.com", enhanced_status="5.1.1", smtp_code=550)
    w.bounce(10, "a@acme.com", enhanced_status="5.1.2", smtp_code=550)
    assert w.scored().loc["A", "status"] != "left_company"


def test_departure_from_a_former_employer_does_not_mark_the_new_job(world) -> None:
    w = world()
    w.person("P", company="Old Corp", updated_at=w.ago(400), presence_days=None)
    w.record(
        "P",
        contact_id="P-new",
        email="p@new-corp.com",
        company="New Corp",
        phone_e164="+12125559300",
        updated_at=w.ago(20),
    )
    w.bounce(30, "p@old-corp.com", enhanced_status="5.1.1", smtp_code=550)
    w.call(10, "connected", phone="+12125559300")
    result = w.score()
    assert result.contacts.set_index("entity_id").loc["P", "status"] == "active"
    departures = result.accounts.set_index("name")["departures"]
    assert departures["Old Corp"] == 1
    assert departures["New Corp"] == 0


# Channels and dormancy.


def test_invalid_contact_needs_every_channel_gone(world) -> None:
    w = world()
    phone = w.person("P", mobile="+12125559400", email="p@gmail.com", presence_days=60)
    w.call(20, "disconnected", phone=phone)
    w.bounce(15, "p@gmail.com", enhanced_status="5.1.1", smtp_code=550)
    assert w.scored().loc["P", "status"] == "active"
    w.call(10, "wrong_number", phone="+12125559400")
    person = w.scored().loc["P"]
    assert person["status"] == "invalid_contact"
    assert "no usable phone" in person["status_reason"]
    assert "hard bounce 5.1.1" in person["status_reason"]


def test_a_click_from_the_mailbox_revives_it_after_a_hard_bounce(world) -> None:
    w = world()
    w.person("P", email="p@gmail.com")
    w.bounce(20, "p@gmail.com", enhanced_status="5.1.1", smtp_code=550)
    w.event(5, "email_click", email="p@gmail.com")
    assert w.scored().loc["P", "is_emailable"]


@pytest.mark.parametrize(("days", "score"), [(0, 0.0), (182, 50.0), (273, 75.0), (364, 100.0)])
def test_staleness_rises_linearly_to_twice_the_dormancy_threshold(
    world, days: float, score: float
) -> None:
    w = world()
    w.person("P", presence_days=days, last_activity_days=None)
    assert w.scored().loc["P", "staleness_score"] == pytest.approx(score, abs=0.1)


def test_staleness_floor_for_negative_statuses(world) -> None:
    w = world()
    w.person("P", presence_days=10)
    w.call(5, "left_company", contact_id="P")
    person = w.scored().loc["P"]
    assert person["status"] == "left_company"
    assert person["staleness_score"] == 80.0


def test_dormancy_threshold_is_configurable(world) -> None:
    w = world(ScoringSettings(dormant_after_days=30))
    w.person("P", presence_days=40)
    assert w.scored().loc["P", "status"] == "stale_inactive"
    w = world()
    w.person("P", presence_days=40)
    assert w.scored().loc["P", "status"] == "active"


def test_evidence_after_as_of_is_not_yet_known(world) -> None:
    w = world()
    silent(w, "P")
    w.call(10, "connected", contact_id="P")
    w.call(2, "left_company", contact_id="P")
    assert w.scored(as_of=w.ago(5)).loc["P", "status"] == "active"
    assert w.scored().loc["P", "status"] == "left_company"


def test_a_person_of_ghost_records_is_a_ghost_never_dialled_or_emailed(world) -> None:
    w = world()
    w.person(
        "GHOST",
        first_name="Test",
        last_name="Test",
        email="test@test.com",
        phone="+15555550123",
        company="ACME",
        presence_days=5,
    )
    w.person("REAL", first_name="Ann", last_name="Lee")
    person = w.scored().loc["GHOST"]
    assert person["status"] == "ghost"
    assert person["status_reason"].startswith("ghost: every record is a placeholder (name")
    assert not person["on_dial_list"]
    assert not person["is_emailable"]
    assert w.scored().loc["REAL", "status"] == "active"


def test_when_every_record_changed_since_the_move_the_oldest_address_is_the_old_office(
    world,
) -> None:
    """Two addresses, one record each, both updated after the report: the office the CRM knew is
    the one the older record shows, whatever order the records come in, so only the newer
    record's person is up to date."""
    w = world()
    w.person("NEW", company="Acme", street="9 New Street", postal_code_key="10002",
             updated_at=w.ago(10), phone=None, mobile="+12125559600")  # fmt: skip
    w.person("OLD", company="Acme", street="1 Old Road", postal_code_key="10001",
             updated_at=w.ago(20))  # fmt: skip
    w.call(40, "company_moved", contact_id="OLD")
    scored = w.scored()
    assert scored.loc["OLD", "status"] == "company_relocated"
    assert scored.loc["NEW", "status"] == "active"

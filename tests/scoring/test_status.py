"""Status, reason and staleness: each disposition's effect, precedence, newer-outweighs-older."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(("disposition", "status"), sorted(EFFECTS.items()))
def test_each_disposition_on_a_silent_person(world, disposition: str, status: str) -> None:
    w = world()
    phone = w.person("P", last_activity_days=500)
    w.call(5, disposition, contact_id="P", phone=phone)
    person = w.scored().loc["P"]

    assert person["status"] == status
    assert person["is_callable"] == (
        disposition not in {"disconnected", "wrong_number", "do_not_call"}
    )
    assert person["is_dnc"] == (disposition == "do_not_call")
    assert person["is_emailable"]
    if status not in ("active", "stale_inactive"):
        assert person["status_reason"] == (
            f"{status}: call disposition {disposition} on {w.ago(5):%Y-%m-%d}"
        )


def test_reason_names_the_last_presence_and_its_date(world) -> None:
    w = world()
    w.person("P", last_activity_days=500)
    w.call(3, "connected", contact_id="P")
    person = w.scored().loc["P"]
    assert person["status_reason"] == f"active: last presence call connected on {w.ago(3):%Y-%m-%d}"
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
    w.person("P", last_activity_days=300)
    w.call(20, first, contact_id="P")
    w.call(10, second, contact_id="P")
    assert w.scored().loc["P", "status"] == winner


@pytest.mark.parametrize("disposition", ["left_company", "company_moved", "company_closed"])
def test_status_signal_outranks_invalid_contact(world, disposition: str) -> None:
    w = world()
    phone = w.person("P", email=None, last_activity_days=300)
    w.call(20, "disconnected", phone=phone)
    w.call(10, disposition, contact_id="P")
    person = w.scored().loc["P"]
    assert person["status"] == {"company_moved": "company_relocated"}.get(disposition, disposition)
    assert not person["is_callable"]


def test_invalid_contact_outranks_stale_and_needs_every_channel_gone(world) -> None:
    w = world()
    phone = w.person("GONE", last_activity_days=900, mobile="+12125559999")
    w.call(40, "disconnected", phone=phone)
    w.call(30, "wrong_number", phone="+12125559999")
    w.bounce(20, "gone@example.com", enhanced_status="5.1.1")
    phone = w.person("EMAIL_LEFT", last_activity_days=900)
    w.call(30, "disconnected", phone=phone)
    w.person("PHONE_LEFT", last_activity_days=900)
    w.bounce(20, "phone_left@example.com", enhanced_status="5.1.1")
    w.person("NOTHING", phone=None, email=None)
    scored = w.scored()

    assert scored.loc["GONE", "status"] == "invalid_contact"
    assert scored.loc["GONE", "status_reason"] == (
        f"invalid_contact: no usable phone: wrong_number on {w.ago(30):%Y-%m-%d} (2 numbers); "
        f"no usable email: hard bounce 5.1.1 on {w.ago(20):%Y-%m-%d}"
    )
    assert scored.loc["NOTHING", "status_reason"] == (
        "invalid_contact: no phone number; no email address"
    )
    assert scored.loc["EMAIL_LEFT", "status"] == "stale_inactive"
    assert not scored.loc["EMAIL_LEFT", "is_callable"]
    assert scored.loc["EMAIL_LEFT", "is_emailable"]
    assert scored.loc["PHONE_LEFT", "status"] == "stale_inactive"
    assert scored.loc["PHONE_LEFT", "is_callable"]
    assert not scored.loc["PHONE_LEFT", "is_emailable"]


def test_a_working_channel_on_another_member_record_keeps_the_person_reachable(world) -> None:
    w = world()
    phone = w.person("P", last_activity_days=900)
    w.record("P", contact_id="P-old", phone_e164="+12125554321", email="p.old@example.com")
    w.call(40, "disconnected", phone=phone)
    w.bounce(20, "p@example.com", enhanced_status="5.1.1")
    person = w.scored().loc["P"]
    assert person["status"] == "stale_inactive"
    assert person["dial_phone_e164"] == "+12125554321"
    assert person["is_callable"]
    assert not person["is_emailable"]


@pytest.mark.parametrize(
    ("signal_days", "presence_days", "expected"), [(100, 10, "active"), (10, 100, "left_company")]
)
def test_newer_evidence_outweighs_older_status_signal(
    world, signal_days: int, presence_days: int, expected: str
) -> None:
    w = world()
    w.person("P", last_activity_days=None)
    w.call(signal_days, "left_company", contact_id="P")
    w.event(presence_days, "web_visit", contact_id="P")
    assert w.scored().loc["P", "status"] == expected


@pytest.mark.parametrize(
    ("signal_days", "presence_days", "expected"), [(50, 10, "active"), (10, 50, "company_closed")]
)
def test_company_level_signal_is_outweighed_by_own_later_presence(
    world, signal_days: int, presence_days: int, expected: str
) -> None:
    w = world()
    w.person("REPORTED", company_key="acme", last_activity_days=None)
    w.person("COLLEAGUE", company_key="acme", last_activity_days=presence_days)
    w.person("ELSEWHERE", company_key="globex")
    w.call(signal_days, "company_closed", contact_id="REPORTED")
    scored = w.scored()
    assert scored.loc["REPORTED", "status"] == "company_closed"
    assert scored.loc["COLLEAGUE", "status"] == expected
    assert scored.loc["ELSEWHERE", "status"] == "active"
    if expected == "company_closed":
        assert scored.loc["COLLEAGUE", "status_reason"].endswith(
            "(call to a colleague at the same company)"
        )


def test_company_level_signals_can_be_switched_off(world) -> None:
    from hygiene_pipeline.scoring.settings import ScoringSettings

    w = world(ScoringSettings(company_level_signals=False))
    w.person("REPORTED", company_key="acme")
    w.person("COLLEAGUE", company_key="acme")
    w.call(1, "company_moved", contact_id="REPORTED")
    scored = w.scored()
    assert scored.loc["REPORTED", "status"] == "company_relocated"
    assert scored.loc["COLLEAGUE", "status"] == "active"


@pytest.mark.parametrize(
    ("bounce_days", "answered_days", "emailable"), [(50, 10, True), (10, 50, False)]
)
def test_connected_call_after_a_bounce_means_still_there(
    world, bounce_days: int, answered_days: int, emailable: bool
) -> None:
    w = world()
    w.person("P", last_activity_days=None)
    w.bounce(bounce_days, "p@example.com", enhanced_status="5.1.1")
    w.call(answered_days, "connected", contact_id="P")
    person = w.scored().loc["P"]
    assert person["status"] == "active"
    assert person["is_emailable"] == emailable


def test_hard_bounce_after_the_last_presence_leaves_no_channel(world) -> None:
    w = world()
    w.person("P", phone=None, last_activity_days=None)
    w.event(50, "web_visit", contact_id="P")
    w.bounce(10, "p@example.com", enhanced_status="5.1.1")
    assert w.scored().loc["P", "status"] == "invalid_contact"


@pytest.mark.parametrize(
    ("dead_days", "answered_days", "usable"), [(50, 10, True), (10, 50, False)]
)
def test_answered_call_after_disconnection_revives_the_number(
    world, dead_days: int, answered_days: int, usable: bool
) -> None:
    w = world()
    phone = w.person("P")
    w.call(dead_days, "disconnected", phone=phone)
    w.call(answered_days, "connected", phone=phone)
    assert w.scored().loc["P", "is_callable"] == usable


@pytest.mark.parametrize(
    ("presence_days", "score"), [(0, 0.0), (365, 50.0), (547.5, 75.0), (730, 100.0), (2000, 100.0)]
)
def test_staleness_rises_linearly_to_twice_the_inactivity_threshold(
    world, presence_days: float, score: float
) -> None:
    w = world()
    w.person("P", last_activity_days=presence_days)
    assert w.scored().loc["P", "staleness_score"] == score


def test_staleness_without_presence_and_floor_for_negative_statuses(world) -> None:
    w = world()
    w.person("SILENT", last_activity_days=None)
    w.person("LEFT", last_activity_days=20)
    w.call(1, "left_company", contact_id="LEFT")
    scored = w.scored()
    assert scored.loc["SILENT", "staleness_score"] == 100.0
    assert scored.loc["SILENT", "status_reason"] == "stale_inactive: no presence evidence"
    assert scored.loc["LEFT", "staleness_score"] == 80.0


def test_inactivity_threshold_is_configurable(world) -> None:
    from hygiene_pipeline.scoring.settings import ScoringSettings

    w = world(ScoringSettings(inactivity_days=30))
    w.person("P", last_activity_days=31)
    person = w.scored().loc["P"]
    assert person["status"] == "stale_inactive"
    assert "31 days before as_of (threshold 30)" in person["status_reason"]


def test_evidence_after_as_of_is_not_yet_known(world) -> None:
    w = world()
    w.person("P", last_activity_days=10)
    w.call(-2, "left_company", contact_id="P")
    assert w.scored().loc["P", "status"] == "active"
    assert w.scored(w.as_of + (w.as_of - w.ago(3))).loc["P", "status"] == "left_company"

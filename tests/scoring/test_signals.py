"""How evidence reaches a person: by contact id through the xref, else by a phone or mailbox."""

from __future__ import annotations


def test_call_by_contact_id_and_by_phone(world) -> None:
    w = world()
    w.person("BY_ID", last_activity_days=None, presence_days=None)
    phone = w.person("BY_PHONE", last_activity_days=None, presence_days=None)
    w.call(3, "connected", contact_id="BY_ID")
    w.call(3, "connected", phone=phone)
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert scored.loc["BY_ID", "status"] == "active"
    assert scored.loc["BY_PHONE", "status"] == "active"
    assert result.stats["calls_contact_id"] == 1
    assert result.stats["calls_phone_e164"] == 1


def test_event_by_email_key(world) -> None:
    w = world()
    w.person("P", last_activity_days=None, presence_days=None)
    w.event(3, "email_click", email="p@p-holdings.com")
    assert w.scored().loc["P", "status"] == "active"


def test_shared_number_or_mailbox_reaches_nobody(world) -> None:
    w = world()
    switchboard = w.person(
        "A", last_activity_days=None, presence_days=None, email="info@acme.example"
    )
    w.person(
        "B",
        phone=switchboard,
        last_activity_days=None,
        presence_days=None,
        email="info@acme.example",
    )
    w.call(3, "connected", phone=switchboard)
    w.event(3, "web_visit", email="info@acme.example")
    result = w.score()
    assert set(result.contacts["status"]) == {"stale_inactive"}
    assert result.stats["calls_ambiguous"] == 1
    assert result.stats["events_ambiguous"] == 1


def test_contact_id_shared_by_two_systems_is_settled_by_the_phone(world) -> None:
    w = world()
    w.person("SF", last_activity_days=None, presence_days=None)
    hubspot_phone = w.person("HS", last_activity_days=None, presence_days=None)
    w.records[-1].update(record_key="hubspot:SF", contact_id="SF", source_system="hubspot")
    w.call(3, "left_company", contact_id="SF", phone=hubspot_phone)
    w.call(4, "left_company", contact_id="SF")
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert scored.loc["HS", "status"] == "left_company"
    assert scored.loc["SF", "status"] == "stale_inactive"
    assert result.stats["calls_contact_id"] == 1
    assert result.stats["calls_ambiguous"] == 1


def test_unknown_contact_id_and_unknown_number_reach_nobody(world) -> None:
    w = world()
    w.person("P", last_activity_days=None, presence_days=None)
    w.call(3, "connected", contact_id="NOPE")
    w.call(3, "connected", phone="+12125550999")
    result = w.score()
    assert result.contacts.loc[0, "status"] == "stale_inactive"
    assert result.stats["calls_unmatched"] == 2


def test_call_without_dialled_number_is_on_the_member_record_phone(world) -> None:
    w = world()
    w.person("P")
    w.call(3, "disconnected", contact_id="P")
    result = w.score()
    assert not result.contacts.loc[0, "is_callable"]
    assert result.contacts.loc[0, "status"] == "active"
    assert list(result.suppression_events["reason"]) == ["disconnected"]

"""Suppression events: each reason, its channel key, its date; one row per key, person, reason."""

from __future__ import annotations


def test_each_reason_lands_on_its_channel_key(world) -> None:
    w = world()
    w.person("HARD", email="hard@gmail.com", last_activity_days=100)
    w.bounce(5, "hard@gmail.com", enhanced_status="5.1.1")
    w.person("SOFT", email="soft@gmail.com", last_activity_days=100)
    for days in (9, 6, 3):
        w.bounce(days, "soft@gmail.com", smtp_code=452)
    w.person("COMPLAINT", email="complaint@gmail.com")
    w.bounce(5, "complaint@gmail.com", bounce_type="complaint")
    w.person("UNSUB", email="unsub@gmail.com")
    w.event(4, "unsubscribe", contact_id="UNSUB")
    w.person("NO_EMAIL", email="no_email@gmail.com", do_not_email=True)
    dead = w.person("DEAD")
    w.call(2, "wrong_number", phone=dead)
    listed = w.person("LISTED")
    w.dnc_number(listed, days=50)
    flagged = w.person("FLAGGED", do_not_call=True)
    out = w.person("OUT", email="out@gmail.com", consent_status="opted_out")
    w.person("BLOCKED", email="blocked@gmail.com", last_activity_days=100)
    w.bounce(5, "blocked@gmail.com", enhanced_status="5.7.1")
    events = w.score().suppression_events

    got = set(
        events[["channel", "value", "entity_id", "reason"]].itertuples(index=False, name=None)
    )
    assert got == {
        ("email", "hard@gmail.com", "HARD", "hard_bounce"),
        ("email", "soft@gmail.com", "SOFT", "soft_bounces"),
        ("email", "complaint@gmail.com", "COMPLAINT", "complaint"),
        ("email", "unsub@gmail.com", "UNSUB", "unsubscribe"),
        ("email", "no_email@gmail.com", "NO_EMAIL", "do_not_email"),
        ("phone", dead, "DEAD", "wrong_number"),
        ("phone", listed, "LISTED", "dnc_list"),
        ("phone", flagged, "FLAGGED", "do_not_call_flag"),
        ("phone", out, "OUT", "opted_out"),
        ("email", "out@gmail.com", "OUT", "opted_out"),
    }
    since = events.set_index("reason")["since"]
    assert since["hard_bounce"] == w.ago(5)
    assert since["soft_bounces"] == w.ago(3)
    assert since["dnc_list"] == w.ago(50)
    assert since.isna()["do_not_call_flag"]
    assert events.set_index("reason").loc["hard_bounce", "detail"] == "5.1.1"


def test_repeated_evidence_gives_one_row_with_the_earliest_date(world) -> None:
    w = world()
    w.person("P", email="p@gmail.com", last_activity_days=100)
    w.bounce(9, "p@gmail.com", bounce_type="complaint")
    w.bounce(3, "p@gmail.com", bounce_type="complaint")
    events = w.score().suppression_events
    assert len(events) == 1
    assert events.loc[0, "since"] == w.ago(9)

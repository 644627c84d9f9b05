"""Sensitive changes from a weaker source wait for confirmation; do-not-call never waits."""

import json

import pandas as pd

from hygiene_pipeline.history.pending_changes import Evidence, hold_sensitive_changes, holds_nothing

RANKS = {"sf": 2, "hs": 1}
DAY_2 = pd.Timestamp("2026-06-08", tz="UTC")
DAY_3 = pd.Timestamp("2026-06-15", tz="UTC")


def golden(phone: str, phone_from: str, dnc: bool = False, email: str = "a@x.com") -> pd.DataFrame:
    provenance = {
        "phone_e164": {"record_key": phone_from, "rule": "most_recent"},
        "email": {"record_key": "sf:1", "rule": "most_recent"},
    }
    return pd.DataFrame(
        {
            "entity_id": ["E1"],
            "phone_e164": [phone],
            "email": [email],
            "email_key": [email],
            "consent_status": ["opted_in"],
            "do_not_call": [dnc],
            "provenance": [json.dumps(provenance)],
        }
    )


def evidence(
    records: list[tuple[str, str, bool]], answered: tuple[str, ...] = (), clicks: tuple = ()
) -> Evidence:
    frame = pd.DataFrame(
        [
            {
                "record_key": key,
                "source_system": key.split(":")[0],
                "entity_id": "E1",
                "phone_e164": phone,
                "email": "a@x.com",
                "consent_status": "opted_in",
                "do_not_call": dnc,
            }
            for key, phone, dnc in records
        ]
    )
    calls = pd.DataFrame({"phone_e164": list(answered), "disposition": "connected"})
    events = pd.DataFrame({"email": list(clicks), "event_type": "email_click"})
    return Evidence(records=frame, calls=calls, engagement=events)


PREVIOUS = golden("+14155550101", "sf:1")
WEAK_PROPOSAL = golden("+14155550999", "hs:1")
RECORDS = [("sf:1", "+14155550101", False), ("hs:1", "+14155550999", False)]


def hold(proposed, previous=PREVIOUS, pending=None, ev=None, as_of=DAY_2):
    return hold_sensitive_changes(
        proposed, previous, pending, ev or evidence(RECORDS), RANKS, None, as_of, "run"
    )


def test_a_phone_from_a_weaker_source_waits_and_the_golden_keeps_the_current_one():
    held = hold(WEAK_PROPOSAL)
    assert held.golden["phone_e164"].tolist() == ["+14155550101"]
    kept = json.loads(held.golden["provenance"].iloc[0])["phone_e164"]["record_key"]
    assert kept == "sf:1"
    assert held.kept == {"E1"} and held.kept_rows().equals(held.golden)
    row = held.pending.iloc[0]
    assert (row["field"], row["current_value"], row["proposed_value"], row["state"]) == (
        "phone_e164",
        "+14155550101",
        "+14155550999",
        "pending",
    )
    assert (row["source_system"], row["contact_id"], row["since"]) == ("hs", "1", DAY_2)
    again = hold(WEAK_PROPOSAL, pending=held.pending, as_of=DAY_3)
    pd.testing.assert_frame_equal(again.pending, held.pending)


def test_an_answered_call_on_the_new_number_confirms_the_held_change():
    waiting = hold(WEAK_PROPOSAL).pending
    confirmed = hold(
        WEAK_PROPOSAL, pending=waiting, ev=evidence(RECORDS, answered=("+14155550999",)),
        as_of=DAY_3,
    )  # fmt: skip
    assert confirmed.golden["phone_e164"].tolist() == ["+14155550999"]
    assert confirmed.kept == frozenset() and confirmed.kept_rows().empty
    row = confirmed.pending.iloc[0]
    assert (row["state"], row["resolution"], row["resolved_at"]) == (
        "confirmed",
        "confirmed_by_answered_call",
        DAY_3,
    )
    assert row["since"] == DAY_2


def test_the_trusted_source_bringing_the_same_value_confirms_it():
    records = [("sf:1", "+14155550999", False), ("hs:1", "+14155550999", False)]
    held = hold(WEAK_PROPOSAL, ev=evidence(records))
    assert held.golden["phone_e164"].tolist() == ["+14155550999"]
    assert held.confirmations.values.tolist() == [
        ["E1", "phone_e164", "confirmed_by_trusted_source"]
    ]
    assert held.pending["state"].tolist() == ["confirmed"]


def test_a_withdrawn_proposal_is_superseded_not_deleted():
    waiting = hold(WEAK_PROPOSAL).pending
    withdrawn = hold(PREVIOUS, pending=waiting, as_of=DAY_3)
    assert withdrawn.pending[["state", "resolution"]].values.tolist() == [
        ["superseded", "no longer proposed"]
    ]


def test_a_do_not_call_from_the_weakest_source_applies_at_once_but_lifting_one_waits():
    records = [("sf:1", "+14155550101", False), ("hs:1", "+14155550101", True)]
    flagged = hold(golden("+14155550101", "sf:1", dnc=True), ev=evidence(records))
    assert flagged.golden["do_not_call"].tolist() == [True]
    assert flagged.pending.empty
    held_by = pd.DataFrame({"record_key": ["sf:1"], "source_system": ["sf"], "entity_id": ["E1"]})
    lifted = hold_sensitive_changes(
        golden("+14155550101", "sf:1", dnc=False),
        golden("+14155550101", "sf:1", dnc=True),
        None,
        evidence([("hs:1", "+14155550101", False)]),
        RANKS,
        held_by,
        DAY_2,
        "run",
    )
    assert lifted.golden["do_not_call"].tolist() == [True], "salesforce held the person"
    assert lifted.pending["field"].tolist() == ["do_not_call"]


def test_nothing_waits_without_source_ranks_or_a_previous_run():
    free = hold_sensitive_changes(
        WEAK_PROPOSAL, PREVIOUS, None, evidence(RECORDS), {}, None, DAY_2, "run"
    )
    assert free.golden["phone_e164"].tolist() == ["+14155550999"] and free.pending.empty
    first = hold_sensitive_changes(
        WEAK_PROPOSAL, None, None, evidence(RECORDS), RANKS, None, DAY_2, "run"
    )
    assert first.pending.empty and not first.kept and not free.kept


def test_a_batch_that_can_hold_nothing_needs_no_inputs_and_ends_as_if_it_had_read_them():
    waiting = hold(WEAK_PROPOSAL).pending
    closed = hold(PREVIOUS, pending=waiting, as_of=DAY_3).pending
    assert holds_nothing(RANKS, 0, None) and holds_nothing(RANKS, 0, closed), "a first batch"
    assert holds_nothing({}, 1, closed), "nothing is held without ranks"
    assert not holds_nothing(RANKS, 1, None), "people to hold a change against"
    assert not holds_nothing({}, 0, waiting), "an open change to resolve"
    nobody = pd.DataFrame({"entity_id": pd.Series(dtype=object)})
    for ranks, previous in ((RANKS, None), ({}, PREVIOUS)):
        read = hold_sensitive_changes(
            WEAK_PROPOSAL, previous, closed, evidence(RECORDS), ranks, None, DAY_3, "r"
        )
        unread = hold_sensitive_changes(
            nobody, None, closed, Evidence.none(), ranks, None, DAY_3, "r"
        )
        assert unread.pending.values.tolist() == read.pending.values.tolist()
        assert unread.pending.values.tolist() == closed.values.tolist()
        assert unread.kept == read.kept == frozenset() and unread.kept_rows().empty
        assert unread.confirmations.empty and read.confirmations.empty


def test_an_engagement_from_the_new_address_confirms_an_email_change():
    proposed = golden("+14155550101", "sf:1", email="a@new.com")
    proposed["provenance"] = json.dumps(
        {"phone_e164": {"record_key": "sf:1"}, "email": {"record_key": "hs:1"}}
    )
    waiting = hold(proposed)
    assert waiting.golden["email"].tolist() == ["a@x.com"]
    assert waiting.golden["email_key"].tolist() == ["a@x.com"]
    confirmed = hold(proposed, pending=waiting.pending, ev=evidence(RECORDS, clicks=("a@new.com",)))
    assert confirmed.golden["email"].tolist() == ["a@new.com"]
    assert confirmed.pending["resolution"].tolist() == ["confirmed_by_engagement"]

"""Compliance: do-not-call from each source, consent, frequency cap, and the dial list's rules."""

from __future__ import annotations

import pytest

from hygiene_pipeline.scoring.settings import ScoringSettings


def test_dnc_from_the_dnc_list(world) -> None:
    w = world()
    phone = w.person("LISTED")
    w.dnc_number(phone, days=40)
    w.person("OTHER_RECORD_LISTED")
    w.record("OTHER_RECORD_LISTED", contact_id="old", phone_e164="+12125557777")
    w.dnc_number("+12125557777", days=None)
    scored = w.scored()
    assert scored.loc["LISTED", "is_dnc"]
    assert scored.loc["LISTED", "dnc_reason"] == f"DNC list since {w.ago(40):%Y-%m-%d}"
    assert scored.loc["OTHER_RECORD_LISTED", "dnc_reason"] == "DNC list"
    assert not scored.loc["LISTED", "is_callable"]


def test_dnc_from_a_call_disposition_blocks_person_and_number(world) -> None:
    w = world()
    shared = w.person("ASKED", mobile="+12125558888")
    w.person("COLLEAGUE", phone=shared, mobile="+12125556666")
    w.person("ALONE", phone=shared)
    w.call(3, "do_not_call", contact_id="ASKED", phone=shared)
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert scored.loc["ASKED", "dnc_reason"] == f"do_not_call request on {w.ago(3):%Y-%m-%d}"
    assert not scored.loc["ASKED", "is_callable"]
    assert not scored.loc["COLLEAGUE", "is_dnc"]
    assert scored.loc["COLLEAGUE", "dial_phone_e164"] == "+12125556666"
    assert not scored.loc["ALONE", "is_callable"]
    requests = result.suppression_events.query("reason == 'do_not_call_request'")
    assert set(requests["value"]) == {shared, "+12125558888"}


def test_dnc_request_without_a_dialled_number_blocks_only_the_person(world) -> None:
    w = world()
    switchboard = w.person("ASKED")
    w.person("COLLEAGUE", phone=switchboard)
    w.call(3, "do_not_call", contact_id="ASKED")
    scored = w.scored()
    assert scored.loc["ASKED", "is_dnc"]
    assert scored.loc["COLLEAGUE", "is_callable"]


def test_a_named_colleagues_request_on_the_switchboard_binds_the_colleague(world) -> None:
    """A switchboard reaches reception, not the person who asked: their request is theirs."""
    w = world()
    switchboard = w.person("ASKED", company="Acme")
    w.person("COLLEAGUE", phone=switchboard, company="Acme")
    w.call(3, "do_not_call", contact_id="ASKED", phone=switchboard)
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert scored.loc["ASKED", "is_dnc"] and not scored.loc["ASKED", "on_dial_list"]
    assert scored.loc["COLLEAGUE", "on_dial_list"]
    assert scored.loc["COLLEAGUE", "dial_phone_e164"] == switchboard
    requests = result.suppression_events.query("reason == 'do_not_call_request'")
    assert set(requests["scope"]) == {"person"}
    assert set(requests["entity_id"]) == {"ASKED"}


def test_a_request_on_the_switchboard_naming_nobody_blocks_it(world) -> None:
    w = world()
    switchboard = w.person("ONE", company="Acme")
    w.person("TWO", phone=switchboard, company="Acme")
    w.call(3, "do_not_call", phone=switchboard)
    scored = w.scored()
    assert not scored["on_dial_list"].any()
    assert set(scored["dial_block_reason"]) == {"no working number that may be dialled"}


def test_dnc_from_a_crm_flag_on_any_member(world) -> None:
    w = world()
    w.person("P")
    w.record("P", contact_id="P2", source_system="hubspot", do_not_call=True)
    person = w.scored().loc["P"]
    assert person["is_dnc"]
    assert person["dnc_reason"] == "do_not_call flag on a CRM record"
    assert not person["is_callable"]


def test_every_dnc_source_is_named(world) -> None:
    w = world()
    phone = w.person("P", do_not_call=True)
    w.dnc_number(phone, days=None)
    w.call(1, "do_not_call", contact_id="P")
    assert w.scored().loc["P", "dnc_reason"] == (
        f"DNC list; do_not_call request on {w.ago(1):%Y-%m-%d}; do_not_call flag on a CRM record"
    )


def test_consent(world) -> None:
    w = world()
    w.person("VALID", consent_expires_at=w.ago(-30))
    w.person("OPTED_OUT_ON_ONE")
    w.record("OPTED_OUT_ON_ONE", contact_id="x", consent_status="opted_out")
    w.person("EXPIRED", consent_expires_at=w.ago(1))
    w.person("EXPIRED_STATUS", consent_status="expired")
    w.person("UNKNOWN", consent_status="unknown")
    w.person("ONE_VALID_OF_TWO", consent_status="unknown")
    w.record("ONE_VALID_OF_TWO", contact_id="y", consent_status="opted_in",
             email="one_valid_of_two@one_valid_of_two-holdings.com")  # fmt: skip
    w.person("UNSUBSCRIBED")
    w.event(20, "unsubscribe", contact_id="UNSUBSCRIBED")
    # one record says consent expired, another still says opted in: a renewal must show
    w.person("EXPIRED_ON_ONE")
    w.record("EXPIRED_ON_ONE", contact_id="z", consent_status="expired")
    w.person("RENEWED", consent_expires_at=w.ago(-300))
    w.record("RENEWED", contact_id="v", consent_status="expired")
    scored = w.scored()
    expected = {
        "VALID": True,
        "OPTED_OUT_ON_ONE": False,
        "EXPIRED": False,
        "EXPIRED_STATUS": False,
        "UNKNOWN": False,
        "ONE_VALID_OF_TWO": True,
        "UNSUBSCRIBED": False,
        "EXPIRED_ON_ONE": False,
        "RENEWED": True,
    }
    assert scored["consent_valid"].to_dict() == expected
    assert scored["is_callable"].to_dict() == expected
    assert not scored.loc["OPTED_OUT_ON_ONE", "is_emailable"]


def test_consent_must_cover_the_number_dialled(world) -> None:
    """Consent on a record that shares no number or mailbox with the numbers may be another
    person's, merged by mistake: it does not make those numbers dialable."""
    w = world()
    w.person("P", consent_status="unknown")
    w.record("P", contact_id="P-2", consent_status="opted_in", email="p.private@gmail.com")
    person = w.scored().loc["P"]
    assert person["consent_valid"] and not person["is_callable"]
    assert person["dial_block_reason"] == "consent is on another record than any working number"


def test_consent_on_any_island_covers_the_company_switchboard(world) -> None:
    """A switchboard reaches reception, who puts the call through to the person asked for:
    consent on a record without a number covers it, not a number of the person's own."""
    w = world()
    board = w.person("P", consent_status="unknown", company="Acme")
    w.record("P", contact_id="P-2", consent_status="opted_in", email="p.private@gmail.com",
             phone_e164=None)  # fmt: skip
    w.person("COLLEAGUE", phone=board, company="Acme")
    person = w.scored().loc["P"]
    assert person["on_dial_list"] and person["dial_phone_e164"] == board


def test_someone_who_may_be_a_refusing_person_is_held(world) -> None:
    w = world()
    w.person("R_LEE", first_name="Rbn", last_name_norm="lee", first_name_norm="rbn",
             company="Acme", do_not_call=True)  # fmt: skip
    w.person("ROBIN_LEE", first_name_norm="robin", last_name_norm="lee", company="Acme")
    w.person("ANN_LEE", first_name_norm="ann", last_name_norm="lee", company="Acme")
    scored = w.scored()
    assert not scored.loc["ROBIN_LEE", "on_dial_list"]
    assert scored.loc["ROBIN_LEE", "dial_block_reason"].startswith("may be the same person as")
    assert scored.loc["ANN_LEE", "on_dial_list"]


@pytest.mark.parametrize(
    ("first", "held"),
    [("robin", True), ("rob", True), ("r", True), ("robni", True), (None, True),
     ("rachel", False), ("ann", False)],
)  # fmt: skip
def test_only_a_namesake_whose_first_name_may_be_the_refusers_is_held(
    world, first: str | None, held: bool
) -> None:
    """Colleagues who share a surname are different people; a nickname, an initial, a typo or
    no first name at all may be the person who refused."""
    w = world()
    w.person("REFUSED", first_name_norm="robin", last_name_norm="lee", company="Acme",
             do_not_call=True)  # fmt: skip
    w.person("OTHER", first_name_norm=first, last_name_norm="lee", company="Acme")
    reason = w.scored().loc["OTHER", "dial_block_reason"]
    assert (reason or "").startswith("may be the same person as REFUSED") == held


@pytest.mark.parametrize(
    ("surname", "other", "held"),
    [
        ("turner", {"last_name_norm": "turber", "company": "Acme"}, True),  # a typo
        ("turner", {"last_name_norm": None, "company": "Acme"}, True),  # no surname anywhere
        ("turner", {"last_name_norm": "turner", "company": None}, True),  # no account
        ("turner", {"last_name_norm": "turner", "company": "Beta"}, False),  # elsewhere
        # one company name, another account (another mailbox domain): the account may be split
        (
            "turner",
            {"last_name_norm": "turner", "company": "Acme Corp", "company_key": "acme"},
            True,
        ),
        ("turner", {"last_name_norm": "tanner", "company": "Acme"}, False),
        ("li", {"last_name_norm": "liu", "company": "Acme"}, False),  # short: another name
    ],
)
def test_a_split_half_with_a_surname_typo_or_no_account_is_held(
    world, surname: str, other: dict, held: bool
) -> None:
    w = world()
    w.person("REFUSED", first_name_norm="robin", last_name_norm=surname, company="Acme")
    w.event(20, "unsubscribe", contact_id="REFUSED")
    company = other.pop("company")
    w.person("OTHER", first_name_norm="robin", company=company or "None", **other)
    if company is None:
        w.records[-1].update(company=None, company_key=None, email="robin.t@gmail.com",
                             email_key="robin.t@gmail.com", email_domain="gmail.com")  # fmt: skip
    reason = w.scored().loc["OTHER", "dial_block_reason"]
    assert (reason or "").startswith("may be the same person as REFUSED") == held


def test_a_name_in_han_characters_meets_its_pinyin(world) -> None:
    """唐斌 and B. Tang at one company may be one person: names are compared in pinyin."""
    w = world()
    w.person("REFUSED", first_name_norm="b", last_name_norm="tang", company="Wolfwell",
             do_not_call=True)  # fmt: skip
    w.person("OTHER", first_name_norm="斌", last_name_norm="唐", company="Wolfwell")
    reason = w.scored().loc["OTHER", "dial_block_reason"]
    assert (reason or "").startswith("may be the same person as REFUSED")


@pytest.mark.parametrize(
    ("first", "last", "held"),
    [
        ("amanda", "gooud", True),  # a typo too many for names_agree
        ("gould", "amanda", True),  # written the other way round
        ("mandy", "gould", True),  # a nickname
        ("rachel", "gould", False),  # a colleague on the switchboard
        ("amanda", "stone", False),
    ],
)
def test_one_who_shares_a_number_with_a_refuser_and_may_be_them_is_held(
    world, first: str, last: str, held: bool
) -> None:
    """A person split in two often keeps one desk line on both halves, under two accounts (a
    private mailbox on one): with names that may be one person's, the other half is held."""
    w = world()
    desk = w.person("REFUSED", first_name_norm="amanda", last_name_norm="gould",
                    company="Wolfcrest", consent_status="opted_out")  # fmt: skip
    w.person("OTHER", phone=desk, first_name_norm=first, last_name_norm=last,
             company="Wolfcrest Ventures", email="agould77@gmail.com")  # fmt: skip
    reason = w.scored().loc["OTHER", "dial_block_reason"]
    assert (reason or "").startswith("may be the same person as REFUSED") == held


def test_a_request_on_a_mobile_binds_everyone_whose_record_holds_it(world) -> None:
    """A mobile answers to one person: a request made on it, logged against no contact, is the
    request of each half of a person split in two, not only a block on the mobile."""
    w = world()
    mobile = "+12125558888"
    w.person("HALF_A", mobile=mobile, consent_status="unknown")
    desk = w.person("HALF_B", mobile=mobile)
    w.person("BESIDE")
    w.call(3, "do_not_call", phone=mobile)
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert scored.loc["HALF_B", "dnc_reason"] == f"do_not_call request on {w.ago(3):%Y-%m-%d}"
    assert not scored.loc["HALF_B", "on_dial_list"]
    assert scored.loc["HALF_A", "is_dnc"]
    assert scored.loc["BESIDE", "on_dial_list"]
    # the suppression list blocks the desk line for the person, so a dialler reading it agrees
    requests = result.suppression_events.query("reason == 'do_not_call_request'")
    desk_rows = requests[requests["value"] == desk]
    assert desk_rows[["entity_id", "scope"]].values.tolist() == [["HALF_B", "person"]]


def test_a_request_on_a_mobile_that_later_changed_hands_binds_only_the_mobile(world) -> None:
    """The line was reassigned after the request (a wrong number since): the request was a
    previous holder's, so the records holding the line now are not taken for whoever made it."""
    w = world()
    mobile = "+12125558888"
    w.person("ONE", mobile=mobile)
    w.person("TWO", mobile=mobile)
    w.call(30, "do_not_call", phone=mobile)
    w.call(5, "wrong_number", phone=mobile)
    scored = w.scored()
    assert not scored.loc[["ONE", "TWO"], "is_dnc"].any()
    assert (scored.loc[["ONE", "TWO"], "dial_phone_e164"] != mobile).all()


def test_a_refuser_without_a_first_name_does_not_hold_colleagues_on_the_switchboard(
    world,
) -> None:
    """On a shared number both name parts must be on both people: `None Sharp` at
    victor.sharp@ does not hold Conor Sharp behind the company's switchboard."""
    w = world()
    board = w.person("REFUSED", first_name_norm=None, last_name_norm="sharp", company="Acme",
                     email="victor.sharp@acme.com", consent_status="opted_out")  # fmt: skip
    w.person("CONOR", phone=board, first_name_norm="conor", last_name_norm="sharp",
             company="Beta Corp")  # fmt: skip
    assert w.scored().loc["CONOR", "on_dial_list"]


@pytest.mark.parametrize(
    ("mailbox", "held"), [("victor.sharp", False), ("vsharp", False), ("conor.sharp", True)]
)
def test_a_missing_first_name_is_read_from_the_refusers_mailbox(
    world, mailbox: str, held: bool
) -> None:
    w = world()
    w.person("REFUSED", first_name_norm=None, last_name_norm="sharp", company="Acme",
             email=f"{mailbox}@acme.com", do_not_call=True)  # fmt: skip
    w.person("CONOR", first_name_norm="conor", last_name_norm="sharp", company="Acme",
             email="conor_s@acme.com")  # fmt: skip
    reason = w.scored().loc["CONOR", "dial_block_reason"]
    assert (reason or "").startswith("may be the same person as REFUSED") == held


def test_names_that_only_agree_by_what_is_missing_are_not_one_person(world) -> None:
    w = world()
    w.person("REFUSED", first_name_norm="troy", last_name_norm=None, company="Acme")
    w.event(20, "unsubscribe", contact_id="REFUSED")
    w.person("OTHER", first_name_norm=None, last_name_norm="gonzalez", company="Acme")
    assert w.scored().loc["OTHER", "on_dial_list"]


def test_the_dialler_links_a_refusal_to_a_split_person(world) -> None:
    w = world()
    w.person("HALF_A", phone=None, email="a@acme.com", company="Acme")
    number = w.person("HALF_B", email=None, company="Beta")
    w.event(30, "unsubscribe", contact_id="HALF_A")
    w.call(10, "no_answer", contact_id="HALF_A", phone=number)
    scored = w.scored()
    assert scored.loc["HALF_B", "consent_valid"]
    assert not scored.loc["HALF_B", "on_dial_list"]
    assert "withdrew consent" in scored.loc["HALF_B", "dial_block_reason"]


@pytest.mark.parametrize(
    ("call_days", "today", "week", "listed"),
    [
        ([0.1], 1, 1, True),
        ([0.1, 0.2], 2, 2, False),
        ([1, 2, 3, 4, 5, 6], 0, 6, True),
        ([1, 2, 3, 4, 5, 6, 6.5], 0, 7, False),
        ([1, 2, 3, 4, 5, 6, 8, 9], 0, 6, True),
    ],
)
def test_frequency_cap_per_day_and_rolling_week(
    world, call_days: list[float], today: int, week: int, listed: bool
) -> None:
    w = world()
    phone = w.person("P", mobile="+12125550001")
    for i, days in enumerate(call_days):
        number = phone if i % 2 else "+12125550001"
        w.call(days, "no_answer", contact_id="P", phone=number)
    result = w.score()
    person = result.contacts.set_index("entity_id").loc["P"]
    assert (person["calls_today"], person["calls_7d"]) == (today, week)
    assert ("P" in set(result.dial_list["entity_id"])) == listed


def test_frequency_caps_are_configurable(world) -> None:
    w = world(ScoringSettings(max_calls_per_day=5))
    w.person("P")
    w.call(0.1, "no_answer", contact_id="P")
    w.call(0.2, "busy", contact_id="P")
    assert "P" in set(w.score().dial_list["entity_id"])


def test_dial_list_holds_only_active_callable_people_in_priority_order(world) -> None:
    w = world()
    w.person("LOW")
    w.person("MEDIUM_BUSY")
    w.event(0, "content_download", contact_id="MEDIUM_BUSY")
    w.call(3, "no_answer", contact_id="MEDIUM_BUSY")
    w.person("MEDIUM")
    w.event(0, "content_download", contact_id="MEDIUM")
    w.event(0, "email_click", contact_id="MEDIUM")
    w.person("HIGH")
    w.event(0, "meeting_booked", contact_id="HIGH")
    w.event(0, "email_click", contact_id="HIGH")
    w.person("HIGHER")
    w.event(0, "meeting_booked", contact_id="HIGHER")
    w.event(0, "form_submit", contact_id="HIGHER")
    w.person("STALE", last_activity_days=400, presence_days=400)
    w.person("LEFT")
    w.call(1, "left_company", contact_id="LEFT")
    w.person("NO_CONSENT", consent_status="opted_out")
    w.person("NO_PHONE", phone=None)
    dial = w.score().dial_list
    assert list(dial["entity_id"]) == ["HIGHER", "HIGH", "MEDIUM", "MEDIUM_BUSY", "LOW"]
    assert list(dial["priority_rank"]) == [1, 2, 3, 4, 5]
    assert list(dial["intent_tier"]) == ["high", "high", "medium", "medium", "low"]
    assert list(dial.columns) == [
        "entity_id",
        "phone_e164",
        "intent_tier",
        "intent_score",
        "calls_7d",
        "priority_rank",
    ]


def test_dial_phone_falls_back_to_a_working_mobile(world) -> None:
    w = world()
    phone = w.person("P", mobile="+12125553333")
    w.call(2, "disconnected", phone=phone)
    w.person("Q", phone="+1212", mobile="+12125554444", phone_valid=False)
    scored = w.scored()
    assert scored.loc["P", "dial_phone_e164"] == "+12125553333"
    assert scored.loc["Q", "dial_phone_e164"] == "+12125554444"
    assert scored.loc["Q", "is_callable"]


def test_uncertain_merges_whose_consent_another_island_lends_are_held(world) -> None:
    """Held: a flagged or weakly joined person whose records fall into islands (records
    sharing a personal mailbox or number) of which one has no consent of its own."""
    w = world()
    w.person("FLAGGED", cluster_flag="oversized")
    w.record("FLAGGED", contact_id="FLAGGED-2", consent_status="unknown", cluster_flag="oversized")
    w.person("WEAK", merge_probability=0.7)
    w.record("WEAK", contact_id="WEAK-2", consent_status="unknown", merge_probability=0.7)
    w.person("ONE_ISLAND", merge_probability=0.7)
    w.record("ONE_ISLAND", contact_id="ONE_ISLAND-2", consent_status="unknown",
             email="one_island@one_island-holdings.com", merge_probability=0.7)  # fmt: skip
    w.person("BOTH_CONSENT", merge_probability=0.7)
    w.record("BOTH_CONSENT", contact_id="BOTH_CONSENT-2", merge_probability=0.7)
    w.person("SURE")
    w.record("SURE", contact_id="SURE-2", consent_status="unknown")
    result = w.score()
    scored = result.contacts.set_index("entity_id")
    assert scored["linkage_review_hold"].to_dict() == {
        "FLAGGED": True,
        "WEAK": True,
        "ONE_ISLAND": False,
        "BOTH_CONSENT": False,
        "SURE": False,
    }
    assert scored.loc["FLAGGED", "is_callable"]
    assert set(result.dial_list["entity_id"]) == {"ONE_ISLAND", "BOTH_CONSENT", "SURE"}

    w.settings = ScoringSettings(hold_flagged_clusters=False)
    assert "FLAGGED" in set(w.score().dial_list["entity_id"])


def test_a_sure_merge_of_two_desks_is_held(world) -> None:
    """Two islands of one person, each with a direct line of its own at the company: two
    namesakes at one company look like this, one person seldom does, however strong the link."""
    w = world()
    w.person("TWO_DESKS", phone="+12125550001", company="Acme")
    w.record("TWO_DESKS", contact_id="TWO_DESKS-2", consent_status="unknown", company="Acme",
             phone_e164="+12125550002", email=None)  # fmt: skip
    w.person("ONE_DESK", phone="+12125550003", company="Acme")
    w.record("ONE_DESK", contact_id="ONE_DESK-2", consent_status="unknown", company="Acme",
             phone_e164=None, email=None, mobile_phone_e164="+12125550004")  # fmt: skip
    held = w.scored()["linkage_review_hold"]
    assert held["TWO_DESKS"] and not held["ONE_DESK"]


@pytest.mark.parametrize(
    ("mobile_job", "held"),
    [("Solutions Architect", True), ("PURCHASING MANAGER ", False), (None, False)],
)
def test_a_desk_and_a_mobile_naming_other_jobs_are_held(world, mobile_job, held) -> None:
    """A direct line on one island and a mobile on another is how one person's records look in
    two systems; when the two islands name different jobs they may be two namesakes, so the
    consent on one does not reach the other."""
    w = world()
    w.person("DESK_AND_MOBILE", phone="+12125550001", company="Acme",
             job_title="Purchasing Manager")  # fmt: skip
    w.record("DESK_AND_MOBILE", contact_id="MOBILE", consent_status="unknown", company="Acme",
             phone_e164=None, email=None, mobile_phone_e164="+12125550004",
             job_title=mobile_job)  # fmt: skip
    assert w.scored().loc["DESK_AND_MOBILE", "linkage_review_hold"] == held


def test_a_work_line_nobody_else_has_is_a_direct_line_that_identifies(world) -> None:
    """A work number only one person's records hold is their direct line: records sharing it
    are one island, so a weak merge through it is not held; a switchboard identifies nobody."""
    w = world()
    direct = w.person("DIRECT", merge_probability=0.7, last_name_norm="direct")
    w.record("DIRECT", contact_id="DIRECT-2", consent_status="unknown", phone_e164=direct,
             merge_probability=0.7, last_name_norm="direct")  # fmt: skip
    board = w.person("BOARD", merge_probability=0.7, last_name_norm="board")
    w.record("BOARD", contact_id="BOARD-2", consent_status="unknown", phone_e164=board,
             merge_probability=0.7, last_name_norm="board")  # fmt: skip
    w.person("COLLEAGUE", phone=board, company="BOARD Holdings")
    scored = w.scored()
    assert scored["linkage_review_hold"].to_dict() == {
        "DIRECT": False,
        "BOARD": True,
        "COLLEAGUE": False,
    }
    assert scored.loc["DIRECT", "on_dial_list"]


@pytest.mark.parametrize(
    ("names", "held"),
    [
        ({"first_name_norm": None, "last_name_norm": "ellis"}, True),  # another person
        ({"first_name_norm": "wallis", "last_name_norm": "chloe"}, False),  # the name reversed
        ({"first_name_norm": "c", "last_name_norm": None}, False),
    ],
)
def test_a_line_carried_by_records_of_two_names_identifies_nobody(
    world, names: dict, held: bool
) -> None:
    """A wrong merge of two colleagues makes their switchboard look like a direct line: when
    the records that carry it cannot be one person's by name, it joins no islands."""
    w = world()
    line = w.person("MERGED", first_name_norm="chloe", last_name_norm="wallis",
                    consent_status="unknown", merge_probability=0.7)  # fmt: skip
    w.record("MERGED", contact_id="MERGED-2", phone_e164=line, email=None,
             merge_probability=0.7, **names)  # fmt: skip
    assert w.scored().loc["MERGED", "linkage_review_hold"] == held


def test_a_record_without_a_name_joins_no_islands_through_its_numbers(world) -> None:
    """A record with neither first name nor surname cannot say whose its number is: a merge it
    bridges to someone else's line is still a merge of two islands."""
    w = world()
    line = w.person("BRIDGED", first_name_norm="erin", last_name_norm="glover",
                    consent_status="unknown", merge_probability=0.7)  # fmt: skip
    w.record("BRIDGED", contact_id="BRIDGED-2", phone_e164=line, email="brett77@gmail.com",
             merge_probability=0.7, first_name_norm=None, last_name_norm=None)  # fmt: skip
    assert w.scored().loc["BRIDGED", "linkage_review_hold"]


def test_consent_covers_a_number_on_which_the_consenting_record_was_reached(world) -> None:
    """Consent on a record without a number covers another record's number once the dialler
    reached the consenting record's contact on it (an answered call); a voicemail proves
    nothing."""
    w = world()
    for name, outcome in (("REACHED", "connected"), ("VOICEMAIL", "voicemail")):
        w.person(name, phone=None)
        number = f"+1212555{len(w.records):04d}"
        w.record(name, contact_id=f"{name}-2", consent_status="unknown", phone_e164=number,
                 email=None)  # fmt: skip
        w.call(20, outcome, contact_id=name, phone=number)
    scored = w.scored()
    assert scored.loc["REACHED", "dial_phone_e164"] == f"+1212555{1:04d}"
    assert scored.loc["REACHED", "on_dial_list"]
    assert scored.loc["VOICEMAIL", "dial_phone_e164"] is None
    assert scored.loc["VOICEMAIL", "dial_block_reason"] == (
        "consent is on another record than any working number"
    )

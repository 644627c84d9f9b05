"""Placeholder values carry no linkage evidence: a ghost record that shares `test@test.com` or
`555-555-5555` with a real person, or with another ghost, is not merged on it."""

from __future__ import annotations

import pandas as pd

from hygiene_pipeline.domain.feed_frames import FeedFrames
from hygiene_pipeline.domain.standardise import standardise_crm_contacts
from hygiene_pipeline.linkage.api import deduplicate
from hygiene_pipeline.linkage.crm_spec import CRM_GOLDEN_RULES, CRM_LINKAGE_SPEC, linkage_input


def test_junk_emails_and_phones_do_not_link_records() -> None:
    rows = pd.DataFrame(
        {
            "contact_id": ["1", "2", "3", "4"],
            "source_system": "crm",
            "first_name": ["Ann", "Test", "asdf", "Ann"],
            "last_name": ["Lee", "Test", None, "Lee"],
            "email": ["test@test.com", "test@test.com", "test@test.com", "ann.lee@lee-co.com"],
            "phone": ["555-555-5555", "555-555-5555", "555-555-5555", "+1 212 555 1234"],
            "company": ["Lee Co", "ACME", None, "Lee Co"],
            "source_file": "a.csv",
            "row_number": [1, 2, 3, 4],
        },
        dtype=object,
    )
    contacts = standardise_crm_contacts(FeedFrames("crm_contacts", rows)).accepted
    view = linkage_input(contacts)
    assert view["email_key"].isna()[:3].all() and view["phone_e164"].isna()[:3].all()
    assert contacts["email_key"].notna().all(), "the staged values are kept"
    result = deduplicate(view, CRM_LINKAGE_SPEC, CRM_GOLDEN_RULES)
    entity = result.xref.set_index("record_key")["entity_id"]
    assert entity["crm:1"] != entity["crm:2"] != entity["crm:3"] != entity["crm:1"]


def test_records_sharing_only_a_company_and_its_switchboard_are_not_merged() -> None:
    rows = pd.DataFrame(
        {
            "contact_id": ["1", "2", "3", "4", "5", "6"],
            "source_system": "crm",
            "first_name": [None, None, "Ann", "Bo", "Cy", "Di"],
            "last_name": [None, None, "Lee", "Ng", "Ott", "Poe"],
            "email": None,
            "phone": "+1 212 555 1234",
            "company": "Lee Co",
            "source_file": "a.csv",
            "row_number": [1, 2, 3, 4, 5, 6],
        },
        dtype=object,
    )
    contacts = standardise_crm_contacts(FeedFrames("crm_contacts", rows)).accepted
    result = deduplicate(linkage_input(contacts), CRM_LINKAGE_SPEC, CRM_GOLDEN_RULES)
    pairs = result.match_pairs.set_index(["record_key_left", "record_key_right"])
    assert pairs.loc[("crm:1", "crm:2"), "hard_negative"] == "nothing_personal_in_common"
    assert result.xref.set_index("record_key")["entity_id"].nunique() == 6

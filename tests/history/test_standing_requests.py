"""A do-not-call request is permanent: when the records of the person who made it leave their
sources, the request stays in `suppression_events` and the number stays blocked for whoever holds
it next (two batches into DuckDB through `materialize()`)."""

from __future__ import annotations

import pytest
from batches import ALICE, AS_OF, CAROL, DAN, person, run_batch

from hygiene_pipeline.warehouse.engine import Warehouse, default_duckdb_url

CAROL_PHONE = "+14155550103"
ZED = person(
    "S9", "Zed", "Quinn", "zed@nakatomi-trd.com", "+1 415 555 0103", "Nakatomi", "2026-06-05"
)
"""A new record, of someone else, with the number Carol asked not to be called on."""
FIRST = {"salesforce": [ALICE, {**CAROL, "do_not_call": "true"}], "hubspot": [DAN], "links": []}
SECOND = {"salesforce": [ALICE, ZED], "hubspot": [DAN], "links": []}


@pytest.fixture(scope="module")
def second_run(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("standing_requests")
    url = default_duckdb_url(root)
    for name, batch in (("first", FIRST), ("second", SECOND)):
        assert run_batch(root / name, batch, AS_OF[name], url, root / "home").success, name
    warehouse = Warehouse(url)
    tables = {
        t: warehouse.read_table("curated", t)
        for t in ("contacts_golden", "suppression_events", "dial_list")
    }
    warehouse.engine.dispose()
    return tables


def test_the_request_of_a_removed_person_stays_and_blocks_the_number_for_its_new_holder(
    second_run,
):
    golden = second_run["contacts_golden"].set_index("first_name")
    carol, zed = golden.loc["Carol"], golden.loc["Zed"]
    assert not carol["in_source"] and carol["entity_id"] != zed["entity_id"]
    events = second_run["suppression_events"]
    requests = events.loc[
        events["value"].eq(CAROL_PHONE) & events["reason"].eq("do_not_call_request")
    ]
    assert set(requests["entity_id"]) == {carol["entity_id"], zed["entity_id"]}
    assert set(requests["scope"]) == {"channel"}  # her own line, not a switchboard
    assert CAROL_PHONE not in set(second_run["dial_list"]["phone_e164"])
    assert not zed["is_callable"] and not zed["on_dial_list"]
    assert golden.loc["Alice", "on_dial_list"]


SWITCHBOARD = "+14155550199"
ASKER = person(
    "S7", "Ann", "Asker", "ann@umbrella-co.com", "+1 415 555 0199", "Umbrella", "2026-05-01"
)
COLLEAGUE = person(
    "S8", "Cal", "Weber", "cal@umbrella-co.com", "+1 415 555 0199", "Umbrella", "2026-05-01"
)


@pytest.fixture(scope="module")
def switchboard_runs(tmp_path_factory) -> list[dict]:
    """Ann asks on the company switchboard not to be called; then her record leaves the CRM."""
    root = tmp_path_factory.mktemp("switchboard_requests")
    url = default_duckdb_url(root)
    batches = {
        "first": {"salesforce": [ASKER, COLLEAGUE], "hubspot": [], "links": [],
                  "requests": [("S7", SWITCHBOARD)]},
        "second": {"salesforce": [COLLEAGUE], "hubspot": [], "links": []},
    }  # fmt: skip
    runs = []
    for name, batch in batches.items():
        assert run_batch(root / name, batch, AS_OF[name], url, root / "home").success, name
        warehouse = Warehouse(url)
        runs.append(warehouse.read_table("curated", "contacts_golden").set_index("first_name"))
        warehouse.engine.dispose()
    return runs


def test_a_request_on_the_switchboard_binds_its_maker_also_after_she_left(switchboard_runs):
    for golden in switchboard_runs:
        assert golden.loc["Ann", "is_dnc"] and not golden.loc["Ann", "is_callable"]
        assert golden.loc["Cal", "is_callable"]
        assert golden.loc["Cal", "dial_phone_e164"] == SWITCHBOARD
    assert not switchboard_runs[1].loc["Ann", "in_source"]

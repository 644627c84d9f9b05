"""Source modes, record state and the people carried forward after leaving their sources."""

import pandas as pd
import pytest

from hygiene_pipeline.history.persistence import (
    carried_people,
    file_modes,
    full_snapshot_sources,
    published_people,
    source_records,
)

DAY_1 = pd.Timestamp("2026-06-01", tz="UTC")
DAY_2 = pd.Timestamp("2026-06-08", tz="UTC")


def files(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source_system", "source_file"])


def test_file_names_then_source_configuration_then_the_default_decide_the_mode():
    batch = files(
        ("salesforce", "salesforce_contacts.csv"),
        ("salesforce", "salesforce_DELTA_0608.csv"),
        ("hubspot", "hubspot_contacts.csv"),
        ("hubspot", "hubspot_full_export.csv"),
        ("zoho", "zoho.csv"),
    )
    modes = file_modes(batch, {"hubspot": "delta"}, ["*delta*"], ["*full*"], "full")
    assert modes.tolist() == ["full", "delta", "delta", "full", "full"]
    assert full_snapshot_sources(batch, modes) == {"salesforce", "hubspot", "zoho"}
    only_delta = files(("hubspot", "hubspot_contacts.csv"))
    modes = file_modes(only_delta, {"hubspot": "delta"})
    assert full_snapshot_sources(only_delta, modes) == set()


def test_an_unknown_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown source mode 'weekly'"):
        file_modes(files(("a", "a.csv")), {"a": "weekly"})


def batch(*keys: str, deleted: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_key": list(keys),
            "source_system": [k.split(":")[0] for k in keys],
            "contact_id": [k.split(":")[1] for k in keys],
            "is_deleted": [k in deleted for k in keys],
        }
    )


def members(**ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"record_key": [k.replace("_", ":") for k in ids], "entity_id": list(ids.values())}
    )


def test_records_leave_their_source_only_through_a_full_snapshot_or_a_deletion():
    first = source_records(
        None,
        batch("sf:1", "sf:2", "hs:3"),
        members(sf_1="E1", sf_2="E2", hs_3="E3"),
        {"sf", "hs"},
        DAY_1,
    )
    assert first["in_source"].all() and (first["first_seen_at"] == DAY_1).all()
    second = source_records(
        first, batch("sf:1", "sf:2", deleted=("sf:2",)), members(sf_1="E1"), {"sf"}, DAY_2
    )
    state = second.set_index("record_key")
    assert state.loc["sf:1", "in_source"] and state.loc["sf:1", "first_seen_at"] == DAY_1
    assert not state.loc["sf:2", "in_source"], "deleted in its source"
    assert state.loc["sf:2", "removed_from_source_at"] == DAY_2
    assert state.loc["sf:2", "entity_id"] == "E2", "keeps the person it belonged to"
    assert state.loc["hs:3", "in_source"], "a delta (no full hubspot file) never removes"
    assert state.loc["hs:3", "last_seen_at"] == DAY_1


def golden(*ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity_id": list(ids),
            "status": "active",
            "status_reason": "answered call",
            "on_dial_list": True,
            "is_callable": True,
            "priority_rank": range(1, len(ids) + 1),
        }
    )


def test_people_without_a_live_record_are_carried_forward_and_never_listed():
    previous_records = source_records(
        None,
        batch("sf:1", "sf:2", "hs:3", "sf:4", "hs:4"),
        members(sf_1="E1", sf_2="E2", hs_3="E3", sf_4="E4", hs_4="E5"),
        {"sf", "hs"},
        DAY_1,
    )
    records = source_records(
        previous_records,
        batch("sf:1", "sf:4", "hs:4"),
        members(sf_1="E1", sf_4="E4", hs_4="E4"),
        {"sf"},
        DAY_2,
    )
    carried = carried_people(
        golden("E1", "E2", "E3", "E4", "E5"), previous_records, records, ["E1", "E4"], DAY_2
    ).set_index("entity_id")
    assert sorted(carried.index) == ["E2", "E3"], "E5 merged into E4: its record is live"
    assert not carried.loc["E2", "in_source"]
    assert carried.loc["E2", "removed_from_source_at"] == DAY_2
    assert carried.loc["E2", "status_reason"] == "removed_from_source"
    assert carried.loc["E3", "in_source"] and pd.isna(carried.loc["E3", "removed_from_source_at"])
    assert carried.loc["E3", "status_reason"] == "answered call"
    assert not carried["on_dial_list"].any() and not carried["is_callable"].any()
    assert carried["priority_rank"].isna().all()


def test_nothing_is_carried_without_a_previous_record_state():
    assert carried_people(golden("E1"), None, batch(), [], DAY_2).empty


def test_published_people_mark_the_scored_in_source_and_append_the_carried():
    scored = golden("E1").assign(on_dial_list=True)
    carried = golden("E2").assign(on_dial_list=False, in_source=False, removed_from_source_at=DAY_2)
    people = published_people(scored, carried).set_index("entity_id")
    assert people["in_source"].tolist() == [True, False]
    assert people["on_dial_list"].dtype == bool
    assert pd.isna(people.loc["E1", "removed_from_source_at"])
    assert people.loc["E2", "removed_from_source_at"] == DAY_2

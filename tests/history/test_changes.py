"""Field-level changes, job changes and entity lineage between two runs."""

import json

import pandas as pd

from hygiene_pipeline.history.entity_lineage import entity_lineage
from hygiene_pipeline.history.golden_changes import golden_changes
from hygiene_pipeline.history.job_changes import job_changes

AT = pd.Timestamp("2026-06-08", tz="UTC")


def provenance(record_key: str) -> str:
    fields = ("first_name", "email", "phone_e164", "company")
    return json.dumps({f: {"record_key": record_key, "rule": "most_recent"} for f in fields})


def people(rows: list[dict]) -> pd.DataFrame:
    columns = ["entity_id", "account_id", "first_name", "last_name", "email", "phone_e164",
               "company", "do_not_call", "in_source", "provenance"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


BEFORE = people(
    [
        dict(entity_id="E1", account_id="A1", first_name="Ann", last_name="Lee",
             email="ann@old.com", phone_e164="+14155550101", company="Old", do_not_call=False,
             in_source=True, provenance=provenance("sf:1")),
        dict(entity_id="E2", account_id="A2", first_name="Ben", last_name="Ray",
             email="ben@two.com", phone_e164="+14155550102", company="Two", do_not_call=False,
             in_source=True, provenance=provenance("sf:2")),
    ]
)  # fmt: skip


def after(changes: dict) -> pd.DataFrame:
    frame = BEFORE.copy().astype(object)
    for (entity, column), value in changes.items():
        frame.loc[frame["entity_id"] == entity, column] = value
    return frame


def test_each_changed_field_is_one_row_with_the_record_that_brought_it():
    now = after({("E1", "phone_e164"): "+14155550999", ("E1", "provenance"): provenance("hs:9")})
    changes = golden_changes(BEFORE, now, "run-2", AT)
    assert len(changes) == 1
    row = changes.iloc[0]
    assert (row["entity_id"], row["field"], row["old_value"], row["new_value"]) == (
        "E1",
        "phone_e164",
        "+14155550101",
        "+14155550999",
    )
    assert (row["source_system"], row["contact_id"], row["reason"]) == (
        "hs",
        "9",
        "source_update",
    )
    assert (row["run_id"], row["changed_at"]) == ("run-2", AT)


def test_unchanged_people_and_equal_values_of_other_dtypes_give_no_rows():
    same = BEFORE.astype({"do_not_call": object})
    assert golden_changes(BEFORE, same, "run-2", AT).empty
    assert golden_changes(None, BEFORE, "run-1", AT).empty


def test_flags_removals_and_given_reasons_are_named():
    now = after({("E1", "do_not_call"): True, ("E2", "in_source"): False})
    reasons = pd.DataFrame(
        {"entity_id": ["E1"], "field": ["do_not_call"], "reason": ["confirmed_by_trusted_source"]}
    )
    changes = golden_changes(BEFORE, now, "run-2", AT, reasons=reasons).set_index("field")
    assert changes.loc["do_not_call", "new_value"] == "true"
    assert changes.loc["do_not_call", "reason"] == "confirmed_by_trusted_source"
    assert changes.loc["in_source", "reason"] == "removed_from_source"


def test_a_new_account_with_a_new_work_domain_is_a_job_change():
    moved = after(
        {("E1", "account_id"): "A9", ("E1", "email"): "ann@new.com", ("E1", "company"): "New"}
    )
    relinked = after({("E1", "account_id"): "A9"})
    moves = job_changes(BEFORE, moved, "run-2", AT)
    assert moves[["entity_id", "old_account_id", "new_account_id"]].values.tolist() == [
        ["E1", "A1", "A9"]
    ]
    assert moves["status_at_old_account"].tolist() == ["left_company"]
    assert (moves["old_company"].iloc[0], moves["new_company"].iloc[0]) == ("Old", "New")
    assert job_changes(BEFORE, relinked, "run-2", AT).empty, "same work domain: no job change"
    changes = golden_changes(BEFORE, moved, "run-2", AT, moves["entity_id"]).set_index("field")
    assert changes.loc["account_id", "reason"] == "job_change"


def xref(**ids: str) -> pd.DataFrame:
    return pd.DataFrame({"record_key": list(ids), "entity_id": list(ids.values())})


def test_lineage_names_created_merged_split_and_retired_ids():
    before = xref(a="E1", b="E1", c="E2", d="E3", e="E4")
    now = xref(a="E1", b="E5", c="E1", d="E3", f="E6")
    cannot = pd.DataFrame({"record_key_left": ["a"], "record_key_right": ["b"]})
    lineage = entity_lineage(
        before, now, {"E1", "E2", "E3", "E4"}, {"E1", "E3", "E5", "E6"}, "run-2", cannot
    )
    events = {
        (r.event, r.entity_id): (r.other_entity_id, r.record_keys, r.reason)
        for r in lineage.itertuples()
    }
    assert events[("merged", "E2")][:2] == ("E1", "c")
    assert events[("split", "E1")] == ("E5", "b", "cannot-link override")
    assert events[("retired", "E4")][:2] == (None, "")
    assert {k[1] for k in events if k[0] == "created"} == {"E5", "E6"}
    assert (lineage["run_id"] == "run-2").all()


def test_a_first_run_creates_every_id():
    lineage = entity_lineage(None, xref(a="E1", b="E1", c="E2"), set(), {"E1", "E2"}, "run-1")
    assert lineage[["entity_id", "event", "record_keys"]].values.tolist() == [
        ["E1", "created", "a,b"],
        ["E2", "created", "c"],
    ]

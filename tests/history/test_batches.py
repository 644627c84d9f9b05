"""Three batches into one warehouse, on DuckDB and on PostgreSQL, through `materialize()`: the
warehouse remembers people who left their sources, logs field changes and job changes, holds a
weakly sourced phone change until an answered call confirms it, applies a do-not-call at once,
says where merged and split ids went, and keeps status history in step with the golden table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from batches import AS_OF, FIRST, SECOND, THIRD, run_batch

from hygiene_pipeline.warehouse.engine import Warehouse

TABLES = ("contacts_golden", "golden_changes", "pending_changes", "entity_lineage", "job_changes")


def snapshot(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    tables = {t: warehouse.read_table("curated", t) for t in TABLES}
    tables["history"] = warehouse.read_table("curated", "contact_status_history")
    tables["dial_list"] = warehouse.read_table("curated", "dial_list")
    tables["account_health"] = warehouse.read_table("curated", "account_health")
    tables["xref"] = warehouse.read_table("curated", "contact_xref")
    return tables


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def batches(request, tmp_path_factory) -> Iterator[dict]:
    """The three batches run one after the other (the third twice), with snapshots; on DuckDB
    from a copy of the session's published first batch."""
    root = tmp_path_factory.mktemp(f"batches_{request.param}")
    with _warehouse_url(request, root) as url:
        warehouse, home, runs = Warehouse(url), root / "home", {}
        if request.param == "postgresql":
            assert run_batch(root / "first", FIRST, AS_OF["first"], url, home).success, "first"
        runs["first"] = snapshot(warehouse)
        for name, batch in (("second", SECOND), ("third", THIRD)):
            result = run_batch(root / name, batch, AS_OF[name], url, home)
            assert result.success, name
            runs[name] = snapshot(warehouse)
        again = run_batch(root / "again", THIRD, AS_OF["third"], url, home)
        assert again.success
        runs["again"] = snapshot(warehouse)
        runs["masked_changes"] = warehouse.read_sql("SELECT * FROM curated_masked.golden_changes")
        yield runs
        warehouse.engine.dispose()


class _warehouse_url:
    """A DuckDB file holding the published first batch, or an empty PostgreSQL database of its
    own, dropped afterwards."""

    def __init__(self, request, root: Path) -> None:
        self.engine_name, self.request, self.root = request.param, request, root

    def __enter__(self) -> str:
        if self.engine_name == "duckdb":
            return self.request.getfixturevalue("after_first_batch")(self.root)
        admin_url = self.request.getfixturevalue("pg_admin_url")
        self.name = f"hygiene_test_{uuid.uuid4().hex[:10]}"
        self.admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        return sa.make_url(admin_url).set(database=self.name).render_as_string(False)

    def __exit__(self, *exc) -> None:
        if self.engine_name == "postgresql":
            with self.admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


def person(tables: dict, first_name: str) -> pd.Series:
    golden = tables["contacts_golden"]
    rows = golden[golden["first_name"] == first_name]
    assert len(rows) == 1, first_name
    return rows.iloc[0]


def changes_of(tables: dict, entity_id: str) -> pd.DataFrame:
    changes = tables["golden_changes"]
    return changes[changes["entity_id"] == entity_id].set_index("field")


def test_a_person_removed_from_a_full_source_stays_marked_and_off_the_dial_list(batches):
    carol = person(batches["second"], "Carol")
    assert not carol["in_source"]
    assert carol["removed_from_source_at"] == pd.Timestamp(AS_OF["second"])
    assert carol["status_reason"] == "removed_from_source"
    assert not carol["on_dial_list"] and carol["entity_id"] in set(
        batches["first"]["dial_list"]["entity_id"]
    )
    assert carol["entity_id"] not in set(batches["second"]["dial_list"]["entity_id"])
    assert changes_of(batches["second"], carol["entity_id"]).loc["in_source", "reason"] == (
        "removed_from_source"
    )
    later = person(batches["third"], "Carol")
    assert later["removed_from_source_at"] == carol["removed_from_source_at"]


def test_a_person_missing_from_a_delta_stays_in_source(batches):
    dan = person(batches["second"], "Dan")
    assert dan["in_source"] and pd.isna(dan["removed_from_source_at"])
    assert not dan["on_dial_list"]


def test_phone_email_and_company_changes_are_logged_with_their_source(batches):
    alice = person(batches["second"], "Alice")
    phone = changes_of(batches["second"], alice["entity_id"]).loc["phone_e164"]
    assert (phone["old_value"], phone["new_value"]) == ("+14155550101", "+14155550201")
    assert (phone["source_system"], phone["contact_id"], phone["reason"]) == (
        "salesforce",
        "S1",
        "source_update",
    )
    bob = changes_of(batches["second"], person(batches["second"], "Bob")["entity_id"])
    assert bob.loc["email", "new_value"] == "bob@initrode-inc.com"
    assert (bob.loc["company", "old_value"], bob.loc["company", "new_value"]) == (
        "Globex Corp",
        "Initrode",
    )


def test_a_job_change_leaves_the_old_account_and_carries_on_at_the_new_one(batches):
    before, after = person(batches["first"], "Bob"), person(batches["second"], "Bob")
    assert before["entity_id"] == after["entity_id"]
    moves = batches["second"]["job_changes"]
    assert len(moves) == 1
    move = moves.iloc[0]
    assert (move["entity_id"], move["status_at_old_account"]) == (
        after["entity_id"],
        "left_company",
    )
    assert (move["old_account_id"], move["new_account_id"]) == (
        before["account_id"],
        after["account_id"],
    )
    logged = changes_of(batches["second"], after["entity_id"]).loc["account_id"]
    assert (logged["old_value"], logged["new_value"], logged["reason"]) == (
        before["account_id"],
        after["account_id"],
        "job_change",
    )
    assert after["status"] == "active" and after["on_dial_list"]
    health = batches["second"]["account_health"].set_index("account_id")
    assert health.loc[before["account_id"], "job_change_departures"] == 1
    assert health.loc[after["account_id"], "job_change_departures"] == 0


def test_a_low_trust_phone_change_waits_until_an_answered_call_confirms_it(batches):
    frank = person(batches["second"], "Frank")
    assert frank["phone_e164"] == "+14155550104", "the golden record keeps the trusted number"
    pending = batches["second"]["pending_changes"]
    held = pending[pending["entity_id"] == frank["entity_id"]].iloc[0]
    assert (held["field"], held["current_value"], held["proposed_value"], held["state"]) == (
        "phone_e164",
        "+14155550104",
        "+14155550204",
        "pending",
    )
    assert (held["source_system"], held["contact_id"]) == ("hubspot", "H4")
    assert "phone_e164" not in changes_of(batches["second"], frank["entity_id"]).index
    confirmed = person(batches["third"], "Frank")
    assert confirmed["phone_e164"] == "+14155550204"
    row = batches["third"]["pending_changes"].set_index("entity_id").loc[frank["entity_id"]]
    assert (row["state"], row["resolution"]) == ("confirmed", "confirmed_by_answered_call")
    assert row["since"] == pd.Timestamp(AS_OF["second"])
    logged = changes_of(batches["third"], frank["entity_id"]).loc["phone_e164"]
    assert (logged["new_value"], logged["reason"]) == ("+14155550204", "confirmed_by_answered_call")


def test_a_do_not_call_from_a_low_trust_source_applies_at_once(batches):
    grace_before, grace = person(batches["first"], "Grace"), person(batches["second"], "Grace")
    assert grace_before["on_dial_list"] and not grace_before["do_not_call"]
    assert grace["do_not_call"] and not grace["on_dial_list"]
    assert grace["entity_id"] not in set(batches["second"]["pending_changes"]["entity_id"])
    logged = changes_of(batches["second"], grace["entity_id"]).loc["do_not_call"]
    assert (logged["new_value"], logged["source_system"]) == ("true", "hubspot")


def test_merged_and_split_ids_say_where_their_records_went(batches):
    xref_before, xref_after = batches["first"]["xref"], batches["second"]["xref"]
    id_of = lambda xref, key: xref.set_index("record_key").loc[key, "entity_id"]  # noqa: E731
    lineage = batches["second"]["entity_lineage"]
    this_run = lineage[~lineage["run_id"].isin(batches["first"]["entity_lineage"]["run_id"])]
    merged = this_run[this_run["event"] == "merged"].iloc[0]
    assert merged["entity_id"] == id_of(xref_before, "hubspot:H6")
    assert merged["other_entity_id"] == id_of(xref_after, "salesforce:S6")
    assert merged["record_keys"] == "hubspot:H6"
    assert merged["entity_id"] not in set(batches["second"]["contacts_golden"]["entity_id"])
    split = this_run[this_run["event"] == "split"].iloc[0]
    assert split["entity_id"] == id_of(xref_before, "salesforce:S7")
    assert split["other_entity_id"] == id_of(xref_after, "salesforce:S7")
    assert split["reason"] == "cannot-link override"
    created = this_run[this_run["event"] == "created"]
    assert created["entity_id"].tolist() == [split["other_entity_id"]]
    first = batches["first"]["entity_lineage"]
    assert set(first["event"]) == {"created"}
    assert set(first["entity_id"]) == set(batches["first"]["contacts_golden"]["entity_id"])


def test_history_agrees_with_golden_after_every_batch(batches):
    for name in ("first", "second", "third", "again"):
        golden = batches[name]["contacts_golden"].set_index("entity_id")
        history = batches[name]["history"]
        open_spells = history[history["valid_to"].isna()]
        assert open_spells["entity_id"].is_unique, name
        assert set(open_spells["entity_id"]) == set(golden.index), name
        spell_status = open_spells.set_index("entity_id")["status"]
        assert (spell_status == golden.loc[spell_status.index, "status"]).all(), name


def test_rerunning_a_batch_changes_nothing(batches):
    third, again = batches["third"], batches["again"]
    for table in ("golden_changes", "pending_changes", "entity_lineage", "job_changes", "history"):
        assert len(again[table]) == len(third[table]), table
    columns = ["entity_id", "phone_e164", "email", "status", "in_source", "on_dial_list"]
    pd.testing.assert_frame_equal(
        again["contacts_golden"][columns].sort_values("entity_id", ignore_index=True),
        third["contacts_golden"][columns].sort_values("entity_id", ignore_index=True),
    )


def test_changed_values_are_masked_in_the_masked_views(batches):
    masked = batches["masked_changes"]
    real = batches["again"]["golden_changes"]
    assert len(masked) == len(real) > 0
    shown = set(masked["old_value"].dropna()) | set(masked["new_value"].dropna())
    assert not shown & (set(real["old_value"].dropna()) | set(real["new_value"].dropna()))

"""Two batches of a generated CRM into one DuckDB warehouse, the second without one of
salesforce's regional files: people are kept, untouched ids stay, history agrees with golden."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from batch_runs import PublishedRun, materialize_batch

from hygiene_pipeline.warehouse.engine import Warehouse

DROPPED_FILE = "salesforce_contacts_apac.csv"
"""Salesforce sends its other regions: a full snapshot of salesforce without these records."""
SECOND_AS_OF = "2026-07-07T12:00:00+00:00"
"""A week after the generated CRM's reference time (tests/conftest.py), its first batch."""


@pytest.fixture(scope="module")
def two_batches(generated_crm: Path, generated_crm_run: PublishedRun, tmp_path_factory) -> dict:
    """The session's first batch of the generated CRM, then the second batch into a copy of its
    warehouse."""
    root = tmp_path_factory.mktemp("world_batches")
    url, home = generated_crm_run.copy_into(root), root / "home"
    warehouse = Warehouse(url)
    second = root / "second"
    shutil.copytree(generated_crm / "landing", second)
    (second / "crm_contacts" / DROPPED_FILE).unlink()
    before = {
        "xref": warehouse.read_table("curated", "contact_xref"),
        "golden": warehouse.read_table("curated", "contacts_golden"),
        "files": warehouse.read_sql("SELECT record_key, source_file FROM staging.crm_contacts"),
    }
    assert generated_crm_run.result.success
    assert materialize_batch(second, url, home, SECOND_AS_OF).success
    after = {
        name: warehouse.read_table("curated", name)
        for name in ("contact_xref", "contacts_golden", "contact_status_history", "entity_lineage")
    }
    return {"before": before, "after": after}


def dropped_keys(before: dict) -> set[str]:
    files = before["files"]
    return set(files.loc[files["source_file"].str.endswith(DROPPED_FILE), "record_key"])


def test_untouched_entity_ids_stay_stable(two_batches):
    before, after = two_batches["before"], two_batches["after"]
    dropped = dropped_keys(before)
    xref = before["xref"]
    touched = set(xref.loc[xref["record_key"].isin(dropped), "entity_id"])
    untouched = xref.loc[~xref["entity_id"].isin(touched)]
    now = after["contact_xref"].set_index("record_key")["entity_id"]
    same = untouched["entity_id"].eq(untouched["record_key"].map(now))
    stable = same.groupby(untouched["entity_id"]).all()
    assert len(stable) > 1000
    assert stable.mean() >= 0.99, f"{stable.mean():.4f} of untouched ids kept"


def test_people_whose_records_all_left_stay_marked_and_off_the_dial_list(two_batches):
    before, after = two_batches["before"], two_batches["after"]
    dropped = dropped_keys(before)
    xref = before["xref"]
    all_gone = xref.groupby("entity_id")["record_key"].agg(lambda keys: set(keys) <= dropped)
    gone_ids = set(all_gone[all_gone].index)
    assert len(gone_ids) > 10
    golden = after["contacts_golden"].set_index("entity_id")
    assert gone_ids <= set(golden.index), "nobody vanishes"
    removed = golden.loc[sorted(gone_ids)]
    assert not removed["in_source"].any() and not removed["on_dial_list"].any()
    assert (removed["removed_from_source_at"] == pd.Timestamp(SECOND_AS_OF)).all()
    assert golden.loc[~golden.index.isin(gone_ids), "in_source"].all()


def test_every_id_that_stopped_existing_says_where_it_went(two_batches):
    before, after = two_batches["before"], two_batches["after"]
    vanished = set(before["golden"]["entity_id"]) - set(after["contacts_golden"]["entity_id"])
    lineage = after["entity_lineage"]
    explained = set(lineage.loc[lineage["event"].isin(["merged", "retired"]), "entity_id"])
    assert vanished <= explained


def test_history_agrees_with_golden(two_batches):
    after = two_batches["after"]
    history = after["contact_status_history"]
    open_spells = history[history["valid_to"].isna()].set_index("entity_id")["status"]
    golden = after["contacts_golden"].set_index("entity_id")["status"]
    assert open_spells.index.is_unique
    assert set(open_spells.index) == set(golden.index)
    assert (open_spells == golden.loc[open_spells.index]).all()

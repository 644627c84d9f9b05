"""The one-call API on CRM-shaped data: accuracy, stable entity ids, overrides, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from linkage_fixtures import make_contacts

from hygiene_pipeline.linkage import deduplicate, load_overrides, pairwise_scores
from hygiene_pipeline.linkage.crm_spec import CRM_GOLDEN_RULES, CRM_LINKAGE_SPEC


@pytest.fixture(scope="module")
def contacts() -> pd.DataFrame:
    return make_contacts(3_000, seed=4)


@pytest.fixture(scope="module")
def first_run(contacts: pd.DataFrame):
    return deduplicate(contacts, CRM_LINKAGE_SPEC, CRM_GOLDEN_RULES)


def test_duplicates_are_found_with_high_precision(contacts, first_run) -> None:
    clusters = first_run.assignments["cluster"].reindex(contacts["record_key"])
    scores = pairwise_scores(contacts["person_id"], clusters)
    assert scores["precision"] >= 0.99
    assert scores["f1"] >= 0.98


def test_every_record_reaches_the_cross_reference_once(contacts, first_run) -> None:
    xref = first_run.xref
    assert sorted(xref["record_key"]) == sorted(contacts["record_key"])
    assert set(xref["entity_id"]) == set(first_run.golden["entity_id"])
    assert first_run.golden["source_count"].sum() == len(contacts)
    assert xref["match_probability"].between(0, 1).all()


def test_stats_describe_every_stage_for_the_asset_metadata(first_run) -> None:
    stats = first_run.stats
    assert set(stats) == {
        "candidate_pairs", "compare", "score", "cluster", "match_pairs", "golden_records"
    }  # fmt: skip
    assert set(stats["candidate_pairs"]["pairs_by_blocking_key"]) == {
        key.name for key in CRM_LINKAGE_SPEC.blocking
    }
    assert sum(stats["score"]["probability_histogram"]["counts"]) == len(first_run.scored)
    assert stats["cluster"]["largest_clusters"]
    json.dumps(stats)  # JSON-able as a whole


def test_entity_ids_persist_when_records_are_added(contacts, first_run) -> None:
    # Run one: two thirds of the records. Run two: all of them, previous xref passed in.
    part = contacts.iloc[: 2 * len(contacts) // 3]
    before = deduplicate(part, CRM_LINKAGE_SPEC, CRM_GOLDEN_RULES)
    after = deduplicate(contacts, CRM_LINKAGE_SPEC, CRM_GOLDEN_RULES, previous_xref=before.xref)
    old = before.xref.set_index("record_key")["entity_id"]
    new = after.xref.set_index("record_key")["entity_id"].reindex(old.index)
    kept = (old == new).mean()
    assert kept >= 0.99
    assert after.stats["golden_records"]["ids_carried_over"] >= 0.99 * old.nunique()
    # An id of the first run only ever names a cluster holding records that carried it.
    runs = pd.DataFrame({"old": old, "new": new})
    reused = runs[runs["new"].isin(set(old))]
    holders = set(reused.loc[reused["old"] == reused["new"], "new"])
    assert holders == set(reused["new"])


def test_an_override_file_splits_a_merged_pair(contacts, first_run, tmp_path: Path) -> None:
    merged = first_run.match_pairs[first_run.match_pairs["decision"] == "match"].iloc[0]
    left, right = merged["record_key_left"], merged["record_key_right"]
    path = tmp_path / "overrides.csv"
    path.write_text(
        f"record_key_left,record_key_right,rule,note\n{left},{right},cannot_link,wrong merge\n"
    )
    rerun = deduplicate(
        contacts,
        CRM_LINKAGE_SPEC,
        CRM_GOLDEN_RULES,
        overrides=load_overrides(path),
        previous_xref=first_run.xref,
    )
    entity = rerun.xref.set_index("record_key")["entity_id"]
    assert entity[left] != entity[right]
    pair = rerun.match_pairs[
        (rerun.match_pairs["record_key_left"] == left)
        & (rerun.match_pairs["record_key_right"] == right)
    ]
    assert pair["decision"].tolist() == ["cannot_link"]

"""The linkage stages of a run: one step with a table each, linking as the library does."""

from __future__ import annotations

import duckdb
import pandas as pd
from batch_runs import PublishedRun

from hygiene_pipeline.linkage.blocking import candidate_pairs
from hygiene_pipeline.linkage.classifier import score
from hygiene_pipeline.linkage.clusters import cluster
from hygiene_pipeline.linkage.crm_spec import CRM_LINKAGE_SPEC, linkage_input
from hygiene_pipeline.linkage.features import compare
from hygiene_pipeline.linkage.overrides import (
    combined_overrides,
    empty_overrides,
    master_record_links,
)
from hygiene_pipeline.warehouse.frame_types import frame_from_arrow

STAGES = ("candidate_pairs", "pair_features", "match_scores", "clusters")


def test_the_linkage_stages_are_one_step_with_a_table_each(generated_crm_run: PublishedRun):
    by_stage = {
        event.asset_key.path[-1]: event.step_key
        for event in generated_crm_run.result.get_asset_materialization_events()
        if event.asset_key.path[0] == "linkage"
    }

    assert {by_stage[stage] for stage in STAGES} == {"linkage__people"}


def test_a_run_links_its_staged_records_as_the_library_does(generated_crm_run: PublishedRun):
    """The people are those of the library's stages run one after another on the staged
    records, clustering on the candidate pairs' scores only, as a run always has (member pairs
    unchecked, though the step holds the fitted model)."""
    with duckdb.connect(str(generated_crm_run.home / "warehouse.duckdb"), read_only=True) as db:
        contacts = frame_from_arrow(
            db.execute("SELECT * FROM staging.crm_contacts").fetch_arrow_table()
        )
        people = db.execute("SELECT record_key, entity_id FROM curated.contact_xref").df()
    records = linkage_input(contacts)
    pairs, _ = candidate_pairs(records, CRM_LINKAGE_SPEC)
    scored, _ = score(compare(records, pairs, CRM_LINKAGE_SPEC)[0], CRM_LINKAGE_SPEC)
    overrides = combined_overrides(master_record_links(records), empty_overrides())
    assignments, stats = cluster(records, scored, CRM_LINKAGE_SPEC, overrides, check_members=False)

    run = people.set_index("record_key")["entity_id"]
    assert _partition(run) == _partition(assignments["cluster"])
    assert (
        stats["member_pairs_checked"]
        == _clusters_metadata(generated_crm_run)["member_pairs_checked"].value
        == 0
    )


def _clusters_metadata(run: PublishedRun) -> dict:
    events = run.result.asset_materializations_for_node("linkage__people")
    return next(event.metadata for event in events if event.asset_key.path[-1] == "clusters")


def _partition(labels: pd.Series) -> set[frozenset[str]]:
    return {frozenset(group.index) for _, group in labels.groupby(labels)}

"""Accuracy on the synthetic CRM with ground truth: generate, ingest, standardise, deduplicate."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.domain.readers import read_feed
from hygiene_pipeline.domain.standardise import standardise_crm_contacts
from hygiene_pipeline.linkage import deduplicate, pairwise_scores
from hygiene_pipeline.linkage.crm_spec import CRM_GOLDEN_RULES, CRM_LINKAGE_SPEC
from hygiene_pipeline.synthetic import generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    """5,000 standardised contacts and the folder of their ground truth."""
    out: Path = tmp_path_factory.mktemp("crm_5k")
    generate(out, contacts=5_000, seed=7, as_of=datetime(2026, 6, 30, 12))
    contacts = standardise_crm_contacts(read_feed(out / "landing", "crm_contacts")).accepted
    return contacts, out / "ground_truth"


@pytest.fixture(scope="module")
def person_of_record(generated) -> pd.Series:
    truth = pd.read_csv(generated[1] / "records.csv", dtype=str)
    keys = truth["source_system"].str.lower() + ":" + truth["contact_id"]
    return pd.Series(truth["person_id"].to_numpy(), index=keys)


@pytest.fixture(scope="module")
def ghost_records(generated) -> pd.Index:
    """Test and placeholder records: they are nobody, so how they group is not linkage."""
    truth = pd.read_csv(generated[1] / "records.csv", dtype=str)
    ghost = truth[truth["is_ghost"] == "true"]
    return pd.Index(ghost["source_system"].str.lower() + ":" + ghost["contact_id"])


@pytest.fixture(scope="module")
def result(generated):
    return deduplicate(generated[0], CRM_LINKAGE_SPEC, CRM_GOLDEN_RULES)


def test_pairwise_precision_and_f1_on_generated_contacts(
    result, person_of_record, ghost_records
) -> None:
    truth = person_of_record.reindex(result.assignments.index)
    assert truth.notna().all()
    people = ~truth.index.isin(ghost_records)
    scores = pairwise_scores(truth[people], result.assignments["cluster"][people])
    assert scores["precision"] >= 0.99, scores
    assert scores["f1"] >= 0.98, scores


def test_planted_hard_negatives_stay_apart(result, person_of_record, generated) -> None:
    """Namesakes, colleagues on one switchboard, colleagues sharing a role mailbox."""
    hard = pd.read_csv(generated[1] / "hard_negatives.csv", dtype=str)
    cluster = result.assignments["cluster"]
    clusters_of = (
        pd.DataFrame({"person": person_of_record.reindex(cluster.index), "cluster": cluster})
        .groupby("person")["cluster"]
        .agg(set)
    )
    together = [
        bool(clusters_of.get(a, set()) & clusters_of.get(b, set()))
        for a, b in zip(hard["person_id_left"], hard["person_id_right"], strict=True)
    ]
    assert len(together) > 100
    assert sum(together) / len(together) < 0.01

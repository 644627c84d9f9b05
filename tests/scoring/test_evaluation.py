"""Scoring against the generator's ground truth: the issue's acceptance figures on a small CRM.

With the true person grouping as the cross-reference the figures measure scoring alone and must
meet the acceptance bar. With the linkage engine's grouping they also carry linkage errors (a
wrong merge lends one person's consent to another), so that run checks the scoring's own
guarantees on whatever grouping it is given; `benchmarks/bench_scoring.py` prints both.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.scoring.evaluation import (
    GeneratedRun,
    score_generated,
    scoring_accuracy,
    standardised_feeds,
)


@pytest.fixture(scope="module")
def feeds(generated_crm: Path) -> dict[str, pd.DataFrame]:
    return standardised_feeds(generated_crm / "landing")


def run_on(
    generated_crm: Path, feeds: dict[str, pd.DataFrame], true_grouping: bool
) -> GeneratedRun:
    """Score the generated CRM at the `as_of` it was generated for."""
    return score_generated(generated_crm, true_grouping=true_grouping, feeds=feeds)


def test_acceptance_figures_with_the_true_grouping(
    generated_crm: Path, feeds: dict[str, pd.DataFrame]
) -> None:
    figures = scoring_accuracy(run_on(generated_crm, feeds, true_grouping=True), generated_crm)

    assert figures["people"] > 500
    assert figures["dial_list"] > 0
    assert figures["dial_list_violations"] == 0, figures
    assert figures["status_accuracy"] >= 0.95, figures
    assert figures["intent_tier_accuracy"] >= 0.85, figures


def test_dial_list_rules_hold_on_the_linkage_grouping(
    generated_crm: Path, feeds: dict[str, pd.DataFrame]
) -> None:
    run = run_on(generated_crm, feeds, true_grouping=False)
    scored = run.result.contacts.set_index("entity_id")
    listed = scored.loc[run.result.dial_list["entity_id"]]

    assert len(listed) > 0
    assert (listed["status"] == "active").all()
    assert listed["consent_valid"].all()
    assert not listed["is_dnc"].any()
    assert (listed["calls_today"] < 2).all() and (listed["calls_7d"] < 7).all()
    assert not listed["linkage_review_hold"].any()
    assert scoring_accuracy(run, generated_crm)["status_accuracy"] >= 0.85

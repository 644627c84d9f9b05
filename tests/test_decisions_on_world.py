"""The pipeline's decisions on a generated world, judged against the world's own truth.

A world of 5,000 CRM records runs through the whole asset graph into DuckDB; the judge
(`hygiene_pipeline.synthetic.judge`) compares the published tables with the state of the world at
`as_of`, a truth that shares no rule with the scoring. The targets are what sales ops needs:
nobody who asked not to be called or has no valid consent on the dial list, the coarse status and
the intent tier right for nearly everyone, nearly every dialable person on the list, and linkage
as good as it is on its own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize

from hygiene_pipeline.definitions import build_definitions
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource
from hygiene_pipeline.synthetic import generate
from hygiene_pipeline.synthetic.judge import Judgement, judge
from hygiene_pipeline.warehouse.engine import default_duckdb_url

AS_OF = datetime(2026, 6, 30, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def judgement(tmp_path_factory: pytest.TempPathFactory) -> Judgement:
    world: Path = tmp_path_factory.mktemp("world_5k")
    generate(world, contacts=5_000, seed=21, as_of=AS_OF)
    home = tmp_path_factory.mktemp("hygiene_home")
    url = default_duckdb_url(home)
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(world / "landing")),
        warehouse=WarehouseResource(url=url),
        clock=BatchClockResource(as_of=AS_OF.isoformat()),
        home=home,
    )
    result = materialize(
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success
    return judge(url, world / "ground_truth")


def _report(judgement: Judgement) -> str:
    return "\n" + "\n".join(judgement.lines())


def test_nobody_do_not_call_or_without_consent_is_on_the_dial_list(judgement: Judgement) -> None:
    figures = judgement.figures
    assert figures["dial list violations: dnc people"] == 0, _report(judgement)
    assert figures["dial list violations: no consent people"] == 0, _report(judgement)


def test_coarse_status_is_right_for_nearly_everyone(judgement: Judgement) -> None:
    assert judgement.figures["coarse status accuracy"] >= 0.97, _report(judgement)


def test_intent_tier_is_right_for_nearly_every_active_person(judgement: Judgement) -> None:
    assert judgement.figures["intent tier accuracy (active)"] >= 0.90, _report(judgement)


def test_nearly_every_dialable_person_is_on_the_dial_list(judgement: Judgement) -> None:
    assert judgement.figures["dial recall"] >= 0.95, _report(judgement)


def test_linkage_keeps_its_accuracy(judgement: Judgement) -> None:
    assert judgement.figures["linkage f1"] >= 0.99, _report(judgement)

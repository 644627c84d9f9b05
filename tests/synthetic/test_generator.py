"""generate(): determinism, the output layout, the counts it reports, its argument checks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from landing_readers import read_jsonl, read_rows

from hygiene_pipeline.synthetic import generate
from hygiene_pipeline.synthetic.columns import stage_rng
from hygiene_pipeline.synthetic.landing_layout import (
    BOUNCE_FILES,
    CALL_FILES,
    CRM_FILES,
    DNC_FILES,
    ENGAGEMENT_FILES,
)
from hygiene_pipeline.synthetic.population import record_counts

AS_OF = datetime(2026, 6, 30, 12, 0, 0)
EXPECTED_FILES = {
    "crm_contacts": {spec.name for spec in CRM_FILES},
    "email_bounces": set(BOUNCE_FILES.values()),
    "call_logs": set(CALL_FILES.values()),
    "engagement_events": set(ENGAGEMENT_FILES.values()),
    "dnc_list": set(DNC_FILES.values()),
}
ENCODINGS = {spec.name: spec.encoding for spec in CRM_FILES}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_and_as_of_give_the_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", contacts=400, seed=5, as_of=AS_OF)
    generate(tmp_path / "b", contacts=400, seed=5, as_of=AS_OF.replace(tzinfo=UTC))
    generate(tmp_path / "c", contacts=400, seed=6, as_of=AS_OF)
    first, second, other = (_tree(tmp_path / name) for name in "abc")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert first["ground_truth/people.csv"] != other["ground_truth/people.csv"]


def test_layout_has_every_feed_folder_and_the_ground_truth(generated_crm: Path) -> None:
    landing = generated_crm / "landing"
    assert {p.name for p in landing.iterdir()} == set(EXPECTED_FILES)
    for feed, names in EXPECTED_FILES.items():
        assert {p.name for p in (landing / feed).iterdir()} == names
    assert {p.name for p in (generated_crm / "ground_truth").iterdir()} == {
        "records.csv",
        "people.csv",
        "accounts.csv",
        "hard_negatives.csv",
        "bad_rows.csv",
        "summary.json",
    }


def _data_rows(path: Path) -> int:
    if path.suffix == ".jsonl":
        return len(read_jsonl(path))
    return len(read_rows(path, ENCODINGS.get(path.name, "utf-8"))[1])


def test_summary_counts_match_the_files(generated_crm: Path, summary: dict, truth: dict) -> None:
    landing = generated_crm / "landing"
    for feed, names in EXPECTED_FILES.items():
        assert summary["feed_rows"][feed] == sum(_data_rows(landing / feed / n) for n in names)
    assert summary["feed_rows"]["crm_contacts"] == summary["contacts"] == 2_000
    bad_crm = summary["bad_rows"]["crm_contacts"]
    assert len(truth["records"]) == 2_000 - bad_crm
    ghosts = truth["people"]["is_ghost"] == "true"
    assert (~ghosts).sum() == summary["people"] < len(truth["records"])
    assert (
        ghosts.sum() == summary["ghost_records"] == (truth["records"]["is_ghost"] == "true").sum()
    )
    assert len(truth["accounts"]) == summary["companies"]
    assert summary["as_of"] == "2026-06-30T12:00:00+00:00"
    assert sum(summary["status_counts"].values()) == len(truth["people"])


def test_too_few_contacts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(tmp_path, contacts=50)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_smallest_worlds_generate(tmp_path: Path, seed: int) -> None:
    """At 200 contacts some worlds hold no move, closure or job change: nothing breaks."""
    summary = generate(tmp_path, contacts=200, seed=seed, as_of=AS_OF)
    assert summary.feed_rows["crm_contacts"] == 200
    assert sum(summary.status_counts.values()) == summary.people + summary.ghost_records


def test_a_world_whose_first_draw_of_people_falls_short_generates(tmp_path: Path) -> None:
    """Seed 22 at 300 contacts draws too few records per person at first."""
    summary = generate(tmp_path, contacts=300, seed=22, as_of=AS_OF)
    assert summary.feed_rows["crm_contacts"] == 300


@pytest.mark.parametrize("total", [180, 234, 300, 493, 5_000])
def test_records_per_person_add_up_to_the_total(total: int) -> None:
    counts = record_counts(stage_rng(22, "population"), total)
    assert counts.sum() == total
    assert counts.min() >= 1 and counts.max() <= 4

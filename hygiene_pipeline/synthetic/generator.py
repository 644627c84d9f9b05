"""`generate()`: a synthetic dirty CRM in the landing layout, with its ground truth beside it.

    DIR/landing/{crm_contacts,email_bounces,call_logs,engagement_events,dnc_list}/...
    DIR/ground_truth/{records,people,hard_negatives,bad_rows}.csv, summary.json

The same `seed` and `as_of` give byte-identical files. Everything is built column by column
(numpy, Arrow), so a million contact records take minutes, not hours, and stay well under 3 GB.
`as_of` defaults to the current time (UTC, whole seconds): evidence is dated relative to it, so
generate and score with the same `as_of` (a naive datetime is taken as UTC).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from hygiene_pipeline.synthetic.bounce_export import write_bounces
from hygiene_pipeline.synthetic.call_export import write_call_logs
from hygiene_pipeline.synthetic.columns import stage_rng
from hygiene_pipeline.synthetic.crm_export import CRM_BAD_ROWS, write_crm_exports
from hygiene_pipeline.synthetic.dnc_export import write_dnc_lists
from hygiene_pipeline.synthetic.engagement_export import write_engagement
from hygiene_pipeline.synthetic.evidence import plant_evidence
from hygiene_pipeline.synthetic.file_io import Written
from hygiene_pipeline.synthetic.ground_truth import (
    write_bad_rows,
    write_hard_negatives,
    write_people,
    write_records,
    write_summary,
)
from hygiene_pipeline.synthetic.plan import build_plan
from hygiene_pipeline.synthetic.population import build_population
from hygiene_pipeline.synthetic.record_activity import build_activity
from hygiene_pipeline.synthetic.records import build_records, person_contact_points
from hygiene_pipeline.synthetic.timeline import Timeline
from hygiene_pipeline.synthetic.truth import derive_truth

MIN_CONTACTS = 200
GENERATOR_VERSION = "1"


@dataclass(frozen=True)
class GenerationSummary:
    """What `generate` wrote: where, from which parameters, and how many rows of each kind."""

    out_dir: Path
    landing_dir: Path
    ground_truth_dir: Path
    seed: int
    as_of: datetime
    contacts: int
    people: int
    companies: int
    feed_rows: dict[str, int] = field(default_factory=dict)  # data rows per feed, bad rows included
    feed_files: dict[str, list[Path]] = field(default_factory=dict)
    bad_rows: dict[str, int] = field(default_factory=dict)  # planted bad rows per feed
    status_counts: dict[str, int] = field(default_factory=dict)
    hard_negative_pairs: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Headline counts for a one-line report: people, companies and rows per feed."""
        return {"people": self.people, "companies": self.companies, **self.feed_rows}

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form (paths relative to `out_dir`)."""
        return {
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "contacts": self.contacts,
            "people": self.people,
            "companies": self.companies,
            "feed_rows": self.feed_rows,
            "feed_files": {
                feed: [str(p.relative_to(self.out_dir)) for p in paths]
                for feed, paths in self.feed_files.items()
            },
            "bad_rows": self.bad_rows,
            "status_counts": self.status_counts,
            "hard_negative_pairs": self.hard_negative_pairs,
        }


def _as_of(value: datetime | None) -> datetime:
    """`as_of` as an aware UTC datetime in whole seconds (now when not given)."""
    moment = datetime.now(UTC) if value is None else value
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(microsecond=0)


def generate(
    out_dir: Path, contacts: int = 20_000, seed: int = 0, as_of: datetime | None = None
) -> GenerationSummary:
    """Write a synthetic dirty CRM of `contacts` contact records (rows across all CRM export
    files, planted bad rows included) under `out_dir/landing`, and its truth under
    `out_dir/ground_truth`."""
    if contacts < MIN_CONTACTS:
        raise ValueError(f"contacts must be at least {MIN_CONTACTS}, got {contacts}")
    out_dir = Path(out_dir)
    moment = _as_of(as_of)
    timeline = Timeline.at(moment)
    landing, truth_dir = out_dir / "landing", out_dir / "ground_truth"
    truth_dir.mkdir(parents=True, exist_ok=True)

    pop = build_population(stage_rng(seed, "population"), contacts - CRM_BAD_ROWS)
    records = build_records(stage_rng(seed, "records"), pop)
    points = person_contact_points(records, len(pop.people))
    plan = build_plan(stage_rng(seed, "plan"), pop, points)
    activity = build_activity(stage_rng(seed, "activity"), records, plan, timeline)
    evidence = plant_evidence(stage_rng(seed, "evidence"), pop, records, points, plan, timeline)
    truth = derive_truth(pop, records, activity, evidence, timeline)

    written: dict[str, list[Written]] = {
        "crm_contacts": write_crm_exports(
            landing / "crm_contacts", stage_rng(seed, "crm_contacts"), records, activity
        ),
        "email_bounces": write_bounces(
            landing / "email_bounces", stage_rng(seed, "email_bounces"), pop, evidence.bounces
        ),
        "call_logs": write_call_logs(
            landing / "call_logs", stage_rng(seed, "call_logs"), pop, records, evidence.calls
        ),
        "engagement_events": write_engagement(
            landing / "engagement_events",
            stage_rng(seed, "engagement_events"),
            pop,
            records,
            evidence.events,
        ),
        "dnc_list": write_dnc_lists(
            landing / "dnc_list", stage_rng(seed, "dnc_list"), pop, evidence.dnc
        ),
    }
    bad = [
        {
            "feed": feed,
            "file": w.path.name,
            "row_number": row,
            "defect": b.defect,
            "detail": b.detail,
        }
        for feed, files in written.items()
        for w in files
        for row, b in w.bad_rows
    ]
    write_records(truth_dir / "records.csv", records)
    write_people(truth_dir / "people.csv", pop, plan, truth)
    pairs = write_hard_negatives(truth_dir / "hard_negatives.csv", pop, points)
    write_bad_rows(truth_dir / "bad_rows.csv", bad)
    summary = GenerationSummary(
        out_dir=out_dir,
        landing_dir=landing,
        ground_truth_dir=truth_dir,
        seed=seed,
        as_of=moment,
        contacts=contacts,
        people=len(pop.people),
        companies=len(pop.companies),
        feed_rows={feed: sum(w.rows for w in files) for feed, files in written.items()},
        feed_files={feed: [w.path for w in files] for feed, files in written.items()},
        bad_rows=dict(Counter(str(row["feed"]) for row in bad)),
        status_counts={
            k: int(v) for k, v in pd.Series(truth["status"]).value_counts().sort_index().items()
        },
        hard_negative_pairs=pairs,
    )
    write_summary(truth_dir / "summary.json", summary.to_dict())
    return summary

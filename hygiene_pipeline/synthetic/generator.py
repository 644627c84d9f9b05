"""`generate()`: a synthetic dirty CRM in the landing layout, with its ground truth beside it.

    DIR/landing/{crm_contacts,email_bounces,call_logs,engagement_events,dnc_list}/...
    DIR/ground_truth/{records,people,accounts,hard_negatives,bad_rows}.csv, summary.json

A small world is simulated first and observed second: companies with fates and people with
careers, buying journeys, consent and do-not-call requests (`population`, `world`, `lives`,
`behaviour`); then what the company does and what comes back (`outreach`), and how its systems
record it, noise included (`records`, `crm_fields`, `observations` and one writer per feed).
The truth is the world's state at `as_of` (`truth`); no scoring rule is involved.

"Recently", as the world defines it from sales practice: an explicit need (a contact or pricing
form, a demo request, a booked meeting, "interested" or a callback request on a call) makes a
person high intent for 30 days, since a hand-raiser not worked within a month has gone cold;
engagement (web visits, pricing-page views, downloads, email clicks, needs) keeps them medium for
90 days, a quarter, after which it says little about current interest; a refusal makes them low.
Six months without a genuine interaction (an answered call, a click, a form, a demo request, a
meeting) make a person dormant. See `truth` for every definition.

The same `seed` and `as_of` give byte-identical files. Everything is built column by column
(numpy, Arrow), so a million contact records take a minute or two and stay under 3 GB. `as_of`
defaults to the current time (UTC, whole seconds): the world is dated relative to it, so
generate and run the pipeline with the same `as_of` (a naive datetime is taken as UTC).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hygiene_pipeline.synthetic.behaviour import build_behaviour
from hygiene_pipeline.synthetic.bounce_export import write_bounces
from hygiene_pipeline.synthetic.call_export import write_call_logs
from hygiene_pipeline.synthetic.columns import stage_rng
from hygiene_pipeline.synthetic.crm_export import CRM_BAD_ROWS, write_crm_exports
from hygiene_pipeline.synthetic.crm_fields import build_crm_fields
from hygiene_pipeline.synthetic.dnc_export import write_dnc_lists
from hygiene_pipeline.synthetic.engagement_export import write_engagement
from hygiene_pipeline.synthetic.file_io import Written
from hygiene_pipeline.synthetic.ghosts import GHOST_SHARE
from hygiene_pipeline.synthetic.ground_truth import (
    write_accounts,
    write_bad_rows,
    write_hard_negatives,
    write_people,
    write_records,
    write_summary,
)
from hygiene_pipeline.synthetic.lives import build_lives
from hygiene_pipeline.synthetic.observations import observe
from hygiene_pipeline.synthetic.on_file import build_on_file
from hygiene_pipeline.synthetic.outreach import reach_out
from hygiene_pipeline.synthetic.population import build_population
from hygiene_pipeline.synthetic.records import build_records
from hygiene_pipeline.synthetic.standing import standing
from hygiene_pipeline.synthetic.timeline import Timeline
from hygiene_pipeline.synthetic.truth import world_truth
from hygiene_pipeline.synthetic.world import Fate, build_world

MIN_CONTACTS = 200
GENERATOR_VERSION = "2"


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
    ghost_records: int = 0
    feed_rows: dict[str, int] = field(default_factory=dict)  # data rows per feed, bad rows included
    feed_files: dict[str, list[Path]] = field(default_factory=dict)
    bad_rows: dict[str, int] = field(default_factory=dict)  # planted bad rows per feed
    status_counts: dict[str, int] = field(default_factory=dict)
    world_counts: dict[str, int] = field(default_factory=dict)
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
            "ghost_records": self.ghost_records,
            "feed_rows": self.feed_rows,
            "feed_files": {
                feed: [str(p.relative_to(self.out_dir)) for p in paths]
                for feed, paths in self.feed_files.items()
            },
            "bad_rows": self.bad_rows,
            "status_counts": self.status_counts,
            "world_counts": self.world_counts,
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
    files, ghost and planted bad rows included) under `out_dir/landing`, and its truth under
    `out_dir/ground_truth`."""
    if contacts < MIN_CONTACTS:
        raise ValueError(f"contacts must be at least {MIN_CONTACTS}, got {contacts}")
    out_dir = Path(out_dir)
    moment = _as_of(as_of)
    timeline = Timeline.at(moment)
    landing, truth_dir = out_dir / "landing", out_dir / "ground_truth"
    truth_dir.mkdir(parents=True, exist_ok=True)

    records_total = contacts - CRM_BAD_ROWS
    ghosts = max(2, round(records_total * GHOST_SHARE))
    pop = build_population(stage_rng(seed, "population"), records_total - ghosts)
    pop, world = build_world(stage_rng(seed, "world"), pop)
    records = build_records(stage_rng(seed, "records"), pop, world, ghosts)
    on_file = build_on_file(records, len(pop.people))
    lives = build_lives(stage_rng(seed, "lives"), pop, world, on_file)
    behaviour = build_behaviour(stage_rng(seed, "behaviour"), pop, world, records, on_file, lives)
    where_they_stand = standing(pop, world, records, on_file, lives)
    outreach = reach_out(
        stage_rng(seed, "outreach"), pop, world, on_file, lives, behaviour, where_they_stand
    )
    seen = observe(
        stage_rng(seed, "observations"), pop, world, records, lives, behaviour, outreach, timeline
    )
    fields = build_crm_fields(
        stage_rng(seed, "crm_fields"), records, behaviour, seen.last_touch, timeline
    )
    truth = world_truth(pop, world, on_file, lives, behaviour, outreach, where_they_stand)
    del on_file, lives, behaviour, outreach  # the writers need only the observations

    written: dict[str, list[Written]] = {
        "crm_contacts": write_crm_exports(
            landing / "crm_contacts", stage_rng(seed, "crm_contacts"), records, fields
        ),
        "email_bounces": write_bounces(
            landing / "email_bounces", stage_rng(seed, "email_bounces"), seen.bounces
        ),
        "call_logs": write_call_logs(
            landing / "call_logs", stage_rng(seed, "call_logs"), pop, records, seen.calls
        ),
        "engagement_events": write_engagement(
            landing / "engagement_events",
            stage_rng(seed, "engagement_events"),
            records,
            seen.events,
        ),
        "dnc_list": write_dnc_lists(
            landing / "dnc_list", stage_rng(seed, "dnc_list"), pop, seen.dnc
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
    write_people(truth_dir / "people.csv", pop, world, records, truth, timeline)
    write_accounts(truth_dir / "accounts.csv", pop, world, truth, timeline)
    pairs = write_hard_negatives(truth_dir / "hard_negatives.csv", pop, records)
    write_bad_rows(truth_dir / "bad_rows.csv", bad)
    statuses = Counter(truth.people["status"].tolist()) + Counter({"ghost": ghosts})
    people = truth.people
    summary = GenerationSummary(
        out_dir=out_dir,
        landing_dir=landing,
        ground_truth_dir=truth_dir,
        seed=seed,
        as_of=moment,
        contacts=contacts,
        people=len(pop.people),
        companies=len(pop.companies),
        ghost_records=ghosts,
        feed_rows={feed: sum(w.rows for w in files) for feed, files in written.items()},
        feed_files={feed: [w.path for w in files] for feed, files in written.items()},
        bad_rows=dict(Counter(str(row["feed"]) for row in bad)),
        status_counts={k: int(v) for k, v in sorted(statuses.items())},
        world_counts={
            "companies_moved": int((world.fate == Fate.MOVED).sum()),
            "companies_closed": int((world.fate == Fate.CLOSED).sum()),
            "namesake_companies": int((pop.companies.namesake_of >= 0).sum()),
            "leavers": int((world.leave_day >= 0).sum()),
            "job_changers": int((world.new_company >= 0).sum()),
            "active_high_intent": int(
                ((people["status"] == "active") & (people["intent_tier"] == "high")).sum()
            ),
            "active_medium_intent": int(
                ((people["status"] == "active") & (people["intent_tier"] == "medium")).sum()
            ),
            "dnc": int(people["is_dnc"].sum()),
            "consent_valid": int(people["consent_valid"].sum()),
            "over_call_cap": int(people["over_call_cap"].sum()),
            "dialable": int(people["dialable"].sum()),
        },
        hard_negative_pairs=pairs,
    )
    write_summary(truth_dir / "summary.json", summary.to_dict())
    return summary

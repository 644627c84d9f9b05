"""Scoring accuracy and speed on a generated CRM with ground truth (default 100,000 contacts).

Generates the CRM (or reuses `--out`), standardises the feeds once, then scores twice: with the
true person grouping as the cross-reference (scoring errors only) and with the linkage engine's
(scoring plus linkage errors). Prints, for each: status accuracy, intent-tier accuracy among
truly active people, dial-list violations (people listed who are truly do-not-call, without
valid consent, or not active: must be 0), and seconds per stage.

    python benchmarks/bench_scoring.py [--contacts 100000] [--seed 7] [--out DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from hygiene_pipeline.scoring.evaluation import (
    score_generated,
    scoring_accuracy,
    standardised_feeds,
)
from hygiene_pipeline.synthetic import generate

AS_OF = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def main() -> None:
    """Generate, score with both groupings, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="reuse or keep the generated CRM here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        if not (out / "ground_truth" / "people.csv").exists():
            started = time.perf_counter()
            generate(out, contacts=args.contacts, seed=args.seed, as_of=AS_OF)
            print(f"generated {args.contacts:,} contacts in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        feeds = standardised_feeds(out / "landing")
        print(f"ingest + standardise: {time.perf_counter() - started:.1f} s")
        for label, true_grouping in (("true grouping", True), ("linkage", False)):
            run = score_generated(out, true_grouping=true_grouping, feeds=feeds)
            figures = scoring_accuracy(run, out)
            print(f"\n== identities from {label} ==")
            print(f"people judged:               {figures['people']:,}")
            print(f"status accuracy:             {figures['status_accuracy']:.4f}")
            print(
                f"intent tier accuracy:        {figures['intent_tier_accuracy']:.4f} "
                f"(among {figures['active_people']:,} truly active)"
            )
            print(
                f"dial list:                   {figures['dial_list']:,} entities, "
                f"{figures['dial_list_violations']} violations (dnc {figures['dial_list_dnc']}, "
                f"no consent {figures['dial_list_no_consent']}, "
                f"not active {figures['dial_list_not_active']})"
            )
            print(f"seconds identities:          {run.seconds['identities']:.1f}")
            print(f"seconds scoring:             {run.seconds['scoring']:.1f}")
            print("status confusion (true -> predicted counts):")
            for predicted, by_true in sorted(figures["status_confusion"].items()):
                for true_status, count in sorted(by_true.items()):
                    if count and true_status != predicted:
                        print(f"  {true_status:>18} -> {predicted:<18} {count}")


if __name__ == "__main__":
    main()

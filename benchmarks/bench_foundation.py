"""Seconds and peak memory of generate, ingest and standardise, per CRM size.

Each stage runs in a fresh child process that reports its own time and peak resident set size
(`ru_maxrss`), so no stage's memory hides another's. Ingest reads all five feeds; standardise
cleans all five (the contacts feed is also timed on its own). Targets on 2 cores: standardising
1,000,000 contacts in at most 60 s and 3 GB.

    python benchmarks/bench_foundation.py --sizes 100000 1000000
"""

import argparse
import json
import subprocess
import sys
import tempfile

_CHILD = r"""
import json, pickle, resource, sys, time
from datetime import datetime
from pathlib import Path

stage, out, contacts = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
figures = {}
if stage == "generate":
    from hygiene_pipeline.synthetic import generate
    start = time.perf_counter()
    generate(out, contacts=contacts, seed=0, as_of=datetime(2026, 6, 30, 12))
    figures["seconds"] = time.perf_counter() - start
elif stage == "ingest":
    from hygiene_pipeline.domain.feed_frames import FEEDS
    from hygiene_pipeline.domain.readers import read_feed
    start = time.perf_counter()
    batches = {feed: read_feed(out / "landing", feed) for feed in FEEDS}
    figures["seconds"] = time.perf_counter() - start
    figures["rows"] = sum(b.row_count for b in batches.values())
    (out / "ingested.pkl").write_bytes(pickle.dumps(batches, protocol=5))
else:
    from hygiene_pipeline.domain import standardise
    batches = pickle.loads((out / "ingested.pkl").read_bytes())
    start = time.perf_counter()
    for feed, batch in batches.items():
        began = time.perf_counter()
        getattr(standardise, f"standardise_{feed}")(batch)
        figures[f"{feed}_seconds"] = time.perf_counter() - began
    figures["seconds"] = time.perf_counter() - start
figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(figures))
"""

STAGES = ("generate", "ingest", "standardise")


def run_stage(stage: str, out: str, contacts: int) -> dict[str, float]:
    """One stage in a fresh interpreter; its own figures."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, stage, out, str(contacts)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    print(f"{'contacts':>10} {'stage':<12} {'seconds':>8} {'peak MiB':>9}  detail")
    for contacts in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench_foundation_") as out:
            for stage in STAGES:
                figures = run_stage(stage, out, contacts)
                detail = ", ".join(
                    f"{k.removesuffix('_seconds')} {v:.1f}s"
                    for k, v in figures.items()
                    if k.endswith("_seconds")
                )
                if "rows" in figures:
                    detail = f"{figures['rows']:,} rows"
                print(
                    f"{contacts:>10,} {stage:<12} {figures['seconds']:>8.1f} "
                    f"{figures['peak_mib']:>9.0f}  {detail}",
                    flush=True,
                )


if __name__ == "__main__":
    main()

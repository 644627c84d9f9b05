"""How long `hygiene generate` takes and how much memory it needs, per CRM size.

Each size runs in a fresh child process, so its peak resident set size (`ru_maxrss` of the
child) is that generation's alone. Prints one line per size:

    python benchmarks/bench_generate.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = """
import sys
from datetime import datetime
from pathlib import Path
from hygiene_pipeline.synthetic import generate
generate(Path(sys.argv[1]), contacts=int(sys.argv[2]), seed=0, as_of=datetime(2026, 6, 30, 12))
"""


def measure(contacts: int) -> tuple[float, float, float]:
    """(seconds, peak RSS in MiB, output size in MiB) of generating `contacts` records."""
    with tempfile.TemporaryDirectory(prefix="bench_generate_") as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", _CHILD, out, str(contacts)], check=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    if peak <= before:
        raise RuntimeError("a larger earlier child hides this size's peak; run one size per call")
    return seconds, peak / 1024, size / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="contact records per run"
    )
    args = parser.parse_args()
    print(f"{'contacts':>10} {'seconds':>9} {'peak RSS MiB':>13} {'output MiB':>11}")
    for contacts in sorted(args.sizes):
        seconds, peak, size = measure(contacts)
        print(f"{contacts:>10,} {seconds:>9.1f} {peak:>13.0f} {size:>11.0f}", flush=True)


if __name__ == "__main__":
    main()

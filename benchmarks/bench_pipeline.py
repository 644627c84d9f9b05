"""The whole product on generated worlds, end to end through the CLI, and its decisions judged.

For each size: `hygiene generate` a world; `hygiene run --landing ... --warehouse duckdb:///...
--as-of ...` as a subprocess, the way users run it, with its own DAGSTER_HOME; then print

- generate seconds and peak memory;
- run wall seconds, the peak resident memory of the whole process tree (sampled with psutil),
  and CPU utilisation (CPU seconds of the process tree / wall seconds; 2.0 = two cores busy);
- seconds per Dagster step, read from the run's event log in its Dagster instance, the cores
  each step kept busy (CPU seconds of the process tree over the step's interval, from the same
  samples as the memory: 2.0 = both cores) and the peak resident memory of the process tree
  while the step ran;
- the decisions against the world's truth (`hygiene_pipeline.synthetic.judge`): linkage P/R/F1,
  coarse status accuracy, intent-tier accuracy, dial-list violations, dial recall, ghosts, and
  the status confusion matrix.

    python benchmarks/bench_pipeline.py --sizes 5000 100000 [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from dagster import DagsterEventType, DagsterInstance

from hygiene_pipeline.synthetic.judge import judge

AS_OF = "2026-06-30T12:00:00+00:00"
SAMPLE_SECONDS = 0.2
STEP_END = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}


@dataclass(frozen=True)
class Measured:
    """One command's wall time, process-tree peak memory and CPU time, and the tree's usage
    sampled over time (`(epoch seconds, CPU seconds, resident MiB)`)."""

    wall: float
    peak_mib: float
    cpu: float
    returncode: int
    samples: list[tuple[float, float, float]]


def _tree_usage(root: psutil.Process) -> tuple[int, float]:
    """Resident bytes and CPU seconds of the process tree (exited children reaped by a member
    count through its children's times)."""
    rss, cpu = 0, 0.0
    for process in (root, *root.children(recursive=True)):
        try:
            with process.oneshot():
                rss += process.memory_info().rss
                times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        cpu += times.user + times.system + times.children_user + times.children_system
    return rss, cpu


def measured(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> Measured:
    """Run `command`, sampling the resident memory of its whole process tree. CPU seconds come
    from the kernel's accounting of waited-for descendants, so short-lived children count."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(process.pid)
        peak, samples = 0, []
        while process.poll() is None:
            try:
                rss, cpu_seconds = _tree_usage(root)
            except psutil.NoSuchProcess:
                break
            peak = max(peak, rss)
            samples.append((time.time(), cpu_seconds, rss / 2**20))
            time.sleep(SAMPLE_SECONDS)
        process.wait()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(wall, peak / 2**20, cpu, process.returncode, samples)


def step_usage(
    samples: list[tuple[float, float, float]], start: float, end: float
) -> tuple[float, float] | None:
    """Cores busy (CPU seconds per wall second) and peak resident MiB over `[start, end]`, from
    the samples inside it (None when the interval falls between two samples)."""
    inside = [sample for sample in samples if start <= sample[0] <= end]
    if len(inside) < 2:
        return None
    (t0, cpu0, _), (t1, cpu1, _) = inside[0], inside[-1]
    busy = (cpu1 - cpu0) / (t1 - t0) if t1 > t0 else 0.0
    return busy, max(rss for _, _, rss in inside)


def step_intervals(dagster_home: Path) -> dict[str, tuple[float, float]]:
    """Start and end (epoch seconds) of every step of the latest run in the instance at
    `dagster_home`."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with DagsterInstance.get() as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return {}
        started: dict[str, float] = {}
        intervals: dict[str, tuple[float, float]] = {}
        for entry in instance.all_logs(runs[0].run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                started[event.step_key] = entry.timestamp
            elif event.event_type in STEP_END and event.step_key in started:
                intervals[event.step_key] = (started[event.step_key], entry.timestamp)
        return intervals


def bench(size: int, seed: int, folder: Path) -> None:
    """Generate, run and judge one world; print its figures."""
    hygiene = [sys.executable, "-m", "hygiene_pipeline.cli"]
    home = folder / "dagster_home"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    world = folder / "world"
    warehouse = f"duckdb:///{folder / 'warehouse.duckdb'}"
    print(f"\n== {size:,} contacts (seed {seed}) ==")
    generated = measured(
        [
            *hygiene,
            "generate",
            "--contacts",
            str(size),
            "--seed",
            str(seed),
            "--out",
            str(world),
            "--as-of",
            AS_OF,
        ],
        env,
        folder,
        folder / "generate.log",
    )
    print(f"generate          {generated.wall:8.1f} s   peak {generated.peak_mib:,.0f} MiB")
    ran = measured(
        [
            *hygiene,
            "run",
            "--landing",
            str(world / "landing"),
            "--warehouse",
            warehouse,
            "--as-of",
            AS_OF,
        ],
        env,
        folder,
        folder / "run.log",
    )
    print(
        f"hygiene run       {ran.wall:8.1f} s   peak {ran.peak_mib:,.0f} MiB (process tree)   "
        f"CPU {ran.cpu / ran.wall:.2f} ({ran.cpu:.0f} CPU s / {ran.wall:.0f} s)"
        + ("" if ran.returncode == 0 else f"   exit {ran.returncode}, see {folder / 'run.log'}")
    )
    steps = step_intervals(home)
    print(f"steps ({len(steps)}, seconds, cores busy and peak MiB, slowest first):")
    for step, (start, end) in sorted(steps.items(), key=lambda item: item[1][0] - item[1][1]):
        usage = step_usage(ran.samples, start, end)
        print(
            f"  {step:<48} {end - start:8.1f}"
            + (f"   {usage[0]:4.2f}   {usage[1]:7,.0f}" if usage is not None else "")
        )
    print("decisions against the world's truth:")
    for line in judge(warehouse, world / "ground_truth").lines():
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep worlds, warehouses and logs here")
    args = parser.parse_args()
    for size in args.sizes:
        if args.keep:
            folder = args.keep / f"{size}"
            folder.mkdir(parents=True, exist_ok=True)
            bench(size, args.seed, folder.resolve())
        else:
            with tempfile.TemporaryDirectory(prefix="bench_pipeline_") as scratch:
                bench(size, args.seed, Path(scratch))


if __name__ == "__main__":
    main()

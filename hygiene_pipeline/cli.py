"""The `hygiene` command: generate a synthetic CRM, run the batch, run a demo, open the UI."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from hygiene_pipeline.home import HOME_DIR

if TYPE_CHECKING:  # the runner loads every asset definition: only `run` needs it at run time
    from hygiene_pipeline.runner import BatchOutcome

DEMO_DIR = HOME_DIR / "demo"


def _as_of(text: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO date or timestamp: {text!r}") from error
    return stamp


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(prog="hygiene", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic dirty CRM and its truth")
    generate.add_argument("--contacts", type=int, default=20_000, help="CRM records to write")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument(
        "--out", type=Path, required=True, help="writes OUT/landing, OUT/ground_truth"
    )
    generate.add_argument("--as-of", type=_as_of, default=None, help="reference date of the data")

    run = commands.add_parser("run", help="materialise the whole asset graph once")
    run.add_argument(
        "--landing", type=Path, default=None, help="default: $HYGIENE_LANDING_DIR or ./landing"
    )
    run.add_argument(
        "--warehouse", default=None, help="SQLAlchemy URL; default $HYGIENE_WAREHOUSE_URL or DuckDB"
    )
    run.add_argument(
        "--as-of", type=_as_of, default=None, help="reference time; default the run's start"
    )

    demo = commands.add_parser(
        "demo", help="generate a demo CRM and run it on the embedded default"
    )
    demo.add_argument("--contacts", type=int, default=20_000)
    demo.add_argument("--seed", type=int, default=7)

    ui = commands.add_parser("ui", help="start `dagster dev` on this project's instance")
    ui.add_argument("--port", type=int, default=3000)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hygiene` console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    console = Console(stderr=True)
    if args.command == "generate":
        return _generate(args.out, args.contacts, args.seed, args.as_of, console)
    if args.command == "run":
        landing = args.landing or Path(os.environ.get("HYGIENE_LANDING_DIR", "landing"))
        as_of = args.as_of.isoformat() if args.as_of else None
        return _run(landing, args.warehouse, as_of, console)
    if args.command == "demo":
        as_of = datetime.now().replace(microsecond=0)
        code = _generate(DEMO_DIR, args.contacts, args.seed, as_of, console)
        return code or _run(DEMO_DIR / "landing", None, as_of.isoformat(), console)
    return _ui(args.port)


def _generate(out: Path, contacts: int, seed: int, as_of: datetime | None, console: Console) -> int:
    from hygiene_pipeline.synthetic import generate

    with console.status(f"generating {contacts:,} contacts (seed {seed})"):
        summary = generate(out, contacts=contacts, seed=seed, as_of=as_of)
    console.print(
        f"[green]generated[/] {out / 'landing'} with ground truth in {out / 'ground_truth'}"
    )
    console.print(json.dumps(summary.counts))
    return 0


def _run(landing: Path, warehouse_url: str | None, as_of: str | None, console: Console) -> int:
    from hygiene_pipeline.runner import run_batch

    if not landing.is_dir():
        console.print(f"[red]landing folder {landing} does not exist[/]")
        return 2
    outcome = run_batch(landing, warehouse_url, as_of, console=console)
    _print_summary(outcome, console)
    return 0 if outcome.success else 1


def _print_summary(outcome: BatchOutcome, console: Console) -> None:
    feeds = Table(title="feeds", show_lines=False)
    for column in ("feed", "rows in", "staged", "quarantined"):
        feeds.add_column(column, justify="right" if column != "feed" else "left")
    tables = Table(title="tables written" if outcome.published else "tables written, unpublished")
    tables.add_column("table")
    tables.add_column("rows", justify="right")
    for asset, metadata in sorted(outcome.materialized.items()):
        if asset.startswith("staging/"):
            feeds.add_row(
                asset.split("/", 1)[1],
                f"{metadata.get('rows_in', 0):,}",
                f"{metadata.get('rows_accepted', 0):,}",
                f"{metadata.get('rows_rejected', 0):,}",
            )
        if asset.startswith(("staging/", "curated/")) and "dagster/row_count" in metadata:
            tables.add_row(asset.replace("/", "."), f"{metadata['dagster/row_count']:,}")
    console.print(feeds)
    console.print(tables)
    console.print(f"warehouse: {outcome.warehouse}")
    console.print(f"run {outcome.run_id} is in the Dagster instance at {outcome.dagster_home}")
    console.print("open the UI with: hygiene ui   (or DAGSTER_HOME=<that folder> dagster dev)")
    console.print(f"steps ran in {outcome.step_processes} processes")
    if outcome.failed_checks:
        console.print(f"[red]failed checks:[/] {', '.join(outcome.failed_checks)}")
    for step in outcome.failed_steps:
        console.print(f"[red]failed step[/] {step}")
    if outcome.published:
        console.print("[green]published[/]: staging and curated now hold this run's tables")
    else:
        console.print(
            "[red]nothing published[/]: staging and curated are as they were; what this run wrote "
            f"stay in {', '.join(outcome.run_schemas)} until the next publication"
        )
    console.print("[green]run succeeded[/]" if outcome.success else "[red]run failed[/]")


def _ui(port: int) -> int:
    from hygiene_pipeline.runner import dagster_home

    env = {**os.environ, "DAGSTER_HOME": str(dagster_home())}
    command = [sys.executable, "-m", "dagster", "dev", "-w", "workspace.yaml", "-p", str(port)]
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())

"""Speed of what the warehouse remembers between batches, on synthetic people.

Builds a previous golden table of N people (two records each: a trusted `sf` one and a weaker
`hs` one) and a next batch in which 1% of people drop out of the full `sf` snapshot (and out of
`hs`), 1% get a new phone from the weaker source (held), 1% a new employer and work address, and
0.5% of records are re-linked into another person (merges). Prints seconds per step and the peak
memory of the process.

    python benchmarks/bench_history.py [--people 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from hygiene_pipeline.history.entity_lineage import entity_lineage
from hygiene_pipeline.history.golden_changes import golden_changes
from hygiene_pipeline.history.job_changes import job_changes
from hygiene_pipeline.history.pending_changes import Evidence, hold_sensitive_changes
from hygiene_pipeline.history.persistence import carried_people, published_people, source_records

RANKS = {"sf": 2, "hs": 1}
DAY_1 = pd.Timestamp("2026-06-01", tz="UTC")
DAY_2 = pd.Timestamp("2026-06-08", tz="UTC")


def people(n: int) -> pd.DataFrame:
    ids = pd.Series(np.arange(n)).map("E{:08d}".format)
    provenance = [
        json.dumps({"phone_e164": {"record_key": f"sf:{i}"}, "email": {"record_key": f"sf:{i}"}})
        for i in range(n)
    ]
    return pd.DataFrame(
        {
            "entity_id": ids,
            "account_id": "A" + (pd.Series(np.arange(n)) // 20).astype(str),
            "first_name": "Jane",
            "last_name": "Doe " + ids,
            "email": ids.str.lower()
            + "@company"
            + (pd.Series(np.arange(n)) // 20).astype(str)
            + ".com",
            "phone_e164": "+1202" + pd.Series(np.arange(n) + 2_000_000).astype(str),
            "company": "Company " + (pd.Series(np.arange(n)) // 20).astype(str),
            "job_title": "Buyer",
            "country": "US",
            "consent_status": "opted_in",
            "do_not_call": False,
            "do_not_email": False,
            "status": "active",
            "status_reason": "answered call",
            "on_dial_list": True,
            "provenance": provenance,
        }
    )


def records(golden: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    n = len(golden)
    numbers = np.arange(n)
    frame = pd.DataFrame(
        {
            "record_key": np.concatenate(
                [[f"sf:{i}" for i in numbers], [f"hs:{i}" for i in numbers]]
            ),
            "entity_id": np.concatenate([golden["entity_id"], golden["entity_id"]]),
            "phone_e164": np.concatenate([golden["phone_e164"], golden["phone_e164"]]),
            "email": np.concatenate([golden["email"], golden["email"]]),
            "consent_status": "opted_in",
            "do_not_call": False,
            "is_deleted": False,
        }
    )
    frame["source_system"] = frame["record_key"].str.split(":").str[0]
    frame["contact_id"] = frame["record_key"].str.split(":").str[1]
    return frame.loc[np.concatenate([keep, keep])].reset_index(drop=True)


def timed(label: str, step: Callable[[], object]) -> object:
    start = time.perf_counter()
    out = step()
    print(f"  {label:<28} {time.perf_counter() - start:7.2f} s")
    return out


def bench(n: int) -> None:
    rng = np.random.default_rng(7)
    previous = people(n)
    all_in = np.ones(n, dtype=bool)
    before_records = source_records(
        None, records(previous, all_in), records(previous, all_in), {"sf", "hs"}, DAY_1
    )
    keep = rng.random(n) > 0.01
    proposed = previous.loc[keep].copy()
    moved = rng.random(len(proposed)) < 0.01
    proposed.loc[moved, "account_id"] = "A-new"
    proposed.loc[moved, "email"] = "x" + proposed.loc[moved, "entity_id"] + "@newco.com"
    weak = rng.random(len(proposed)) < 0.01
    proposed.loc[weak, "phone_e164"] = "+1303" + proposed.loc[weak, "entity_id"].str[-7:]
    proposed.loc[weak, "provenance"] = proposed.loc[weak, "provenance"].str.replace(
        '"sf:', '"hs:', n=1
    )
    batch = records(previous, keep)
    merged = rng.random(len(batch)) < 0.005
    batch.loc[merged, "entity_id"] = batch["entity_id"].shift(1).bfill()[merged]
    print(f"{n:,} people, {len(batch):,} records in the next batch")
    evidence = Evidence(
        records=batch,
        calls=pd.DataFrame({"phone_e164": [], "disposition": []}),
        engagement=pd.DataFrame({"email": [], "event_type": []}),
    )
    held = timed(
        "hold sensitive changes",
        lambda: hold_sensitive_changes(
            proposed, previous, None, evidence, RANKS, before_records, DAY_2, "r2"
        ),
    )
    state = timed(
        "source records",
        lambda: source_records(before_records, batch, batch, {"sf"}, DAY_2),
    )
    carried = timed(
        "carried people",
        lambda: carried_people(previous, before_records, state, proposed["entity_id"], DAY_2),
    )
    current = timed("published people", lambda: published_people(held.golden, carried))
    moves = timed("job changes", lambda: job_changes(previous, current, "r2", DAY_2))
    timed(
        "golden changes", lambda: golden_changes(previous, current, "r2", DAY_2, moves["entity_id"])
    )
    timed(
        "entity lineage",
        lambda: entity_lineage(
            before_records, batch, set(previous["entity_id"]), set(current["entity_id"]), "r2"
        ),
    )
    held_count = int(held.pending["state"].eq("pending").sum())
    print(f"  held {held_count:,}, carried {len(carried):,}, job changes {len(moves):,}")
    print(f"  peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[100_000])
    for n in parser.parse_args().people:
        bench(n)


if __name__ == "__main__":
    main()

"""The batch clock without `as_of`: one reference time for the whole run."""

from __future__ import annotations

import time

import pandas as pd
from dagster import DagsterInstance, asset, materialize

from hygiene_pipeline.defs.resources import BatchClockResource


@asset
def first_reading(clock: BatchClockResource) -> str:
    """Reads the clock, then lets a second boundary pass before the next step reads it."""
    stamp = clock.timestamp()
    time.sleep(1.1)
    return stamp.isoformat()


@asset
def second_reading(clock: BatchClockResource, first_reading: str) -> str:
    return clock.timestamp().isoformat()


def test_every_step_of_a_run_reads_the_runs_start_time() -> None:
    with DagsterInstance.ephemeral() as instance:
        before = pd.Timestamp.now(tz="UTC").floor("s")
        result = materialize(
            [first_reading, second_reading],
            resources={"clock": BatchClockResource()},
            instance=instance,
        )
        record = instance.get_run_record_by_id(result.run_id)
    first = pd.Timestamp(result.output_for_node("first_reading"))
    second = pd.Timestamp(result.output_for_node("second_reading"))
    assert first == second
    assert first == pd.Timestamp(record.start_time, unit="s", tz="UTC").floor("s")
    assert first >= before


def test_a_given_as_of_is_kept_and_outside_a_run_the_clock_is_now() -> None:
    assert BatchClockResource(as_of="2026-06-30").timestamp() == pd.Timestamp(
        "2026-06-30", tz="UTC"
    )
    before = pd.Timestamp.now(tz="UTC").floor("s")
    assert BatchClockResource().timestamp() >= before

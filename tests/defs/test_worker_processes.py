"""Work handed to worker processes publishes exactly what in-process work does.

Large batches parse phones, standardise companies, call logs and event e-mails, and resolve
accounts in a spawned process beside the step's own work; small ones (every other test) keep it
in-process. Here the thresholds of those background workers are lowered so that a small batch
takes the worker paths, and what it publishes is compared, table by table and row by row, with
the in-process run of the same landing."""

from pathlib import Path

import pytest
from batch_runs import PublishedRun, materialize_batch, published_differences

from hygiene_pipeline.defs import linkage_assets
from hygiene_pipeline.domain import column_ops, standardise
from hygiene_pipeline.warehouse.engine import default_duckdb_url

AS_OF = "2026-06-30T12:00:00+00:00"  # the generated CRM's reference time (tests/conftest.py)


def test_worker_processes_publish_what_in_process_work_does(
    generated_crm: Path,
    generated_crm_run: PublishedRun,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(column_ops, "default_workers", lambda: 2)
    monkeypatch.setattr(column_ops, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(standardise, "CRM_WORKER_ROWS", 1)
    monkeypatch.setattr(standardise, "CALL_LOG_WORKER_ROWS", 1)
    monkeypatch.setattr(standardise, "EVENT_WORKER_ROWS", 1)
    monkeypatch.setattr(linkage_assets, "ACCOUNT_WORKER_RECORDS", 1)

    result = materialize_batch(
        generated_crm / "landing", default_duckdb_url(tmp_path), tmp_path, AS_OF
    )

    assert result.success
    published = generated_crm_run.home / "warehouse.duckdb"
    assert published_differences(published, tmp_path / "warehouse.duckdb") == {}

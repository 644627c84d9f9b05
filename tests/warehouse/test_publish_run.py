"""`publish_run` on a real DuckDB file: the run's tables are copied beside the published ones,
then swapped in together; a copy that fails publishes nothing and leaves no copy behind."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.warehouse import publish
from hygiene_pipeline.warehouse.column_catalog import ColumnCatalog
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.publish_run import publish_run
from hygiene_pipeline.warehouse.run_scope import run_warehouse, runs_with_schemas

TABLES = (("staging", "feed"), ("staging", "other"), ("curated", "people"))


def _run_writing(url: str, value: int) -> tuple[str, Warehouse]:
    """The id and warehouse of a run that wrote `value` into each of `TABLES`."""
    run_id = str(uuid.uuid4())
    run = run_warehouse(url, run_id)
    run.ensure_schemas()
    for logical, table in TABLES:
        run.replace_table(run.schema_for(logical), table, pd.DataFrame({"v": [value, value]}))
    return run_id, run


def _published_values(published: Warehouse) -> dict[str, list[int]]:
    return {
        table: published.read_table(logical, table)["v"].tolist()
        for logical, table in TABLES
        if published.table_exists(logical, table)
    }


def _loading_tables(published: Warehouse) -> list[str]:
    return [
        name
        for logical in ("staging", "curated")
        for name in published.read_sql(
            f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{logical}'"
        )["table_name"]
        if "__loading_" in name
    ]


def test_a_failed_copy_publishes_nothing_and_a_later_run_publishes_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    published = Warehouse(url)
    published.ensure_schemas()
    publish_run(_run_writing(url, 1)[1], [], ColumnCatalog())
    assert _published_values(published) == {"feed": [1, 1], "other": [1, 1], "people": [1, 1]}

    failing_id, failing = _run_writing(url, 2)
    copy = publish.load_query

    def copy_failing_on_people(conn, schema: str, table: str, select_sql: str) -> str:
        if table == "people":
            raise RuntimeError("no space left on device")
        return copy(conn, schema, table, select_sql)

    monkeypatch.setattr(publish, "load_query", copy_failing_on_people)
    with pytest.raises(RuntimeError, match="no space left"):
        publish_run(failing, [], ColumnCatalog())
    monkeypatch.undo()
    assert _published_values(published) == {"feed": [1, 1], "other": [1, 1], "people": [1, 1]}
    assert _loading_tables(published) == []
    assert runs_with_schemas(published) == {failing_id}

    last_id, last = _run_writing(url, 3)
    outcome = publish_run(last, [], ColumnCatalog())
    assert outcome.tables == {"staging": ["feed", "other"], "curated": ["people"]}
    assert _published_values(published) == {"feed": [3, 3], "other": [3, 3], "people": [3, 3]}
    assert _loading_tables(published) == []
    assert last_id not in runs_with_schemas(published)

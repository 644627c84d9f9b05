"""The whole batch in-process: every asset and check of the code location on one landing folder,
on an ephemeral instance, and a published run that tests going on from it copy."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

import duckdb
from dagster import DagsterInstance, Definitions, ExecuteInProcessResult, materialize

from hygiene_pipeline.definitions import build_definitions
from hygiene_pipeline.defs.resources import BatchClockResource, LandingResource, WarehouseResource
from hygiene_pipeline.warehouse.engine import default_duckdb_url

RUN_STAMPS = {"run_id", "checked_at", "measured_at"}
"""Columns that name the run or its clock: they differ between any two runs."""


def materialize_batch(landing: Path, url: str, home: Path, as_of: str) -> ExecuteInProcessResult:
    """Every asset and check of the code location, on an ephemeral instance."""
    return materialize_all(
        build_definitions(
            landing=LandingResource(landing_dir=str(landing)),
            warehouse=WarehouseResource(url=url),
            clock=BatchClockResource(as_of=as_of),
            home=home,
        )
    )


def materialize_all(defs: Definitions) -> ExecuteInProcessResult:
    """Every asset and check of `defs`, on an ephemeral instance."""
    return materialize(
        [*defs.assets, *defs.asset_checks],
        resources=defs.resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


class PublishedRun(NamedTuple):
    """A run into the DuckDB warehouse of `home` (which holds nothing else)."""

    result: ExecuteInProcessResult
    home: Path

    def copy_into(self, folder: Path) -> str:
        """The URL of a copy of the run's warehouse in `folder`, for a test to go on from."""
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.home / "warehouse.duckdb", folder / "warehouse.duckdb")
        return default_duckdb_url(folder)


def published_columns(connection: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    """The columns of each published table of an attached warehouse: its tables and the views
    publication puts over a run's tables (the SQL model views over them show the run's clock)."""
    rows = connection.execute(
        "WITH published AS (SELECT database_name, schema_name, table_name FROM duckdb_tables() "
        "UNION ALL SELECT database_name, schema_name, view_name FROM duckdb_views() "
        "WHERE regexp_matches(sql, 'run_[0-9a-f]{32}_')) "
        "SELECT schema_name || '.' || table_name, list(column_name ORDER BY column_index) "
        "FROM duckdb_columns() SEMI JOIN published USING (database_name, schema_name, "
        "table_name) WHERE database_name = ? AND schema_name IN ('staging', 'curated') "
        "GROUP BY ALL",
        [catalog],
    ).fetchall()
    return dict(rows)


def published_differences(first: Path, second: Path) -> dict[str, int]:
    """Rows that only one of two DuckDB warehouses publishes, per table (run stamps aside); a
    table only one of them has counts as -1."""
    with duckdb.connect() as connection:
        connection.execute(f"ATTACH '{first}' AS a (READ_ONLY)")
        connection.execute(f"ATTACH '{second}' AS b (READ_ONLY)")
        tables, others = published_columns(connection, "a"), published_columns(connection, "b")
        differ = {table: -1 for table in set(tables) ^ set(others)}
        for table, columns in tables.items():
            if others.get(table) != columns:
                differ[table] = -1
                continue
            kept = ", ".join(f'"{c}"' for c in columns if c not in RUN_STAMPS)
            rows = connection.execute(
                f"SELECT count(*) FROM ((SELECT {kept} FROM a.{table} EXCEPT ALL "
                f"SELECT {kept} FROM b.{table}) UNION ALL (SELECT {kept} FROM b.{table} "
                f"EXCEPT ALL SELECT {kept} FROM a.{table}))"
            ).fetchone()[0]
            if rows:
                differ[table] = rows
    return differ

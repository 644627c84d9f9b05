"""The in-memory DuckDB database a scoring run works in.

Scoring is set work (attribute millions of calls and events to people, aggregate per person and
account), which DuckDB does on columns, on every core, without Python objects per row. Each
scoring step creates named tables here; the pipeline fetches the results as pandas frames.
Given a spill folder (beside an embedded warehouse: its rows never leave the warehouse's
folder), the database keeps at most `MEMORY_LIMIT` in memory and spills the rest to a folder of
its own there, removed on `close`: its tables outgrow memory before the machine does.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

MEMORY_LIMIT = "2GB"
RESULT_TABLE = "fetched_result"
"""Where a query's result is stored before the caller reads it (`Workspace._stored`)."""


def sql_text_list(values: Iterable[str]) -> str:
    """A SQL list literal of vocabulary values (controlled names, never user input)."""
    items = list(values)
    if any("'" in value for value in items):
        raise ValueError("vocabulary values must not contain quotes")
    return "(" + ", ".join(f"'{value}'" for value in items) + ")" if items else "(NULL)"


class Workspace:
    """One DuckDB connection and the batch's reference time, `as_of` (a parameter of every
    query, `$as_of`); without `spill_dir`, DuckDB's own memory defaults."""

    def __init__(self, as_of: pd.Timestamp, spill_dir: Path | None = None) -> None:
        self.as_of = as_of
        if spill_dir:
            spill_dir.mkdir(parents=True, exist_ok=True)
        self.spill = tempfile.mkdtemp(prefix="scoring_", dir=spill_dir) if spill_dir else None
        config = {"memory_limit": MEMORY_LIMIT, "temp_directory": self.spill} if self.spill else {}
        self.con = duckdb.connect(":memory:", config=config)
        self.con.execute("SET TimeZone = 'UTC'")
        # `arg_max(x, tie_broken(t, x))`: the x of the latest t, the same on every run when
        # several rows share it (plain `arg_max` keeps whichever a thread saw first); rows
        # without t stay out, as with `arg_max(x, t)`.
        self.con.execute(
            "CREATE MACRO tie_broken(t, x) AS "
            "CASE WHEN t IS NULL THEN NULL ELSE struct_pack(t := t, x := x) END"
        )
        # `elapsed_seconds(a, b)`: date_diff's count of second boundaries from instant a to
        # instant b, taken on UTC wall-clock time (the session's zone): date_diff on TIMESTAMPTZ
        # goes through the ICU calendar, about a second per million rows, where this is plain
        # arithmetic. Text is read as an instant first, its offset honoured.
        self.con.execute(
            "CREATE MACRO elapsed_seconds(a, b) AS date_diff('second', "
            "CAST(CAST(a AS TIMESTAMPTZ) AS TIMESTAMP), CAST(CAST(b AS TIMESTAMPTZ) AS TIMESTAMP))"
        )

    def load(self, name: str, frame: pd.DataFrame) -> None:
        """Copy a frame into a table (scanned once, then read many times at DuckDB speed).

        Object columns are text: typed VARCHAR even when every value is missing, so queries
        never meet a NULL-typed column.
        """
        columns = ", ".join(
            f'CAST("{c}" AS VARCHAR) AS "{c}"' if frame[c].dtype == object else f'"{c}"'
            for c in frame.columns
        )
        self.con.register("incoming_frame", frame)
        try:
            self.con.execute(
                f"CREATE OR REPLACE TABLE {name} AS SELECT {columns} FROM incoming_frame"
            )
        finally:
            self.con.unregister("incoming_frame")

    def create(self, name: str, query: str) -> None:
        """A table from a query; `$as_of` is the batch's reference time."""
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {query}", self._parameters(query))

    def frame(self, query: str) -> pd.DataFrame:
        """A query's result as a pandas frame (see `_stored`)."""
        with self._stored(query) as result:
            return result.df()

    def arrays(self, query: str) -> dict[str, np.ndarray]:
        """A query's result as one NumPy array per column (see `_stored`)."""
        with self._stored(query) as result:
            return result.fetchnumpy()

    @contextlib.contextmanager
    def _stored(self, query: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """The result of `query` stored as a table, then scanned for the caller.

        DuckDB streams a result to its client as the client fetches it, and a streamed query of
        several pipelines (a union, a window, a join) can stall for good with every pipeline
        waiting on the client (duckdb/duckdb#22215; seen here once in a 100k batch, forever in
        `record_islands`). A table is built without streaming, and its scan is one pipeline."""
        self.create(RESULT_TABLE, query)
        try:
            yield self.con.execute(f"SELECT * FROM {RESULT_TABLE}")
        finally:
            self.con.execute(f"DROP TABLE IF EXISTS {RESULT_TABLE}")

    def rename(self, table: str, name: str) -> None:
        """The table under another name, not copied: a copy would hold its rows twice."""
        self.con.execute(f"ALTER TABLE {table} RENAME TO {name}")

    def drop(self, *tables: str) -> None:
        """Let tables go once nothing reads them: at a million people the evidence tables
        take more than the database may keep in memory, and what it keeps it need not spill."""
        for table in tables:
            self.con.execute(f"DROP TABLE {table}")

    def keep(self, *tables: str) -> None:
        """Drop every table of the workspace but these: what the results were made of need not
        be held while they are fetched (`drop`)."""
        present = self.con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
        self.drop(*(name for (name,) in present if name not in tables))

    def count(self, table: str) -> int:
        """Rows in a table."""
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def close(self) -> None:
        """Free the database and its spill folder."""
        self.con.close()
        if self.spill:
            shutil.rmtree(self.spill, ignore_errors=True)
            with contextlib.suppress(OSError):  # DuckDB may be spilling the warehouse there
                Path(self.spill).parent.rmdir()

    def _parameters(self, query: str) -> dict[str, object]:
        return {"as_of": self.as_of.to_pydatetime()} if "$as_of" in query else {}

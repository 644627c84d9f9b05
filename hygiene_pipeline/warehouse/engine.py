"""The warehouse handle: one SQLAlchemy engine, the two schemas, and table I/O on either engine.

Supported URLs:
- `duckdb:///<path>` (embedded default `duckdb:///<abs path>/.hygiene/warehouse.duckdb`; parent
  folders are created). DuckDB lets one process at a time open a file for writing, so every
  operation opens its own connection (`NullPool`) and releases the file lock when done; opening
  retries for up to `lock_timeout_seconds` while another process holds the lock. A run keeps the
  file open for its whole length (`held_open`): each operation's connection is then a session
  on the open database instead of a file open (catalog read, log replay) and a close (checkpoint).
- `postgresql+psycopg2://...` for production. A bare `postgresql://` or `postgres://` URL is
  rewritten to `postgresql+psycopg2://` with a logged warning.

Sessions run in UTC on both engines so SQL date arithmetic does not depend on the server's zone.
An embedded warehouse keeps at most `DUCKDB_MEMORY_LIMIT` (1.5 GB) of data in memory
(DuckDB's default is 80% of the machine, which a run writing millions of rows fills with table
blocks it has already written to the file); a `memory_limit` in the URL's query
(`duckdb:///w.duckdb?memory_limit=8GB`) sets another. Blocks stay cached up to that limit after
the statement that read or wrote them; `release_memory` hands them back, for a run whose next
work is in Python while the database stays open.
Tables written here get column types from the pandas dtypes (`frame_types`); replacing a table is
atomic (`publish`); PostgreSQL tables in the curated schema are indexed on the keys BI joins on.
A handle names its physical schemas: `staging` and `curated` are the published ones, and a run
writes to schemas of its own (`run_scope`) until it is published.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool, StaticPool

from hygiene_pipeline.warehouse import publish
from hygiene_pipeline.warehouse.catalog import (
    TableDocs,
    count_rows,
    duckdb_rowid_rows,
    relation_columns,
    relation_kind,
)
from hygiene_pipeline.warehouse.frame_types import (
    DUCKDB_ROW_GROUP_ROWS,
    frame_from_arrow,
    in_scan_batches,
    postgres_frame,
    to_pipeline_dtypes,
)
from hygiene_pipeline.warehouse.sql_text import execute, qualified_name, quote_name

logger = logging.getLogger(__name__)

Dialect = Literal["duckdb", "postgresql"]
BI_JOIN_KEYS: tuple[str, ...] = ("entity_id", "contact_id", "company_key")
_LOCK_RETRY_FIRST_WAIT_SECONDS = 0.05
_LOCK_RETRY_MAX_WAIT_SECONDS = 1.0
DUCKDB_MEMORY_LIMIT = "1536MB"
"""Enough for DuckDB to write a wide table (the standardised contacts: 85 columns) on every
thread in row order; with 1 GB it writes such a table on one thread, twice as long."""
PARALLEL_READ_ROWS = 4 * DUCKDB_ROW_GROUP_ROWS
"""Rows from which an embedded table is read in two halves at once (`read_columns`,
`read_arrow`): below this a second connection costs about what it saves."""
DUCKDB_RELEASED_MEMORY_LIMIT = "64MB"
"""The limit `release_memory` lowers an embedded warehouse to for a moment, so that DuckDB
evicts the table blocks it keeps cached and hands their memory back."""
RELEASE_WAIT_SECONDS = 0.5
"""How long `release_memory` waits for the statements of a step running beside (in a thread of
the same process) to end: the short ones; the step does not wait out a long one."""


def default_duckdb_url(home: Path) -> str:
    """The embedded warehouse file `<home>/warehouse.duckdb` as an absolute DuckDB URL."""
    return f"duckdb:///{(Path(home).expanduser().resolve() / 'warehouse.duckdb').as_posix()}"


def normalise_url(url: str) -> URL:
    """Parse a warehouse URL, spelling PostgreSQL URLs with the psycopg2 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
        logger.warning(
            "Warehouse URL uses a bare PostgreSQL scheme; connecting as %s. "
            "Spell it postgresql+psycopg2:// to silence this note.",
            parsed.render_as_string(hide_password=True),
        )
    if parsed.get_backend_name() not in ("duckdb", "postgresql"):
        raise ValueError(
            f"Unsupported warehouse engine {parsed.get_backend_name()!r}: "
            "use a duckdb:/// or postgresql+psycopg2:// URL"
        )
    return parsed


class _OpenConnections:
    """The connections open on one embedded database file in this process.

    DuckDB's memory limit belongs to the database, not to a connection: while `release_memory`
    has it lowered, a statement on another connection (a step running beside, in a thread) could
    fail for memory. So the limit is lowered only once no connection is open but those that
    hold the file open (`held_open`), and no other connection is handed out until it is back
    (one that connects meanwhile sets the limit back to its own when it connects, which only
    makes the release smaller).
    `appending` is taken by appends: DuckDB refuses one of two transactions that create the same
    table at once ("Catalog write-write conflict"), which two first appends to a log can be."""

    def __init__(self) -> None:
        self.appending = threading.Lock()
        self._changed = threading.Condition()
        self._open = 0
        self._anchors = 0
        self._releaser: int | None = None

    def opened(self) -> None:
        me = threading.get_ident()
        with self._changed:
            self._changed.wait_for(lambda: self._releaser in (None, me))
            self._open += 1

    def closed(self) -> None:
        with self._changed:
            self._open -= 1
            self._changed.notify_all()

    def anchored(self, change: int) -> None:
        with self._changed:
            self._anchors += change
            self._changed.notify_all()

    @contextmanager
    def alone(self, timeout: float) -> Iterator[bool]:
        """Whether, within `timeout` seconds, every connection but the anchors closed; if so,
        the block runs with every other thread's opening held back."""
        with self._changed:
            alone = self._changed.wait_for(
                lambda: self._releaser is None and self._open <= self._anchors, timeout
            )
            if alone:
                self._releaser = threading.get_ident()
        try:
            yield alone
        finally:
            if alone:
                with self._changed:
                    self._releaser = None
                    self._changed.notify_all()


_OPEN_FILES: dict[str, _OpenConnections] = {}
_OPEN_FILES_LOCK = threading.Lock()


def _open_connections(database: str) -> _OpenConnections:
    """The one tally of open connections for the database file at `database`."""
    key = str(Path(database).expanduser().resolve())
    with _OPEN_FILES_LOCK:
        return _OPEN_FILES.setdefault(key, _OpenConnections())


class Warehouse:
    """A DuckDB or PostgreSQL warehouse with a staging and a curated schema."""

    def __init__(
        self,
        url: str,
        staging_schema: str = "staging",
        curated_schema: str = "curated",
        work_schema: str | None = None,
        *,
        lock_timeout_seconds: float = 300.0,
    ) -> None:
        self.url: URL = normalise_url(url)
        self.staging_schema = staging_schema
        self.curated_schema = curated_schema
        self.work_schema = work_schema
        self.lock_timeout_seconds = lock_timeout_seconds
        self._connections = (
            _open_connections(str(self.url.database)) if self._duckdb_file() else _OpenConnections()
        )
        self.engine: Engine = self._create_engine()

    @property
    def dialect(self) -> Dialect:
        """`"duckdb"` or `"postgresql"`."""
        return "duckdb" if self.url.get_backend_name() == "duckdb" else "postgresql"

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for logs and metadata."""
        return self.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"Warehouse({self.display_url!r})"

    def schema_for(self, logical_schema: str) -> str:
        """The physical name of the logical schema `staging`, `curated` or (in a run) `work`."""
        schemas = {"staging": self.staging_schema, "curated": self.curated_schema}
        if self.work_schema:
            schemas["work"] = self.work_schema
        if logical_schema not in schemas:
            raise ValueError(f"Unknown schema {logical_schema!r}: use one of {sorted(schemas)}")
        return schemas[logical_schema]

    @property
    def schemas(self) -> tuple[str, ...]:
        """The physical schemas this handle writes: staging, curated and any work schema."""
        return tuple(filter(None, (self.staging_schema, self.curated_schema, self.work_schema)))

    def published(self) -> Warehouse:
        """The same warehouse with the published `staging` and `curated` schemas."""
        return Warehouse(
            self.url.render_as_string(hide_password=False),
            lock_timeout_seconds=self.lock_timeout_seconds,
        )

    def qualified(self, schema: str, name: str) -> str:
        """`schema.name` quoted for this engine."""
        return qualified_name(self.engine.dialect, schema, name)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def held_open(self) -> Iterator[None]:
        """Keep the embedded database open while the block runs (see the module docstring);
        PostgreSQL needs nothing held."""
        if self.dialect != "duckdb":
            yield
            return
        anchor = self.engine.raw_connection()
        self._connections.anchored(+1)
        try:
            yield
        finally:
            self._connections.anchored(-1)
            anchor.close()

    def release_memory(self) -> None:
        """Evict what an embedded database keeps cached (the blocks of the tables it last read or
        wrote, up to its memory limit) and give the memory back to the system: a step that has
        read its inputs computes in Python next, and at a million contacts the cache held
        about 0.8 GB that the step then lacked. DuckDB evicts when its limit is lowered, so the
        limit goes down to `DUCKDB_RELEASED_MEMORY_LIMIT` and back, once no other connection
        is open on the file (`_OpenConnections`; after `RELEASE_WAIT_SECONDS` the cache stays
        as it is). Blocks a statement still pins stay (DuckDB then refuses the lower limit,
        which is fine). An in-memory database would spill its tables to a folder beside the
        process instead, and PostgreSQL keeps its memory on the server: nothing is done for
        either."""
        if not self._duckdb_file():
            return
        with self._connections.alone(RELEASE_WAIT_SECONDS) as alone:
            if alone:
                self._lower_limit_and_back()

    def _lower_limit_and_back(self) -> None:
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection
            try:
                cursor.execute(f"SET memory_limit = '{DUCKDB_RELEASED_MEMORY_LIMIT}'")
            except duckdb.Error as error:
                logger.debug("DuckDB kept its cache: %s", error)
            try:
                cursor.execute(f"SET memory_limit = '{self._memory_limit()}'")
            except duckdb.Error as error:  # slower from here on, never wrong
                logger.warning("DuckDB's memory limit could not be restored: %s", error)

    def _duckdb_file(self) -> bool:
        """Whether this is an embedded database in a file (not in memory, not PostgreSQL)."""
        database = self.url.database or ":memory:"
        return self.dialect == "duckdb" and not database.startswith(":memory:")

    def _memory_limit(self) -> str:
        """The embedded database's memory limit: the URL's `memory_limit`, else the default."""
        chosen = self.url.query.get("memory_limit")
        return chosen if isinstance(chosen, str) else DUCKDB_MEMORY_LIMIT

    def ensure_schemas(self) -> None:
        """Create the staging, curated (and work) schemas if they are missing."""
        with self.transaction() as conn:
            for schema in self.schemas:
                execute(conn, f"CREATE SCHEMA IF NOT EXISTS {quote_name(conn.dialect, schema)}")

    def table_exists(self, schema: str, table: str) -> bool:
        """Whether a table or view `schema.table` exists."""
        with self.engine.connect() as conn:
            return relation_kind(conn, schema, table) is not None

    def columns(self, schema: str, table: str) -> list[str]:
        """Column names of `schema.table` in order (empty when absent)."""
        with self.engine.connect() as conn:
            return relation_columns(conn, schema, table)

    def row_count(self, schema: str, table: str) -> int:
        """Number of rows in `schema.table`."""
        with self.engine.connect() as conn:
            return count_rows(conn, schema, table)

    def read_table(self, schema: str, table: str) -> pd.DataFrame:
        """The whole table as a frame with the pipeline's dtypes."""
        return self.read_sql(f"SELECT * FROM {self.qualified(schema, table)}")

    def read_columns(self, schema: str, table: str, columns: Sequence[str]) -> pd.DataFrame:
        """The named columns of the table (all its rows), with the pipeline's dtypes."""
        if not columns:
            return pd.DataFrame(index=pd.RangeIndex(self.row_count(schema, table)))
        if self.dialect == "duckdb":
            return frame_from_arrow(self._duckdb_arrow(schema, table, columns))
        return self.read_sql(self._select_columns(schema, table, columns))

    def read_arrow(self, schema: str, table: str, columns: Sequence[str]) -> pa.Table:
        """The named columns of the table as Arrow: straight from DuckDB (in row-group batches,
        which DuckDB scans on every thread when the table is handed to SQL again), through the
        pipeline's dtypes from PostgreSQL."""
        if self.dialect != "duckdb":
            frame = self.read_columns(schema, table, columns)
            return in_scan_batches(pa.Table.from_pandas(frame, preserve_index=False))
        return self._duckdb_arrow(schema, table, columns)

    def _duckdb_arrow(self, schema: str, table: str, columns: Sequence[str]) -> pa.Table:
        """The named columns of an embedded table in row-group batches. DuckDB hands a result
        to Arrow on one thread, so a large base table of a database file is read as two halves
        of its row ids, on two connections at once, joined in order (row ids follow the order
        rows were written, and each half keeps it). The halves are two reads: nothing may write
        the table meanwhile, which holds in a run, whose steps write a table only before the
        steps that read it start, while its file lock keeps other processes out."""
        select = self._select_columns(schema, table, columns)
        rows = None
        if self._duckdb_file():  # in memory there is one connection, shared
            with self.engine.connect() as conn:
                rows = duckdb_rowid_rows(conn, schema, table)
        if rows is None or rows < PARALLEL_READ_ROWS:
            return self._duckdb_result(select)
        halves = [f"{select} WHERE rowid < {rows // 2}", f"{select} WHERE rowid >= {rows // 2}"]
        with ThreadPoolExecutor(max_workers=len(halves)) as pool:
            return pa.concat_tables(pool.map(self._duckdb_result, halves))

    def _duckdb_result(self, sql: str) -> pa.Table:
        with self.engine.connect() as conn:
            result = conn.connection.driver_connection.execute(sql)
            return pa.table(result.arrow(DUCKDB_ROW_GROUP_ROWS))

    def spill_directory(self) -> Path | None:
        """The folder DuckDB spills this embedded database to (`<file>.tmp`), where work beside
        the warehouse may spill too; None on PostgreSQL or in memory."""
        if not self._duckdb_file():
            return None
        path = Path(str(self.url.database)).expanduser().resolve()
        return path.with_name(f"{path.name}.tmp")

    def _select_columns(self, schema: str, table: str, columns: Sequence[str]) -> str:
        names = ", ".join(quote_name(self.engine.dialect, c) for c in columns)
        return f"SELECT {names} FROM {self.qualified(schema, table)}"

    def read_sql(self, sql: str) -> pd.DataFrame:
        """A query's result as a frame with the pipeline's dtypes (UTC timestamps, nullable ints).

        DuckDB hands over Arrow data; PostgreSQL rows are typed after the result's column types.
        """
        with self.engine.connect() as conn:
            if self.dialect == "duckdb":
                # `.arrow()` is a Table or, from DuckDB 1.4, a batch reader: `pa.table` takes both.
                return frame_from_arrow(
                    pa.table(conn.connection.driver_connection.execute(sql).arrow())
                )
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                cursor.execute(sql)
                names = [column[0] for column in cursor.description]
                type_codes = [column[1] for column in cursor.description]
                frame = postgres_frame(names, type_codes, cursor.fetchall())
            finally:
                cursor.close()
        return to_pipeline_dtypes(frame)

    def replace_table(
        self,
        schema: str,
        table: str,
        df: pd.DataFrame,
        *,
        comment: str | None = None,
        column_comments: dict[str, str] | None = None,
        indexes: Sequence[str] = (),
    ) -> None:
        """Atomically replace `schema.table` with the frame (bulk load, then swap in one step).

        `indexes` lists extra columns to index on PostgreSQL; in the curated schema the BI join
        keys (`entity_id`, `contact_id`, `company_key`) present in the frame are indexed anyway.
        """
        docs = TableDocs(comment, column_comments or {})
        index_columns = self.index_columns_for(schema, indexes)
        with self.transaction() as conn:
            publish.replace_with_frame(
                conn, schema, table, df, docs=docs, index_columns=index_columns
            )

    def replace_table_as(
        self, schema: str, table: str, select_sql: str, *, docs: TableDocs | None = None
    ) -> int:
        """Atomically replace `schema.table` with a SELECT's result; returns its row count."""
        with self.transaction() as conn:
            publish.replace_with_query(
                conn,
                schema,
                table,
                select_sql,
                docs=docs or TableDocs(),
                index_columns=self.index_columns_for(schema),
            )
            return count_rows(conn, schema, table)

    def replace_table_with_patched_copy(
        self,
        schema: str,
        table: str,
        source: tuple[str, str],
        patch: pd.DataFrame,
        key: str,
    ) -> None:
        """Atomically replace `schema.table` with a copy of the `source` table (schema, table)
        made inside the warehouse, the rows whose `key` is in `patch` taking the patch's values:
        a table that differs from another in a few rows never travels through Python whole."""
        with self.transaction() as conn:
            publish.replace_with_patched_copy(
                conn,
                schema,
                table,
                source,
                patch,
                key,
                index_columns=self.index_columns_for(schema),
            )

    def replace_view(
        self, schema: str, view: str, select_sql: str, *, docs: TableDocs | None = None
    ) -> None:
        """Atomically replace `schema.view` by a view over the SELECT (its rows are not counted:
        on PostgreSQL that would scan what it selects)."""
        with self.transaction() as conn:
            publish.replace_view(conn, schema, view, select_sql, docs=docs or TableDocs())

    def append_rows(self, schema: str, table: str, df: pd.DataFrame) -> None:
        """Bulk-append the frame; the table is created on first use and gains new columns."""
        with self._connections.appending, self.transaction() as conn:
            index_columns = self.index_columns_for(schema)
            publish.append_frame(conn, schema, table, df, index_columns=index_columns)

    def index_columns_for(self, schema: str, extra: Sequence[str] = ()) -> tuple[str, ...]:
        """The columns a table of `schema` is indexed on (PostgreSQL): `extra` and, in the
        curated schema, the BI join keys."""
        join_keys = BI_JOIN_KEYS if schema == self.curated_schema else ()
        return (*extra, *join_keys)

    def _create_engine(self) -> Engine:
        if self.dialect == "postgresql":
            return create_engine(
                self.url,
                poolclass=NullPool,
                connect_args={"options": "-c timezone=UTC", "client_encoding": "utf8"},
            )
        database = self.url.database or ":memory:"
        if database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # An in-memory database lives as long as its one connection, so that one is kept.
        engine = create_engine(
            self.url, poolclass=StaticPool if database == ":memory:" else NullPool
        )
        event.listen(engine, "do_connect", self._connect_duckdb_waiting_for_lock)
        event.listen(engine, "connect", _set_duckdb_utc)
        event.listen(engine, "checkout", lambda *_: self._connections.opened())
        event.listen(engine, "checkin", lambda *_: self._connections.closed())
        if "memory_limit" not in self.url.query:
            event.listen(engine, "connect", _limit_duckdb_memory)
        return engine

    def _connect_duckdb_waiting_for_lock(
        self, dialect: Any, conn_rec: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
    ) -> Any:
        """Open a DuckDB connection, retrying while another process holds the file's lock."""
        deadline = time.monotonic() + self.lock_timeout_seconds
        wait = _LOCK_RETRY_FIRST_WAIT_SECONDS
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except duckdb.IOException as error:
                if "lock" not in str(error).lower() or time.monotonic() + wait > deadline:
                    raise
                logger.info("Warehouse file is locked by another process; retrying")
                time.sleep(wait)
                wait = min(wait * 2, _LOCK_RETRY_MAX_WAIT_SECONDS)


def _set_duckdb_utc(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.execute("SET TimeZone = 'UTC'")


def _limit_duckdb_memory(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")

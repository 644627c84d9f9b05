"""Dagster resources: where the landing files are, which warehouse the tables go to, and the
batch's reference time. Configuration is typed here once, handed to the domain as plain values."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, Self

import pandas as pd
from dagster import Backoff, ConfigurableResource, EnvVar, InitResourceContext, RetryPolicy
from pydantic import Field, PrivateAttr

from hygiene_pipeline.home import HOME_DIR
from hygiene_pipeline.warehouse.engine import Warehouse, default_duckdb_url, normalise_url
from hygiene_pipeline.warehouse.run_scope import run_warehouse

DEFAULT_LANDING_DIR = "landing"
WAREHOUSE_POOL = "warehouse"
"""Concurrency pool of the steps whose work is SQL inside the warehouse (models, quarantine,
history, publication): limited to one at a time where steps run in processes of their own
(PostgreSQL), so none waits long on another's locks. Steps that compute in Python hold the
warehouse only to read their inputs and write their outputs (`warehouse_io`), and stay outside
it. The embedded warehouse's executor claims no pool (`threaded_executor`): its steps share the
one process that holds the DuckDB file."""
LARGE_STEP_TAGS = {"hygiene/memory": "large"}
"""The op tag of the steps whose peaks are the run's largest, or whose Python keeps the GIL
most (the contacts, calls and events standardised, the people linked, the golden records built,
the pair table, the people scored): the embedded warehouse's executor runs one of them at a time
(`definitions.EMBEDDED_EXECUTOR`). Two side by side add their peaks (1M contacts: 4.2 GiB for
the calls beside the linkage, 3.9 to 4.0 GiB for the pair table beside the golden records) and
gain little, each one's Python waiting for the other's; a smaller step beside one (a feed of
bounces, SQL models, checks, the quarantine) gains."""
IO_RETRY = RetryPolicy(max_retries=2, delay=2, backoff=Backoff.EXPONENTIAL)
"""For steps that touch files or the warehouse: a share, a lock or a server briefly away passes."""


class WarehouseResource(ConfigurableResource):
    """The SQL warehouse (any SQLAlchemy URL): embedded DuckDB by default, PostgreSQL in production.

    Write-audit-publish: inside a run, `get_warehouse()` hands the domain a `Warehouse` whose
    staging, curated and work schemas are the run's own (`run_scope`), so a run reads and writes
    only its own data until its publication swaps it in; `get_published_warehouse()` is what
    readers see (the previous publication: ids and history to carry over, the check log).
    Outside a run both are the published warehouse.
    """

    url: str = Field(description="SQLAlchemy URL, e.g. postgresql+psycopg2://user@host/db")
    _run_id: str | None = PrivateAttr(default=None)
    _schemas_ready: set[str] = PrivateAttr(default_factory=set)
    _schemas_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[Self]:
        """Remember the run whose schemas `get_warehouse()` hands out, and keep an embedded
        warehouse open while the run's steps execute in this process (`Warehouse.held_open`)."""
        self._run_id = context.run_id
        with Warehouse(self.url).held_open():
            yield self

    def is_embedded(self) -> bool:
        """Whether the warehouse is an embedded DuckDB database, which one process at a time
        may write (the job's executor keeps all steps in the run's process then)."""
        return normalise_url(self._configured_url() or "duckdb://").get_backend_name() == "duckdb"

    def display_url(self) -> str:
        """The URL as configured (an `EnvVar` resolved), password hidden: safe to print."""
        return normalise_url(self._configured_url()).render_as_string(hide_password=True)

    def _configured_url(self) -> str | None:
        """The URL as configured, an `EnvVar` resolved (None while it is unset)."""
        return self.url.get_value() if isinstance(self.url, EnvVar) else self.url

    def get_warehouse(self) -> Warehouse:
        """The run's warehouse (its own schemas, in place), or the published one outside a run."""
        if self._run_id is None:
            return self.get_published_warehouse()
        return self._with_schemas(run_warehouse(self.url, self._run_id))

    def get_published_warehouse(self) -> Warehouse:
        """The published `staging` and `curated` schemas, in place."""
        return self._with_schemas(Warehouse(self.url))

    def _with_schemas(self, warehouse: Warehouse) -> Warehouse:
        """The warehouse with its schemas created, once per schema set for this resource (steps in
        threads of one run share it: two creating one schema at once would conflict)."""
        key = ",".join(warehouse.schemas)
        with self._schemas_lock:
            if key not in self._schemas_ready:
                warehouse.ensure_schemas()
                self._schemas_ready.add(key)
        return warehouse


class LandingResource(ConfigurableResource):
    """The landing directory (one sub-folder per feed) and how its files are read."""

    landing_dir: str = Field(description="Folder with one sub-folder per feed.")
    column_mapping_file: str | None = Field(
        default=None, description="YAML file with extra column-name mappings per feed."
    )
    vocabulary_file: str | None = Field(
        default=None, description="YAML file extending the call-disposition and event-type maps."
    )
    default_region: str = Field(
        default="US", description="ISO-2 region for phone numbers of rows without a country."
    )
    max_field_chars: int = Field(
        default=10_000, description="A longer field quarantines its row as absurdly long."
    )
    excel_sheets: Literal["all", "first"] = Field(
        default="all",
        description="Which worksheets of an Excel workbook in a feed folder are read: every one "
        "(each as its own file, `<file>#<sheet>`) or only the first.",
    )
    source_modes: dict[str, str] = Field(
        default_factory=dict,
        description="Per source system, `full` (each batch is a full snapshot: a record missing "
        "from it was removed in the source) or `delta` (adds and updates, never removes).",
    )
    default_source_mode: Literal["full", "delta"] = Field(
        default="full", description="The mode of a source system not named in source_modes."
    )
    delta_file_patterns: list[str] = Field(
        default=["*delta*", "*incremental*"],
        description="File-name globs (case-insensitive) of CRM files that are deltas, whatever "
        "their source's mode.",
    )
    full_file_patterns: list[str] = Field(
        default=["*full*", "*snapshot*"],
        description="File-name globs of CRM files that are full snapshots, whatever their "
        "source's mode (a delta pattern wins over them).",
    )
    source_ranks: dict[str, int] = Field(
        default_factory=dict,
        description="Trust per source system (higher is more trusted; unnamed sources rank 0): "
        "a phone, email, consent or do-not-call change from a source ranked below the one that "
        "set the current value waits for confirmation in curated.pending_changes.",
    )

    @property
    def path(self) -> Path:
        """The landing directory as a path."""
        return Path(self.landing_dir)

    @staticmethod
    def optional_path(value: str | None) -> Path | None:
        """A configured file path, or None when not configured."""
        return Path(value) if value else None


class BatchClockResource(ConfigurableResource):
    """The batch's reference time: statuses, decay and frequency caps are computed as of it.

    Without `as_of` it is the time the run started, the same in every step and step process of
    the run: steps compare times that other steps wrote (a change resolved as of the batch, a
    task closed as of it), which the clock read again in each step would miss."""

    as_of: str | None = Field(
        default=None, description="ISO date or timestamp (UTC); empty means the time of the run."
    )
    future_tolerance_hours: float = Field(
        default=24.0,
        description="How far past as_of an event time may lie (clock skew, time zones written "
        "as UTC); later call, bounce and engagement rows are quarantined, later CRM dates emptied.",
    )

    _run_started: pd.Timestamp | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Without `as_of`, take the run's start (else its creation) from the instance's record
        of the run, which every step process of the run reads alike."""
        if self.as_of or context.instance is None or not context.run_id:
            return
        record = context.instance.get_run_record_by_id(context.run_id)
        if record is None:
            context.log.warning(
                "The run's record was not found: each step reads the current time as the batch's"
            )
            return
        started = (
            pd.Timestamp(record.start_time, unit="s", tz="UTC")
            if record.start_time is not None
            else pd.Timestamp(record.create_timestamp)
        )
        self._run_started = (
            started.tz_localize("UTC") if started.tzinfo is None else started.tz_convert("UTC")
        ).floor("s")

    def timestamp(self) -> pd.Timestamp:
        """`as_of` as a timezone-aware UTC timestamp; without it, the run's start (the current
        time outside a run)."""
        if not self.as_of:
            if self._run_started is not None:
                return self._run_started
            return pd.Timestamp.now(tz="UTC").floor("s")
        stamp = pd.Timestamp(self.as_of)
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")

    def latest_event_time(self) -> pd.Timestamp:
        """The latest believable event time: `as_of` plus `future_tolerance_hours`."""
        return self.timestamp() + pd.Timedelta(hours=self.future_tolerance_hours)


def warehouse_from_env(home: Path = HOME_DIR) -> WarehouseResource:
    """`HYGIENE_WAREHOUSE_URL` when set (read at run time), else the embedded DuckDB file."""
    if os.environ.get("HYGIENE_WAREHOUSE_URL"):
        return WarehouseResource(url=EnvVar("HYGIENE_WAREHOUSE_URL"))
    return WarehouseResource(url=default_duckdb_url(home.resolve()))


def landing_from_env() -> LandingResource:
    """`HYGIENE_LANDING_DIR` when set (read at run time), else `./landing`."""
    if os.environ.get("HYGIENE_LANDING_DIR"):
        return LandingResource(landing_dir=EnvVar("HYGIENE_LANDING_DIR"))
    return LandingResource(landing_dir=str(Path(DEFAULT_LANDING_DIR).resolve()))


class LinkageResource(ConfigurableResource):
    """Human decisions the duplicate linkage must respect."""

    overrides_file: str | None = Field(
        default=None,
        description="CSV or YAML of must_link / cannot_link record-key pairs (record_key_left, "
        "record_key_right, rule, note); applied on the next run, the way to undo a wrong merge.",
    )

    def overrides_path(self) -> Path | None:
        """The overrides file, or None when not configured."""
        return Path(self.overrides_file) if self.overrides_file else None


class BiAccessResource(ConfigurableResource):
    """Who may read the curated tables: role names for BI tools on PostgreSQL."""

    reader_role: str = Field(
        default="bi_reader",
        description="Read-only role: non-PII curated tables and the masked views only.",
    )
    pii_reader_role: str = Field(
        default="bi_pii_reader", description="Read-only role that may also read PII columns."
    )
    masked_schema: str = Field(
        default="curated_masked", description="Schema of the views with emails and phones masked."
    )

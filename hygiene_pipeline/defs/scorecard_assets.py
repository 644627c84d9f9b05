"""The data-quality scorecard asset: this run's measures beside the previous run's.

Measures the run's own tables (`WarehouseResource.get_warehouse()`) with `quality.scorecard`
(the one definition of each measure), sets each value beside the latest published run's, and
returns the published scorecard with this run's rows added; the IO manager stores it as the
run's `curated.dq_scorecard`, which lands with the run's publication. A run that publishes
nothing leaves the published scorecard as it was. The drift checks are attached to this asset
and judge its rows."""

from collections.abc import Sequence

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Output, asset

from hygiene_pipeline.defs.metadata import table_schema
from hygiene_pipeline.defs.resources import IO_RETRY, BatchClockResource, WarehouseResource
from hygiene_pipeline.domain.feed_frames import FEEDS
from hygiene_pipeline.quality.scorecard import (
    PHONE_PREFIXES,
    PRESENCE_COLUMNS,
    SCORECARD_COLUMNS,
    ScorecardInputs,
    measure_all,
    scorecard_rows,
    updated_scorecard,
)
from hygiene_pipeline.vocabulary import presence_flag
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.sql_text import quote_name

SCORECARD = AssetKey(["curated", "dq_scorecard"])
SCORECARD_TABLE = "dq_scorecard"
CONTACT_COLUMNS: tuple[str, ...] = (
    "is_deleted",
    "email_valid",
    "email_key",
    "updated_at",
    *(f"{p}_{field}" for p in PHONE_PREFIXES for field in ("e164", "valid")),
)
BOUNCE_COLUMNS = ("email_key", "bounce_type", "enhanced_status", "smtp_code", "diagnostic")


def read_columns(
    warehouse: Warehouse,
    schema: str,
    table: str,
    columns: Sequence[str],
    present: Sequence[str] = (),
) -> pd.DataFrame:
    """The named columns a table has, and per column of `present` it has, whether the row holds
    a value, as a flag named by `presence_flag`: a million records' texts take a second to read,
    their flags a tenth. An empty frame when the table does not exist."""
    physical = warehouse.schema_for(schema)
    if not warehouse.table_exists(physical, table):
        return pd.DataFrame(columns=[*columns, *map(presence_flag, present)])
    known = set(warehouse.columns(physical, table))
    dialect = warehouse.engine.dialect
    selected = [quote_name(dialect, c) for c in columns if c in known] + [
        f"{quote_name(dialect, c)} IS NOT NULL AS {quote_name(dialect, presence_flag(c))}"
        for c in present
        if c in known
    ]
    if not selected:
        return pd.DataFrame(index=range(warehouse.row_count(physical, table)))
    return warehouse.read_sql(
        f"SELECT {', '.join(selected)} FROM {warehouse.qualified(physical, table)}"
    )


def table_rows(warehouse: Warehouse, schema: str, table: str) -> int:
    """Rows of a table of the logical `schema`; 0 when it does not exist."""
    physical = warehouse.schema_for(schema)
    return warehouse.row_count(physical, table) if warehouse.table_exists(physical, table) else 0


def scorecard_inputs(warehouse: Warehouse, as_of: pd.Timestamp) -> ScorecardInputs:
    """The warehouse's tables as the measures read them."""
    return ScorecardInputs(
        contacts=read_columns(
            warehouse, "staging", "crm_contacts", CONTACT_COLUMNS, PRESENCE_COLUMNS
        ),
        xref=read_columns(warehouse, "curated", "contact_xref", ["entity_id"]),
        people=read_columns(warehouse, "curated", "contacts_golden", ["status"]),
        bounces=read_columns(warehouse, "staging", "email_bounces", BOUNCE_COLUMNS),
        suppressions=read_columns(
            warehouse, "curated", "suppression_events", ["channel", "value", "reason"]
        ),
        rejected_rows=table_rows(warehouse, "curated", "rejected_records"),
        staged_rows=sum(table_rows(warehouse, "staging", feed) for feed in FEEDS),
        as_of=as_of,
    )


def published_scorecard(published: Warehouse) -> pd.DataFrame:
    """Every published run's rows (empty before the first publication): the baselines."""
    return read_columns(published, "curated", SCORECARD_TABLE, SCORECARD_COLUMNS)


@asset(
    key=SCORECARD,
    deps=[  # every staging feed is upstream of rejected_records, whose rows are counted too
        AssetKey(["staging", "crm_contacts"]),
        AssetKey(["staging", "email_bounces"]),
        AssetKey(["curated", "contact_xref"]),
        AssetKey(["curated", "contacts_golden"]),
        AssetKey(["curated", "suppression_events"]),
        AssetKey(["curated", "rejected_records"]),
    ],
    group_name="quality",
    kinds={"python", "sql"},
    description="One row per run and data-quality measure (completeness, validity, duplicates, "
    "ghosts, bounces, dead numbers, staleness, recent updates, quarantine), with the previous "
    "run's value and the change; the drift checks judge these rows.",
    metadata={"table": "curated.dq_scorecard"},
    retry_policy=IO_RETRY,
)
def dq_scorecard(
    context: AssetExecutionContext, warehouse: WarehouseResource, clock: BatchClockResource
) -> Output[pd.DataFrame]:
    """Measure this run; the published scorecard with this run's rows."""
    as_of = clock.timestamp()
    values = measure_all(scorecard_inputs(warehouse.get_warehouse(), as_of))
    history = published_scorecard(warehouse.get_published_warehouse())
    rows = scorecard_rows(values, history, context.run_id, pd.Timestamp.now(tz="UTC"), as_of)
    card = updated_scorecard(history, rows)
    return Output(
        card,
        metadata={
            "dagster/row_count": len(card),
            **{name: float(value) for name, value in values.items()},
            "dagster/column_schema": table_schema(rows, SCORECARD_TABLE),
        },
    )

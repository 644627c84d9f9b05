"""`curated.follow_up_tasks`: the work lists sales ops act on, kept across batches.

Reads this run's decisions from the run's own schemas (`WarehouseResource.get_warehouse()`) and
the tasks published before from the published ones, lets `history.follow_up_tasks` decide which
tasks open, stay open or close, and returns the whole table (closed tasks included: a task is
never deleted); the IO manager stores it as the run's `curated.follow_up_tasks`, which lands
with the run's publication. A run that publishes nothing leaves the published tasks as they
were."""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Config, Output, asset
from pydantic import Field

from hygiene_pipeline.defs.metadata import counts_table, table_schema
from hygiene_pipeline.defs.resources import IO_RETRY, BatchClockResource, WarehouseResource
from hygiene_pipeline.defs.scorecard_assets import read_columns
from hygiene_pipeline.history.follow_up_tasks import (
    PHONE_PREFIXES,
    PRESENCE_COLUMNS,
    RECORD_PROBLEMS,
    TASK_COLUMNS,
    TaskInputs,
    follow_up_tasks,
)
from hygiene_pipeline.vocabulary import TASK_TYPES
from hygiene_pipeline.warehouse.engine import Warehouse

TASKS_TABLE = "follow_up_tasks"
PEOPLE_COLUMNS = (
    "entity_id",
    "account_id",
    "status",
    "status_reason",
    "dial_phone_e164",
    "is_emailable",
    "consent_status",
    "consent_expires_at",
    "linkage_review_hold",
)
RECORD_COLUMNS = (
    "record_key",
    "is_deleted",
    "email_valid",
    *(f"{p}_valid" for p in PHONE_PREFIXES),
    "formula_columns",
    "future_dates",
    *RECORD_PROBLEMS,
)


class FollowUpConfig(Config):
    """How far ahead follow-up tasks look."""

    consent_renewal_days: int = Field(
        default=30, description="Open a renew_consent task this many days before consent expires."
    )


def task_inputs(warehouse: Warehouse, as_of: pd.Timestamp, renewal_days: int) -> TaskInputs:
    """This batch's decisions as the task rules read them."""
    return TaskInputs(
        people=read_columns(warehouse, "curated", "contacts_golden", PEOPLE_COLUMNS),
        accounts=read_columns(warehouse, "curated", "accounts", ["account_id", "status"]),
        suppressions=read_columns(
            warehouse, "curated", "suppression_events", ["channel", "entity_id", "reason", "since"]
        ),
        dnc_unmatched=read_columns(
            warehouse, "curated", "dnc_unmatched", ["source_file", "row_number", "reason"]
        ),
        xref=read_columns(
            warehouse,
            "curated",
            "contact_xref",
            ["record_key", "entity_id", "account_id", "merge_probability", "cluster_flag"],
        ),
        records=read_columns(
            warehouse, "staging", "crm_contacts", RECORD_COLUMNS, PRESENCE_COLUMNS
        ),
        as_of=as_of,
        consent_renewal_days=renewal_days,
    )


@asset(
    key=AssetKey(["curated", TASKS_TABLE]),
    deps=[
        AssetKey(["curated", "contacts_golden"]),
        AssetKey(["curated", "accounts"]),
        AssetKey(["curated", "suppression_events"]),
        AssetKey(["curated", "dnc_unmatched"]),
        AssetKey(["curated", "contact_xref"]),
        AssetKey(["staging", "crm_contacts"]),
    ],
    group_name="scoring",
    kinds={"python", "sql"},
    description="One row per follow-up task, open or closed: find a replacement contact, "
    "reconfirm a contact, renew consent, review a merge, verify a DNC entry, fix a record in its "
    "source. Ids are stable across batches; a resolved task is closed, never deleted.",
    metadata={"table": f"curated.{TASKS_TABLE}"},
    retry_policy=IO_RETRY,
)
def follow_up_tasks_asset(
    context: AssetExecutionContext,
    config: FollowUpConfig,
    warehouse: WarehouseResource,
    clock: BatchClockResource,
) -> Output[pd.DataFrame]:
    """Open, keep and close the follow-up tasks for this batch."""
    inputs = task_inputs(warehouse.get_warehouse(), clock.timestamp(), config.consent_renewal_days)
    published = warehouse.get_published_warehouse()
    previous = read_columns(published, "curated", TASKS_TABLE, TASK_COLUMNS).reindex(
        columns=list(TASK_COLUMNS)
    )
    tasks = follow_up_tasks(inputs, previous)
    open_tasks = tasks[tasks["closed_at"].isna()]
    context.log.info(f"{len(open_tasks)} open follow-up tasks, {len(tasks)} in all")
    return Output(
        tasks,
        metadata={
            "dagster/row_count": len(tasks),
            "open_tasks": counts_table(
                open_tasks["task_type"].value_counts().reindex(TASK_TYPES, fill_value=0),
                "task_type",
                "open",
            ),
            "closed_this_batch": int((tasks["closed_at"] == clock.timestamp()).sum()),
            "dagster/column_schema": table_schema(tasks, TASKS_TABLE),
        },
    )

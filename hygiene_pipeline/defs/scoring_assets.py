"""Scoring and publishing of people: status, staleness, intent and compliance per person, the
suppression events behind `suppression_list`, and the status history that never forgets.

Inputs and outputs are tables of the run (`warehouse_io`); the status history is applied to a
copy of the published one in the run's curated schema and lands with the run's publication."""

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetOut,
    Output,
    asset,
    multi_asset,
)

from hygiene_pipeline.defs.metadata import counts_table, share, table_schema
from hygiene_pipeline.defs.resources import (
    IO_RETRY,
    LARGE_STEP_TAGS,
    WAREHOUSE_POOL,
    BatchClockResource,
    LandingResource,
    WarehouseResource,
)
from hygiene_pipeline.defs.scoring_config import ScoringResource
from hygiene_pipeline.defs.warehouse_io import deferred_input, projected_input
from hygiene_pipeline.history.persistence import published_people
from hygiene_pipeline.scoring.inputs import CALL_COLUMNS, CRM_COLUMNS, EVENT_COLUMNS, XREF_COLUMNS
from hygiene_pipeline.scoring.pipeline import score_people
from hygiene_pipeline.vocabulary import ACCOUNT_STATUSES, INTENT_TIERS, STATUSES
from hygiene_pipeline.warehouse.status_history import apply_status_history, start_from_published
from hygiene_pipeline.warehouse.stored_table import StoredTable

GROUP = "scoring"
STATUS_COLUMNS = ["entity_id", "status", "status_reason"]
"""The columns of `contacts_golden` the status history is kept from."""
FEED_INS = {
    **{feed: AssetIn(key=AssetKey(["staging", feed])) for feed in ("email_bounces", "dnc_list")},
    **{
        feed: deferred_input(AssetKey(["staging", feed]), columns)
        for feed, columns in (
            ("crm_contacts", CRM_COLUMNS),
            ("call_logs", CALL_COLUMNS),
            ("engagement_events", EVENT_COLUMNS),
        )
    },
}
"""The feeds scoring reads; the large ones deferred, each read (as Arrow, which its SQL reads
without copying) only while scoring copies it into its workspace."""


@multi_asset(
    outs={
        "contacts_golden": AssetOut(
            key=AssetKey(["curated", "contacts_golden"]),
            description="One row per resolved person: golden identity, status and reason, "
            "staleness and intent scores, channel usability and compliance columns.",
            kinds={"python", "sql"},
            metadata={"table": "curated.contacts_golden"},
        ),
        "suppression_events": AssetOut(
            key=AssetKey(["curated", "suppression_events"]),
            description="Every reason a phone or email must not be used (DNC, consent, bounces, "
            "complaints, dead numbers), with its date; `suppression_list` is built from it.",
            kinds={"python", "sql"},
            metadata={"table": "curated.suppression_events"},
        ),
        "accounts": AssetOut(
            key=AssetKey(["curated", "accounts"]),
            description="One row per resolved company: name, domains, country, city, people, "
            "departures, and status (active / relocated / closed) with the evidence behind it.",
            kinds={"python", "sql"},
            metadata={"table": "curated.accounts"},
        ),
        "dnc_unmatched": AssetOut(
            key=AssetKey(["curated", "dnc_unmatched"]),
            description="Do-not-call entries that denote no number on any record or call, in "
            "whatever form they were written, with the reason: to verify by hand.",
            kinds={"python", "sql"},
            metadata={"table": "curated.dnc_unmatched"},
        ),
    },
    ins={
        "golden": deferred_input(AssetKey(["history", "verified_identities"])),
        "carried": AssetIn(key=AssetKey(["history", "carried_people"])),
        "standing": AssetIn(key=AssetKey(["history", "standing_requests"])),
        "xref": deferred_input(AssetKey(["curated", "contact_xref"]), XREF_COLUMNS),
        "account_identities": AssetIn(key=AssetKey(["linkage", "account_identities"])),
        **FEED_INS,
    },
    group_name=GROUP,
    retry_policy=IO_RETRY,
    op_tags=LARGE_STEP_TAGS,
)
def scored_people(
    context: AssetExecutionContext,
    golden: StoredTable,
    xref: StoredTable,
    crm_contacts: StoredTable,
    email_bounces: pd.DataFrame,
    call_logs: StoredTable,
    engagement_events: StoredTable,
    dnc_list: pd.DataFrame,
    account_identities: pd.DataFrame,
    carried: pd.DataFrame,
    standing: pd.DataFrame,
    scoring: ScoringResource,
    clock: BatchClockResource,
    landing: LandingResource,
    warehouse: WarehouseResource,
):
    """Score every person and account as of the batch time: people, accounts, suppressions and
    the DNC entries that match nobody."""
    settings = scoring.settings()
    result = score_people(
        golden,
        xref,
        crm_contacts,
        email_bounces,
        call_logs,
        engagement_events,
        dnc_list,
        accounts=account_identities,
        as_of=clock.timestamp(),
        settings=settings,
        default_region=landing.default_region,
        standing_requests=standing,
        spill_dir=warehouse.get_warehouse().spill_directory(),
    )
    people = published_people(result.contacts, carried)
    context.log.info(
        "%d people scored (%s); %d on the dial list",
        len(people),
        settings.scoring_version,
        len(result.dial_list),
    )
    yield Output(
        people,
        output_name="contacts_golden",
        metadata={
            "dagster/row_count": len(people),
            "status": counts_table(
                people["status"].value_counts().reindex(STATUSES, fill_value=0), "status", "people"
            ),
            "intent_tier": counts_table(
                people["intent_tier"].value_counts().reindex(INTENT_TIERS, fill_value=0),
                "tier",
                "people",
            ),
            "inactive_share": share(int((people["status"] != "active").sum()), len(people)),
            "callable_share": share(int(people["is_callable"].sum()), len(people)),
            "emailable_share": share(int(people["is_emailable"].sum()), len(people)),
            "dial_list_people": int(people["on_dial_list"].sum()),
            "scoring_version": settings.scoring_version,
            "dagster/column_schema": table_schema(people, "contacts_golden"),
        },
    )
    events = result.suppression_events
    yield Output(
        events,
        output_name="suppression_events",
        metadata={
            "dagster/row_count": len(events),
            "by_channel_and_reason": counts_table(
                (events["channel"] + ": " + events["reason"]).value_counts(), "channel: reason"
            ),
            "dagster/column_schema": table_schema(events, "suppression_events"),
        },
    )
    accounts = result.accounts
    yield Output(
        accounts,
        output_name="accounts",
        metadata={
            "dagster/row_count": len(accounts),
            "status": counts_table(
                accounts["status"].value_counts().reindex(ACCOUNT_STATUSES, fill_value=0),
                "status",
                "accounts",
            ),
            "departures": int(accounts["departures"].sum()),
            "dagster/column_schema": table_schema(accounts, "accounts"),
        },
    )
    unmatched = result.dnc_unmatched
    yield Output(
        unmatched,
        output_name="dnc_unmatched",
        metadata={
            "dagster/row_count": len(unmatched),
            "by_reason": counts_table(
                unmatched["reason"]
                .str.extract(r"^(a valid number|not a valid number)")[0]
                .value_counts(),
                "reason",
                "entries",
            ),
            "dagster/column_schema": table_schema(unmatched, "dnc_unmatched"),
        },
    )


@asset(
    key=AssetKey(["curated", "contact_status_history"]),
    ins={
        "people": projected_input(AssetKey(["curated", "contacts_golden"]), STATUS_COLUMNS),
    },
    group_name=GROUP,
    kinds={"python", "sql"},
    description="One row per status spell: a row is added only when a person's status changes; "
    "closed spells keep their valid_to, nothing is deleted, re-running a batch changes nothing.",
    metadata={"table": "curated.contact_status_history"},
    retry_policy=IO_RETRY,
    pool=WAREHOUSE_POOL,
)
def contact_status_history(
    context: AssetExecutionContext,
    people: pd.DataFrame,
    clock: BatchClockResource,
    warehouse: WarehouseResource,
) -> Output[None]:
    """Close the spells whose status changed and open the new ones on a copy of the published
    history (one transaction); the run's publication swaps it in."""
    store = warehouse.get_warehouse()
    start_from_published(store, warehouse.get_published_warehouse())
    change = apply_status_history(store, people[STATUS_COLUMNS], context.run_id, clock.timestamp())
    return Output(
        None,
        metadata={
            "spells_closed": change.closed,
            "spells_opened": change.opened,
            "spells_retired": change.retired,
            "dagster/row_count": store.row_count(store.curated_schema, "contact_status_history"),
        },
    )


scoring_assets = [scored_people, contact_status_history]

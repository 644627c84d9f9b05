"""The duplicate-linkage chain, one asset per stage so the UI shows each stage's table and
metadata: candidate pairs -> comparison features -> match scores -> clusters -> golden records
and cross-reference, plus the scored pairs table. The engine itself is
`hygiene_pipeline.linkage`.

The first four stages are one step (`linkage__people`): it reads the contacts and prepares them
for linkage once and hands each stage's frame to the next in memory, while every stage's table
is still written. Later stages read those tables through the warehouse IO manager
(`warehouse_io`): the linkage frames are tables of the run's work schema, `curated/*` ones the
run's curated tables. The steps compute in Python outside the warehouse pool, so they run
beside other steps."""

import itertools
import json
from typing import Any

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetOut,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)

from hygiene_pipeline.defs.metadata import counts_table, table_schema
from hygiene_pipeline.defs.resources import (
    IO_RETRY,
    LARGE_STEP_TAGS,
    LinkageResource,
    WarehouseResource,
)
from hygiene_pipeline.defs.warehouse_io import projected_input
from hygiene_pipeline.domain.column_ops import background_executor
from hygiene_pipeline.linkage.accounts import (
    ACCOUNT_INPUT_COLUMNS,
    person_accounts,
    record_accounts,
)
from hygiene_pipeline.linkage.api import match_pairs as match_pairs_table
from hygiene_pipeline.linkage.blocking import candidate_pairs as block
from hygiene_pipeline.linkage.classifier import score
from hygiene_pipeline.linkage.clusters import cluster
from hygiene_pipeline.linkage.crm_spec import (
    CRM_GOLDEN_RULES,
    CRM_LINKAGE_SPEC,
    GOLDEN_COLUMNS,
    LINKAGE_COLUMNS,
    PAIR_TABLE_COLUMNS,
    linkable_contacts,
    linkage_input,
)
from hygiene_pipeline.linkage.features import compare
from hygiene_pipeline.linkage.overrides import (
    combined_overrides,
    empty_overrides,
    load_overrides,
    master_record_links,
)
from hygiene_pipeline.linkage.survivorship import golden_records

GROUP = "linkage"
CONTACTS_KEY = AssetKey(["staging", "crm_contacts"])
CONTACTS = {"contacts": projected_input(CONTACTS_KEY, LINKAGE_COLUMNS)}


def bar_chart(labels: list[str], counts: list[int], width: int = 40) -> MetadataValue:
    """A horizontal bar chart in markdown, for distributions shown on an asset."""
    peak = max(counts, default=0) or 1
    rows = [
        f"{label:>11} | {'█' * max(round(width * count / peak), 1 if count else 0)} {count:,}"
        for label, count in zip(labels, counts, strict=True)
    ]
    return MetadataValue.md("```\n" + "\n".join(rows) + "\n```")


def json_metadata(stats: dict[str, Any], *keys: str) -> dict[str, MetadataValue]:
    """Selected stats entries as JSON metadata (they are plain dicts and lists)."""
    return {
        key: MetadataValue.json(json.loads(json.dumps(stats[key], default=str)))
        for key in keys
        if key in stats
    }


def _overrides(linkage: LinkageResource, records: pd.DataFrame) -> pd.DataFrame:
    """The user's overrides with the merges the source systems already did (a user's
    cannot-link still wins)."""
    path = linkage.overrides_path()
    user = load_overrides(path) if path else empty_overrides()
    return combined_overrides(master_record_links(records), user)


def _linkage_out(stage: str, description: str) -> AssetOut:
    """The output of a linkage stage: a table of the run's work schema, made in Python."""
    return AssetOut(
        key=AssetKey(["linkage", stage]), description=description, kinds={"python", "pandas"}
    )


@multi_asset(
    name="linkage__people",
    outs={
        "candidate_pairs": _linkage_out(
            "candidate_pairs",
            "Candidate record pairs from blocking on canonical email, valid phone/mobile, "
            "phonetic surname + first initial + company or postal code; oversized blocks "
            "(switchboards) are windowed, not expanded.",
        ),
        "pair_features": _linkage_out(
            "pair_features",
            "Comparison features per candidate pair: names straight and crossed, mailbox key, "
            "phones, company, graded into agreement levels with vectorised rapidfuzz "
            "similarities.",
        ),
        "match_scores": _linkage_out(
            "match_scores",
            "Match probability per pair from an unsupervised Fellegi-Sunter model fitted by EM "
            "(no labels), with rare names weighing more and hard-negative rules (namesakes at "
            "other companies) forcing non-matches.",
        ),
        "clusters": _linkage_out(
            "clusters",
            "Records grouped into people by connected components of matched pairs, with human "
            "must-link / cannot-link overrides and the source systems' own merges (master record "
            "ids) applied; records deleted in their source never become people; components "
            "whose members disagree strongly are split and flagged rather than merged.",
        ),
    },
    ins=CONTACTS,
    group_name=GROUP,
    op_tags=LARGE_STEP_TAGS,
)
def people_from_records(contacts: pd.DataFrame, linkage: LinkageResource):
    """Block, compare, score and cluster the records in one step: each stage is still a table
    of its own, but the records are read and prepared once and no stage reads back the one
    before it."""
    records = linkage_input(contacts)
    pairs, stats = block(records, CRM_LINKAGE_SPEC)
    yield Output(
        # The pairs are the frame's index, as in every pair table after it: the warehouse reads
        # such a table back with its pair index made from Arrow's encoding of the keys.
        pd.DataFrame(index=pairs),
        output_name="candidate_pairs",
        metadata={
            "candidate_pairs": stats["candidate_pairs"],
            "records": stats["records"],
            "reduction_ratio": round(float(stats["reduction_ratio"]), 6),
            "pairs_by_blocking_key": counts_table(
                stats["pairs_by_blocking_key"], "blocking key", "pairs"
            ),
            "new_pairs_by_blocking_key": counts_table(
                stats["new_pairs_by_blocking_key"],
                "blocking key",
                "pairs not found by an earlier key",
            ),
            "oversize_blocks_by_key": counts_table(
                stats["oversize_blocks_by_key"], "blocking key", "blocks"
            ),
            "seconds": stats["seconds"],
        },
    )
    features, stats = compare(records, pairs, CRM_LINKAGE_SPEC)
    yield Output(
        features,
        output_name="pair_features",
        metadata={
            "pairs": stats["pairs"],
            "pairs_per_second": stats["pairs_per_second"],
            "seconds": stats["seconds"],
            **json_metadata(stats, "levels"),
        },
    )
    scored, stats = score(features, CRM_LINKAGE_SPEC)
    histogram = stats["probability_histogram"]
    edges = histogram["bin_edges"]
    labels = [f"{lo:.2f}-{hi:.2f}" for lo, hi in itertools.pairwise(edges)]
    yield Output(
        scored,
        output_name="match_scores",
        metadata={
            "pairs": stats["pairs"],
            "decisions": counts_table(stats["decisions"], "decision", "pairs"),
            "hard_negatives": counts_table(stats["hard_negatives"], "rule", "pairs"),
            "match_probability_histogram": bar_chart(labels, histogram["counts"]),
            "seconds": stats["seconds"],
            **json_metadata(stats, "model"),
        },
    )
    # A run judges its clusters on the candidate pairs' scores, as it always has: scoring every
    # member pair of large components as well (what `deduplicate` does) measured linkage F1
    # 0.9931 against 0.9928 at 100k contacts but 0.9909 against 0.9912 at 1M, coarse status
    # 0.9879 against 0.9882, and took 1.4 s more.
    assignments, stats = cluster(
        records, scored, CRM_LINKAGE_SPEC, _overrides(linkage, records), check_members=False
    )
    sizes = stats["cluster_size_distribution"]
    yield Output(
        assignments,
        output_name="clusters",
        metadata={
            "records": stats["records"],
            "clusters": stats["clusters"],
            "cluster_size_distribution": bar_chart(
                [f"size {size}" for size in sizes], [int(v) for v in sizes.values()]
            ),
            "flagged_records": counts_table(stats["flagged_records"], "flag", "records"),
            "components_split": stats["components_split"],
            "member_pairs_checked": stats["member_pairs_checked"],
            "overrides": counts_table(stats["overrides"], "override", "pairs"),
            "seconds": stats["seconds"],
            **json_metadata(stats, "largest_clusters"),
        },
    )


ACCOUNT_WORKER_RECORDS = 250_000
"""Records from which accounts are resolved in a worker process beside the golden records; below
this the worker's start (about two seconds in a run) outweighs the work."""


@multi_asset(
    outs={
        "golden_identities": AssetOut(
            key=AssetKey(["linkage", "golden_identities"]),
            description="One golden identity per person: survivorship per field (most recent "
            "valid value, source priority, most complete) with each field's provenance; a "
            "do-not-call, do-not-email or opt-out on any member holds for the person.",
            kinds={"python", "pandas"},
        ),
        "contact_xref": AssetOut(
            key=AssetKey(["curated", "contact_xref"]),
            description="One row per accepted source record: the person (entity_id) and the "
            "account (account_id) it belongs to.",
            kinds={"python", "sql"},
            metadata={"table": "curated.contact_xref"},
        ),
        "account_identities": AssetOut(
            key=AssetKey(["linkage", "account_identities"]),
            description="The companies behind the records: one account per corporate mail "
            "domain, records without one joined by company name in their country and city; "
            "company news spreads only inside an account.",
            kinds={"python", "pandas"},
        ),
    },
    ins={
        "contacts": projected_input(CONTACTS_KEY, GOLDEN_COLUMNS),
        "assignments": AssetIn(key=AssetKey(["linkage", "clusters"])),
    },
    group_name=GROUP,
    retry_policy=IO_RETRY,
    op_tags=LARGE_STEP_TAGS,
)
def golden_and_xref(
    context: AssetExecutionContext,
    contacts: pd.DataFrame,
    assignments: pd.DataFrame,
    warehouse: WarehouseResource,
):
    """Build golden identities and the cross-reference, keeping the published run's ids."""
    published = warehouse.get_published_warehouse()
    previous = (
        published.read_table(published.curated_schema, "contact_xref")
        if published.table_exists(published.curated_schema, "contact_xref")
        else None
    )
    records = linkable_contacts(contacts)
    with background_executor(len(records), ACCOUNT_WORKER_RECORDS) as background:
        accounts_found = background.submit(
            record_accounts, records[[c for c in ACCOUNT_INPUT_COLUMNS if c in records]]
        )
        golden, xref, stats = golden_records(records, assignments, CRM_GOLDEN_RULES, previous)
        by_record, accounts = accounts_found.result()
    xref.insert(4, "account_id", xref["record_key"].map(by_record))
    by_person = person_accounts(records, xref, by_record)
    golden.insert(1, "account_id", golden["entity_id"].map(by_person))
    context.log.info(
        "%d records resolved into %d people at %d accounts", len(xref), len(golden), len(accounts)
    )
    yield Output(
        golden,
        output_name="golden_identities",
        metadata={
            "entities": stats["entities"],
            "merged_entities": stats["merged_entities"],
            "dagster/row_count": len(golden),
            "dagster/column_schema": table_schema(golden),
        },
    )
    yield Output(
        xref,
        output_name="contact_xref",
        metadata={
            "dagster/row_count": len(xref),
            "ids_carried_over": stats["ids_carried_over"],
            "ids_new": stats["ids_new"],
            "ids_retired": stats["ids_retired"],
            "records_in_merged_entities": stats["records_in_merged_entities"],
            "deleted_in_source": len(contacts) - len(records),
            "dagster/column_schema": table_schema(xref, "contact_xref"),
        },
    )
    yield Output(
        accounts,
        output_name="account_identities",
        metadata={
            "accounts": len(accounts),
            "by_domain": int(accounts["account_key"].str.startswith("domain:").sum()),
            "by_name": int(accounts["account_key"].str.startswith("name:").sum()),
            "records_without_account": int(xref["account_id"].isna().sum()),
            "dagster/column_schema": table_schema(accounts),
        },
    )


@asset(
    key=AssetKey(["curated", "match_pairs"]),
    ins={
        "contacts": projected_input(CONTACTS_KEY, PAIR_TABLE_COLUMNS),
        "scored": AssetIn(key=AssetKey(["linkage", "match_scores"])),
        "features": AssetIn(key=AssetKey(["linkage", "pair_features"])),
    },
    group_name=GROUP,
    kinds={"python", "sql"},
    description="One row per scored candidate pair (and per override pair): probability, "
    "decision and the comparison features behind it.",
    metadata={"table": "curated.match_pairs"},
    retry_policy=IO_RETRY,
    op_tags={**LARGE_STEP_TAGS, "dagster/priority": "-1"},  # after the golden records
)
def match_pairs(
    contacts: pd.DataFrame,
    scored: pd.DataFrame,
    features: pd.DataFrame,
    linkage: LinkageResource,
) -> Output[pd.DataFrame]:
    """The scored pairs, for review and audit."""
    records = linkable_contacts(contacts)
    table = match_pairs_table(
        records,
        scored,
        features,
        CRM_LINKAGE_SPEC,
        CRM_GOLDEN_RULES.xref_columns,
        _overrides(linkage, records),
    )
    return Output(
        table,
        metadata={
            "dagster/row_count": len(table),
            "decisions": counts_table(table["decision"].value_counts(), "decision", "pairs"),
            "dagster/column_schema": table_schema(table, "match_pairs"),
        },
    )


linkage_assets = [
    people_from_records,
    golden_and_xref,
    match_pairs,
]

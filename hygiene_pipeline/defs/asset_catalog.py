"""What the Dagster UI shows about every asset and check beyond its code, each from one place:

- owners: one team per asset group (`GROUP_OWNERS`), on every asset;
- freshness: `CURATED_FRESHNESS` (`FreshnessPolicy.time_window`) on every asset of the curated
  schema;
- column descriptions: a curated table's `dagster/column_schema` comes from
  `dbt_like_sql/schema.yml` (`warehouse.column_catalog`), the same file the warehouse comments
  and the masked views come from;
- runbooks and severity: every check's description states its severity and names its runbook,
  `docs/runbooks/<check>.md`, which its metadata links (`check_spec`, `runbook_metadata`).

`with_asset_catalog` applies the first three to a list of assets with Dagster's public
`map_asset_specs`, so asset decorators stay free of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from dagster import (
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    FreshnessPolicy,
    MetadataValue,
    map_asset_specs,
)

from hygiene_pipeline.defs.metadata import documented_schema
from hygiene_pipeline.warehouse.column_catalog import shipped_catalog

CURATED_SCHEMA = "curated"
GROUP_OWNERS: dict[str, str] = {
    "ingest": "team:data-engineering",
    "standardise": "team:data-engineering",
    "linkage": "team:data-engineering",
    "quality": "team:data-engineering",
    "scoring": "team:sales-ops",
    "history": "team:data-engineering",
    "curated": "team:sales-ops",
}
"""Who answers for the assets of each group: data engineering for files, feeds, linkage and the
quality log; sales operations for the decisions and the published tables they work from."""
DEFAULT_OWNER = "team:data-engineering"
"""The owner of a group not listed yet (the team that runs the pipeline); tests insist on a
listing."""
CURATED_FRESHNESS = FreshnessPolicy.time_window(
    fail_window=timedelta(hours=26), warn_window=timedelta(hours=24)
)
"""Curated tables are rebuilt daily: warn after a day without a run, fail after 26 hours."""
RUNBOOKS_DIR = "docs/runbooks"
COLUMN_SCHEMA = "dagster/column_schema"
ERROR, WARN = "ERROR", "WARN"


def with_asset_catalog(
    assets: Iterable[AssetsDefinition], freshness: FreshnessPolicy = CURATED_FRESHNESS
) -> list[AssetsDefinition]:
    """`assets` with their group's owner, and curated ones with `freshness` and, where
    schema.yml documents the table and the asset declares no column schema, that schema."""
    return list(map_asset_specs(lambda spec: _described(spec, freshness), list(assets)))


def _described(spec: AssetSpec, freshness: FreshnessPolicy) -> AssetSpec:
    spec = spec.replace_attributes(owners=[GROUP_OWNERS.get(spec.group_name, DEFAULT_OWNER)])
    if spec.key.path[0] != CURATED_SCHEMA:
        return spec
    spec = spec.replace_attributes(freshness_policy=freshness)
    relation = shipped_catalog().relations.get(spec.key.path[-1])
    if relation is None or COLUMN_SCHEMA in spec.metadata:
        return spec
    return spec.merge_attributes(metadata={COLUMN_SCHEMA: documented_schema(relation.columns)})


def runbook_path(check_name: str) -> str:
    """The check's runbook, relative to the repository root."""
    return f"{RUNBOOKS_DIR}/{check_name}.md"


def severity_text(blocking: bool) -> str:
    """The severity of a check as on-call staff read it."""
    if blocking:
        return (
            f"Severity {ERROR}, blocking: a failure stops everything downstream in the run and "
            "nothing of the run is published."
        )
    return f"Severity {WARN}: a failure warns and stops nothing (publication waits for it)."


def is_critical(spec: AssetCheckSpec) -> bool:
    """Whether a failure of the check stops the run's publication (severity ERROR)."""
    return spec.metadata.get("severity") == ERROR


def runbook_metadata(check_name: str, blocking: bool) -> dict[str, object]:
    """Metadata linking a check (its definition and every evaluation) to its runbook."""
    return {
        "runbook": MetadataValue.path(runbook_path(check_name)),
        "severity": ERROR if blocking else WARN,
    }


def check_spec(
    name: str,
    asset: AssetKey,
    *,
    blocking: bool,
    description: str,
    additional_deps: Sequence[AssetKey] = (),
) -> AssetCheckSpec:
    """An asset check whose description states its severity and runbook, linked in metadata.

    Every check is a Dagster blocking check, so the run's publication (downstream of every
    asset) waits for all of them while the run's schemas still exist; only a failure with
    severity ERROR (`blocking`) stops it, a WARN failure does not."""
    return AssetCheckSpec(
        name=name,
        asset=asset,
        blocking=True,
        additional_deps=list(additional_deps),
        description=f"{description} {severity_text(blocking)} Runbook: {runbook_path(name)}.",
        metadata=runbook_metadata(name, blocking),
    )

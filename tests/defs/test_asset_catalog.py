"""What the UI shows beyond the code, from one place each: every asset has its group's owner,
every curated asset a freshness policy and column descriptions from schema.yml, and every check
states its severity and links a runbook that exists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetSpec, Definitions, PathMetadataValue, TableSchema, asset

from hygiene_pipeline.definitions import build_definitions
from hygiene_pipeline.defs.asset_catalog import (
    CURATED_FRESHNESS,
    DEFAULT_OWNER,
    GROUP_OWNERS,
    with_asset_catalog,
)
from hygiene_pipeline.defs.metadata import table_schema
from hygiene_pipeline.warehouse.column_catalog import shipped_catalog

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> Definitions:
    return build_definitions(home=tmp_path_factory.mktemp("home"))


def specs(defs: Definitions) -> dict[str, AssetSpec]:
    return {spec.key.to_user_string(): spec for a in defs.assets for spec in a.specs}


def test_every_asset_has_the_owner_of_its_group_and_every_group_is_listed(
    defs: Definitions,
) -> None:
    owners = {key: (spec.group_name, spec.owners) for key, spec in specs(defs).items()}

    unlisted = {key: group for key, (group, _) in owners.items() if group not in GROUP_OWNERS}
    assert not unlisted, f"add these assets' groups to GROUP_OWNERS: {unlisted}"
    assert all(found == [GROUP_OWNERS[group]] for group, found in owners.values()), owners
    assert owners["curated/dial_list"][1] == ["team:sales-ops"]
    assert owners["staging/crm_contacts"][1] == ["team:data-engineering"]


def test_every_curated_asset_is_fresh_daily_and_shows_documented_columns(
    defs: Definitions,
) -> None:
    curated = {k: s for k, s in specs(defs).items() if s.key.path[0] == "curated"}
    catalog = shipped_catalog()

    assert {"curated/contacts_golden", "curated/contact_xref", "curated/dial_list"} <= set(curated)
    for key, spec in curated.items():
        assert spec.freshness_policy == CURATED_FRESHNESS, key
        schema = spec.metadata["dagster/column_schema"]
        assert isinstance(schema, TableSchema), key
        relation = catalog.relation(spec.key.path[-1])
        assert [c.name for c in schema.columns] == [c.name for c in relation.columns], key
        assert all(c.description for c in schema.columns), key
    assert specs(defs)["staging/crm_contacts"].freshness_policy is None


def test_every_check_states_its_severity_and_links_a_runbook_that_exists(
    defs: Definitions,
) -> None:
    check_specs = [spec for checks in defs.asset_checks for spec in checks.check_specs]

    assert len(check_specs) > 20
    for spec in check_specs:
        runbook = spec.metadata["runbook"]
        assert isinstance(runbook, PathMetadataValue)
        assert (REPO / runbook.path).is_file(), runbook.path
        assert runbook.path == f"docs/runbooks/{spec.name}.md"
        assert f"Runbook: {runbook.path}." in spec.description
        severity = spec.metadata["severity"]
        assert severity in ("ERROR", "WARN")
        assert f"Severity {severity}" in spec.description
        assert spec.blocking  # publication waits for every check; only ERROR stops it


def test_every_runbook_says_what_it_means_how_to_look_fix_and_who_to_call() -> None:
    pages = [p for p in (REPO / "docs" / "runbooks").glob("*.md") if p.name != "README.md"]

    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        headings = ["## What it means", "## How to look", "## How to fix", "## Who to call"]
        assert all(heading in text for heading in headings), page.name
        assert f"`{page.stem}`" in text.splitlines()[0]


def test_a_group_not_listed_yet_falls_to_the_team_that_runs_the_pipeline() -> None:
    @asset(group_name="new_group")
    def newcomer() -> None: ...

    [described] = with_asset_catalog([newcomer])

    assert described.specs_by_key[newcomer.key].owners == [DEFAULT_OWNER]


def test_materialised_column_schemas_take_descriptions_from_schema_yml() -> None:
    frame = pd.DataFrame({"record_key": ["s:1"], "entity_id": ["E1"], "extra": [1]})

    schema = table_schema(frame, "contact_xref")

    described = {c.name: c.description for c in schema.columns}
    catalog = shipped_catalog()
    assert described["entity_id"] == catalog.description_of("contact_xref", "entity_id")
    assert described["extra"] is None
    assert all(c.description is None for c in table_schema(frame).columns)

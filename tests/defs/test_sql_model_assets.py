"""The SQL-model asset factory: keys, groups, dependencies and metadata from the model files, and
a real materialisation against a DuckDB warehouse."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from dagster import (
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    TableSchema,
    materialize,
    multi_asset,
)

from hygiene_pipeline.defs.publish_assets import build_publish_asset
from hygiene_pipeline.defs.resources import BiAccessResource, WarehouseResource
from hygiene_pipeline.defs.sql_model_assets import build_sql_model_assets
from hygiene_pipeline.warehouse.engine import Warehouse

SHIPPED_MODELS = Path(__file__).resolve().parents[2] / "dbt_like_sql"
MODELS = {
    "schema.yml": """
        sources:
          - name: curated
            tables: [{name: people}]
          - name: staging
            tables: [{name: calls}]
        models:
          - name: callable_people
            description: People who may be called.
            columns:
              - {name: entity_id, description: The person., data_type: text}
              - {name: calls, description: Calls made., data_type: bigint}
          - name: call_total
            description: All calls.
    """,
    "callable_people.sql": """
        {{ config(materialized='table') }}
        SELECT p.entity_id, COUNT(c.entity_id) AS calls
        FROM {{ source('curated', 'people') }} AS p
        LEFT JOIN {{ source('staging', 'calls') }} AS c ON c.entity_id = p.entity_id
        WHERE p.is_callable
        GROUP BY p.entity_id
    """,
    "call_total.sql": """
        {{ config(materialized='view') }}
        SELECT CAST(SUM(calls) AS BIGINT) AS calls FROM {{ ref('callable_people') }}
    """,
}


def models_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "models"
    directory.mkdir()
    for name, content in MODELS.items():
        (directory / name).write_text(textwrap.dedent(content), encoding="utf-8")
    return directory


def test_each_model_is_a_curated_asset_with_its_dependencies_and_docs(tmp_path):
    assets = {a.key: a for a in build_sql_model_assets(models_dir(tmp_path))}
    people_key, total_key = (
        AssetKey(["curated", "callable_people"]),
        AssetKey(["curated", "call_total"]),
    )
    assert list(assets) == [people_key, total_key]
    people = assets[people_key].specs_by_key[people_key]
    total = assets[total_key].specs_by_key[total_key]
    assert {dep.asset_key for dep in people.deps} == {
        AssetKey(["curated", "people"]),
        AssetKey(["staging", "calls"]),
    }
    assert {dep.asset_key for dep in total.deps} == {people_key}
    assert (people.group_name, people.kinds, total.kinds) == (
        "curated",
        {"sql", "table"},
        {"sql", "view"},
    )
    assert people.description == "People who may be called."
    sql = people.metadata["sql"]
    assert sql == MetadataValue.md(
        f"```sql\n{textwrap.dedent(MODELS['callable_people.sql']).strip()}\n```"
    )
    schema = people.metadata["dagster/column_schema"]
    assert isinstance(schema, TableSchema)
    assert [(c.name, c.type) for c in schema.columns] == [
        ("entity_id", "text"),
        ("calls", "bigint"),
    ]
    assert "warehouse" in assets[people_key].required_resource_keys


def test_shipped_models_all_become_assets():
    keys = {a.key for a in build_sql_model_assets(SHIPPED_MODELS)}
    assert {
        AssetKey(["curated", name])
        for name in ("dial_list", "suppression_list", "account_health", "dq_summary")
    } <= keys


@multi_asset(specs=[AssetSpec(["curated", "people"]), AssetSpec(["staging", "calls"])])
def model_sources(warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
    """The tables the models read, written to the run's own schemas."""
    run = warehouse.get_warehouse()
    people = {"entity_id": ["E1", "E2", "E3"], "is_callable": [True, True, False]}
    run.replace_table(run.curated_schema, "people", pd.DataFrame(people))
    yield MaterializeResult(asset_key=["curated", "people"])
    run.replace_table(run.staging_schema, "calls", pd.DataFrame({"entity_id": ["E1", "E1", "E3"]}))
    yield MaterializeResult(asset_key=["staging", "calls"])


def test_materialising_builds_the_models_of_the_run_and_publishes_them(tmp_path):
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    warehouse = Warehouse(url)
    folder = models_dir(tmp_path)
    models = build_sql_model_assets(folder)
    upstream = [key for asset in [model_sources, *models] for key in asset.keys]
    result = materialize(
        [model_sources, *models, build_publish_asset(upstream, folder)],
        resources={"warehouse": WarehouseResource(url=url), "bi": BiAccessResource()},
    )
    assert result.success
    reported = {
        event.asset_key.path[-1]: event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert reported["callable_people"]["dagster/row_count"].value == 2
    assert reported["callable_people"]["dagster/table_name"].value == "curated.callable_people"
    assert warehouse.read_table("curated", "call_total")["calls"].tolist() == [2]

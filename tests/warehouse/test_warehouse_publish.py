"""Atomic replacement: readers never see a missing or half-written table; what hangs on a
table (views, grants) survives its replacement; a failed replacement changes nothing; a run's
publication on DuckDB (views over its tables) leaves every published table readable."""

from __future__ import annotations

import threading
import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from hygiene_pipeline.warehouse.column_catalog import shipped_catalog
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.publish_run import publish_run
from hygiene_pipeline.warehouse.run_scope import (
    drop_run_schemas,
    published_runs,
    run_warehouse,
    runs_with_schemas,
    views_over_runs,
)

PUBLISHES = 12


def version_frame(version: int) -> pd.DataFrame:
    """Version `version` of a table: a row count and a column value that identify the version."""
    rows = 2_000 + 37 * version
    return pd.DataFrame(
        {
            "entity_id": [f"E{i}" for i in range(rows)],
            "version": version,
            "payload": "x" * 20,
        }
    )


def read_continuously(
    warehouse: Warehouse, sql: str, stop: threading.Event, seen: list, errors: list
) -> None:
    """Read on one connection of its own until told to stop, committing after each read."""
    with warehouse.engine.connect() as conn:
        while not stop.is_set():
            try:
                seen.append(tuple(conn.exec_driver_sql(sql).one()))
            except sa.exc.DBAPIError as error:
                errors.append(error)
            finally:
                conn.rollback()


def test_a_concurrent_reader_sees_the_old_or_the_new_table_never_none_or_half(warehouse):
    schema = warehouse.curated_schema
    warehouse.replace_table(schema, "versions", version_frame(0))
    table = warehouse.qualified(schema, "versions")
    sql = f"SELECT count(*), min(version), max(version) FROM {table}"
    stop, seen, errors = threading.Event(), [], []
    reader = threading.Thread(target=read_continuously, args=(warehouse, sql, stop, seen, errors))
    reader.start()
    try:
        for version in range(1, PUBLISHES + 1):
            warehouse.replace_table(schema, "versions", version_frame(version))
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert seen, "the reader never got a result"
    for count, low, high in seen:
        assert low == high, "a read mixed two versions"
        assert count == len(version_frame(low)), "a read saw a partly loaded table"
    assert warehouse.read_sql(sql).iloc[0].tolist() == [
        len(version_frame(PUBLISHES)),
        PUBLISHES,
        PUBLISHES,
    ]


def test_dependent_views_survive_a_replacement(warehouse):
    schema = warehouse.curated_schema
    warehouse.replace_table(schema, "versions", version_frame(0))
    with warehouse.transaction() as conn:
        conn.exec_driver_sql(
            f"CREATE VIEW {warehouse.qualified(schema, 'latest')} AS "
            f"SELECT entity_id, version FROM {warehouse.qualified(schema, 'versions')}"
        )
        conn.exec_driver_sql(
            f"CREATE VIEW {warehouse.qualified(schema, 'latest_count')} AS "
            f"SELECT count(*) AS n FROM {warehouse.qualified(schema, 'latest')}"
        )
    warehouse.replace_table(schema, "versions", version_frame(3))
    assert set(warehouse.read_table(schema, "latest")["version"]) == {3}
    assert warehouse.read_table(schema, "latest_count")["n"].tolist() == [len(version_frame(3))]


def test_a_view_can_be_replaced_by_one_with_other_columns(warehouse):
    schema = warehouse.curated_schema
    warehouse.replace_view(schema, "numbers", "SELECT 1 AS one, 'a' AS letter")
    warehouse.replace_view(schema, "numbers", "SELECT 2.5 AS ratio")
    assert warehouse.columns(schema, "numbers") == ["ratio"]
    assert warehouse.read_table(schema, "numbers")["ratio"].tolist() == [2.5]


def test_a_patched_copy_changes_only_the_patched_rows_in_their_columns_types(warehouse):
    schema = warehouse.curated_schema
    source = pd.DataFrame(
        {
            "entity_id": ["E1", "E2", "E3"],
            "phone": ["+1", "+2", "+3"],
            "since": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"], utc=True),
            "dnc": [False, True, False],
        }
    )
    warehouse.replace_table(schema, "proposed", source)
    patch = pd.DataFrame(
        {"entity_id": ["E3", "E9"], "phone": ["+30", "+90"], "since": [None, None]}
    )  # a key the table lacks changes nothing; a missing value of any type clears

    warehouse.replace_table_with_patched_copy(
        schema, "verified", (schema, "proposed"), patch, "entity_id"
    )
    warehouse.replace_table_with_patched_copy(
        schema, "unchanged", (schema, "proposed"), patch.iloc[:0], "entity_id"
    )

    verified = warehouse.read_table(schema, "verified").sort_values("entity_id")
    expected = source.assign(phone=["+1", "+2", "+30"], since=[*source["since"][:2], pd.NaT])
    pd.testing.assert_frame_equal(verified.reset_index(drop=True), expected)
    pd.testing.assert_frame_equal(warehouse.read_table(schema, "unchanged"), source)
    assert warehouse.read_table(schema, "proposed")["phone"].tolist() == ["+1", "+2", "+3"]
    assert sorted(warehouse.columns(schema, "verified")) == sorted(source.columns)
    with warehouse.transaction() as conn:
        tables = {t for t in sa.inspect(conn).get_table_names(schema=schema)}
    assert tables == {"proposed", "verified", "unchanged"}


@pytest.mark.postgres
def test_grants_and_view_comments_survive_a_replacement(postgresql_warehouse):
    warehouse = postgresql_warehouse
    schema = warehouse.curated_schema
    table, view = warehouse.qualified(schema, "versions"), warehouse.qualified(schema, "latest")
    warehouse.replace_table(schema, "versions", version_frame(0))
    with warehouse.transaction() as conn:
        conn.exec_driver_sql(f"CREATE VIEW {view} AS SELECT entity_id FROM {table}")
        conn.exec_driver_sql(f"COMMENT ON VIEW {view} IS 'people, latest'")
        conn.exec_driver_sql(f"GRANT SELECT ON {table}, {view} TO PUBLIC")
    warehouse.replace_table(schema, "versions", version_frame(1))
    acl = warehouse.read_sql(
        f"SELECT relname, relacl::text AS acl FROM pg_class WHERE oid IN "
        f"('{table}'::regclass, '{view}'::regclass) ORDER BY relname"
    )
    assert all("=r/" in acl for acl in acl["acl"]), "PUBLIC lost SELECT"
    comment = warehouse.read_sql(f"SELECT obj_description('{view}'::regclass, 'pg_class')")
    assert comment.iloc[0, 0] == "people, latest"


@pytest.mark.postgres
def test_a_replacement_that_breaks_a_dependent_view_changes_nothing(postgresql_warehouse):
    warehouse = postgresql_warehouse
    schema = warehouse.curated_schema
    warehouse.replace_table(schema, "versions", version_frame(0))
    with warehouse.transaction() as conn:
        conn.exec_driver_sql(
            f"CREATE VIEW {warehouse.qualified(schema, 'latest')} AS "
            f"SELECT version FROM {warehouse.qualified(schema, 'versions')}"
        )
    without_version = version_frame(1).drop(columns="version")
    with pytest.raises(sa.exc.ProgrammingError, match="version"):
        warehouse.replace_table(schema, "versions", without_version)
    assert set(warehouse.read_table(schema, "latest")["version"]) == {0}
    assert warehouse.row_count(schema, "versions") == len(version_frame(0))
    leftovers = warehouse.read_sql(
        "SELECT table_name FROM information_schema.tables "
        f"WHERE table_schema = '{schema}' AND table_name LIKE '%loading%'"
    )
    assert leftovers.empty


def test_percent_signs_in_queries_views_and_comments_are_literal(warehouse):
    schema = warehouse.curated_schema
    frame = pd.DataFrame({"code": ["10% off", "full price"]})
    warehouse.replace_table(schema, "offers", frame, comment="100% of offers")
    offers = warehouse.qualified(schema, "offers")
    discounts = f"SELECT code FROM {offers} WHERE strpos(code, '%') > 0"
    warehouse.replace_view(schema, "discounts", discounts)
    assert warehouse.row_count(schema, "discounts") == 1
    warehouse.replace_table(schema, "offers", frame)
    assert warehouse.read_table(schema, "discounts")["code"].tolist() == ["10% off"]
    copied = f"SELECT code FROM {offers} WHERE code LIKE '1%'"
    assert warehouse.replace_table_as(schema, "discount_copy", copied) == 1


def test_duckdb_publishes_views_that_keep_every_table_readable_once_earlier_runs_go(tmp_path):
    """Run one publishes two tables; run two writes only one of them. Its publication shows the
    other one too, out of run two's own schema, so run one's schemas can be dropped. A view
    someone made over run one's schema is not a publication: it is neither copied nor kept."""
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    first, second = (str(uuid.uuid4()) for _ in range(2))
    for run_id, tables in ((first, ("people", "calls")), (second, ("people",))):
        run = run_warehouse(url, run_id)
        run.ensure_schemas()
        for table in tables:
            run.replace_table(run.curated_schema, table, version_frame(tables.index(table) + 1))
        published = publish_run(run, [], shipped_catalog())
        assert sorted(published.tables["curated"]) == ["calls", "people"]
        if run_id == first:
            people = run.qualified(run.curated_schema, "people")
            with run.transaction() as conn:
                conn.exec_driver_sql(f"CREATE VIEW curated.analysts AS SELECT * FROM {people}")

    warehouse = Warehouse(url)
    assert published_runs(warehouse) == {second}
    drop_run_schemas(warehouse, first)
    assert warehouse.read_table("curated", "people")["version"].unique().tolist() == [1]
    assert warehouse.read_table("curated", "calls")["version"].unique().tolist() == [2]
    with warehouse.engine.connect() as conn:
        assert views_over_runs(conn, "curated") == {"people": second, "calls": second}
    assert runs_with_schemas(warehouse) == {second}

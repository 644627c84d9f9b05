"""Connections, URLs, schemas, bulk load round trips and file-lock waiting."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from hygiene_pipeline.warehouse import bulk_load, engine
from hygiene_pipeline.warehouse.bulk_load import LOAD_SLICE_ROWS, BulkLoadError
from hygiene_pipeline.warehouse.engine import PARALLEL_READ_ROWS, Warehouse, default_duckdb_url
from hygiene_pipeline.warehouse.frame_types import (
    BIGINT,
    BOOLEAN,
    DUCKDB_ROW_GROUP_ROWS,
    TEXT,
    sql_type_of,
    text_in_arrow,
)


def every_dtype_frame() -> pd.DataFrame:
    """One column per dtype the pipeline's frames use, with NULLs where the dtype allows them."""
    return pd.DataFrame(
        {
            "flag": [True, False, True],
            "maybe_flag": pd.array([True, None, False], dtype="boolean"),
            "count": pd.Series([1, -2, 2**40], dtype="int64"),
            "maybe_count": pd.array([7, None, 9], dtype="Int64"),
            "score": [0.5, float("nan"), 1e-9],
            "seen_at": pd.to_datetime(
                ["2026-03-02 09:15:00.123456+01:00", None, "2025-12-31 23:59:59+00:00"],
                utc=True,
                format="ISO8601",
            ),
            "local_at": pd.to_datetime(["2026-03-02 09:15:00", None, "2024-02-29 00:00:00"]),
            "name": ['O\'Brien, "Jo"\nline two', "", None],
            "unicode": ["北京市海淀区", "Zoë 🙂", "\\N"],
            "record": [{"rule": "latest"}, None, ["a", 1]],
        }
    )


def test_default_duckdb_url_is_absolute_and_the_folder_is_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = default_duckdb_url(Path(".hygiene"))
    assert url == f"duckdb:///{(tmp_path / '.hygiene' / 'warehouse.duckdb').as_posix()}"
    warehouse = Warehouse(url)
    warehouse.ensure_schemas()
    assert (tmp_path / ".hygiene" / "warehouse.duckdb").exists()
    assert warehouse.dialect == "duckdb"


def _memory_limit(warehouse: Warehouse) -> str:
    with warehouse.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT current_setting('memory_limit')").scalar_one()


def test_an_embedded_warehouse_caps_duckdb_memory_unless_its_url_says_otherwise(tmp_path):
    capped = Warehouse(f"duckdb:///{tmp_path / 'capped.duckdb'}")
    assert _memory_limit(capped) == "1.4 GiB"  # DUCKDB_MEMORY_LIMIT, 1536 MB
    assert capped.spill_directory() == tmp_path / "capped.duckdb.tmp"
    chosen = Warehouse(f"duckdb:///{tmp_path / 'chosen.duckdb'}?memory_limit=512MB")
    assert _memory_limit(chosen) == "488.2 MiB"
    assert Warehouse("duckdb:///:memory:").spill_directory() is None


def _duckdb_bytes(warehouse: Warehouse) -> int:
    with warehouse.engine.connect() as conn:
        sql = "SELECT sum(memory_usage_bytes) FROM duckdb_memory()"
        return int(conn.exec_driver_sql(sql).scalar_one())


@pytest.mark.parametrize(
    ("query", "limit"), [("", "1.4 GiB"), ("?memory_limit=512MB", "488.2 MiB")]
)
def test_releasing_memory_evicts_the_cached_blocks_and_keeps_the_limit(tmp_path, query, limit):
    warehouse = Warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}{query}")
    values = np.random.default_rng(5).random((2_000_000, 8))  # 128 MB that does not compress
    with warehouse.held_open():
        warehouse.ensure_schemas()
        warehouse.replace_table("staging", "noise", pd.DataFrame(values, columns=list("abcdefgh")))
        read = warehouse.read_arrow("staging", "noise", list("abcdefgh"))
        cached = _duckdb_bytes(warehouse)
        warehouse.release_memory()
        released = _duckdb_bytes(warehouse)
        assert _memory_limit(warehouse) == limit
    assert read.num_rows == 2_000_000
    # Down to DUCKDB_RELEASED_MEMORY_LIMIT, 64 MB, from the table's blocks cached after the read.
    assert released <= 64_000_000 < 100 * 2**20 < cached, (cached, released)


def _cache_noise(warehouse: Warehouse) -> None:
    """A table whose blocks the (open) warehouse has just cached by reading it."""
    warehouse.ensure_schemas()
    values = np.random.default_rng(5).random((2_000_000, 8))  # 128 MB that does not compress
    warehouse.replace_table("staging", "noise", pd.DataFrame(values, columns=list("abcdefgh")))
    warehouse.read_arrow("staging", "noise", list("abcdefgh"))


def test_memory_is_released_once_the_other_connections_on_the_file_close(tmp_path, monkeypatch):
    """A step beside, in another thread, may be running a statement that needs the memory: the
    limit goes down only once its connection closes."""
    monkeypatch.setattr(engine, "RELEASE_WAIT_SECONDS", 30.0)
    with (warehouse := Warehouse(default_duckdb_url(tmp_path))).held_open():
        _cache_noise(warehouse)
        other = Warehouse(str(warehouse.url)).engine.connect()  # the step beside
        releasing = threading.Thread(target=warehouse.release_memory)
        releasing.start()
        releasing.join(timeout=0.5)
        waited = releasing.is_alive()
        cached = _duckdb_bytes(warehouse)
        other.close()
        releasing.join(timeout=10)
        assert waited and not releasing.is_alive()
        assert _duckdb_bytes(warehouse) <= 64_000_000 < 100 * 2**20 < cached


def test_memory_stays_cached_when_another_connection_stays_open(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "RELEASE_WAIT_SECONDS", 0.2)
    with (warehouse := Warehouse(default_duckdb_url(tmp_path))).held_open():
        _cache_noise(warehouse)
        with Warehouse(str(warehouse.url)).engine.connect():
            warehouse.release_memory()
        assert _duckdb_bytes(warehouse) > 100 * 2**20


def test_appends_from_two_threads_create_the_log_once(tmp_path):
    """Two first appends at once would each create the table; DuckDB refuses one of two such
    transactions."""
    warehouse = Warehouse(default_duckdb_url(tmp_path))
    warehouse.ensure_schemas()
    start = threading.Barrier(4)

    def append(value: int) -> None:
        start.wait()
        warehouse.append_rows("curated", "log", pd.DataFrame({"value": [value]}))

    threads = [threading.Thread(target=append, args=(value,)) for value in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(warehouse.read_table("curated", "log")["value"]) == [0, 1, 2, 3]


def test_an_in_memory_warehouse_keeps_its_memory_and_spills_nothing(tmp_path, monkeypatch):
    """Lowering an in-memory database's limit would spill its tables to `./.tmp`: files of the
    warehouse's rows outside it."""
    monkeypatch.chdir(tmp_path)
    warehouse = Warehouse("duckdb:///:memory:")
    warehouse.ensure_schemas()
    values = np.random.default_rng(5).random((2_000_000, 8))
    warehouse.replace_table("staging", "noise", pd.DataFrame(values, columns=list("abcdefgh")))
    cached = _duckdb_bytes(warehouse)
    warehouse.release_memory()
    assert _duckdb_bytes(warehouse) == cached > 100 * 2**20
    assert list(tmp_path.iterdir()) == []


def test_bare_postgresql_url_is_spelled_with_psycopg2_and_the_note_hides_the_password(
    pg_admin_url, caplog
):
    bare = sa.make_url(pg_admin_url).set(drivername="postgresql", password="s3cret")
    with caplog.at_level(logging.WARNING):
        warehouse = Warehouse(bare.render_as_string(hide_password=False))
    assert warehouse.url.drivername == "postgresql+psycopg2"
    assert warehouse.dialect == "postgresql"
    assert "postgresql+psycopg2://" in caplog.text
    assert "s3cret" not in caplog.text


def test_an_in_memory_duckdb_keeps_its_tables_between_operations():
    warehouse = Warehouse("duckdb:///:memory:")
    warehouse.ensure_schemas()
    warehouse.replace_table("curated", "people", pd.DataFrame({"entity_id": ["E1", "E2"]}))
    assert warehouse.row_count("curated", "people") == 2


def test_unsupported_engines_are_refused():
    with pytest.raises(ValueError, match="Unsupported warehouse engine"):
        Warehouse("sqlite:///warehouse.db")


def test_schemas_are_created_once_and_configurable(warehouse):
    warehouse.ensure_schemas()
    schemas = set(
        warehouse.read_sql("SELECT schema_name FROM information_schema.schemata")["schema_name"]
    )
    assert {warehouse.staging_schema, warehouse.curated_schema} <= schemas
    assert not warehouse.table_exists(warehouse.curated_schema, "contacts_golden")


def test_every_dtype_survives_a_round_trip(warehouse):
    frame = every_dtype_frame()
    warehouse.replace_table(warehouse.staging_schema, "round_trip", frame)
    back = warehouse.read_table(warehouse.staging_schema, "round_trip")
    expected = frame.assign(record=['{"rule": "latest"}', None, '["a", 1]'])
    pd.testing.assert_frame_equal(back, expected)
    assert str(back["seen_at"].dtype) == "datetime64[ns, UTC]"
    assert back.loc[0, "seen_at"] == pd.Timestamp("2026-03-02 08:15:00.123456", tz="UTC")
    assert back.loc[1, "name"] == "" and back.loc[2, "name"] is None


def test_text_held_in_arrow_writes_the_same_table(warehouse):
    """`text_in_arrow` converts as the writer does: the same values, the same column types,
    containers as JSON, booleans and numbers left alone; over several row groups."""
    rows = DUCKDB_ROW_GROUP_ROWS + 3
    frame = pd.concat([every_dtype_frame()] * (rows // 3 + 1), ignore_index=True).iloc[:rows]
    held = text_in_arrow(frame)
    assert {name for name, dtype in held.dtypes.items() if dtype != frame[name].dtype} == {
        "name",
        "unicode",
        "record",
    }
    for name, table in (("as_objects", frame), ("in_arrow", held)):
        warehouse.replace_table(warehouse.staging_schema, name, table)
    as_objects = warehouse.read_table(warehouse.staging_schema, "as_objects")
    pd.testing.assert_frame_equal(
        warehouse.read_table(warehouse.staging_schema, "in_arrow"), as_objects
    )


def test_tables_of_many_row_groups_keep_their_row_order(warehouse):
    """Loads go in slices of several row groups, and loads and Arrow reads in row-group batches
    that DuckDB's threads share; the rows must still come back in the order they were written
    (readers align tables by position)."""
    assert 3 * DUCKDB_ROW_GROUP_ROWS > LOAD_SLICE_ROWS
    rows = 3 * DUCKDB_ROW_GROUP_ROWS + 17
    order = np.random.default_rng(7).permutation(rows)
    frame = pd.DataFrame({"n": order, "text": [f"v{n}" for n in order]})
    warehouse.replace_table(warehouse.staging_schema, "ordered", frame)
    back = warehouse.read_table(warehouse.staging_schema, "ordered")
    pd.testing.assert_frame_equal(back, frame)
    arrow = warehouse.read_arrow(warehouse.staging_schema, "ordered", ["n"])
    assert arrow.column("n").to_pylist() == order.tolist()
    assert max(len(batch) for batch in arrow.to_batches()) <= DUCKDB_ROW_GROUP_ROWS


@pytest.mark.parametrize(
    ("values", "sql_type"),
    [
        ([1, None, 2], BIGINT),
        ([True, None, False], BOOLEAN),
        (["1", 2], TEXT),
        ([None] * 100 + [5], BIGINT),
        ([None] * 100 + [5, "x"], TEXT),
        ([7] * 100 + ["x"], TEXT),
        ([{"a": 1}, None], TEXT),
    ],
)
def test_object_columns_are_typed_after_all_their_values(values, sql_type):
    assert sql_type_of(pd.Series(values, dtype=object)) == sql_type


def test_a_frame_of_several_row_groups_loads_whatever_its_column_types(warehouse):
    """Loads go in row-group batches; Arrow-backed, nullable and timestamp columns cross every
    batch boundary intact, on both engines."""
    rows = 2 * DUCKDB_ROW_GROUP_ROWS + 5
    n = np.arange(rows)
    labels = [None if i % 5 == 0 else f"v{i}" for i in n]
    frame = pd.DataFrame(
        {
            "n": n,
            "label": pd.Series(labels, dtype="string[pyarrow]"),
            "flag": pd.array([None if i % 7 == 0 else bool(i % 2) for i in n], dtype="boolean"),
            "at": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(n, unit="s"),
        }
    )
    warehouse.replace_table(warehouse.staging_schema, "typed", frame)
    back = warehouse.read_sql(
        f"SELECT * FROM {warehouse.qualified(warehouse.staging_schema, 'typed')} ORDER BY n"
    )
    assert back["n"].tolist() == n.tolist()
    assert back["label"].astype(object).where(back["label"].notna(), None).tolist() == labels
    pd.testing.assert_series_equal(back["flag"], frame["flag"], check_names=False)
    assert back["at"].tolist() == frame["at"].tolist()


def test_large_tables_read_in_two_halves_come_back_whole_and_in_order(tmp_path, monkeypatch):
    """From `PARALLEL_READ_ROWS` rows a table is read as two halves of its row ids at once; this
    one stays above that with a seventh of its rows deleted."""
    warehouse = Warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    warehouse.ensure_schemas()
    order = np.random.default_rng(3).permutation(2 * PARALLEL_READ_ROWS + 1_001)
    frame = pd.DataFrame({"n": order, "text": [f"v{n}" for n in order]})
    warehouse.replace_table("staging", "big", frame)
    with warehouse.transaction() as conn:  # gaps in the row ids
        conn.exec_driver_sql("DELETE FROM staging.big WHERE n % 7 = 0")
    kept = frame.loc[frame["n"] % 7 != 0].reset_index(drop=True)
    queries: list[str] = []
    result = Warehouse._duckdb_result
    monkeypatch.setattr(
        Warehouse, "_duckdb_result", lambda self, sql: queries.append(sql) or result(self, sql)
    )
    pd.testing.assert_frame_equal(warehouse.read_columns("staging", "big", ["n", "text"]), kept)
    assert (
        warehouse.read_arrow("staging", "big", ["n"]).column("n").to_pylist() == kept["n"].tolist()
    )
    halves = sorted(("rowid <" in sql, "rowid >=" in sql) for sql in queries)  # threads: any order
    assert halves == [
        (False, True),
        (False, True),
        (True, False),
        (True, False),
    ]  # both reads split
    # A column named rowid hides DuckDB's own row id: such a table is read in one piece.
    shadowed = frame.rename(columns={"text": "RowId"})
    warehouse.replace_table("staging", "shadowed", shadowed)
    queries.clear()
    pd.testing.assert_frame_equal(
        warehouse.read_columns("staging", "shadowed", ["n", "RowId"]), shadowed
    )
    assert len(queries) == 1


def test_empty_frame_creates_the_table_with_its_typed_columns(warehouse):
    empty = every_dtype_frame().iloc[:0]
    warehouse.replace_table(warehouse.curated_schema, "nothing_yet", empty)
    assert warehouse.row_count(warehouse.curated_schema, "nothing_yet") == 0
    back = warehouse.read_table(warehouse.curated_schema, "nothing_yet")
    assert list(back.columns) == list(empty.columns)
    assert back.dtypes.astype(str).to_dict() == {
        "flag": "bool",
        "maybe_flag": "bool",
        "count": "int64",
        "maybe_count": "int64",
        "score": "float64",
        "seen_at": "datetime64[ns, UTC]",
        "local_at": "datetime64[ns]",
        "name": "object",
        "unicode": "object",
        "record": "object",
    }


def test_append_creates_the_table_then_adds_rows_and_new_columns(warehouse):
    schema = warehouse.curated_schema
    first = pd.DataFrame({"run_id": ["r1", "r1"], "passed": [True, False]})
    warehouse.append_rows(schema, "dq_check_results", first)
    second = pd.DataFrame({"run_id": ["r2"], "passed": [True], "failed_count": [4]})
    warehouse.append_rows(schema, "dq_check_results", second)
    back = warehouse.read_sql(
        f"SELECT * FROM {warehouse.qualified(schema, 'dq_check_results')} ORDER BY run_id, passed"
    )
    assert back["run_id"].tolist() == ["r1", "r1", "r2"]
    assert back["failed_count"].tolist() == [pd.NA, pd.NA, 4]


def _append_side_by_side(
    warehouse: Warehouse, schema: str, table: str, writers: int
) -> list[Exception]:
    """Each writer appends one row (and one of two new columns) on a connection of its own,
    all released at once; the errors they met (a writer still waiting after a minute is one)."""
    start = threading.Barrier(writers, timeout=60)
    errors: list[Exception] = []

    def append(writer: int) -> None:
        rows = pd.DataFrame({"writer": [writer], f"column_{writer % 2}": ["x"]})
        try:
            start.wait()
            warehouse.append_rows(schema, table, rows)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    return errors + [TimeoutError(f"{name} still appending") for name in stuck]


@pytest.mark.postgres
def test_appends_from_several_connections_at_once_create_the_table_and_its_columns_once(
    postgresql_warehouse,
):
    """The checks of a run on PostgreSQL append to the check log side by side: the first ones
    must not both create it, nor two add the same new column."""
    schema = postgresql_warehouse.curated_schema
    for attempt in range(3):
        table = f"log_{attempt}"
        assert _append_side_by_side(postgresql_warehouse, schema, table, writers=4) == []
        back = postgresql_warehouse.read_sql(
            f"SELECT * FROM {postgresql_warehouse.qualified(schema, table)} ORDER BY writer"
        )
        assert back["writer"].tolist() == [0, 1, 2, 3]
        assert {"column_0", "column_1"} <= set(back.columns)


def test_appends_in_several_slices_match_columns_by_name_and_keep_row_order(warehouse, monkeypatch):
    monkeypatch.setattr(bulk_load, "LOAD_SLICE_ROWS", 2)
    schema = warehouse.curated_schema
    first = pd.DataFrame({"n": range(5), "label": [f"a{i}" for i in range(5)]})
    warehouse.append_rows(schema, "sliced", first)
    second = pd.DataFrame({"label": [f"b{i}" for i in range(5)], "n": range(5, 10), "x": 1.5})
    warehouse.append_rows(schema, "sliced", second)
    back = warehouse.read_table(schema, "sliced")
    assert back["n"].tolist() == list(range(10))
    assert back["label"].tolist() == [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)]
    assert back["x"].isna().sum() == 5 and (back["x"].iloc[5:] == 1.5).all()


def test_loads_read_no_data_by_name_so_a_locked_down_database_still_loads(tmp_path):
    """A DuckDB file opened without external access (nor replacement scans of Python objects)
    still takes the pipeline's loads: they insert from a relation over each slice."""
    url = f"duckdb:///{tmp_path / 'locked.duckdb'}?enable_external_access=false"
    warehouse = Warehouse(url)
    warehouse.ensure_schemas()
    warehouse.replace_table("staging", "t", pd.DataFrame({"n": [1, 2], "label": ["a", None]}))
    warehouse.append_rows("staging", "t", pd.DataFrame({"label": ["c"]}))
    back = warehouse.read_table("staging", "t")
    assert back["label"].tolist() == ["a", None, "c"]
    assert back["n"].tolist() == [1, 2, pd.NA]


def test_a_refused_load_names_the_table_but_never_the_values(warehouse):
    schema = warehouse.curated_schema
    warehouse.append_rows(schema, "counts", pd.DataFrame({"n": [1]}))
    with pytest.raises(BulkLoadError) as raised:
        warehouse.append_rows(schema, "counts", pd.DataFrame({"n": ["jane.doe@example.com"]}))
    assert "counts" in str(raised.value)
    assert "jane" not in str(raised.value) and raised.value.__cause__ is None
    assert warehouse.row_count(schema, "counts") == 1


def test_comments_are_written_and_kept_when_a_republish_restates_none(warehouse):
    schema = warehouse.curated_schema
    frame = pd.DataFrame({"entity_id": ["E1"], "status": ["active"]})
    warehouse.replace_table(
        schema,
        "people",
        frame,
        comment="One row per person; it's curated",
        column_comments={"status": "Contract status", "not_a_column": "ignored"},
    )
    warehouse.replace_table(schema, "people", frame)
    if warehouse.dialect == "duckdb":
        table_sql = (
            f"SELECT comment FROM duckdb_tables() WHERE schema_name = '{schema}' "
            "AND table_name = 'people'"
        )
        column_sql = (
            f"SELECT comment FROM duckdb_columns() WHERE schema_name = '{schema}' "
            "AND table_name = 'people' AND column_name = 'status'"
        )
    else:
        table_sql = f"SELECT obj_description('{schema}.people'::regclass, 'pg_class')"
        column_sql = f"SELECT col_description('{schema}.people'::regclass, 2)"
    assert warehouse.read_sql(table_sql).iloc[0, 0] == "One row per person; it's curated"
    assert warehouse.read_sql(column_sql).iloc[0, 0] == "Contract status"


@pytest.mark.postgres
def test_curated_tables_are_indexed_on_bi_join_keys_across_replacements(postgresql_warehouse):
    warehouse = postgresql_warehouse
    frame = pd.DataFrame({"entity_id": ["E1"], "company_key": ["acme"], "note": ["x"]})
    for _ in range(2):
        warehouse.replace_table(warehouse.curated_schema, "people", frame, indexes=["note"])
    indexes = warehouse.read_sql(
        "SELECT indexname FROM pg_indexes "
        f"WHERE schemaname = '{warehouse.curated_schema}' AND tablename = 'people'"
    )
    assert sorted(indexes["indexname"]) == [
        "ix_people__company_key",
        "ix_people__entity_id",
        "ix_people__note",
    ]


HOLD_LOCK = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.close()
"""


def hold_duckdb_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process with the DuckDB file open, as a second pipeline process would have it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_duckdb_waits_while_another_process_holds_the_file(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = Warehouse(f"duckdb:///{path}", lock_timeout_seconds=30)
    warehouse.ensure_schemas()
    warehouse.replace_table("curated", "people", pd.DataFrame({"entity_id": ["E1"]}))
    holder = hold_duckdb_lock(path, 1.0)
    try:
        assert warehouse.row_count("curated", "people") == 1
    finally:
        holder.wait()


def test_duckdb_gives_up_when_the_lock_outlasts_the_timeout(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    Warehouse(f"duckdb:///{path}").ensure_schemas()
    holder = hold_duckdb_lock(path, 3.0)
    try:
        with pytest.raises(sa.exc.OperationalError) as raised:
            Warehouse(f"duckdb:///{path}", lock_timeout_seconds=0.2).ensure_schemas()
        assert isinstance(raised.value.orig, duckdb.IOException)
    finally:
        holder.kill()
        holder.wait()


def test_columns_named_like_keywords_load_and_read_back(warehouse) -> None:
    frame = pd.DataFrame({"at": ["x"], "order": [1], "select": [True], "Mixed Case": ["y"]})

    warehouse.replace_table(warehouse.staging_schema, "keyword_columns", frame)

    back = warehouse.read_table(warehouse.staging_schema, "keyword_columns")
    assert back.columns.tolist() == ["at", "order", "select", "Mixed Case"]
    assert back.iloc[0].tolist() == ["x", 1, True, "y"]


def test_a_table_read_back_is_a_frame_the_reader_may_change(warehouse):
    schema = warehouse.curated_schema
    frame = pd.DataFrame({"score": [0.5, 1.0], "n": [1, 2], "flag": [True, False]})
    warehouse.replace_table(schema, "scores", frame)
    read = warehouse.read_table(schema, "scores")
    read.loc[read["flag"], "score"] = 0.0
    read.loc[~read["flag"], "n"] = 9
    assert read["score"].tolist() == [0.0, 1.0] and read["n"].tolist() == [1, 9]

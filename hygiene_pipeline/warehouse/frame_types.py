"""Maps pandas dtypes to SQL column types and back.

A frame written by the warehouse and read back keeps the dtypes of `docs/data_model.md`:
tz-aware timestamps come back as `datetime64[ns, UTC]`, integers and booleans as `int64`/`bool`
(nullable `Int64`/`boolean` when a NULL is present), floats as `float64` with NaN for NULL, text as
`object` with `None`. The SQL type names below are spelled so that DuckDB and PostgreSQL both accept
them, which keeps one DDL path for both engines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

BOOLEAN = "BOOLEAN"
BIGINT = "BIGINT"
DOUBLE = "DOUBLE PRECISION"
TIMESTAMPTZ = "TIMESTAMP WITH TIME ZONE"
TIMESTAMP = "TIMESTAMP"
TEXT = "TEXT"

_ARROW_TYPES: dict[str, pa.DataType] = {
    BOOLEAN: pa.bool_(),
    BIGINT: pa.int64(),
    DOUBLE: pa.float64(),
    TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
    TIMESTAMP: pa.timestamp("us"),
    TEXT: pa.string(),
}
DUCKDB_ROW_GROUP_ROWS = 122_880
"""Rows of one DuckDB row group, the unit its threads scan and write in parallel."""
_OBJECT_INFERRED_TYPES = {"boolean": BOOLEAN, "integer": BIGINT}
"""The SQL type of an object column by what pandas infers of all its values; any other
inference is TEXT."""
_TEXT_PROBE_ROWS = 64
"""Leading values looked at for a string, which settles that an object column is TEXT."""

# PostgreSQL type OIDs of result columns -> nullable pandas dtypes (anything else stays object).
_POSTGRES_DTYPES: dict[int, str] = {
    16: "boolean",  # bool
    20: "Int64",  # int8
    21: "Int64",  # int2
    23: "Int64",  # int4
    700: "Float64",  # float4
    701: "Float64",  # float8
    1700: "Float64",  # numeric (sums and averages): analysis wants floats, not Decimal
    1114: "datetime64[ns]",  # timestamp
    1184: "datetime64[ns, UTC]",  # timestamptz
}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table to create: its name and its SQL type."""

    name: str
    sql_type: str


def sql_type_of(series: pd.Series) -> str:
    """The SQL type that holds `series` without loss (microsecond timestamps, 64-bit numbers)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOLEAN
    if pd.api.types.is_integer_dtype(dtype):
        return BIGINT
    if pd.api.types.is_float_dtype(dtype):
        return DOUBLE
    if isinstance(dtype, pd.DatetimeTZDtype):
        return TIMESTAMPTZ
    if pd.api.types.is_datetime64_dtype(dtype):
        return TIMESTAMP
    if pd.api.types.is_object_dtype(dtype):
        if any(isinstance(value, str) for value in series.iloc[:_TEXT_PROBE_ROWS]):
            return TEXT  # not all booleans nor all integers: inferring would scan every value
        return _OBJECT_INFERRED_TYPES.get(pd.api.types.infer_dtype(series, skipna=True), TEXT)
    return TEXT


def column_specs(frame: pd.DataFrame) -> list[ColumnSpec]:
    """The column names and SQL types of a frame, in its column order."""
    return [ColumnSpec(str(name), sql_type_of(frame[name])) for name in frame.columns]


def to_arrow(frame: pd.DataFrame, columns: list[ColumnSpec]) -> pa.Table:
    """The frame as an Arrow table typed exactly like `columns`, ready for a bulk load."""
    arrays = [_to_arrow_array(frame[spec.name], spec.sql_type) for spec in columns]
    return pa.Table.from_arrays(arrays, names=[spec.name for spec in columns])


def text_in_arrow(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its text columns of Python objects held in Arrow (`string[pyarrow]`),
    each converted as writing it would convert it, so the table written is the same: a frame
    kept until it is written takes a third of the memory (two million calls: 1.15 GB of
    objects, 0.5 GB in Arrow), and writing it only narrows the offsets pandas widened.
    Converted a row group at a time, as no Arrow `string` array may pass 2 GiB; the other
    columns are shared with `frame`, not copied."""
    text = [
        name
        for name, column in frame.items()
        if pd.api.types.is_object_dtype(column.dtype) and sql_type_of(column) == TEXT
    ]
    held = frame.copy(deep=False) if text else frame
    for name in text:
        held[name] = pd.Series(_arrow_text(frame[name]), index=frame.index)
    return held


def _arrow_text(column: pd.Series) -> pd.arrays.ArrowStringArray:
    slices = range(0, len(column), DUCKDB_ROW_GROUP_ROWS)
    chunks = [_to_arrow_array(column.iloc[i : i + DUCKDB_ROW_GROUP_ROWS], TEXT) for i in slices]
    return pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=_ARROW_TYPES[TEXT]))


def in_scan_batches(table: pa.Table) -> pa.Table:
    """The table cut (without copying) into batches of one DuckDB row group.

    DuckDB hands each thread a whole Arrow batch: a million-row batch, as `pa.array` builds a
    column or DuckDB returns a result, is scanned by one thread, and an insert from it writes on
    one core. In row-group batches the threads share it and the rows keep their order."""
    if all(batch.num_rows <= DUCKDB_ROW_GROUP_ROWS for batch in table.to_batches()):
        return table
    return pa.Table.from_batches(
        table.to_batches(max_chunksize=DUCKDB_ROW_GROUP_ROWS), schema=table.schema
    )


def _to_arrow_array(series: pd.Series, sql_type: str) -> pa.Array:
    arrow_type = _ARROW_TYPES[sql_type]
    if sql_type in (TIMESTAMPTZ, TIMESTAMP):
        # Both engines keep microseconds; truncating nanoseconds is the documented precision.
        return pa.array(series, from_pandas=True).cast(arrow_type, safe=False)
    if sql_type == TEXT and not pd.api.types.is_string_dtype(series.dtype):
        series = series.astype(object)
    try:
        return pa.array(series, type=arrow_type, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        if sql_type != TEXT:
            raise
        # Mixed objects (numbers, dicts, dates) in a text column: JSON for containers, str() else.
        return pa.array(series.map(_as_text, na_action="ignore"), type=arrow_type, from_pandas=True)


def _as_text(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def nullable_arrow_dtype(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    """`types_mapper` for `pa.Table.to_pandas` that keeps NULL integers and booleans exact."""
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a frame with the pipeline's dtypes (NULL integers and booleans exact).

    Each column keeps a block of its own (`split_blocks`): consolidating columns of a type into
    one two-dimensional block copies them all once more, a quarter of the read of a wide table,
    and the pipeline works on a frame column by column. A column Arrow lends without a copy (a
    number column without nulls) would be read-only, and is copied: the pipeline's frames are its
    own to change."""
    frame = table.to_pandas(types_mapper=nullable_arrow_dtype, split_blocks=True)
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, np.dtype) and not column.to_numpy().flags.writeable:
            frame[name] = column.copy()
    return to_pipeline_dtypes(frame)


def postgres_frame(
    names: list[str], type_codes: list[int], rows: list[tuple[object, ...]]
) -> pd.DataFrame:
    """A frame typed after the result's column types, so an empty result keeps its dtypes too."""
    frame = pd.DataFrame.from_records(rows, columns=names, coerce_float=False)
    for position, type_code in enumerate(type_codes):
        dtype = _POSTGRES_DTYPES.get(type_code)
        column = frame.iloc[:, position]
        if dtype is None or str(column.dtype) == dtype:
            continue
        if dtype.startswith("datetime64"):
            column = pd.to_datetime(column, utc=dtype.endswith("UTC]"))
        frame.isetitem(position, column.astype(dtype))
    return frame


def to_pipeline_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn a frame read with nullable dtypes into the dtypes the pipeline's frames use.

    Converts the reader's own frame in place (a copy of every column of a million-row table
    costs a second each time a step reads one) and returns it."""
    converted = {}
    for name in frame.columns:
        series = frame[name]
        dtype = series.dtype
        if isinstance(dtype, pd.Int64Dtype | pd.Int32Dtype | pd.Int16Dtype | pd.Int8Dtype):
            converted[name] = series.astype("Int64" if series.hasnans else "int64")
        elif isinstance(dtype, pd.BooleanDtype):
            converted[name] = series if series.hasnans else series.astype(bool)
        elif isinstance(dtype, pd.Float64Dtype | pd.Float32Dtype):
            converted[name] = series.astype("float64")
        elif isinstance(dtype, pd.StringDtype):
            converted[name] = series.astype(object).where(series.notna(), None)
        elif isinstance(dtype, pd.DatetimeTZDtype):
            converted[name] = series.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        elif pd.api.types.is_datetime64_dtype(dtype):
            converted[name] = series.astype("datetime64[ns]")
    for name, values in converted.items():
        frame[name] = values
    return frame

"""Column-at-a-time building blocks: seeded random streams, draws from pools, string assembly
and per-distinct-value mapping over Arrow string arrays.

The generator builds every text column with these, never row by row: a million-record CRM is a
few dozen Arrow kernels per column. A Python function only ever runs once per *distinct* value
(`map_distinct`), e.g. once per first name for its typo variants.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

StringLike = pa.Array | pa.Scalar | str


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """An independent random stream per generation stage, so adding draws to one stage never
    shifts the data of another (determinism by seed, stage by stage)."""
    return np.random.default_rng([seed, zlib.crc32(stage.encode("utf-8"))])


def pick(
    rng: np.random.Generator, pool: Sequence[str], size: int, p: Sequence[float] | None = None
) -> pa.Array:
    """`size` draws from `pool` (optionally weighted) as an Arrow string array."""
    weights = None if p is None else np.asarray(p, dtype=float) / np.sum(p)
    return pa.array(list(pool), type=pa.string()).take(rng.choice(len(pool), size=size, p=weights))


def row_choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category per row from a (rows x categories) weight matrix; rows may differ (a zero
    weight makes a category impossible for that row). Rows whose weights are all zero get -1."""
    totals = weights.sum(axis=1)
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random(len(weights)) * totals
    chosen = (draws[:, None] >= cumulative).sum(axis=1)
    return np.where(totals > 0, np.minimum(chosen, weights.shape[1] - 1), -1)


def chance(rng: np.random.Generator, size: int, probability: float | np.ndarray) -> np.ndarray:
    """Boolean mask: each row True with `probability`."""
    return rng.random(size) < probability


def join(*parts: StringLike) -> pa.Array:
    """Element-wise concatenation of string arrays and constants; null if any part is null."""
    return pc.binary_join_element_wise(*parts, "")


def where(mask: np.ndarray | pa.Array, when_true: StringLike, when_false: StringLike) -> pa.Array:
    """Element-wise choice between two string columns (or constants)."""
    return pc.if_else(pa.array(mask, type=pa.bool_()), when_true, when_false)


def nulls_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    """`values` with the masked rows set to null (a missing field)."""
    return pc.if_else(pa.array(mask, type=pa.bool_()), pa.scalar(None, values.type), values)


def digits(rng: np.random.Generator, size: int, width: int) -> pa.Array:
    """Zero-padded random decimal strings of `width` digits."""
    values = pa.array(rng.integers(0, 10**width, size=size, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(values, width=width, padding="0")


def integers_as_text(values: np.ndarray, width: int = 0) -> pa.Array:
    """Integers as decimal strings, zero-padded to `width` when given."""
    text = pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(text, width=width, padding="0") if width else text


def map_distinct(values: pa.Array, function: Callable[[str], str | None]) -> pa.Array:
    """Apply a per-value Python function once per distinct value (nulls stay null)."""
    encoded = pc.dictionary_encode(values)
    mapped = pa.array([function(v) for v in encoded.dictionary.to_pylist()], type=pa.string())
    return mapped.take(encoded.indices)


def variants_distinct(
    rng: np.random.Generator,
    values: pa.Array,
    variants: Callable[[str], Sequence[str]],
) -> tuple[pa.Array, np.ndarray]:
    """A random variant per row from `variants(value)`, computed once per distinct value.

    Returns the chosen variants and a mask of rows whose value had at least one variant (rows
    without any keep their value)."""
    encoded = pc.dictionary_encode(values)
    options = [list(variants(v)) if v is not None else [] for v in encoded.dictionary.to_pylist()]
    counts = np.array([len(o) for o in options], dtype=np.int64)
    flat = pa.array([v for o in options for v in o], type=pa.string())
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    valid = encoded.indices.is_valid().to_numpy(zero_copy_only=False)
    codes = np.where(valid, codes, 0)
    row_counts = np.where(valid, counts[codes], 0) if len(counts) else np.zeros(len(codes), int)
    has = row_counts > 0
    pick_at = offsets[codes] + np.floor(rng.random(len(codes)) * np.maximum(row_counts, 1))
    chosen = (
        flat.take(pa.array(np.where(has, pick_at, 0).astype(np.int64))) if len(flat) else values
    )
    return where(has, chosen, values), has


def take(values: pa.Array, index: np.ndarray) -> pa.Array:
    """Rows of `values` at `index` (an index of -1 gives null)."""
    index = np.asarray(index, dtype=np.int64)
    missing = index < 0
    if missing.all():
        return pa.nulls(len(index), values.type)
    taken = values.take(pa.array(np.where(missing, 0, index)))
    return nulls_where(missing, taken) if missing.any() else taken


def to_numpy_text(values: pa.Array) -> np.ndarray:
    """An Arrow string array as a numpy object array (None for null), for pandas joins."""
    return values.to_numpy(zero_copy_only=False)


def assemble(pieces: list[pa.Array], rows: list[np.ndarray]) -> pa.Array:
    """One column from blocks computed for disjoint row sets (`rows[i]` are the rows of
    `pieces[i]`; together they cover every row once)."""
    if not pieces:
        return pa.array([], pa.string())
    stacked = pa.concat_arrays([p.cast(pa.string()) for p in pieces])
    return stacked.take(pa.array(np.argsort(np.concatenate(rows), kind="stable")))


def group_rows(keys: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(key, row indices) for each distinct integer key, in key order, from one sort."""
    keys = np.asarray(keys)
    if not len(keys):
        return []
    order = np.argsort(keys, kind="stable")
    distinct, starts = np.unique(keys[order], return_index=True)
    ends = np.append(starts[1:], len(keys))
    return [(int(k), order[s:e]) for k, s, e in zip(distinct, starts, ends, strict=True)]

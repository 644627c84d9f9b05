"""Candidate pairs: records that share a blocking key, as recordlinkage index algorithms.

Each `BlockingKey` becomes a `recordlinkage` index algorithm (`BlockingIndex`), so the keys plug
into `recordlinkage.Index` like its own `Block` and `SortedNeighbourhood`. The pairs themselves
are generated with numpy on int32 positions rather than by pandas merges: at a million records a
merge on a switchboard number shared by hundreds of records alone yields tens of thousands of
pairs, so blocks above `max_block_size` are only paired within a sliding window (or skipped), and
the sorted-neighbourhood method is the same window over the whole key order.

Transforms (soundex, initials, ...) are computed once per distinct value.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import jellyfish
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from recordlinkage.base import BaseIndexAlgorithm

from hygiene_pipeline.domain.column_ops import arrow_strings, map_in_threads
from hygiene_pipeline.linkage.records import prepare_records, record_keys
from hygiene_pipeline.linkage.spec import BlockingKey, LinkageSpec

_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "soundex": jellyfish.soundex,
    "metaphone": jellyfish.metaphone,
    "nysiis": jellyfish.nysiis,
    "initial": lambda value: value[:1],
    "digits": lambda value: "".join(ch for ch in value if ch.isdigit()),
}


def _ordered_codes(values: pd.Series | np.ndarray) -> np.ndarray:
    """Codes that sort like the values; missing and empty values are -1.

    Text is encoded and sorted by Arrow: pandas sorts the distinct values as Python objects,
    which at a million records took most of the time spent building the keys. Text sorts by
    code point either way (UTF-8 bytes keep that order). Other values (numbers, categories,
    objects of several types) keep pandas' own order."""
    try:
        text = _key_text(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
        text = None
    if text is None:
        codes, uniques = pd.factorize(values, sort=True)
        if len(uniques) and uniques[0] == "":
            codes = np.where(codes == 0, -1, codes - 1)
        return np.maximum(codes, -1).astype(np.int64)
    encoded = pc.dictionary_encode(text)
    distinct = encoded.dictionary
    order = pc.sort_indices(distinct).to_numpy()
    rank = np.empty(len(distinct) + 1, dtype=np.int64)
    rank[order] = np.arange(len(distinct), dtype=np.int64)
    if len(distinct) and distinct[int(order[0])].as_py() == "":
        rank -= 1
    rank[-1] = -1  # where the missing values point
    return rank[pc.fill_null(encoded.indices, len(distinct)).to_numpy()]


def _key_text(values: pd.Series | np.ndarray) -> pa.Array | None:
    """The values as an Arrow string array when they are text (None for other dtypes)."""
    dtype = values.dtype
    if not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)):
        return None
    return arrow_strings(values)


def _densify(codes: np.ndarray) -> np.ndarray:
    """Order-preserving renumbering to 0..k-1, keeping -1 for missing."""
    present = codes >= 0
    out = np.full(codes.shape, -1, dtype=np.int64)
    out[present] = np.unique(codes[present], return_inverse=True)[1]
    return out


def _part_columns(key: BlockingKey) -> Iterator[tuple[list[str], str | None]]:
    """Each part of `key`: the column it reads in the key itself and in each variant, in that
    order, and its transform."""
    substitutions = [{}, *key.variants]
    for part in key.parts:
        yield [s.get(part.column, part.column) for s in substitutions], part.transform


class KeyCodes:
    """Integer codes of a frame's key parts, each (column, transform) computed once.

    Codes sort like the text they stand for, so combining parts keeps the lexicographic order
    the sorted-neighbourhood method needs. Transforms run once per distinct value.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._parts: dict[tuple[tuple[str, ...], str | None], dict[str, np.ndarray]] = {}
        self._ranks: dict[tuple[str, ...], np.ndarray] = {}

    def part(self, columns: tuple[str, ...], transform: str | None) -> dict[str, np.ndarray]:
        """Codes of `transform(column)` for each of `columns`, in one code space.

        Columns that stand in for each other in key variants (phone and mobile, first and last
        name) must share codes, so they are encoded together. -1 marks missing values and
        values the transform reduces to nothing.
        """
        cache_key = (columns, transform)
        if cache_key not in self._parts:
            stacked = pd.concat([self.frame[c] for c in columns], ignore_index=True)
            if transform is None:
                codes = _ordered_codes(stacked)
            else:
                raw, uniques = pd.factorize(stacked)
                function = _TRANSFORMS[transform]
                mapped = _ordered_codes(np.array([function(str(u)) for u in uniques], dtype=object))
                codes = np.where(raw >= 0, mapped[raw], -1)
            n = len(self.frame)
            self._parts[cache_key] = {c: codes[i * n : (i + 1) * n] for i, c in enumerate(columns)}
        return self._parts[cache_key]

    def rank(self, columns: tuple[str, ...]) -> np.ndarray:
        """Each record's rank when sorted by `columns` (missing last); position when none."""
        if columns not in self._ranks:
            n = len(self.frame)
            if not columns:
                self._ranks[columns] = np.arange(n, dtype=np.int64)
            else:
                last = np.iinfo(np.int64).max
                keys = [
                    np.where(c < 0, last, c)
                    for c in (self.part((col,), None)[col] for col in columns)
                ]
                rank = np.empty(n, dtype=np.int64)
                rank[np.lexsort(keys[::-1])] = np.arange(n, dtype=np.int64)
                self._ranks[columns] = rank
        return self._ranks[columns]

    def encode(self, key: BlockingKey) -> None:
        """Compute every part and rank `key` reads, so that `key()` and `rank()` only read what
        is kept: encoding text holds the GIL, the rest is work on numbers that threads share."""
        for columns, transform in _part_columns(key):
            self.part(tuple(dict.fromkeys(columns)), transform)
        if key.method != "sorted_neighbourhood":
            self.rank(key.sort_by)

    def key(self, key: BlockingKey) -> tuple[np.ndarray, np.ndarray]:
        """(position, key code) of every record and variant with a complete key, no repeats."""
        combined = None
        for columns, transform in _part_columns(key):
            encoded = self.part(tuple(dict.fromkeys(columns)), transform)
            codes = np.concatenate([encoded[c] for c in columns])
            if combined is None:
                combined = codes
            else:
                width = codes.max(initial=-1) + 2
                merged = combined * width + codes
                combined = _densify(np.where((combined < 0) | (codes < 0), -1, merged))
        n = len(self.frame)
        keep = combined >= 0
        readings = 1 + len(key.variants)  # the key itself, then each variant
        for v in range(1, readings):
            for earlier in range(v):
                keep[v * n : (v + 1) * n] &= (
                    combined[v * n : (v + 1) * n] != combined[earlier * n : (earlier + 1) * n]
                )
        positions = np.tile(np.arange(n, dtype=np.int32), readings)
        return positions[keep], combined[keep]


def window_pairs(
    positions: np.ndarray, blocks: np.ndarray, ranks: np.ndarray, reach: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pair each entry with the next `reach` entries of its block in rank order.

    An entry whose reach covers its whole block pairs with every later member (a full block); a
    smaller reach is a sliding window. Work is proportional to the pairs made, one vectorised step
    per offset.
    """
    order = np.lexsort((ranks, blocks))
    positions, blocks, reach = positions[order], blocks[order], reach[order]
    active = np.flatnonzero(reach > 0)
    lefts, rights = [], []
    offset = 0
    while active.size:
        offset += 1
        active = active[(reach[active] >= offset) & (active + offset < len(positions))]
        partner = active + offset
        same = blocks[active] == blocks[partner]
        active = active[same]
        lefts.append(positions[active])
        rights.append(positions[active + offset])
    if not lefts:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(lefts), np.concatenate(rights)


class BlockingIndex(BaseIndexAlgorithm):
    """A recordlinkage index algorithm for one declarative `BlockingKey`.

    Takes frames prepared by `prepare_records` (positional index). Several keys over one frame
    can share a `KeyCodes`, so each column is encoded once. After `index()`, `stats` holds the
    number of blocks too large to expand in full.
    """

    def __init__(self, key: BlockingKey, codes: KeyCodes | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key
        self.codes = codes
        self.stats: dict[str, int] = {}

    def pairs(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (left < right) of positions among the records of `frame`."""
        codes = self.codes if self.codes is not None and self.codes.frame is frame else None
        codes = codes or KeyCodes(frame)
        key = self.key
        positions, blocks = codes.key(key)
        if key.method == "sorted_neighbourhood":
            ranks, blocks = blocks, np.zeros_like(blocks)
            reach = np.full(len(ranks), key.window - 1)
            oversize_blocks = 0
        else:
            ranks = codes.rank(key.sort_by)[positions]
            block_sizes = np.bincount(blocks)
            sizes = block_sizes[blocks]
            fallback = key.window - 1 if key.oversize == "window" else 0
            reach = np.where(sizes > key.max_block_size, fallback, sizes - 1)
            oversize_blocks = int(np.count_nonzero(block_sizes > key.max_block_size))
        self.stats = {"oversize_blocks": oversize_blocks}
        left, right = window_pairs(positions, blocks, ranks, reach)
        keep = left != right
        return np.minimum(left, right)[keep], np.maximum(left, right)[keep]

    def _dedup_index(self, df_a: pd.DataFrame) -> pd.MultiIndex:
        left, right = self.pairs(df_a)
        return _pair_index(left, right, df_a.index, df_a.index)

    def _link_index(self, df_a: pd.DataFrame, df_b: pd.DataFrame) -> pd.MultiIndex:
        left, right = cross_pairs(self.pairs(pd.concat([df_a, df_b], ignore_index=True)), len(df_a))
        return _pair_index(left, right, df_a.index, df_b.index)


def cross_pairs(pairs: tuple[np.ndarray, np.ndarray], split: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of a combined frame that join its first `split` records to the rest, renumbered."""
    left, right = pairs
    cross = (left < split) & (right >= split)
    return left[cross], right[cross] - split


def _pair_index(
    left: np.ndarray, right: np.ndarray, index_a: pd.Index, index_b: pd.Index
) -> pd.MultiIndex:
    """A MultiIndex of pairs whose codes are the given positions (no copy of the labels)."""
    return pd.MultiIndex(levels=[index_a, index_b], codes=[left, right], verify_integrity=False)


def pair_positions(
    pairs: pd.MultiIndex, keys_a: pd.Index, keys_b: pd.Index | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of each pair's records in the key indexes: the codes themselves when the levels
    are those indexes, else each distinct label looked up once (a pair table read back from the
    warehouse has levels of its own)."""
    keys_b = keys_a if keys_b is None else keys_b
    sides = []
    for level, keys in ((0, keys_a), (1, keys_b)):
        codes = pairs.codes[level]
        if pairs.levels[level].equals(keys):
            sides.append(codes.astype(np.int32))
            continue
        # a missing label (code -1) takes the -1 appended after the levels' positions
        found = np.append(keys.get_indexer(pairs.levels[level]), -1)[codes]
        if (found < 0).any():
            raise KeyError("pairs refer to records that are not in the frame")
        sides.append(found.astype(np.int32))
    return sides[0], sides[1]


def pairs_from_positions(
    left: np.ndarray, right: np.ndarray, keys_a: pd.Index, keys_b: pd.Index | None = None
) -> pd.MultiIndex:
    """Pairs labelled by record keys, levels named `<key>_left` / `<key>_right`."""
    keys_b = keys_a if keys_b is None else keys_b
    pairs = _pair_index(left, right, keys_a, keys_b)
    return pairs.set_names([f"{keys_a.name}_left", f"{keys_b.name}_right"])


def candidate_pairs(
    df: pd.DataFrame, spec: LinkageSpec, df_link: pd.DataFrame | None = None
) -> tuple[pd.MultiIndex, dict[str, Any]]:
    """Union of the pairs of every blocking key, with pairs counted per key.

    Deduplicates `df`, or links it with `df_link` (left records from `df`, right from
    `df_link`). The MultiIndex is labelled by record keys; its codes are row positions.
    """
    started = time.perf_counter()
    keys_a = record_keys(df, spec)
    frame = prepare_records(df, spec)
    keys_b = keys_a
    if df_link is not None:
        keys_b = record_keys(df_link, spec)
        frame = pd.concat([frame, prepare_records(df_link, spec)], ignore_index=True)
    codes = KeyCodes(frame)
    for key in spec.blocking:
        codes.encode(key)
    width = len(keys_b)

    def pair_codes_of(key: BlockingKey) -> tuple[np.ndarray, int]:
        algorithm = BlockingIndex(key, codes)
        found = algorithm.pairs(frame)
        if df_link is not None:
            found = cross_pairs(found, len(keys_a))
        pair_codes = np.unique(found[0].astype(np.int64) * width + found[1])
        return pair_codes, algorithm.stats["oversize_blocks"]

    # the keys' codes are made: pairing them is work on numbers, one key per core at a time
    paired = map_in_threads(pair_codes_of, spec.blocking)
    per_key_codes = [pair_codes for pair_codes, _ in paired]
    names = [key.name for key in spec.blocking]
    by_key = {name: int(codes.size) for name, (codes, _) in zip(names, paired, strict=True)}
    oversize = {name: blocks for name, (_, blocks) in zip(names, paired, strict=True)}
    every = np.concatenate(per_key_codes) if per_key_codes else np.empty(0, np.int64)
    unique, first = np.unique(every, return_index=True)
    starts = np.cumsum([0] + [c.size for c in per_key_codes])
    first_key = np.searchsorted(starts, first, side="right") - 1
    new_by_key = np.bincount(first_key, minlength=len(spec.blocking))
    left = (unique // width).astype(np.int32)
    right = (unique % width).astype(np.int32)
    pairs = pairs_from_positions(left, right, keys_a, keys_b)
    total_possible = (
        len(keys_a) * (len(keys_a) - 1) // 2 if df_link is None else len(keys_a) * len(keys_b)
    )
    stats = {
        "records": len(frame),
        "candidate_pairs": int(unique.size),
        "pairs_by_blocking_key": by_key,
        "new_pairs_by_blocking_key": {
            key.name: int(n) for key, n in zip(spec.blocking, new_by_key, strict=True)
        },
        "oversize_blocks_by_key": oversize,
        "reduction_ratio": 1.0 - unique.size / total_possible if total_possible else 1.0,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return pairs, stats

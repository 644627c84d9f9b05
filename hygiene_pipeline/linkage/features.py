"""Comparison features: each pair's agreement level per field, as recordlinkage compare features.

recordlinkage's built-in string comparisons call a Python function per pair (about 50,000
pairs a second). Here every field is first encoded as int32 codes into a vocabulary of its
distinct values; a pair compares two codes. Equal codes are exact agreement without any string
work; the remaining pairs are reduced to their distinct (value, value) combinations and scored
with rapidfuzz's multi-threaded element-wise `process.cpdist`. Term frequencies and shared-value
counts are per-vocabulary tables, looked up by code.

Each comparison yields an agreement level (`Level`), the similarity for string fields, the term
frequency of an exactly agreeing value when the field is frequency-weighted, and an `_ignored`
flag when agreement was discounted (role mailbox, switchboard number). Values written in
different scripts (王伟, Wang Wei) are not compared letter by letter: the pair is `missing`.
Nicknames lift names to `high`, initials and short-name typos to `low` (`name_variants.py`).
"""

from __future__ import annotations

import time
from enum import IntEnum
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import recordlinkage as rl
from rapidfuzz import distance, fuzz, process
from recordlinkage.base import BaseCompareFeature

from hygiene_pipeline.linkage.blocking import pair_positions
from hygiene_pipeline.linkage.name_variants import NameVariants
from hygiene_pipeline.linkage.records import prepare_records, record_keys
from hygiene_pipeline.linkage.scripts import script_codes
from hygiene_pipeline.linkage.spec import Comparison, LinkageSpec


class Level(IntEnum):
    """Agreement levels, ordered from no evidence to the strongest agreement."""

    MISSING = 0
    DISAGREE = 1
    LOW = 2
    HIGH = 3
    EXACT = 4


_SCORERS = {
    "jaro_winkler": (distance.JaroWinkler.normalized_similarity, 1.0),
    "levenshtein": (distance.Levenshtein.normalized_similarity, 1.0),
    "ratio": (fuzz.ratio, 100.0),
    "token_set": (fuzz.token_set_ratio, 100.0),
    "token_sort": (fuzz.token_sort_ratio, 100.0),
}
_NO_VALUE = -1


def feature_columns(comparison: Comparison) -> list[str]:
    """The feature columns one comparison adds, the level column first."""
    name = comparison.name
    columns = [name]
    if comparison.kind == "string":
        columns.append(f"{name}_similarity")
    if comparison.term_frequency:
        columns.append(f"{name}_tf")
    if comparison.ignore_if or comparison.shared_limit:
        columns.append(f"{name}_ignored")
    return columns


def encode_columns(
    frame: pd.DataFrame, columns: tuple[str, ...]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Int32 codes of `columns` in one shared vocabulary; missing and empty values are -1."""
    stacked = pd.concat([frame[c] for c in columns], ignore_index=True)
    codes, uniques = pd.factorize(stacked)
    vocabulary = np.asarray(uniques, dtype=object)
    empty = np.flatnonzero(vocabulary == "")
    if empty.size:
        codes[codes == empty[0]] = _NO_VALUE
    n = len(frame)
    return (
        {c: codes[i * n : (i + 1) * n].astype(np.int32) for i, c in enumerate(columns)},
        vocabulary,
    )


class EncodedField:
    """One comparison's values as codes into a vocabulary, with per-value tables.

    Comparisons reading the same columns (first name crossed with last name, and the reverse)
    share one encoding through `cache`.
    """

    def __init__(
        self,
        comparison: Comparison,
        frame: pd.DataFrame,
        cache: dict[frozenset[str], tuple[dict[str, np.ndarray], np.ndarray]],
    ) -> None:
        self.comparison = comparison
        columns = frozenset(comparison.value_columns)
        if columns not in cache:
            cache[columns] = encode_columns(frame, tuple(sorted(columns)))
        self.codes, self.vocabulary = cache[columns]
        own = np.concatenate([self.codes[c] for c in (comparison.column, *comparison.also)])
        counts = np.bincount(own[own >= 0], minlength=len(self.vocabulary))
        self.term_frequency = (counts / max(1, counts.sum())).astype(np.float64)
        self.shared = self._shared_values(frame, own)

    @cached_property
    def scripts(self) -> np.ndarray:
        """Script code of each vocabulary value (for string comparisons only)."""
        return script_codes(self.vocabulary)

    @cached_property
    def texts(self) -> np.ndarray:
        """The vocabulary as text, for rapidfuzz."""
        return self.vocabulary.astype(str)

    @cached_property
    def name_variants(self) -> NameVariants:
        """Nickname and initial tables of the vocabulary."""
        return NameVariants(self.texts)

    def _shared_values(self, frame: pd.DataFrame, own: np.ndarray) -> np.ndarray:
        """Values held by more than `shared_limit` records that differ on `shared_distinct_on`."""
        comparison = self.comparison
        if comparison.shared_limit is None:
            return np.zeros(len(self.vocabulary), dtype=bool)
        distinct, _ = pd.factorize(frame[comparison.shared_distinct_on])
        holders = pd.DataFrame(
            {"value": own, "distinct": np.tile(distinct, 1 + len(comparison.also))}
        )
        holders = holders[(holders["value"] >= 0) & (holders["distinct"] >= 0)].drop_duplicates()
        spread = np.bincount(holders["value"].to_numpy(), minlength=len(self.vocabulary))
        return spread > comparison.shared_limit


def _string_similarity(
    scorer: str, cutoff: float, field: EncodedField, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Similarity of value codes in [0, 1]; each distinct pair of values scored once.

    NaN where either value is missing or the two are written in different scripts. Similarities
    below `cutoff` are reported as 0, which lets rapidfuzz stop early.
    """
    width = len(field.vocabulary)
    result = np.full(left.shape, np.nan, dtype=np.float32)
    present = (left >= 0) & (right >= 0)
    scripts = field.scripts
    present[present] = scripts[left[present]] == scripts[right[present]]
    result[present & (left == right)] = 1.0
    todo = np.flatnonzero(present & (left != right))
    if todo.size:
        low = np.minimum(left[todo], right[todo]).astype(np.int64)
        high = np.maximum(left[todo], right[todo]).astype(np.int64)
        inverse, combos = pd.factorize(low * width + high)
        function, scale = _SCORERS[scorer]
        scores = process.cpdist(
            field.texts[combos // width],
            field.texts[combos % width],
            scorer=function,
            score_cutoff=cutoff * scale,
            workers=-1,
        )
        result[todo] = (scores / scale).astype(np.float32)[inverse]
    return result


def _exact_similarity(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    result = np.where(left == right, 1.0, 0.0).astype(np.float32)
    result[(left < 0) | (right < 0)] = np.nan
    return result


class FieldComparator(BaseCompareFeature):
    """A recordlinkage compare feature grading one `Comparison` on encoded value codes."""

    def __init__(self, field: EncodedField, extras: dict[str, str]) -> None:
        """`extras` names the encoded columns of the `ignore_if` flag and `compare_within`."""
        comparison = field.comparison
        labels = [f"{comparison.name}:{c}" for c in comparison.value_columns]
        labels += list(extras.values())
        super().__init__(labels, labels, label=feature_columns(comparison))
        self.field = field
        self.extras = list(extras)

    def _similarity(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        comparison = self.field.comparison
        if comparison.kind == "exact":
            return _exact_similarity(left, right)
        cutoff = comparison.thresholds[-1]
        return _string_similarity(comparison.scorer, cutoff, self.field, left, right)

    def _crossed(
        self, left: list[np.ndarray], right: list[np.ndarray], level: np.ndarray
    ) -> np.ndarray:
        """Levels with the two columns swapped on one side (Zhang Wei / Wei Zhang).

        Tried where the straight comparison falls short of `high`. The swap is graded like the
        straight comparison, name variants included, half by half (this record's value against
        the other's crossed column, and the reverse); it holds at the weaker half. A record with
        one of the two names missing (`Ping` / `Zheng Ping`) is judged on the half it has, which
        must then agree at `high` or better.
        """
        weak = np.flatnonzero((level == Level.DISAGREE) | (level == Level.LOW))
        own = self._grade(left[0][weak], right[-1][weak])
        other = self._grade(left[-1][weak], right[0][weak])
        both = (own != Level.MISSING) & (other != Level.MISSING)
        crossed = np.where(both, np.minimum(own, other), np.maximum(own, other))
        crossed[~both & (crossed < Level.HIGH)] = Level.MISSING
        crossed[both & (crossed < Level.LOW)] = Level.MISSING
        lifted = level.copy()
        better = crossed > level[weak]
        lifted[weak[better]] = crossed[better]
        return lifted

    def _grade(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Agreement levels of two value columns, name variants included."""
        level = _levels(self.field.comparison, self._similarity(left, right))
        return self._name_variants(level, left, right)

    def _name_variants(self, level: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Lift nickname pairs to `high`, initial and typo pairs to `low`, as the spec asks."""
        comparison = self.field.comparison
        if comparison.nicknames:
            weak = np.flatnonzero(level < Level.HIGH)
            found = self.field.name_variants.nicknames(left[weak], right[weak])
            level[weak[found]] = Level.HIGH
        if comparison.initials:
            weak = np.flatnonzero(level == Level.DISAGREE)
            level[weak[self.field.name_variants.initials(left[weak], right[weak])]] = Level.LOW
        if comparison.typos:
            weak = np.flatnonzero(level == Level.DISAGREE)
            level[weak[self.field.name_variants.typos(left[weak], right[weak])]] = Level.LOW
        return level

    def _compute_vectorized(self, *series: pd.Series) -> pd.DataFrame:
        comparison = self.field.comparison
        half = len(series) // 2
        values = len(comparison.value_columns)
        left = [s.to_numpy() for s in series[:values]]
        right = [s.to_numpy() for s in series[half : half + values]]
        extra = {
            role: (series[values + i].to_numpy(), series[half + values + i].to_numpy())
            for i, role in enumerate(self.extras)
        }
        width = 1 + len(comparison.also)
        similarity = _fmax_all(self._similarity(a, b) for a in left[:width] for b in right[:width])
        level = self._name_variants(_levels(comparison, similarity), left[0], right[0])
        if comparison.crossed:
            level = self._crossed(left, right, level)
        if "within" in extra:
            a, b = extra["within"]
            level[(a >= 0) & (b >= 0) & (a != b) & (level != Level.EXACT)] = Level.MISSING
        exact_value = _agreeing_value(left[:width], right[:width])
        out: dict[str, Any] = {comparison.name: level}
        if comparison.kind == "string":
            out[f"{comparison.name}_similarity"] = similarity
        if comparison.term_frequency:
            tf = np.full(level.shape, np.nan, dtype=np.float32)
            hit = (exact_value >= 0) & (level == Level.EXACT)
            tf[hit] = self.field.term_frequency[exact_value[hit]]
            out[f"{comparison.name}_tf"] = tf
        if comparison.ignore_if or comparison.shared_limit:
            agreeing = level >= Level.HIGH
            shared = agreeing & (exact_value >= 0)
            shared[shared] = self.field.shared[exact_value[shared]]
            ignored = shared | (np.logical_or(*extra["ignore"]) if "ignore" in extra else False)
            ignored &= level != Level.MISSING
            level[ignored] = Level.MISSING
            out[f"{comparison.name}_ignored"] = ignored
        return pd.DataFrame(out)


def _agreeing_value(left: list[np.ndarray], right: list[np.ndarray]) -> np.ndarray:
    """The code of a value both records hold (any column against any), else -1."""
    value = np.full(left[0].shape, _NO_VALUE, dtype=np.int32)
    for a in left:
        for b in right:
            hit = (a == b) & (a >= 0) & (value == _NO_VALUE)
            value[hit] = a[hit]
    return value


def _fmax_all(arrays: Any) -> np.ndarray:
    result = None
    for array in arrays:
        result = array if result is None else np.fmax(result, array)
    return result


def _levels(comparison: Comparison, similarity: np.ndarray) -> np.ndarray:
    level = np.full(similarity.shape, Level.DISAGREE, dtype=np.int8)
    if comparison.kind == "string":
        high, low = comparison.thresholds
        level[similarity >= low] = Level.LOW
        level[similarity >= high] = Level.HIGH
    level[similarity >= 1.0] = Level.EXACT
    level[np.isnan(similarity)] = Level.MISSING
    return level


def build_comparators(
    frame: pd.DataFrame, spec: LinkageSpec
) -> tuple[list[FieldComparator], pd.DataFrame]:
    """Comparators for every comparison and the encoded frame they read (int32 codes, flags)."""
    encoded: dict[str, Any] = {}
    comparators = []
    cache: dict[frozenset[str], tuple[dict[str, np.ndarray], np.ndarray]] = {}
    for comparison in spec.comparisons:
        field = EncodedField(comparison, frame, cache)
        for column in comparison.value_columns:
            encoded[f"{comparison.name}:{column}"] = field.codes[column]
        extras = {}
        if comparison.ignore_if:
            extras["ignore"] = f"flag:{comparison.ignore_if}"
            encoded[extras["ignore"]] = frame[comparison.ignore_if].to_numpy(bool)
        if comparison.compare_within:
            extras["within"] = f"within:{comparison.compare_within}"
            columns = frozenset({comparison.compare_within})
            if columns not in cache:
                cache[columns] = encode_columns(frame, (comparison.compare_within,))
            encoded[extras["within"]] = cache[columns][0][comparison.compare_within]
        comparators.append(FieldComparator(field, extras))
    return comparators, pd.DataFrame(encoded)


def compare(
    df: pd.DataFrame,
    pairs: pd.MultiIndex,
    spec: LinkageSpec,
    df_link: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Comparison features for each candidate pair, indexed like `pairs`.

    With `df_link`, the right-hand records of `pairs` come from that frame (linking two frames).
    Stats split the time into encoding the records (per record) and comparing the pairs (per
    pair); `pairs_per_second` is the rate of the comparison proper.
    """
    started = time.perf_counter()
    keys_a = record_keys(df, spec)
    frame = prepare_records(df, spec)
    keys_b, offset = keys_a, 0
    if df_link is not None:
        keys_b, offset = record_keys(df_link, spec), len(frame)
        frame = pd.concat([frame, prepare_records(df_link, spec)], ignore_index=True)
    left, right = pair_positions(pairs, keys_a, keys_b)
    comparators, encoded = build_comparators(frame, spec)
    encoded_at = time.perf_counter()
    positional = pd.MultiIndex(
        levels=[encoded.index, encoded.index], codes=[left, right + offset], verify_integrity=False
    )
    engine = rl.Compare(features=comparators)
    if len(pairs):
        features = engine.compute(positional, encoded)
    else:
        columns = [c for comparison in spec.comparisons for c in feature_columns(comparison)]
        features = pd.DataFrame(columns=columns)
    features.index = pairs
    finished = time.perf_counter()
    comparing = finished - encoded_at
    stats = {
        "pairs": len(pairs),
        "seconds": round(finished - started, 3),
        "encode_seconds": round(encoded_at - started, 3),
        "compare_seconds": round(comparing, 3),
        "pairs_per_second": round(len(pairs) / comparing) if comparing > 0 else None,
        "levels": {c.name: _level_counts(features[c.name].to_numpy()) for c in spec.comparisons},
    }
    return features, stats


def _level_counts(levels: np.ndarray) -> dict[str, int]:
    counts = np.bincount(levels.astype(np.int64), minlength=len(Level))
    return {level.name.lower(): int(counts[level]) for level in Level}

"""One-call deduplication and linkage of DataFrames of any schema, from a declarative spec.

`deduplicate(df, spec, rules)` runs the whole chain: candidate pairs (blocking) -> comparison
features -> match probabilities -> clusters -> golden records with a cross-reference, plus the
table of scored pairs. `link(df_a, df_b, spec)` finds the matching pairs between two frames.
Each stage is also a function of its own (`candidate_pairs`, `compare`, `score`, `cluster`,
`golden_records`, `match_pairs`) returning its result and a small JSON-able stats dict, so a
pipeline can run, store and show them one by one.

Both frames of a linkage use the same column names (rename before linking).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hygiene_pipeline.linkage.blocking import candidate_pairs, pair_positions
from hygiene_pipeline.linkage.classifier import score
from hygiene_pipeline.linkage.clusters import cluster
from hygiene_pipeline.linkage.features import Level, compare
from hygiene_pipeline.linkage.overrides import empty_overrides, normalise_overrides
from hygiene_pipeline.linkage.records import record_keys
from hygiene_pipeline.linkage.spec import LinkageSpec
from hygiene_pipeline.linkage.survivorship import SurvivorshipRules, golden_records


@dataclass
class LinkageResult:
    """Every stage's output; `stats` holds each stage's stats dict under its name."""

    pairs: pd.MultiIndex
    features: pd.DataFrame
    scored: pd.DataFrame
    match_pairs: pd.DataFrame
    assignments: pd.DataFrame | None = None
    golden: pd.DataFrame | None = None
    xref: pd.DataFrame | None = None
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)


def match_pairs(
    df: pd.DataFrame,
    scored: pd.DataFrame,
    features: pd.DataFrame,
    spec: LinkageSpec,
    columns: tuple[str, ...] = (),
    overrides: pd.DataFrame | None = None,
    df_link: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The scored pairs as a flat table: keys and `columns` of both records, probability,
    decision, the hard-negative rule and the comparison features (levels by name).

    Deduplication only: override pairs take the decision `must_link` / `cannot_link`, and
    override pairs that were not candidates are added with a missing probability.
    """
    keys_a = record_keys(df, spec)
    keys_b = keys_a if df_link is None else record_keys(df_link, spec)
    left, right = pair_positions(scored.index, keys_a, keys_b)
    out = _pair_table(df, keys_a, left, df if df_link is None else df_link, keys_b, right, columns)
    out["match_probability"] = scored["match_probability"].to_numpy()
    out["decision"] = scored["decision"].to_numpy(dtype=object)
    out["hard_negative"] = scored["hard_negative"].to_numpy()
    level_names = np.array([level.name.lower() for level in Level], dtype=object)
    level_columns = {c.name for c in spec.comparisons}
    for name in features.columns:
        values = features[name].to_numpy()
        out[name] = level_names[values.astype(np.int64)] if name in level_columns else values
    overrides = normalise_overrides(overrides if overrides is not None else empty_overrides())
    if df_link is not None or overrides.empty:
        return out
    override_left = keys_a.get_indexer(overrides["record_key_left"])
    override_right = keys_a.get_indexer(overrides["record_key_right"])
    known = (override_left >= 0) & (override_right >= 0)
    low = np.minimum(override_left, override_right)[known]
    high = np.maximum(override_left, override_right)[known]
    rules = overrides["rule"].to_numpy()[known]
    n = len(keys_a)
    pair_codes = pd.Index(np.minimum(left, right).astype(np.int64) * n + np.maximum(left, right))
    found = pair_codes.get_indexer(low.astype(np.int64) * n + high)
    decision = out["decision"].to_numpy()
    decision[found[found >= 0]] = rules[found >= 0]
    out["decision"] = decision
    missing = found < 0
    extra = _pair_table(df, keys_a, low[missing], df, keys_a, high[missing], columns)
    extra["decision"] = rules[missing]
    return pd.concat([out, extra], ignore_index=True) if len(extra) else out


def _pair_table(
    df_a: pd.DataFrame,
    keys_a: pd.Index,
    left: np.ndarray,
    df_b: pd.DataFrame,
    keys_b: pd.Index,
    right: np.ndarray,
    columns: tuple[str, ...],
) -> pd.DataFrame:
    """Keys and `columns` of both records of each pair, suffixed `_left` / `_right`."""
    key_name = str(keys_a.name)
    return pd.DataFrame(
        {
            f"{key_name}_left": keys_a.to_numpy()[left],
            f"{key_name}_right": keys_b.to_numpy()[right],
            **{f"{c}_left": df_a[c].to_numpy()[left] for c in columns},
            **{f"{c}_right": df_b[c].to_numpy()[right] for c in columns},
        }
    )


def _timed_match_pairs(stats: dict[str, dict[str, Any]], *args: Any, **kwargs: Any) -> pd.DataFrame:
    started = time.perf_counter()
    table = match_pairs(*args, **kwargs)
    stats["match_pairs"] = {"rows": len(table), "seconds": round(time.perf_counter() - started, 3)}
    return table


def deduplicate(
    df: pd.DataFrame,
    spec: LinkageSpec,
    rules: SurvivorshipRules | None = None,
    overrides: pd.DataFrame | None = None,
    previous_xref: pd.DataFrame | None = None,
) -> LinkageResult:
    """Find the duplicates in `df` and, with survivorship `rules`, build golden records.

    `overrides` is a must-link / cannot-link table (see `overrides.load_overrides`);
    `previous_xref` is the cross-reference of the previous run, whose entity ids are kept.
    """
    stats: dict[str, dict[str, Any]] = {}
    pairs, stats["candidate_pairs"] = candidate_pairs(df, spec)
    features, stats["compare"] = compare(df, pairs, spec)
    scored, stats["score"] = score(features, spec)
    assignments, stats["cluster"] = cluster(df, scored, spec, overrides)
    columns = rules.xref_columns if rules else ()
    table = _timed_match_pairs(stats, df, scored, features, spec, columns, overrides)
    result = LinkageResult(
        pairs=pairs,
        features=features,
        scored=scored,
        match_pairs=table,
        assignments=assignments,
        stats=stats,
    )
    if rules is not None:
        result.golden, result.xref, stats["golden_records"] = golden_records(
            df, assignments, rules, previous_xref
        )
    return result


def link(df_a: pd.DataFrame, df_b: pd.DataFrame, spec: LinkageSpec) -> LinkageResult:
    """Find the pairs of records, one from each frame, that are the same entity."""
    stats: dict[str, dict[str, Any]] = {}
    pairs, stats["candidate_pairs"] = candidate_pairs(df_a, spec, df_b)
    features, stats["compare"] = compare(df_a, pairs, spec, df_b)
    scored, stats["score"] = score(features, spec)
    table = _timed_match_pairs(stats, df_a, scored, features, spec, df_link=df_b)
    return LinkageResult(
        pairs=pairs, features=features, scored=scored, match_pairs=table, stats=stats
    )

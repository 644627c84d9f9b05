"""Match probabilities without labels: Fellegi-Sunter weights fitted by recordlinkage's ECM.

The agreement levels of `features.py` are categorical features; recordlinkage's
`ECMClassifier` fits their m- and u-probabilities by expectation-maximisation over the
candidate pairs. Fitting needs only the distinct level patterns and their counts (a few
thousand patterns stand for millions of pairs), so it runs on a frequency-preserving training
set of at most `spec.training_budget` rows. The fitted model is kept as a plain table of
log-weights per level (`MatchModel`), which scores any pairs, reproduces the classifier's
probabilities exactly, and travels as JSON (asset metadata, later clustering).

On top of the fitted weights:
- term frequencies: exact agreement on a value shared by many records (Smith, Wang) weighs less
  than agreement on a rare one, by the log ratio of the value's frequency to the typical
  frequency of agreeing values, capped at `spec.term_frequency_cap`;
- hard negatives: pairs matching a `HardNegative` rule get probability 0 whatever the weights say.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import recordlinkage as rl
from recordlinkage.algorithms.nb_sklearn import ECM

from hygiene_pipeline.linkage.features import Level
from hygiene_pipeline.linkage.spec import HardNegative, LinkageSpec

_EPSILON = 1e-9
_START_M = {
    Level.MISSING: 1.0,
    Level.DISAGREE: 0.5,
    Level.LOW: 1.0,
    Level.HIGH: 2.0,
    Level.EXACT: 6.0,
}
_START_U = {
    Level.MISSING: 1.0,
    Level.DISAGREE: 6.0,
    Level.LOW: 1.0,
    Level.HIGH: 0.5,
    Level.EXACT: 0.25,
}
HISTOGRAM_BINS = 20


class OrderedLevelECM(ECM):
    """recordlinkage's ECM kernel with a deterministic start for multi-level features.

    Its 'jaro' start accepts binary features only and its 'random' start is not reproducible;
    this start assumes higher agreement levels are likelier among matches and treats a missing
    value as no evidence, which is what the levels mean.
    """

    def _init_parameters_jaro(self, X_bin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m_parts, u_parts = [], []
        for binarizer in self._binarizers:
            levels = [Level(int(c)) for c in binarizer.classes_]
            m = np.array([_START_M[level] for level in levels])
            u = np.array([_START_U[level] for level in levels])
            m_parts.append(m / m.sum())
            u_parts.append(u / u.sum())
        prior = np.log([0.9, 0.1])
        return prior, np.log(np.vstack([np.concatenate(u_parts), np.concatenate(m_parts)]))


@dataclass
class MatchModel:
    """Fitted Fellegi-Sunter parameters: prior log-odds, m/u per level, tf references."""

    prior_log_odds: float
    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]
    tf_reference: dict[str, float] = field(default_factory=dict)

    def weight(self, comparison: str, level: int) -> float:
        """log(m/u) of one level; 0 (no evidence) for a level the model never saw."""
        m = self.m.get(comparison, {}).get(level)
        u = self.u.get(comparison, {}).get(level)
        if m is None or u is None:
            return 0.0
        return float(np.log(max(m, _EPSILON)) - np.log(max(u, _EPSILON)))

    def level_log_odds(self, features: pd.DataFrame, comparisons: list[str]) -> np.ndarray:
        """Prior plus the weights of each pair's levels (what the ECM classifier computes)."""
        total = np.full(len(features), self.prior_log_odds, dtype=np.float64)
        for name in comparisons:
            table = np.array([self.weight(name, level) for level in Level])
            total += table[features[name].to_numpy(np.int64)]
        return total

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (level keys as strings)."""
        data = asdict(self)
        for key in ("m", "u"):
            data[key] = {c: {str(k): v for k, v in t.items()} for c, t in data[key].items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchModel:
        """Inverse of `to_dict`."""
        values = dict(data)
        for key in ("m", "u"):
            values[key] = {c: {int(k): v for k, v in t.items()} for c, t in data[key].items()}
        return cls(**values)


def _training_rows(patterns: np.ndarray, counts: np.ndarray, budget: int) -> np.ndarray:
    """Each distinct pattern repeated in proportion to its count (at least once), ~`budget` rows."""
    total = counts.sum()
    repeats = counts if total <= budget else np.maximum(1, np.rint(counts * budget / total))
    return np.repeat(patterns, repeats.astype(np.int64), axis=0)


def fit_model(levels: pd.DataFrame, spec: LinkageSpec) -> MatchModel:
    """Fit m/u probabilities of every comparison's levels with recordlinkage's ECMClassifier."""
    names = list(levels.columns)
    patterns, counts = np.unique(_pattern_codes(levels), return_counts=True)
    rows = _decode_patterns(patterns, len(names))
    training = pd.DataFrame(_training_rows(rows, counts, spec.training_budget), columns=names)
    classifier = rl.ECMClassifier(init="jaro", max_iter=200)
    classifier.classifier = OrderedLevelECM(init="jaro", max_iter=200, binarize=None)
    classifier.fit(training)
    m = {c: {int(k): float(v) for k, v in t.items()} for c, t in classifier.m_probs.items()}
    u = {c: {int(k): float(v) for k, v in t.items()} for c, t in classifier.u_probs.items()}
    p = float(np.clip(classifier.p, _EPSILON, 1 - _EPSILON))
    model = MatchModel(
        prior_log_odds=float(np.log(p) - np.log1p(-p)),
        m=m,
        u=u,
    )
    return _matches_agree(model, names)


def _matches_agree(model: MatchModel, names: list[str]) -> MatchModel:
    """Make sure the 'match' class is the one where exact agreement is likelier (EM may swap)."""
    exact = sum(model.weight(n, Level.EXACT) for n in names if Level.EXACT in model.m.get(n, {}))
    if exact >= 0:
        return model
    return MatchModel(prior_log_odds=-model.prior_log_odds, m=model.u, u=model.m)


def _pattern_codes(levels: pd.DataFrame) -> np.ndarray:
    base = len(Level)
    codes = np.zeros(len(levels), dtype=np.int64)
    for name in levels.columns:
        codes = codes * base + levels[name].to_numpy(np.int64)
    return codes


def _decode_patterns(codes: np.ndarray, width: int) -> np.ndarray:
    base = len(Level)
    rows = np.empty((len(codes), width), dtype=np.int64)
    rest = codes.copy()
    for column in range(width - 1, -1, -1):
        rows[:, column] = rest % base
        rest //= base
    return rows


def _tf_adjustment(features: pd.DataFrame, spec: LinkageSpec, model: MatchModel) -> np.ndarray:
    """log(typical tf / value tf) for exact agreement on frequency-weighted fields, capped."""
    total = np.zeros(len(features), dtype=np.float64)
    cap = spec.term_frequency_cap
    for comparison in spec.comparisons:
        if not comparison.term_frequency:
            continue
        tf = features[f"{comparison.name}_tf"].to_numpy(np.float64)
        usable = ~np.isnan(tf) & (features[comparison.name].to_numpy() == Level.EXACT)
        reference = model.tf_reference.get(comparison.name)
        if reference is None:
            reference = float(np.exp(np.mean(np.log(tf[usable])))) if usable.any() else 1.0
            model.tf_reference[comparison.name] = reference
        adjustment = np.zeros(len(features))
        adjustment[usable] = np.clip(np.log(reference / tf[usable]), -cap, cap)
        total += adjustment
    return total


def hard_negative_rule(features: pd.DataFrame, rules: tuple[HardNegative, ...]) -> np.ndarray:
    """Name of the first hard-negative rule each pair matches, or None."""
    result = np.full(len(features), None, dtype=object)
    for rule in rules:
        hit = np.ones(len(features), dtype=bool)
        for name in rule.disagree:
            hit &= features[name].to_numpy() == Level.DISAGREE
        for name in rule.unless_agree:
            hit &= features[name].to_numpy() < Level.HIGH
        result[hit & (result == None)] = rule.name  # noqa: E711 (element-wise)
    return result


def decisions(probability: np.ndarray, spec: LinkageSpec) -> np.ndarray:
    """match / possible_match / non_match by the spec's thresholds."""
    labels = np.where(
        probability >= spec.match_threshold,
        "match",
        np.where(probability >= spec.possible_threshold, "possible_match", "non_match"),
    )
    return labels.astype(object)


def probability_histogram(probability: np.ndarray) -> dict[str, list[float] | list[int]]:
    """Counts of pairs in equal-width probability bins, for a chart."""
    counts, edges = np.histogram(probability, bins=HISTOGRAM_BINS, range=(0.0, 1.0))
    return {"bin_edges": [round(float(e), 3) for e in edges], "counts": counts.tolist()}


def score(
    features: pd.DataFrame, spec: LinkageSpec, model: MatchModel | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Match probability and decision for each pair; fits the model unless one is given.

    Returns a frame indexed like `features` with `match_probability`, `match_weight` (log-odds
    before hard negatives), `hard_negative` (rule name or None) and `decision`. The fitted model
    is in `stats["model"]` and in the frame's `attrs["match_model"]`, for `cluster`.
    """
    started = time.perf_counter()
    names = [c.name for c in spec.comparisons]
    if model is None:
        model = fit_model(features[names], spec) if len(features) else MatchModel(0.0, {}, {})
    log_odds = model.level_log_odds(features, names) + _tf_adjustment(features, spec, model)
    probability = 1.0 / (1.0 + np.exp(-log_odds))
    hard = hard_negative_rule(features, spec.hard_negatives)
    probability[hard != None] = 0.0  # noqa: E711 (element-wise)
    scored = pd.DataFrame(
        {
            "match_probability": probability,
            "match_weight": log_odds.astype(np.float32),
            "hard_negative": hard,
            "decision": decisions(probability, spec),
        },
        index=features.index,
    )
    scored.attrs["match_model"] = model.to_dict()
    hard_counts = pd.Series(hard).value_counts()
    stats = {
        "pairs": len(scored),
        "decisions": {str(k): int(v) for k, v in scored["decision"].value_counts().items()},
        "hard_negatives": {str(k): int(v) for k, v in hard_counts.items()},
        "probability_histogram": probability_histogram(probability),
        "model": model.to_dict(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return scored, stats

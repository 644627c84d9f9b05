"""Comparison features: agreement levels, crossed names, discounted agreement, frequencies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import recordlinkage as rl

from hygiene_pipeline.linkage import Comparison, Level, LinkageSpec, compare
from hygiene_pipeline.linkage.blocking import pairs_from_positions


def _features(frame: pd.DataFrame, comparisons: tuple[Comparison, ...], pairs) -> pd.DataFrame:
    spec = LinkageSpec(comparisons=comparisons, blocking=())
    keys = frame.index.rename("record_key")
    index = pairs_from_positions(
        np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]), keys
    )
    features, stats = compare(frame, index, spec)
    assert stats["pairs"] == len(pairs)
    return features


def test_string_levels_follow_thresholds_and_missing_is_its_own_level() -> None:
    frame = pd.DataFrame({"name": ["martha", "marhta", "martha", "zoe", None, ""]})
    comparison = Comparison("name", "name", thresholds=(0.95, 0.8))
    features = _features(frame, (comparison,), [(0, 2), (0, 1), (0, 3), (0, 4), (0, 5)])
    assert features["name"].tolist() == [
        Level.EXACT, Level.HIGH, Level.DISAGREE, Level.MISSING, Level.MISSING
    ]  # fmt: skip
    assert features["name_similarity"].iloc[1] > 0.95


def test_similarity_matches_recordlinkage_string_comparison() -> None:
    rng = np.random.default_rng(5)
    words = np.array(["johnson", "jonson", "johnsen", "smith", "smyth", "jansen", "jon"])
    frame = pd.DataFrame({"name": rng.choice(words, 60)})
    pairs = [(i, j) for i in range(0, 60, 3) for j in range(1, 60, 7) if i != j]
    features = _features(frame, (Comparison("name", "name", thresholds=(0.9, 0.0)),), pairs)
    index = pd.MultiIndex.from_tuples(pairs)
    reference = rl.Compare([rl.compare.String("name", "name", method="jarowinkler")])
    expected = reference.compute(index, frame)[0].to_numpy()
    assert np.allclose(features["name_similarity"].to_numpy(), expected, atol=1e-6)


def test_swapped_first_and_last_names_agree_crosswise() -> None:
    frame = pd.DataFrame(
        {"first": ["wei", "zhang", "thomas", "anna"], "last": ["zhang", "wei", "james", "wei"]}
    )
    comparisons = (
        Comparison("first", "first", crossed="last"),
        Comparison("last", "last", crossed="first"),
    )
    features = _features(frame, comparisons, [(0, 1), (0, 3)])
    assert features["first"].tolist() == [Level.EXACT, Level.DISAGREE]
    assert features["last"].tolist() == [Level.EXACT, Level.DISAGREE]


def test_swapped_names_with_one_missing_agree_on_the_name_present() -> None:
    frame = pd.DataFrame({"first": ["ping", "zheng", "li"], "last": [None, "ping", None]})
    comparisons = (
        Comparison("first", "first", crossed="last"),
        Comparison("last", "last", crossed="first"),
    )
    features = _features(frame, comparisons, [(0, 1), (1, 0), (2, 1)])
    assert features["first"].tolist() == [Level.EXACT, Level.EXACT, Level.DISAGREE]
    assert features["last"].tolist() == [Level.MISSING] * 3


def test_short_name_typos_grade_low_straight_and_crossed() -> None:
    frame = pd.DataFrame(
        {
            "first": ["dg", "dong", "jia", "jua", "bo", "zhang", "yang"],
            "last": ["zhu", "zhu", "wu", "wu", "li", "yg", "zhang"],
        }
    )
    comparisons = (
        Comparison("first", "first", crossed="last", typos=True),
        Comparison("last", "last", crossed="first", typos=True),
    )
    features = _features(frame, comparisons, [(0, 1), (2, 3), (0, 4), (5, 6)])
    assert features["first"].tolist() == [Level.LOW, Level.LOW, Level.DISAGREE, Level.LOW]
    assert features["last"].tolist() == [Level.EXACT, Level.EXACT, Level.DISAGREE, Level.LOW]


def test_phone_agrees_with_the_other_records_mobile() -> None:
    frame = pd.DataFrame({"phone": ["+1", None, "+3"], "mobile": [None, "+1", "+4"]})
    comparison = Comparison("phone", "phone", kind="exact", also=("mobile",))
    features = _features(frame, (comparison,), [(0, 1), (0, 2)])
    assert features["phone"].tolist() == [Level.EXACT, Level.DISAGREE]


def test_switchboard_and_role_mailbox_agreement_carries_no_evidence() -> None:
    frame = pd.DataFrame(
        {
            "phone": ["+1000"] * 5 + ["+2000"] * 2,
            "last": ["a", "b", "c", "d", "e", "f", "f"],
            "email": ["info@x.com", "info@x.com", "p@x.com", "p@x.com", None, None, None],
            "role": [True, True, False, False, False, False, False],
        }
    )
    comparisons = (
        Comparison("phone", "phone", kind="exact", shared_limit=3, shared_distinct_on="last"),
        Comparison("email", "email", ignore_if="role"),
    )
    features = _features(frame, comparisons, [(0, 1), (5, 6), (2, 3)])
    assert features["phone"].tolist() == [Level.MISSING, Level.EXACT, Level.MISSING]
    assert features["phone_ignored"].tolist() == [True, False, True]
    assert features["email"].tolist() == [Level.MISSING, Level.MISSING, Level.EXACT]
    assert features["email_ignored"].tolist() == [True, False, False]


def test_term_frequency_is_reported_for_exact_agreement() -> None:
    frame = pd.DataFrame({"last": ["smith"] * 8 + ["quuxley"] * 2})
    comparison = Comparison("last", "last", term_frequency=True)
    features = _features(frame, (comparison,), [(0, 1), (8, 9), (0, 8)])
    tf = features["last_tf"].to_numpy()
    assert tf[0] == np.float32(0.8)
    assert tf[1] == np.float32(0.2)
    assert np.isnan(tf[2])

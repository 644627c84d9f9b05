"""Accuracy of a deduplication against ground truth, counted over record pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _same_group_pairs(frame: pd.DataFrame, columns: list[str]) -> int:
    sizes = frame.groupby(columns).size().to_numpy(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(truth: pd.Series, predicted: pd.Series) -> dict[str, float]:
    """Pairwise precision, recall and F1 of predicted groups against true groups.

    Both series give a group label per record, in the same record order. A pair counts as
    predicted when its records share a predicted label, as true when they share a true one.
    """
    frame = pd.DataFrame({"truth": truth.to_numpy(), "predicted": predicted.to_numpy()})
    both = _same_group_pairs(frame, ["truth", "predicted"])
    predicted_pairs = _same_group_pairs(frame, ["predicted"])
    true_pairs = _same_group_pairs(frame, ["truth"])
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}

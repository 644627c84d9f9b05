"""Intent: how likely a person is to buy now, from engagement events and call outcomes.

`intent_score = clip(sum(weight(signal) * 0.5 ** (age_days / half_life_days)), 0, 100)`: every
signal counts, but its weight halves every `intent_half_life_days`, so last week's demo request
outweighs last year's. Negative signals (`unsubscribe`, call `not_interested`) subtract. Tiers:
`high` at or above `intent_high_threshold`, `medium` at or above `intent_medium_threshold`, else
`low`. `intent_top_signals` names the largest contributions by absolute size, summed per signal,
e.g. `"demo_request +38.1 (x1); web_visit +5.2 (x3)"`; `scoring_version` records the rule set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.scoring.frames import age_days, join_parts
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.signals import Evidence

TIERS: tuple[str, ...] = ("high", "medium", "low")


def intent_contributions(
    evidence: Evidence, settings: ScoringSettings, as_of: pd.Timestamp
) -> pd.DataFrame:
    """One row per weighted signal: `entity_id`, `signal`, `at`, `contribution` (decayed weight)."""
    calls = evidence.calls[evidence.calls["entity_id"].notna()]
    signals = pd.concat(
        [
            pd.DataFrame(
                {
                    "entity_id": evidence.events["entity_id"],
                    "signal": evidence.events["event_type"],
                    "at": evidence.events["occurred_at"],
                }
            ),
            pd.DataFrame(
                {
                    "entity_id": calls["entity_id"],
                    "signal": "call_" + calls["disposition"].astype(str),
                    "at": calls["called_at"],
                }
            ),
        ],
        ignore_index=True,
    )
    weight = signals["signal"].map(settings.intent_weights)
    signals = signals[weight.notna()]
    decay = 0.5 ** (age_days(signals["at"], as_of) / settings.intent_half_life_days)
    return signals.assign(contribution=weight[weight.notna()] * decay)


def intent_tier(scores: pd.Series, settings: ScoringSettings) -> np.ndarray:
    """The tier of each score under the configured thresholds."""
    return np.select(
        [scores >= settings.intent_high_threshold, scores >= settings.intent_medium_threshold],
        ["high", "medium"],
        default="low",
    ).astype(object)


def intent_scores(
    entity_ids: pd.Index, evidence: Evidence, settings: ScoringSettings, as_of: pd.Timestamp
) -> pd.DataFrame:
    """`intent_score`, `intent_tier`, `intent_top_signals`, `scoring_version` per `entity_id`."""
    contributions = intent_contributions(evidence, settings, as_of)
    person = entity_ids.get_indexer(contributions["entity_id"])
    contributions, person = contributions[person >= 0], person[person >= 0]
    signal_codes, signals = pd.factorize(contributions["signal"], sort=True)
    cell = person.astype(np.int64) * len(signals) + signal_codes
    size = len(entity_ids) * len(signals)
    value = contributions["contribution"].to_numpy()
    per_cell = np.bincount(cell, weights=value, minlength=size)
    count = np.bincount(cell, minlength=size)
    total = per_cell.reshape(len(entity_ids), len(signals)).sum(axis=1) if size else 0.0
    score = pd.Series(np.clip(total, 0.0, 100.0), index=entity_ids, dtype=float)
    return pd.DataFrame(
        {
            "intent_score": score.round(2),
            "intent_tier": intent_tier(score, settings),
            "intent_top_signals": _top_signals(
                per_cell, count, signals, len(entity_ids), settings.intent_top_signals
            ),
            "scoring_version": settings.scoring_version,
        },
        index=entity_ids,
    )


def _top_signals(
    per_cell: np.ndarray, count: np.ndarray, signals: pd.Index, people: int, keep: int
) -> np.ndarray:
    """The `keep` largest contributions per person (by size, then signal name) as text.

    `per_cell`/`count` are the summed contribution and number of each (person, signal) cell,
    laid out person-major; returns one text per person (None without signals).
    """
    cells = np.flatnonzero(count)
    person, signal = np.divmod(cells, max(len(signals), 1))
    order = np.lexsort((signal, -np.abs(per_cell[cells]), person))
    cells, person, signal = cells[order], person[order], signal[order]
    rank = np.arange(len(cells)) - np.searchsorted(person, person, side="left")
    top = rank < keep
    cells, person, signal, rank = cells[top], person[top], signal[top], rank[top]
    value = np.round(per_cell[cells], 1)
    text = (
        signals.to_numpy(dtype=object)[signal]
        + " "
        + np.where(value >= 0, "+", "").astype(object)
        + value.astype(str).astype(object)
        + " (x"
        + count[cells].astype(str).astype(object)
        + ")"
    )
    parts = []
    for position in range(keep):
        part = np.full(people, "", dtype=object)
        at = rank == position
        part[person[at]] = text[at]
        parts.append(part)
    joined = join_parts(parts) if parts else np.full(people, "", dtype=object)
    return np.where(joined == "", None, joined)

"""Intent tiers by behaviour class, as sales teams define them, and a score to order within one.

- `high`: an explicit need (asked for pricing, requested a demo or a meeting, submitted a form,
  said interested or asked for a callback) within `intent_need_window_days`, not refused since.
- `medium`: engaged (opened, clicked, visited, downloaded; or a need older than the need window)
  within `intent_engaged_window_days`, not refused since.
- `low`: refused (not interested, unsubscribed, asked not to be called) after the last
  engagement, or silent for longer than the windows.

`intent_score = clip(sum(weight(signal) * 0.5 ** (age_days / half_life_days)), 0, 100)` orders
people within a tier. `intent_top_signals` names the deciding signal first, then the largest
contributions, e.g. `"decided by demo_request on 2026-06-20; demo_request +38.1 (x1); ..."`.

Table created: `person_intent`.
"""

from __future__ import annotations

import pandas as pd

from hygiene_pipeline.scoring.evidence_kinds import (
    ENGAGEMENT_SIGNALS,
    NEED_SIGNALS,
    REFUSAL_SIGNALS,
)
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.workspace import Workspace, sql_text_list


def person_intent(ws: Workspace, settings: ScoringSettings) -> None:
    """Create `person_intent`: tier, score and the signals behind them, per person."""
    ws.load(
        "intent_weights",
        pd.DataFrame(
            {
                "signal": list(settings.intent_weights),
                "weight": [float(w) for w in settings.intent_weights.values()],
            }
        ),
    )
    need, engaged = int(settings.intent_need_window_days), int(settings.intent_engaged_window_days)
    half_life = float(settings.intent_half_life_days)
    keep = int(settings.intent_top_signals)
    ws.create(
        "person_intent",
        f"""
        WITH signals AS (
            SELECT entity_id, occurred_at AS seen_at, event_type AS signal FROM event_facts
            WHERE entity_id IS NOT NULL
            UNION ALL
            SELECT entity_id, called_at, 'call_' || disposition FROM call_facts
            WHERE entity_id IS NOT NULL
        ),
        classed AS (
            SELECT *, CASE WHEN signal IN {sql_text_list(NEED_SIGNALS)} THEN 'need'
                           WHEN signal IN {sql_text_list(ENGAGEMENT_SIGNALS)} THEN 'engaged'
                           WHEN signal IN {sql_text_list(REFUSAL_SIGNALS)} THEN 'refusal'
                      END AS class
            FROM signals
        ),
        latest AS (
            SELECT entity_id,
                   max(seen_at) FILTER (WHERE class = 'need') AS need_at,
                   arg_max(signal, tie_broken(seen_at, signal)) FILTER (WHERE class = 'need')
                       AS need_signal,
                   max(seen_at) FILTER (WHERE class IN ('need', 'engaged')) AS engaged_at,
                   arg_max(signal, tie_broken(seen_at, signal))
                       FILTER (WHERE class IN ('need', 'engaged'))
                       AS engaged_signal,
                   max(seen_at) FILTER (WHERE class = 'refusal') AS refusal_at,
                   arg_max(signal, tie_broken(seen_at, signal)) FILTER (WHERE class = 'refusal')
                       AS refusal_signal
            FROM classed GROUP BY entity_id
        ),
        contributions AS (
            SELECT s.entity_id, s.signal, count(*) AS n,
                   sum(w.weight * pow(0.5, elapsed_seconds(s.seen_at, $as_of) / 86400.0
                                           / {half_life})) AS contribution
            FROM signals s JOIN intent_weights w USING (signal)
            GROUP BY s.entity_id, s.signal
        ),
        ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY entity_id ORDER BY abs(contribution) DESC, signal) AS rank
            FROM contributions
        ),
        named AS (
            SELECT entity_id, contribution, rank,
                   CASE WHEN rank <= {keep} THEN signal || ' '
                        || CASE WHEN contribution >= 0 THEN '+' ELSE '' END
                        || round(contribution, 1) || ' (x' || n || ')' END AS piece
            FROM ranked
        ),
        scored AS (
            -- the top signals joined in rank order, one column per rank: an ordered string_agg
            -- sorts every person's group, the slowest part of this query at a million people
            SELECT entity_id, least(greatest(sum(contribution), 0), 100) AS score,
                   {_ranked_pieces(keep)} AS top
            FROM named GROUP BY entity_id
        ),
        tiered AS (
            SELECT p.entity_id, l.*,
                   CASE WHEN l.need_at >= $as_of - INTERVAL {need} DAY
                             AND (l.refusal_at IS NULL OR l.refusal_at < l.need_at)
                        THEN 'high'
                        WHEN l.engaged_at >= $as_of - INTERVAL {engaged} DAY
                             AND (l.refusal_at IS NULL OR l.refusal_at < l.engaged_at)
                        THEN 'medium'
                        ELSE 'low' END AS tier
            FROM people p LEFT JOIN latest l USING (entity_id)
        )
        SELECT t.entity_id,
               round(coalesce(s.score, 0), 2) AS intent_score,
               t.tier AS intent_tier,
               'decided by ' || CASE t.tier
                   WHEN 'high' THEN t.need_signal || ' on ' || strftime(t.need_at, '%Y-%m-%d')
                   WHEN 'medium' THEN t.engaged_signal || ' on '
                                      || strftime(t.engaged_at, '%Y-%m-%d')
                   ELSE CASE WHEN t.refusal_at IS NOT NULL
                                  AND t.refusal_at >= coalesce(t.engaged_at, t.refusal_at)
                             THEN t.refusal_signal || ' on ' || strftime(t.refusal_at, '%Y-%m-%d')
                             ELSE 'no need in {need} and no engagement in {engaged} days' END
               END || coalesce('; ' || s.top, '') AS intent_top_signals
        FROM tiered t LEFT JOIN scored s USING (entity_id)
        """,
    )


def _ranked_pieces(keep: int) -> str:
    """SQL joining the `piece` of ranks 1 to `keep` with '; ', NULL when there is none."""
    if keep < 1:
        return "CAST(NULL AS VARCHAR)"
    pieces = ", ".join(f"max(piece) FILTER (WHERE rank = {rank})" for rank in range(1, keep + 1))
    return f"nullif(concat_ws('; ', {pieces}), '')"

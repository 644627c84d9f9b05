"""The scoring wing: status, staleness, intent and compliance per person, as pure frame functions.

Entry points: `score_people` (everything for one run), `status_history_changes` (the status
history diff) and `ScoringSettings` (every threshold and weight). The rules are documented in
`docs/scoring_rules.md`.
"""

from hygiene_pipeline.scoring.history import apply_status_history, status_history_changes
from hygiene_pipeline.scoring.pipeline import ScoringResult, score_people
from hygiene_pipeline.scoring.settings import ScoringSettings

__all__ = [
    "ScoringResult",
    "ScoringSettings",
    "apply_status_history",
    "score_people",
    "status_history_changes",
]

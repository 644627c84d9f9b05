"""The scoring wing: status, staleness, intent and compliance per person, as pure frame functions.

Entry points: `score_people` (everything for one run) and `ScoringSettings` (every threshold and
weight). The rules are documented in `docs/scoring_rules.md`; status spells are kept by
`hygiene_pipeline.warehouse.status_history`, in the warehouse, in one transaction.
"""

from hygiene_pipeline.scoring.pipeline import ScoringResult, score_people
from hygiene_pipeline.scoring.settings import ScoringSettings

__all__ = ["ScoringResult", "ScoringSettings", "score_people"]

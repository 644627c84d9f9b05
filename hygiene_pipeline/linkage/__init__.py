"""The duplicate-linkage engine: a library over recordlinkage, usable for any record type.

Stages, each a pure function returning its result and a JSON-able stats dict:
`candidate_pairs` (blocking) -> `compare` (features) -> `score` (match probabilities) ->
`cluster` -> `golden_records` (with the cross-reference), and `match_pairs` for the table of
scored pairs. `deduplicate` and `link` run the chain in one call. A `LinkageSpec` says what to
block on and compare; `crm_spec` holds the CRM pipeline's spec and golden-record rules.
"""

from hygiene_pipeline.linkage.api import LinkageResult, deduplicate, link, match_pairs
from hygiene_pipeline.linkage.blocking import candidate_pairs
from hygiene_pipeline.linkage.classifier import MatchModel, score
from hygiene_pipeline.linkage.clusters import cluster
from hygiene_pipeline.linkage.evaluation import pairwise_scores
from hygiene_pipeline.linkage.features import Level, compare
from hygiene_pipeline.linkage.overrides import load_overrides
from hygiene_pipeline.linkage.spec import BlockingKey, Comparison, HardNegative, LinkageSpec
from hygiene_pipeline.linkage.survivorship import FieldRule, SurvivorshipRules, golden_records

__all__ = [
    "BlockingKey",
    "Comparison",
    "FieldRule",
    "HardNegative",
    "Level",
    "LinkageResult",
    "LinkageSpec",
    "MatchModel",
    "SurvivorshipRules",
    "candidate_pairs",
    "cluster",
    "compare",
    "deduplicate",
    "golden_records",
    "link",
    "load_overrides",
    "match_pairs",
    "pairwise_scores",
    "score",
]

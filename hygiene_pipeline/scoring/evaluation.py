"""How well scoring matches a generated CRM's ground truth (used by tests and benchmarks).

`hygiene generate` writes `landing/` and `ground_truth/` (`records.csv`: source_system,
contact_id, person_id; `people.csv`: person_id, status, is_dnc, consent_valid, intent_tier, ...).
`score_generated` runs ingest -> standardise -> identities -> scoring on it, with the identities
either from the linkage engine or from the true person grouping (which isolates scoring errors
from linkage errors), and `scoring_accuracy` compares the outcome with the truth:

- a true person is judged by the entity that holds most of their records;
- `status_accuracy` over all people; `intent_tier_accuracy` over truly active people;
- `dial_list_violations`: people on the dial list (every member of a listed entity counts) who
  are truly do-not-call, without valid consent, or not truly active. The rules require zero.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from hygiene_pipeline.domain.feed_frames import FeedFrames
from hygiene_pipeline.domain.readers import read_feed
from hygiene_pipeline.domain.standardise import (
    standardise_call_logs,
    standardise_crm_contacts,
    standardise_dnc_list,
    standardise_email_bounces,
    standardise_engagement_events,
)
from hygiene_pipeline.linkage.api import deduplicate
from hygiene_pipeline.linkage.crm_spec import CRM_GOLDEN_RULES, CRM_LINKAGE_SPEC
from hygiene_pipeline.linkage.survivorship import golden_records
from hygiene_pipeline.scoring.pipeline import ScoringResult, score_people
from hygiene_pipeline.scoring.settings import ScoringSettings

STANDARDISERS: dict[str, Callable[[FeedFrames], FeedFrames]] = {
    "crm_contacts": standardise_crm_contacts,
    "email_bounces": standardise_email_bounces,
    "call_logs": standardise_call_logs,
    "engagement_events": standardise_engagement_events,
    "dnc_list": standardise_dnc_list,
}
"""The feeds scoring reads, each with its standardiser."""


@dataclass(frozen=True)
class GeneratedRun:
    """Scoring of one generated CRM, with the cross-reference used and seconds per stage."""

    result: ScoringResult
    xref: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


def standardised_feeds(landing: Path) -> dict[str, pd.DataFrame]:
    """The accepted, standardised rows of every feed the scoring reads."""
    return {feed: run(read_feed(landing, feed)).accepted for feed, run in STANDARDISERS.items()}


def true_identities(
    crm_contacts: pd.DataFrame, truth_records: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Golden records and cross-reference for the true person grouping (no linkage errors)."""
    person = crm_contacts[["record_key", "contact_id", "source_system"]].merge(
        truth_records[["source_system", "contact_id", "person_id"]].astype(str),
        on=["source_system", "contact_id"],
        how="left",
    )
    person["person_id"] = person["person_id"].fillna("unknown:" + person["record_key"])
    cluster = pd.factorize(person["person_id"])[0]
    assignments = pd.DataFrame(
        {
            "cluster": cluster,
            "cluster_size": pd.Series(cluster).map(pd.Series(cluster).value_counts()).to_numpy(),
            "match_probability": 1.0,
            "cluster_flag": None,
        },
        index=pd.Index(person["record_key"], name="record_key"),
    )
    golden, xref, _ = golden_records(crm_contacts, assignments, CRM_GOLDEN_RULES)
    return golden, xref


def generated_as_of(out_dir: Path) -> pd.Timestamp:
    """The `as_of` a CRM was generated for, from its `ground_truth/summary.json`."""
    summary = json.loads((Path(out_dir) / "ground_truth" / "summary.json").read_text())
    return pd.to_datetime(summary["as_of"], utc=True)


def score_generated(
    out_dir: Path,
    *,
    true_grouping: bool,
    as_of: datetime | pd.Timestamp | None = None,
    settings: ScoringSettings | None = None,
    feeds: dict[str, pd.DataFrame] | None = None,
) -> GeneratedRun:
    """Score a generated CRM end to end (pass `feeds` to reuse standardised frames).

    `as_of` defaults to the one the CRM was generated for; a naive one is taken as UTC.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    feeds = feeds if feeds is not None else standardised_feeds(Path(out_dir) / "landing")
    seconds["ingest_and_standardise"] = time.perf_counter() - started
    started = time.perf_counter()
    crm = feeds["crm_contacts"]
    if true_grouping:
        golden, xref = true_identities(crm, read_truth(out_dir)[0])
    else:
        linked = deduplicate(crm, CRM_LINKAGE_SPEC, CRM_GOLDEN_RULES)
        golden, xref = linked.golden, linked.xref
    seconds["identities"] = time.perf_counter() - started
    started = time.perf_counter()
    result = score_people(
        golden,
        xref,
        crm,
        feeds["email_bounces"],
        feeds["call_logs"],
        feeds["engagement_events"],
        feeds["dnc_list"],
        as_of=generated_as_of(out_dir) if as_of is None else pd.to_datetime(as_of, utc=True),
        settings=settings,
    )
    seconds["scoring"] = time.perf_counter() - started
    return GeneratedRun(result=result, xref=xref, seconds=seconds)


def read_truth(out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`(records, people)` of the ground truth, ids as text and flags as booleans."""
    truth = Path(out_dir) / "ground_truth"
    records = pd.read_csv(truth / "records.csv", dtype=str, keep_default_na=False)
    people = pd.read_csv(truth / "people.csv", dtype=str, keep_default_na=False)
    for flag in ("is_dnc", "consent_valid", "is_callable"):
        if flag in people.columns:
            people[flag] = people[flag].str.strip().str.lower().isin(["true", "1", "yes", "t"])
    return records, people


def scoring_accuracy(run: GeneratedRun, out_dir: Path) -> dict[str, Any]:
    """Status and intent-tier accuracy and dial-list violations against the ground truth."""
    records, people = read_truth(out_dir)
    members = (
        run.xref[["entity_id", "contact_id", "source_system"]]
        .astype(str)
        .merge(
            records[["source_system", "contact_id", "person_id"]],
            on=["source_system", "contact_id"],
        )
    )
    main_entity = (
        members.groupby(["person_id", "entity_id"])
        .size()
        .rename("records")
        .reset_index()
        .sort_values(["person_id", "records", "entity_id"], ascending=[True, False, True])
        .drop_duplicates("person_id")
        .set_index("person_id")["entity_id"]
    )
    scored = run.result.contacts.set_index("entity_id")
    judged = people.set_index("person_id").join(main_entity.rename("entity_id"), how="inner")
    predicted = scored.reindex(judged["entity_id"])
    status_hit = predicted["status"].to_numpy() == judged["status"].to_numpy()
    active = (judged["status"] == "active").to_numpy()
    tier_hit = predicted["intent_tier"].to_numpy() == judged["intent_tier"].to_numpy()

    listed = members[members["entity_id"].isin(run.result.dial_list["entity_id"])]
    truth = people.set_index("person_id").reindex(listed["person_id"].unique())
    violations = truth[truth["is_dnc"] | ~truth["consent_valid"] | (truth["status"] != "active")]
    return {
        "people": len(judged),
        "status_accuracy": float(status_hit.mean()) if len(judged) else 0.0,
        "intent_tier_accuracy": float(tier_hit[active].mean()) if active.any() else 0.0,
        "active_people": int(active.sum()),
        "dial_list": len(run.result.dial_list),
        "dial_list_people": len(truth),
        "dial_list_violations": len(violations),
        "dial_list_dnc": int(truth["is_dnc"].sum()),
        "dial_list_no_consent": int((~truth["consent_valid"]).sum()),
        "dial_list_not_active": int((truth["status"] != "active").sum()),
        "status_confusion": pd.crosstab(
            judged["status"].to_numpy(), predicted["status"].to_numpy()
        ).to_dict(),
    }

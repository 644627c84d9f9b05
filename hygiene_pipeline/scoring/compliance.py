"""May we contact this person, on which number, and who is dialled first.

- Do-not-call (`is_dnc`, `dnc_reason`): a number of any member record on the DNC list, a
  `do_not_call` disposition on any of the person's calls, or `do_not_call` on any member record.
  A do-not-call request also blocks the number it was made on, for everyone who shares it.
- Consent (`consent_valid`): no member record `opted_out`, and at least one `opted_in` whose
  `consent_expires_at` is empty or after `as_of`.
- Frequency cap: call attempts attributed to the person (any number, any disposition) on the
  UTC day of `as_of` (`calls_today`) and in the 7 days up to `as_of` (`calls_7d`); a person at
  `max_calls_per_day` or `max_calls_per_7_days` is not dialled until the window clears.
- `dial_phone_e164`: the golden phone, else the golden mobile, else another number of a member
  record, that works and is not blocked.
- `is_callable`: a dial phone, not do-not-call, consent valid.
- `is_emailable`: a usable email, no `do_not_email` or `opted_out` member, no complaint, no
  unsubscribe, not soft-suppressed.
- `linkage_review_hold`: the person's linkage cluster is flagged (split or oversized) and
  `hold_flagged_clusters` is on, or a member record joined the person with a match probability
  below `min_dial_match_probability`: a merge to review before anyone is dialled on its consent
  (a wrong merge can lend one person's consent, or activity, to another).
- `dial_list`: `status = 'active'`, callable, under the cap, not held; ordered by tier (high first),
  intent score (descending), fewest calls in the last 7 days, then `entity_id` for a stable order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.scoring.calling_window import calling_windows
from hygiene_pipeline.scoring.frames import DAY, day_text, join_parts, text_or_empty
from hygiene_pipeline.scoring.intent import TIERS
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.signals import DNC_DISPOSITION, Evidence

DIAL_LIST_COLUMNS: list[str] = [
    "entity_id",
    "phone_e164",
    "intent_tier",
    "intent_score",
    "calls_7d",
    "priority_rank",
]


def blocked_numbers(evidence: Evidence) -> pd.Index:
    """Numbers nobody may be dialled on: on the DNC list, or dialled when a do-not-call request
    was made."""
    calls = evidence.calls
    requested = calls.loc[
        (calls["disposition"] == DNC_DISPOSITION) & calls["dialled"], "phone_e164"
    ].dropna()
    return pd.Index(pd.concat([evidence.dnc_numbers["phone_e164"], requested]).unique())


def do_not_call(people: pd.Index, evidence: Evidence) -> pd.DataFrame:
    """`is_dnc` and `dnc_reason` per person, with every source that applies named in the reason."""
    listed = evidence.phones.merge(evidence.dnc_numbers, on="phone_e164")
    listed_since = listed.groupby("entity_id")["added_at"].min().reindex(people)
    on_list = pd.Series(people.isin(listed["entity_id"]), index=people)
    calls = evidence.calls
    requested_at = (
        calls[(calls["disposition"] == DNC_DISPOSITION) & calls["entity_id"].notna()]
        .groupby("entity_id")["called_at"]
        .min()
        .reindex(people)
    )
    flagged = (
        evidence.members.groupby("entity_id")["do_not_call"].any().reindex(people, fill_value=False)
    )
    parts = [
        np.where(
            on_list,
            np.where(
                listed_since.notna(),
                "DNC list since " + text_or_empty(day_text(listed_since)),
                "DNC list",
            ),
            "",
        ),
        np.where(
            requested_at.notna(),
            "do_not_call request on " + text_or_empty(day_text(requested_at)),
            "",
        ),
        np.where(flagged, "do_not_call flag on a CRM record", ""),
    ]
    reason = join_parts(parts)
    is_dnc = on_list | requested_at.notna() | flagged
    return pd.DataFrame(
        {"is_dnc": is_dnc.to_numpy(), "dnc_reason": np.where(is_dnc, reason, None)}, index=people
    )


def consent_valid(people: pd.Index, evidence: Evidence, as_of: pd.Timestamp) -> pd.Series:
    """Consent present and unexpired on some member record, and withdrawn on none."""
    members = evidence.members
    opted_out = members["consent_status"] == "opted_out"
    opted_in = (members["consent_status"] == "opted_in") & ~(members["consent_expires_at"] <= as_of)
    flags = pd.DataFrame({"entity_id": members["entity_id"], "out": opted_out, "in": opted_in})
    per_person = flags.groupby("entity_id")[["out", "in"]].any().reindex(people, fill_value=False)
    return (per_person["in"] & ~per_person["out"]).rename("consent_valid")


def call_counts(people: pd.Index, evidence: Evidence, as_of: pd.Timestamp) -> pd.DataFrame:
    """`calls_today` (UTC day of `as_of`) and `calls_7d` (7 days up to `as_of`) per person."""
    calls = evidence.calls[evidence.calls["entity_id"].notna()]
    counts = pd.DataFrame(
        {
            "entity_id": calls["entity_id"],
            "calls_today": calls["called_at"] >= as_of.floor("D"),
            "calls_7d": calls["called_at"] > as_of - 7 * DAY,
        }
    )
    totals = counts.groupby("entity_id")[["calls_today", "calls_7d"]].sum()
    return totals.reindex(people, fill_value=0).astype("int64")


def dial_phones(people: pd.DataFrame, numbers: pd.DataFrame, blocked: pd.Index) -> pd.Series:
    """The number to dial per person (indexed like `people`): the golden phone, else the golden
    mobile, else another working number of a member record (lowest first), never a blocked one.

    `numbers` is `channels.usable_numbers(...)`.
    """
    golden = pd.concat(
        [
            people["phone_e164"].rename("phone_e164").reset_index().assign(preference=0),
            people["mobile_phone_e164"].rename("phone_e164").reset_index().assign(preference=1),
        ]
    )
    candidates = pd.concat([golden, numbers.assign(preference=2)], ignore_index=True)
    working = candidates.merge(numbers, on=["entity_id", "phone_e164"])
    working = working[~working["phone_e164"].isin(blocked)]
    best = working.sort_values(["entity_id", "preference", "phone_e164"], kind="stable")
    best = best.drop_duplicates("entity_id").set_index("entity_id")["phone_e164"]
    return best.reindex(people.index).rename("dial_phone_e164")


def compliance(
    golden: pd.DataFrame,
    evidence: Evidence,
    channels: pd.DataFrame,
    numbers: pd.DataFrame,
    settings: ScoringSettings,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Per `entity_id`: DNC, consent, call counts, dial phone, calling window, reachability.

    `numbers` is `channels.usable_numbers(...)`.
    """
    people = golden.set_index("entity_id")
    index = people.index
    dial_phone = dial_phones(people, numbers, blocked_numbers(evidence))
    window_number = dial_phone.fillna(people["phone_e164"]).fillna(people["mobile_phone_e164"])
    types = evidence.phones.drop_duplicates("phone_e164").set_index("phone_e164")["phone_type"]

    dnc = do_not_call(index, evidence)
    consent = consent_valid(index, evidence, as_of)
    counts = call_counts(index, evidence, as_of)
    under_cap = (counts["calls_today"] < settings.max_calls_per_day) & (
        counts["calls_7d"] < settings.max_calls_per_7_days
    )
    events = evidence.events
    unsubscribed = pd.Series(
        index.isin(events.loc[events["event_type"] == "unsubscribe", "entity_id"]), index=index
    )
    members = evidence.members
    member_flags = (
        members.assign(opted_out=members["consent_status"] == "opted_out")
        .groupby("entity_id")[["do_not_email", "opted_out"]]
        .any()
        .reindex(index, fill_value=False)
    )
    is_emailable = (
        channels["golden_email_usable"]
        & channels["email_soft_since"].isna()
        & channels["email_complaint_at"].isna()
        & ~unsubscribed
        & ~member_flags["do_not_email"]
        & ~member_flags["opted_out"]
    )
    frame = pd.concat(
        [
            dnc,
            consent,
            counts,
            under_cap.rename("under_call_cap"),
            dial_phone,
            calling_windows(window_number, settings, as_of, window_number.map(types)),
        ],
        axis=1,
    )
    frame["is_callable"] = dial_phone.notna() & ~frame["is_dnc"] & frame["consent_valid"]
    by_person = members.groupby("entity_id")
    flagged = by_person["cluster_flag"].count().reindex(index, fill_value=0)
    weakest = by_person["match_probability"].min().reindex(index, fill_value=1.0)
    frame["linkage_review_hold"] = (settings.hold_flagged_clusters & (flagged > 0)) | (
        weakest < settings.min_dial_match_probability
    )
    frame["is_emailable"] = is_emailable
    return frame


def dial_list(scored: pd.DataFrame) -> pd.DataFrame:
    """People to call now, in priority order (`DIAL_LIST_COLUMNS`, `priority_rank` from 1).

    `scored` is the scored `contacts_golden` (status, is_callable, under_call_cap, intent, ...).
    """
    eligible = scored[
        (scored["status"] == "active")
        & scored["is_callable"]
        & scored["under_call_cap"]
        & ~scored["linkage_review_hold"]
    ]
    ordered = eligible.assign(
        tier_rank=eligible["intent_tier"].map({tier: i for i, tier in enumerate(TIERS)})
    ).sort_values(
        ["tier_rank", "intent_score", "calls_7d", "entity_id"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    out = ordered.assign(
        phone_e164=ordered["dial_phone_e164"], priority_rank=np.arange(1, len(ordered) + 1)
    )
    return out[DIAL_LIST_COLUMNS].reset_index(drop=True)

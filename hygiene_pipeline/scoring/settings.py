"""Every threshold and weight of the scoring rules, in one typed and documented place.

The rules themselves are described in `docs/scoring_rules.md`; this dataclass holds their
parameters so that the Dagster layer can expose them as run configuration and the domain code
receives them as one plain value. Each field carries its description in
`field(metadata={"description": ...})`, which the Dagster layer shows in the UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import time
from typing import Any

DEFAULT_INTENT_WEIGHTS: dict[str, float] = {
    "meeting_booked": 45.0,
    "demo_request": 40.0,
    "call_interested": 35.0,
    "form_submit": 20.0,
    "pricing_page_view": 15.0,
    "call_callback": 15.0,
    "content_download": 10.0,
    "email_click": 5.0,
    "web_visit": 3.0,
    "email_open": 1.0,
    "unsubscribe": -30.0,
    "call_not_interested": -40.0,
}
"""Signal -> weight: engagement `event_type`s as they are, call dispositions as `call_<name>`."""


def _described(default: Any, description: str) -> Any:
    """A dataclass field with a default and the description the configuration UI shows."""
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True)
class ScoringSettings:
    """Parameters of the status, staleness, intent and compliance rules, with their defaults."""

    scoring_version: str = _described(
        "rules-2026.2",
        "Name of the rule set, recorded on every scored person so scores from different "
        "rule versions are never compared unknowingly; change it when you change a weight.",
    )
    dormant_after_days: int = _described(
        182,
        "A person without strong presence (an answered call, a click, a visit, a form, a "
        "meeting) for this many days before as_of is stale_inactive: silent for six months is "
        "dormant.",
    )
    weak_presence_keeps_fresh: bool = _described(
        False,
        "Let weak presence (CRM activity or update timestamps, email opens) keep a person from "
        "going stale. Off by default: CRMs bump activity on any outbound touch and scanners "
        "open mail, so neither is the person answering.",
    )
    staleness_full_factor: float = _described(
        2.0,
        "staleness_score rises linearly from 0 and reaches 100 at this multiple of "
        "dormant_after_days without presence.",
    )
    negative_status_staleness_floor: float = _described(
        80.0,
        "Lowest staleness_score of a person whose status is ghost, company_closed, "
        "left_company, company_relocated or invalid_contact, however recent their last presence.",
    )
    hard_bounces_to_suppress: int = _described(
        1,
        "Hard bounces (RFC 3463 address failures, 5.1.x) after the person's last presence that "
        "make an email unusable.",
    )
    soft_bounces_to_suppress: int = _described(
        3,
        "Soft bounces within soft_bounce_window_days (after the person's last presence) that "
        "suppress an email without declaring it invalid.",
    )
    soft_bounce_window_days: int = _described(
        30, "Length of the rolling window in which soft bounces are counted."
    )
    intent_need_window_days: int = _described(
        30,
        "An explicit need (pricing, demo or meeting request, form, 'interested', callback) "
        "this recent, not refused since, makes the intent tier high. A hand-raiser not worked "
        "within a month has gone cold: inbound follow-up is measured in days.",
    )
    intent_engaged_window_days: int = _described(
        90,
        "Engagement (open, click, visit, download) this recent, not refused since and without a "
        "current need, makes the intent tier medium; otherwise the tier is low. Engagement older "
        "than a quarter says little about current interest.",
    )
    intent_half_life_days: float = _described(
        30.0,
        "Half-life of a signal in intent_score (which orders people within a tier): its "
        "contribution halves every this many days of age.",
    )
    intent_weights: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_INTENT_WEIGHTS),
        metadata={
            "description": "Weight of each signal in intent_score: engagement event types by "
            "name, call outcomes as call_<disposition>; negative weights lower the score. "
            "Signals not listed contribute nothing."
        },
    )
    intent_top_signals: int = _described(
        3, "How many of the largest signal contributions intent_top_signals lists."
    )
    max_calls_per_day: int = _described(
        2,
        "Contact-frequency cap: call attempts per person on the as_of day (UTC) across all of "
        "the person's numbers; a person at the cap is left off the dial list.",
    )
    max_calls_per_7_days: int = _described(
        7,
        "Contact-frequency cap: call attempts per person in the rolling 7 days up to as_of.",
    )
    hold_flagged_clusters: bool = _described(
        True,
        "Keep people whose linkage cluster is flagged (split or oversized) off the dial list "
        "until the merge is reviewed, when their records form several identity islands and one "
        "has no consent of its own: a wrong merge could borrow another person's consent.",
    )
    min_dial_match_probability: float = _described(
        0.95,
        "Keep people off the dial list while the weakest link holding their merge together "
        "(merge_probability) has a lower match probability and their records form several "
        "identity islands, one without consent of its own: an uncertain merge is reviewed "
        "before it lends consent to a call.",
    )
    call_window_start: time = field(
        default=time(9, 0),
        metadata={"description": "Start of the permitted calling window, in local time."},
    )
    call_window_end: time = field(
        default=time(20, 0),
        metadata={"description": "End of the permitted calling window, in local time."},
    )

    def __post_init__(self) -> None:
        """Reject settings that would make the rules contradict themselves."""
        problems = []
        if self.dormant_after_days <= 0:
            problems.append("dormant_after_days must be positive")
        if min(self.intent_need_window_days, self.intent_engaged_window_days) <= 0:
            problems.append("intent windows must be positive")
        if self.staleness_full_factor < 1:
            problems.append("staleness_full_factor must be at least 1")
        if self.intent_half_life_days <= 0:
            problems.append("intent_half_life_days must be positive")
        if min(self.hard_bounces_to_suppress, self.soft_bounces_to_suppress) < 1:
            problems.append("bounce counts to suppress must be at least 1")
        if self.soft_bounce_window_days <= 0:
            problems.append("soft_bounce_window_days must be positive")
        if min(self.max_calls_per_day, self.max_calls_per_7_days) < 0:
            problems.append("call caps must not be negative")
        if self.call_window_start >= self.call_window_end:
            problems.append("call_window_start must be before call_window_end")
        if problems:
            raise ValueError("invalid scoring settings: " + "; ".join(problems))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ScoringSettings:
        """Settings from plain configuration values (e.g. Dagster run config or YAML).

        Times may be given as `"HH:MM"` text; `intent_weights` given here *update* the default
        table rather than replace it, so a user can change one weight without restating all.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown scoring settings: {', '.join(unknown)}")
        coerced = dict(values)
        for name in ("call_window_start", "call_window_end"):
            if isinstance(coerced.get(name), str):
                coerced[name] = time.fromisoformat(coerced[name])
        if "intent_weights" in coerced:
            coerced["intent_weights"] = {
                **DEFAULT_INTENT_WEIGHTS,
                **{str(k): float(v) for k, v in coerced["intent_weights"].items()},
            }
        return cls(**coerced)


def settings_reference() -> list[dict[str, Any]]:
    """Name, default and description of every setting, for configuration schemas and docs."""
    return [
        {
            "name": f.name,
            "default": f.default_factory() if f.default is MISSING else f.default,
            "description": f.metadata["description"],
        }
        for f in fields(ScoringSettings)
    ]

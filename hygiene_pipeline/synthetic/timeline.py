"""Days relative to `as_of`, and the world's own windows.

Everything in the world happens on whole days back from `as_of` (day 0 is the `as_of` day itself,
up to the `as_of` instant; larger is older), at business hours of the person's country. Call
attempts avoid days 1 and 6-8, so "on the as_of day" and "in the 7 days up to as_of" mean the same
calls whether a reader counts calendar days or 24-hour spans.

The windows that define the world's truth (see `truth`): an explicit need is recent within
HIGH_INTENT_DAYS, engagement within ENGAGED_DAYS, and a person with no genuine interaction for
DORMANT_DAYS (six months) is dormant. No engagement, need or genuine interaction happens within a
few days of those edges (`off_the_edges`), so whether a reader counts 180 days or six calendar
months, or from midnight or from the `as_of` instant, the truth reads the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from hygiene_pipeline.synthetic.reference_data import COUNTRY_CODES

DAY = 86_400
# Business hours per country, as (start, end) hours in UTC.
_BUSINESS_HOURS_UTC = {"US": (13, 22), "GB": (8, 17), "DE": (7, 16), "FR": (7, 16), "CN": (1, 10)}
_HOURS = np.array([_BUSINESS_HOURS_UTC[code] for code in COUNTRY_CODES]) * 3600
CALL_OLD_FROM = 9  # the first call day outside the last 8 days
HIGH_INTENT_DAYS = 30  # an explicit need (demo, meeting, form, "interested") stays hot a month
ENGAGED_DAYS = 90  # engagement within a quarter makes a lead warm
DORMANT_DAYS = 180  # six months without a genuine interaction: dormant
DECISION_EDGES = ((28, 32), (88, 93), (175, 186))  # days kept free around those windows


@dataclass(frozen=True)
class Timeline:
    """The reference instant of a generated CRM and how evidence days become timestamps."""

    as_of: int  # epoch seconds, UTC

    @classmethod
    def at(cls, as_of: datetime) -> Timeline:
        """The timeline of an aware UTC datetime."""
        return cls(as_of=int(as_of.timestamp()))

    @property
    def day0(self) -> int:
        """Midnight (UTC) that starts the `as_of` day."""
        return self.as_of - self.as_of % DAY

    def stamp(self, rng: np.random.Generator, days: np.ndarray, country: np.ndarray) -> np.ndarray:
        """Epoch seconds `days` whole days back, at business hours of `country` (index into
        COUNTRY_CODES); on day 0 between midnight and `as_of`, so never after `as_of`."""
        days = np.asarray(days, dtype=np.int64)
        start, end = _HOURS[country, 0], _HOURS[country, 1]
        time_of_day = start + np.floor(rng.random(len(days)) * (end - start)).astype(np.int64)
        today = np.floor(rng.random(len(days)) * (self.as_of - self.day0)).astype(np.int64)
        return self.day0 - days * DAY + np.where(days == 0, today, time_of_day)


def off_the_edges(days: np.ndarray) -> np.ndarray:
    """Days moved off DECISION_EDGES, keeping their order: every day from an edge on is pushed
    back by the edge's width (edges applied youngest first, so none lands in a later one)."""
    days = np.asarray(days, dtype=np.int64)
    for low, high in DECISION_EDGES:
        days = np.where(days >= low, days + (high - low + 1), days)
    return days


def off_call_gaps(days: np.ndarray) -> np.ndarray:
    """Call days moved off day 1 (to 2) and days 6-8 (to 9), see the module docstring."""
    days = np.asarray(days, dtype=np.int64)
    return np.where(days == 1, 2, np.where((days >= 6) & (days <= 8), CALL_OLD_FROM, days))


def uniform_days(
    rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, size: int
) -> np.ndarray:
    """Whole days drawn uniformly from [low, high] (per row when arrays are given)."""
    low = np.broadcast_to(np.asarray(low, dtype=np.int64), (size,))
    high = np.broadcast_to(np.asarray(high, dtype=np.int64), (size,))
    return low + np.floor(rng.random(size) * (high - low + 1)).astype(np.int64)

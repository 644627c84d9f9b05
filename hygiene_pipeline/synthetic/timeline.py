"""Dates relative to `as_of`, laid out so that every reading of the scoring rules agrees.

Evidence is planted on whole days back from `as_of` (day 0 is the `as_of` day itself, up to the
`as_of` instant), at business hours of the person's country. Call attempts avoid days 1 and 6-8,
so "on the as_of day" and "in the 7 days up to as_of" mean the same calls whether a reader counts
calendar days or 24-hour spans; evidence that must come after other evidence is planted at least
two days later, so day-only dates (Salesforce `LastActivityDate`) cannot reorder it.
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
CALL_TODAY = 0
CALL_RECENT = (2, 5)  # inside the 7-day window, never "today"
CALL_OLD_FROM = 9  # outside the 7-day window


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


def call_days(
    rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, size: int
) -> np.ndarray:
    """Call days drawn from [low, high] that avoid days 1 and 6-8 (see the module docstring)."""
    days = uniform_days(rng, low, high, size)
    high = np.broadcast_to(np.asarray(high, dtype=np.int64), (size,))
    moved = np.where(
        (days >= 6) & (days <= 8),
        np.where(high >= CALL_OLD_FROM, CALL_OLD_FROM, CALL_RECENT[1]),
        days,
    )
    moved = np.where(
        moved == 1, np.where(high >= CALL_RECENT[0], CALL_RECENT[0], CALL_TODAY), moved
    )
    low = np.broadcast_to(np.asarray(low, dtype=np.int64), (size,))
    if np.any((moved < low) | (moved > high)):
        raise ValueError("a call-day range lies inside the days calls must avoid")
    return moved


def uniform_days(
    rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, size: int
) -> np.ndarray:
    """Whole days drawn uniformly from [low, high] (per row when arrays are given)."""
    low = np.broadcast_to(np.asarray(low, dtype=np.int64), (size,))
    high = np.broadcast_to(np.asarray(high, dtype=np.int64), (size,))
    return low + np.floor(rng.random(size) * (high - low + 1)).astype(np.int64)

"""Each person's planned story: what happened to them (still active, gone quiet, left, company
moved or closed, unreachable), how interested they are, their consent and do-not-call state,
and how often they were called lately.

The plan only steers what evidence gets planted (`evidence`); the ground truth is then derived
from that evidence by the scoring rules (`truth`), so truth and evidence cannot disagree. Day
numbers count back from `as_of` (see `timeline`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from hygiene_pipeline.synthetic.columns import chance
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.timeline import call_days, uniform_days


class Scenario(IntEnum):
    """A person's planned story."""

    ACTIVE = 0
    ACTIVE_AFTER_LEFT = 1  # a left_company call, later answered again on the phone
    ACTIVE_AFTER_BOUNCE = 2  # a hard bounce, later a connected call
    STALE = 3  # nothing heard for well over a year
    LEFT_COMPANY = 4
    COMPANY_MOVED = 5
    MOVED_WITH_COMPANY = 6  # at a company that moved, but answered after the move
    COMPANY_CLOSED = 7
    INVALID = 8  # every number dead and every mailbox hard-bounced


ACTIVE_SCENARIOS = (
    Scenario.ACTIVE,
    Scenario.ACTIVE_AFTER_LEFT,
    Scenario.ACTIVE_AFTER_BOUNCE,
    Scenario.MOVED_WITH_COMPANY,
)


class Tier(IntEnum):
    """Planned intent tier of an active person."""

    NONE = -1
    HIGH = 0
    MEDIUM = 1
    LOW = 2


class Consent(IntEnum):
    """What the person's records say about consent."""

    VALID = 0
    EXPIRED = 1
    WITHDRAWN = 2
    UNKNOWN = 3


class Cap(IntEnum):
    """Recent call attempts planted to exercise the contact-frequency cap."""

    NONE = 0
    ONE_TODAY = 1  # under the cap
    TWO_OR_THREE_TODAY = 2  # at the daily cap
    SEVEN_THIS_WEEK = 3  # at the weekly cap


class Fate(IntEnum):
    """What happened to a company."""

    NONE = 0
    MOVED = 1
    CLOSED = 2


_PERSON_SCENARIOS = (
    Scenario.ACTIVE,
    Scenario.ACTIVE_AFTER_LEFT,
    Scenario.ACTIVE_AFTER_BOUNCE,
    Scenario.STALE,
    Scenario.LEFT_COMPANY,
    Scenario.INVALID,
)
_PERSON_WEIGHTS = (0.66, 0.02, 0.03, 0.14, 0.08, 0.07)
_TIER_WEIGHTS = (0.15, 0.30, 0.55)
_CONSENT_WEIGHTS = (0.65, 0.10, 0.08, 0.17)
COMPANY_CLOSED_SHARE = 0.025
COMPANY_MOVED_SHARE = 0.035
ACTIVE_LAST_PRESENCE_DAYS = (2, 330)  # inactivity limit is 365: a month of margin
STALE_FROM_DAY = 400


@dataclass(frozen=True)
class Plan:
    """Per-person (and per-company) plan arrays."""

    scenario: np.ndarray
    tier: np.ndarray
    signal_day: np.ndarray  # day of the scenario's key negative signal, -1 if none
    presence_floor: np.ndarray  # other presence evidence only on this day or earlier
    crm_activity_day: np.ndarray  # day of the latest CRM activity, -1 if none
    consent: np.ndarray
    dnc_call: np.ndarray
    dnc_flag: np.ndarray
    dnc_list: np.ndarray
    cap: np.ndarray
    company_fate: np.ndarray
    company_signal_day: np.ndarray

    @property
    def active(self) -> np.ndarray:
        """People planned to end up active."""
        return np.isin(self.scenario, ACTIVE_SCENARIOS)


def _company_fates(rng: np.random.Generator, pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Which companies moved or closed (only companies with colleagues) and on which day."""
    size = np.bincount(pop.people.company, minlength=len(pop.companies))
    draw = rng.random(len(size))
    fate = np.where(
        size < 2,
        Fate.NONE,
        np.where(
            draw < COMPANY_CLOSED_SHARE,
            Fate.CLOSED,
            np.where(draw < COMPANY_CLOSED_SHARE + COMPANY_MOVED_SHARE, Fate.MOVED, Fate.NONE),
        ),
    )
    day = np.where(
        fate == Fate.CLOSED,
        uniform_days(rng, 20, 250, len(size)),
        uniform_days(rng, 60, 250, len(size)),
    )
    return fate, np.where(fate == Fate.NONE, -1, day)


def _scenarios(
    rng: np.random.Generator, pop: Population, points: pd.DataFrame, fate: np.ndarray
) -> np.ndarray:
    n = len(pop.people)
    scenario = np.array(_PERSON_SCENARIOS)[
        rng.choice(len(_PERSON_SCENARIOS), size=n, p=_PERSON_WEIGHTS)
    ]
    bounce_ok = (points["number_1"].to_numpy() >= 0) & points["has_own_email"].to_numpy()
    invalid_ok = ~points["has_switchboard"].to_numpy() & ~points["has_role_mailbox"].to_numpy()
    scenario = np.where(
        (scenario == Scenario.ACTIVE_AFTER_BOUNCE) & ~bounce_ok, Scenario.ACTIVE, scenario
    )
    scenario = np.where((scenario == Scenario.INVALID) & ~invalid_ok, Scenario.ACTIVE, scenario)
    company_fate = fate[pop.people.company]
    scenario = np.where(company_fate == Fate.CLOSED, Scenario.COMPANY_CLOSED, scenario)
    scenario = np.where(company_fate == Fate.MOVED, Scenario.COMPANY_MOVED, scenario)
    # In some moved companies (3+ people) one colleague answered again after the move.
    moved_people = np.flatnonzero(company_fate == Fate.MOVED)
    shuffled = moved_people[rng.permutation(len(moved_people))]
    companies, first = np.unique(pop.people.company[shuffled], return_index=True)
    size = np.bincount(pop.people.company, minlength=len(pop.companies))
    lucky = shuffled[first[(size[companies] >= 3) & chance(rng, len(companies), 0.4)]]
    scenario[lucky] = Scenario.MOVED_WITH_COMPANY
    return scenario


def build_plan(rng: np.random.Generator, pop: Population, points: pd.DataFrame) -> Plan:
    """The plan of every person, given what their records let anyone reach them by."""
    n = len(pop.people)
    fate, company_day = _company_fates(rng, pop)
    scenario = _scenarios(rng, pop, points, fate)
    company_signal = company_day[pop.people.company]
    signal = np.full(n, -1)
    for kind, (low, high) in {
        Scenario.ACTIVE_AFTER_LEFT: (40, 250),
        Scenario.ACTIVE_AFTER_BOUNCE: (30, 250),
        Scenario.LEFT_COMPANY: (15, 300),
        Scenario.INVALID: (20, 300),
    }.items():
        rows = scenario == kind
        signal[rows] = call_days(rng, low, high, int(rows.sum()))
    from_company = np.isin(
        scenario, (Scenario.COMPANY_MOVED, Scenario.COMPANY_CLOSED, Scenario.MOVED_WITH_COMPANY)
    )
    signal = np.where(from_company, company_signal, signal)
    active = np.isin(scenario, ACTIVE_SCENARIOS)
    floor = np.where(active, 0, np.where(scenario == Scenario.STALE, STALE_FROM_DAY, signal + 3))
    activity = np.where(
        active,
        uniform_days(rng, *ACTIVE_LAST_PRESENCE_DAYS, n),
        np.where(
            scenario == Scenario.STALE,
            uniform_days(rng, STALE_FROM_DAY, 1500, n),
            uniform_days(rng, floor, floor + 500, n),
        ),
    )
    activity = np.where(~active & chance(rng, n, 0.3), -1, activity)
    tier = np.where(active, rng.choice(3, size=n, p=_TIER_WEIGHTS), Tier.NONE)
    reachable_by_list = (points["number_1"].to_numpy() >= 0) & ~points["has_switchboard"].to_numpy()
    cap_draw = rng.random(n)
    cap = np.where(
        ~active,
        Cap.NONE,
        np.where(
            cap_draw < 0.01,
            Cap.ONE_TODAY,
            np.where(
                cap_draw < 0.025,
                Cap.TWO_OR_THREE_TODAY,
                np.where(cap_draw < 0.032, Cap.SEVEN_THIS_WEEK, Cap.NONE),
            ),
        ),
    )
    return Plan(
        scenario=scenario,
        tier=tier,
        signal_day=signal,
        presence_floor=floor,
        crm_activity_day=activity,
        consent=rng.choice(4, size=n, p=_CONSENT_WEIGHTS),
        dnc_call=chance(rng, n, 0.03),
        dnc_flag=chance(rng, n, 0.03) & points["has_flag_source"].to_numpy(),
        dnc_list=chance(rng, n, 0.03) & reachable_by_list,
        cap=cap,
        company_fate=fate,
        company_signal_day=company_day,
    )

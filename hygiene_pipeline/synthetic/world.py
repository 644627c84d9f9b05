"""What happens to the cast between the CRM's first records and `as_of`: companies' fates and
people's careers.

- A company goes on, MOVES (a new address and a new switchboard on a date; the people still there
  move with it and get new direct lines) or CLOSES (on a date its domain stops taking mail and all
  its lines are cut). Only small and mid-sized companies close or move within the window.
- A person may LEAVE their company on a date. Some leavers re-appear at another company of their
  country: the CRM then gets one new record with the new employer and a new work email (a job
  change); their personal mobile goes with them.

Days count back from `as_of` (day 0 is the `as_of` day, larger is older, NEVER = it did not
happen). Numbers and mailboxes that stop working as a consequence are `lives`' business.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np
import pyarrow as pa

from hygiene_pipeline.synthetic.columns import chance, group_rows, join, map_distinct, take
from hygiene_pipeline.synthetic.names import email_word
from hygiene_pipeline.synthetic.phones import PLAN_INDEX
from hygiene_pipeline.synthetic.population import Population, addresses, unique_addresses
from hygiene_pipeline.synthetic.reference_data import CITIES, COUNTRY_CODES
from hygiene_pipeline.synthetic.timeline import uniform_days

NEVER = -1
WINDOW_DAYS = 1000  # how far back the world's events go; CRM records are older
CLOSED_SHARE, MOVED_SHARE = 0.025, 0.045
CLOSABLE_SIZE, MOVABLE_SIZE = 25, 60  # people in the CRM; larger companies neither close nor move
CLOSED_DAYS, MOVED_DAYS = (20, 700), (30, 700)
SAME_CITY_MOVE_SHARE = 0.7
LEAVER_SHARE = 0.12
LEAVE_DAYS = (15, 900)
JOB_CHANGE_SHARE = 0.4  # of leavers with a mobile and two or more records
NEW_DIRECT_LINE_SHARE = 0.7  # job changers with a direct line at the new company


class Fate(IntEnum):
    """What happened to a company by `as_of`."""

    NONE = 0
    MOVED = 1
    CLOSED = 2


@dataclass(frozen=True)
class World:
    """Company fates and careers (arrays by company index or person index)."""

    fate: np.ndarray  # Fate per company
    fate_day: np.ndarray  # NEVER when Fate.NONE
    new_city: np.ndarray  # CITIES index after a move (the old city otherwise)
    new_street: pa.Array  # null unless moved
    new_postal_code: pa.Array
    new_switchboard: np.ndarray  # number id after a move, -1 otherwise
    leave_day: np.ndarray  # per person, NEVER if still there
    new_company: np.ndarray  # the employer of a job changer's new record, -1 otherwise
    joined_day: np.ndarray  # day the new record was created, NEVER otherwise
    new_direct: np.ndarray  # a job changer's direct line at the new company, -1 if none
    new_work_email: pa.Array  # a job changer's new work address, null otherwise
    moved_direct: np.ndarray  # the direct line after the company's move, -1 if none


def _fates(rng: np.random.Generator, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    draw = rng.random(len(size))
    closed = (size <= CLOSABLE_SIZE) & (draw < CLOSED_SHARE)
    moved = (
        ~closed
        & (size <= MOVABLE_SIZE)
        & (draw >= CLOSED_SHARE)
        & (draw < CLOSED_SHARE + MOVED_SHARE)
    )
    fate = np.select([closed, moved], [Fate.CLOSED, Fate.MOVED], default=Fate.NONE)
    day = np.select(
        [closed, moved],
        [uniform_days(rng, *CLOSED_DAYS, len(size)), uniform_days(rng, *MOVED_DAYS, len(size))],
        default=NEVER,
    )
    return fate, day


def _new_cities(rng: np.random.Generator, country: np.ndarray, city: np.ndarray) -> np.ndarray:
    """A city in the same country: mostly the same one, sometimes another."""
    out = city.copy()
    elsewhere = ~chance(rng, len(city), SAME_CITY_MOVE_SHARE)
    for c, rows in group_rows(country):
        cities = np.array(
            [i for i, place in enumerate(CITIES) if place.country == COUNTRY_CODES[c]]
        )
        moving = rows[elsewhere[rows]]
        step = rng.integers(1, len(cities), size=len(moving))
        position = np.searchsorted(cities, city[moving])
        out[moving] = cities[(position + step) % len(cities)]
    return out


def _new_employers(
    rng: np.random.Generator, pop: Population, fate: np.ndarray, changers: np.ndarray
) -> np.ndarray:
    """Another company of the same country that goes on, for each job changer (-1 if none)."""
    company = pop.people.company[changers]
    country = pop.companies.country[company]
    out = np.full(len(changers), -1)
    for c, rows in group_rows(country):
        pool = np.flatnonzero((pop.companies.country == c) & (fate == Fate.NONE))
        if len(pool) < 2:
            continue
        pick = pool[rng.integers(0, len(pool), size=len(rows))]
        same = pick == company[rows]
        pick[same] = pool[(np.searchsorted(pool, pick[same]) + 1) % len(pool)]
        out[rows] = pick
    return out


def _fixed_plans(city: np.ndarray) -> np.ndarray:
    """The number plan of fixed lines in each city."""
    return np.array([PLAN_INDEX[place.fixed_plan] for place in CITIES])[city]


def build_world(rng: np.random.Generator, pop: Population) -> tuple[Population, World]:
    """Fates and careers; returns the population with the numbers the world added (new
    switchboards and direct lines) and the world."""
    people, companies = pop.people, pop.companies
    n, nc = len(people), len(companies)
    company = people.company
    fate, fate_day = _fates(rng, np.bincount(company, minlength=nc))

    leave_day = uniform_days(rng, *LEAVE_DAYS, n)
    closes = fate[company] == Fate.CLOSED
    leaves = chance(rng, n, LEAVER_SHARE) & (~closes | (leave_day > fate_day[company] + 10))
    leave_day = np.where(leaves, leave_day, NEVER)

    can_change = (people.records >= 2) & (people.mobile >= 0) & (leave_day >= 40)
    changers = np.flatnonzero(can_change & chance(rng, n, JOB_CHANGE_SHARE))
    employer = _new_employers(rng, pop, fate, changers)
    changers, employer = changers[employer >= 0], employer[employer >= 0]
    new_company = np.full(n, -1)
    new_company[changers] = employer
    joined_day = np.full(n, NEVER)
    joined_day[changers] = uniform_days(rng, 5, leave_day[changers] - 15, len(changers))
    local = join(
        map_distinct(people.given.take(pa.array(changers)), email_word),
        ".",
        map_distinct(people.family.take(pa.array(changers)), email_word),
    )
    taken = pa.concat_arrays([people.work_email, people.personal_email, companies.role_mailbox])
    fresh = unique_addresses(local, take(companies.domain, employer), taken)
    slot = np.full(n, -1)
    slot[changers] = np.arange(len(changers))
    new_work_email = take(fresh, slot)

    moved = np.flatnonzero(fate == Fate.MOVED)
    new_city = companies.city.copy()
    new_city[moved] = _new_cities(rng, companies.country[moved], companies.city[moved])
    street, postal = addresses(rng, companies.country[moved], new_city[moved])
    slot = np.full(nc, -1)
    slot[moved] = np.arange(len(moved))
    new_street, new_postal = take(street, slot), take(postal, slot)

    with_direct = changers[chance(rng, len(changers), NEW_DIRECT_LINE_SHARE)]
    at_move = (
        (fate[company] == Fate.MOVED)
        & (people.direct >= 0)
        & ~(leave_day > fate_day[company])  # not gone before the move
    )
    moving_lines = np.flatnonzero(at_move)
    plans = np.concatenate(
        [
            _fixed_plans(new_city[moved]),
            _fixed_plans(companies.city[new_company[with_direct]]),
            _fixed_plans(new_city[company[moving_lines]]),
        ]
    )
    numbers, ids = pop.numbers.extend(rng, plans)
    new_switchboard = np.full(nc, -1)
    new_switchboard[moved] = ids[: len(moved)]
    new_direct = np.full(n, -1)
    new_direct[with_direct] = ids[len(moved) : len(moved) + len(with_direct)]
    moved_direct = np.full(n, -1)
    moved_direct[moving_lines] = ids[len(moved) + len(with_direct) :]

    world = World(
        fate=fate,
        fate_day=fate_day,
        new_city=new_city,
        new_street=new_street,
        new_postal_code=new_postal,
        new_switchboard=new_switchboard,
        leave_day=leave_day,
        new_company=new_company,
        joined_day=joined_day,
        new_direct=new_direct,
        new_work_email=new_work_email,
        moved_direct=moved_direct,
    )
    return replace(pop, numbers=numbers), world

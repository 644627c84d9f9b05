"""The ground truth: the world's state at `as_of`, per person and per company.

These definitions are properties of the simulated world; they are read off what really happened
(who answered, who left, which number died), never off the observations a pipeline sees.

- status, the first that holds: `ghost` (a record that is nobody); `company_closed` (the company
  their records show has closed); `left_company` (they left it, and no record shows a new
  employer; a job changer whose new record the CRM holds carries on at the new company, and the
  departure belongs to the old account); `company_relocated` (their
  company moved and none of their records shows the new address or number); `invalid_contact`
  (no number and no mailbox on their records reaches them any more); `stale_inactive` (no genuine
  interaction for DORMANT_DAYS, six months, or never); `active`. Genuine interaction is two-way
  contact: an answered call (whatever was said on it), an email click, a form, a demo request, a
  booked meeting. Opens are not: security scanners and privacy proxies open mail too.
- intent_tier: `high` when the person expressed an explicit need (asked for pricing: a
  pricing-page view or a pricing form; a demo request, a booked meeting, "interested" or a
  callback request on a call) within
  HIGH_INTENT_DAYS (30) and has not refused since; `medium` when they engaged (a web visit,
  a download, an email click, or an explicit need) within ENGAGED_DAYS (90)
  without refusing since; `low` when they refused (not interested, unsubscribed, withdrew
  consent, asked not to be called) or have been silent longer. The windows follow sales practice:
  a hand-raiser not worked within a month has gone cold (the usual follow-up service level for
  inbound leads is days, a month is the outer edge), and engagement older than a quarter no longer
  says much about current interest. In this world nothing of a journey follows a refusal.
- is_dnc: the person asked not to be called (on a call, through the CRM, onto the internal list),
  or a number of theirs is on a national register.
- consent_valid: consent given, not expired, not withdrawn (an unsubscribe withdraws it).
- over_call_cap: 3 or more call attempts on the `as_of` day, or 8 or more in the last 7 days
  (everyone else has at most one attempt in the last 8 days).
- dialable: active, a working number on file (their own line or mobile, or a working switchboard
  of their company), not do-not-call, valid consent, not over the cap.
- coarse status: active; stale (stale_inactive); unreachable (left_company, company_closed,
  invalid_contact); relocated (company_relocated); ghost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hygiene_pipeline.synthetic.behaviour import (
    DNC_REQUESTS,
    GENUINE,
    NEEDS,
    REFUSALS,
    RESEARCH,
    Act,
    Behaviour,
)
from hygiene_pipeline.synthetic.lives import Lives
from hygiene_pipeline.synthetic.on_file import OnFile
from hygiene_pipeline.synthetic.outreach import Outreach
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.standing import OPEN, working_numbers
from hygiene_pipeline.synthetic.timeline import DORMANT_DAYS, ENGAGED_DAYS, HIGH_INTENT_DAYS
from hygiene_pipeline.synthetic.world import NEVER, Fate, World

COARSE_STATUS = {
    "active": "active",
    "stale_inactive": "stale",
    "left_company": "unreachable",
    "company_closed": "unreachable",
    "invalid_contact": "unreachable",
    "company_relocated": "relocated",
    "ghost": "ghost",
}
DAILY_TOO_MANY, WEEKLY_TOO_MANY = 3, 8
ACCOUNT_STATUS = {Fate.NONE: "active", Fate.MOVED: "relocated", Fate.CLOSED: "closed"}


@dataclass(frozen=True)
class Truth:
    """Per-person and per-company truth (dates as days back from `as_of`, NEVER if none)."""

    people: pd.DataFrame
    accounts: pd.DataFrame


def _latest(person: np.ndarray, day: np.ndarray, n: int) -> np.ndarray:
    """Per person, the most recent day (smallest), NEVER where there is none."""
    out = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(out, person, day)
    return np.where(out == np.iinfo(np.int64).max, NEVER, out)


def _acts_latest(acts: pd.DataFrame, kinds: tuple[Act, ...], n: int) -> np.ndarray:
    rows = acts[acts["act"].isin(kinds)]
    return _latest(rows["person"].to_numpy(), rows["day"].to_numpy(), n)


def _within(day: np.ndarray, days: int) -> np.ndarray:
    return (day >= 0) & (day <= days)


def _people(
    pop: Population,
    world: World,
    on_file: OnFile,
    lives: Lives,
    behaviour: Behaviour,
    outreach: Outreach,
    standing: np.ndarray,
) -> pd.DataFrame:
    n = len(pop.people)
    acts = behaviour.acts
    calls = outreach.calls
    answered = calls[calls["answered"]]
    contact = acts[acts["act"].isin(GENUINE)]
    last_genuine = _latest(
        np.concatenate([contact["person"].to_numpy(), answered["person"].to_numpy()]),
        np.concatenate([contact["day"].to_numpy(), answered["day"].to_numpy()]),
        n,
    )
    dormant = (last_genuine == NEVER) | (last_genuine > DORMANT_DAYS)
    status = np.where(
        standing != OPEN, standing, np.where(dormant, "stale_inactive", "active")
    ).astype(object)

    need = _acts_latest(acts, (*NEEDS, Act.PRICING_VIEW), n)
    engaged = _acts_latest(acts, RESEARCH + NEEDS, n)
    refused = _acts_latest(acts, REFUSALS, n)
    tier = np.select(
        [
            (refused == NEVER) & _within(need, HIGH_INTENT_DAYS),
            (refused == NEVER) & _within(engaged, ENGAGED_DAYS),
        ],
        ["high", "medium"],
        default="low",
    )

    requested = _acts_latest(acts, DNC_REQUESTS, n) != NEVER
    registered = behaviour.registered_number >= 0
    dnc_reason = np.select(
        [requested & registered, requested, registered],
        ["request;register", "request", "register"],
        default="",
    )
    consent = behaviour.consent_valid()
    consent_state = np.select(
        [
            behaviour.consent_withdrawn_day >= 0,
            behaviour.consent_given_day < 0,
            behaviour.consent_expiry_day > 0,
        ],
        ["withdrawn", "never_given", "expired"],
        default="given",
    )
    person = calls["person"].to_numpy()
    day = calls["day"].to_numpy()
    today = np.bincount(person[day == 0], minlength=n)
    week = np.bincount(person[day <= 6], minlength=n)
    over_cap = (today >= DAILY_TOO_MANY) | (week >= WEEKLY_TOO_MANY)
    working = working_numbers(on_file, lives).any(axis=1)
    company = pop.people.company
    since = np.select(
        [
            status == "company_closed",
            status == "left_company",
            status == "company_relocated",
        ],
        [world.fate_day[company], world.leave_day, world.fate_day[company]],
        default=NEVER,
    )
    return pd.DataFrame(
        {
            "status": status,
            "coarse_status": pd.Series(status).map(COARSE_STATUS).to_numpy(),
            "status_since": since,
            "last_genuine": last_genuine,
            "explicit_need": need,
            "last_engaged": engaged,
            "refused": refused,
            "intent_tier": tier,
            "is_dnc": requested | registered,
            "dnc_reason": dnc_reason,
            "consent_valid": consent,
            "consent_state": consent_state,
            "calls_today": today,
            "calls_7d": week,
            "over_call_cap": over_cap,
            "working_number": working,
            "dialable": (status == "active")
            & working
            & ~(requested | registered)
            & consent
            & ~over_cap,
        }
    )


def _accounts(world: World) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "status": pd.Series(world.fate).map(ACCOUNT_STATUS).to_numpy(),
            "fate": world.fate_day,
        }
    )


def world_truth(
    pop: Population,
    world: World,
    on_file: OnFile,
    lives: Lives,
    behaviour: Behaviour,
    outreach: Outreach,
    standing: np.ndarray,
) -> Truth:
    """The truth about every real person and every company (ghost records are added by the
    writer: they are nobody, and their truth is just that)."""
    people = _people(pop, world, on_file, lives, behaviour, outreach, standing)
    return Truth(people=people, accounts=_accounts(world))

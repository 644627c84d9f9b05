"""When each phone number and mailbox stopped reaching its owner, and how.

- A leaver's direct line is cut, given to a stranger (callers get a wrong number) or re-routed to
  a former colleague (who says the person left) shortly after they leave; their work mailbox
  answers "user unknown" (5.1.1) a little later, while the domain keeps taking colleagues' mail.
  Their personal mobile and mailbox go on working.
- A moved company's old switchboard and the old direct lines of the people who moved with it are
  cut on the move day (they have new ones, see `world`).
- A closed company's lines are all cut and its domain dies (its mailboxes, role mailbox included,
  bounce "host unknown" / "no MX", 5.1.2 / 5.4.4) on the closing day.
- Independently, a few mobiles are disconnected or reassigned and a few personal mailboxes are
  abandoned; and some people lose every channel the CRM has for them (every number on their
  records dies, every mailbox on them is abandoned): nobody can reach them any more.

Days count back from `as_of`; NEVER means still working at `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from hygiene_pipeline.synthetic.columns import chance
from hygiene_pipeline.synthetic.on_file import OnFile
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import EmailKind
from hygiene_pipeline.synthetic.timeline import uniform_days
from hygiene_pipeline.synthetic.world import NEVER, Fate, World

MOBILE_DEATH_SHARE = 0.06
PERSONAL_MAILBOX_DEATH_SHARE = 0.04
UNREACHABLE_SHARE = 0.025  # people who lose every channel on file
DEATH_DAYS = (10, 900)
LEAVER_LINE_ENDS = (0.45, 0.25, 0.30)  # disconnected, reassigned, re-routed to a colleague


class LineEnd(IntEnum):
    """How a number stopped reaching its owner."""

    NONE = 0
    DISCONNECTED = 1
    REASSIGNED = 2  # a stranger has the number now
    COLLEAGUE = 3  # a former colleague answers the old direct line


class MailEnd(IntEnum):
    """How a mailbox stopped delivering."""

    NONE = 0
    USER_UNKNOWN = 1  # 5.1.1: the domain takes mail, the mailbox is gone
    DOMAIN_DEAD = 2  # 5.1.2 / 5.4.4: the domain itself is gone


@dataclass(frozen=True)
class Lives:
    """Death day and manner of every number (by number id) and mailbox (by person and kind)."""

    number_death: np.ndarray
    number_end: np.ndarray
    number_person: np.ndarray  # the owner of a personal number (direct line, mobile), else -1
    number_company: np.ndarray  # the company of a switchboard, else -1
    mailbox_death: np.ndarray  # (people, len(EmailKind))
    mailbox_end: np.ndarray

    def number_dead(self, number: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Had each number stopped reaching its owner before `day`? (-1: no number: False)"""
        number = np.asarray(number)
        known = number >= 0
        return known & (self.number_death[np.where(known, number, 0)] > day)

    def mailbox_dead(self, person: np.ndarray, kind: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Had each mailbox stopped delivering before `day`?"""
        return self.mailbox_death[person, kind] > day


def _owners(pop: Population, world: World) -> tuple[np.ndarray, np.ndarray]:
    """Per number id: the person owning it (personal numbers) or the company (switchboards)."""
    size = len(pop.numbers)
    person = np.full(size, -1)
    company = np.full(size, -1)
    for lines in (pop.people.direct, pop.people.mobile, world.moved_direct, world.new_direct):
        owned = np.flatnonzero(lines >= 0)
        person[lines[owned]] = owned
    for boards in (pop.companies.switchboard, world.new_switchboard):
        owned = np.flatnonzero(boards >= 0)
        company[boards[owned]] = owned
    return person, company


def _leaver_line_end(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.choice(
        (LineEnd.DISCONNECTED, LineEnd.REASSIGNED, LineEnd.COLLEAGUE), size=size, p=LEAVER_LINE_ENDS
    )


def _kill(
    death: np.ndarray, end: np.ndarray, where: np.ndarray, day: np.ndarray, how: np.ndarray
) -> None:
    """Set death day and manner at `where` unless the thing died earlier already."""
    where = np.asarray(where)
    earlier = death[where] >= day
    death[where] = np.where(earlier, death[where], day)
    end[where] = np.where(earlier, end[where], how)


def build_lives(rng: np.random.Generator, pop: Population, world: World, on_file: OnFile) -> Lives:
    """The death of every number and mailbox by `as_of`."""
    people = pop.people
    n = len(people)
    company = people.company
    fate, fate_day = world.fate, world.fate_day
    death = np.full(len(pop.numbers), NEVER)
    end = np.zeros(len(pop.numbers), dtype=np.int64)
    owner, board_of = _owners(pop, world)

    def cut(count: int) -> np.ndarray:
        return np.full(count, LineEnd.DISCONNECTED)

    gone = np.flatnonzero(fate != Fate.NONE)
    _kill(death, end, pop.companies.switchboard[gone], fate_day[gone], cut(len(gone)))

    leave = world.leave_day
    left_line_day = np.maximum(leave - uniform_days(rng, 0, 20, n), 10)
    ends = _leaver_line_end(rng, n)
    move_day = np.where(fate[company] == Fate.MOVED, fate_day[company], NEVER)
    # The first direct line: cut at the move (if still there), at closure, or when they left.
    direct = np.flatnonzero(people.direct >= 0)
    lines = people.direct[direct]
    there_at_move = (move_day[direct] >= 0) & ~(leave[direct] > move_day[direct])
    _kill(
        death, end, lines[there_at_move], move_day[direct][there_at_move], cut(there_at_move.sum())
    )
    left = leave[direct] >= 0
    _kill(death, end, lines[left], left_line_day[direct][left], ends[direct][left])
    closed = fate[company[direct]] == Fate.CLOSED
    _kill(death, end, lines[closed], fate_day[company[direct]][closed], cut(closed.sum()))
    # The direct line after a move dies when its owner leaves later.
    after = np.flatnonzero((world.moved_direct >= 0) & (leave >= 0))
    _kill(death, end, world.moved_direct[after], left_line_day[after], ends[after])

    mobile = np.flatnonzero((people.mobile >= 0) & chance(rng, n, MOBILE_DEATH_SHARE))
    how = np.where(chance(rng, len(mobile), 0.55), LineEnd.REASSIGNED, LineEnd.DISCONNECTED)
    _kill(death, end, people.mobile[mobile], uniform_days(rng, *DEATH_DAYS, len(mobile)), how)

    kinds = len(EmailKind)
    mail_death = np.full((n, kinds), NEVER)
    mail_end = np.zeros((n, kinds), dtype=np.int64)
    leavers = np.flatnonzero(leave >= 0)
    mail_day = np.maximum(leave[leavers] - uniform_days(rng, 0, 45, len(leavers)), 5)
    mail_death[leavers, EmailKind.WORK] = mail_day
    mail_end[leavers, EmailKind.WORK] = MailEnd.USER_UNKNOWN
    shut = np.flatnonzero(fate[company] == Fate.CLOSED)
    for kind in (EmailKind.WORK, EmailKind.ROLE):
        dead_domain = np.full(len(shut), MailEnd.DOMAIN_DEAD)
        # Column views: _kill writes through them.
        _kill(mail_death[:, kind], mail_end[:, kind], shut, fate_day[company[shut]], dead_domain)
    abandoned = np.flatnonzero(chance(rng, n, PERSONAL_MAILBOX_DEATH_SHARE))
    mail_death[abandoned, EmailKind.PERSONAL] = uniform_days(rng, *DEATH_DAYS, len(abandoned))
    mail_end[abandoned, EmailKind.PERSONAL] = MailEnd.USER_UNKNOWN

    _unreachable(rng, world, company, on_file, board_of, (death, end), (mail_death, mail_end))
    return Lives(death, end, owner, board_of, mail_death, mail_end)


def _unreachable(
    rng: np.random.Generator,
    world: World,
    company: np.ndarray,
    on_file: OnFile,
    board_of: np.ndarray,
    numbers: tuple[np.ndarray, np.ndarray],
    mailboxes: tuple[np.ndarray, np.ndarray],
) -> None:
    """Kill every channel on file of a few people at going companies who did not leave and whose
    records show only their own numbers and personal mailbox (no switchboard, no role or work
    mailbox: those would still reach them)."""
    n = len(company)
    slots = on_file.number
    has_board = ((slots >= 0) & (board_of[np.maximum(slots, 0)] >= 0)).any(axis=1)
    mail = on_file.mailbox
    reachable = (slots >= 0).any(axis=1) | mail[:, EmailKind.PERSONAL]
    eligible = np.flatnonzero(
        (world.fate[company] == Fate.NONE)
        & (world.leave_day == NEVER)
        & ~has_board
        & ~mail[:, EmailKind.ROLE]
        & ~mail[:, EmailKind.WORK]
        & ~mail[:, EmailKind.NEW_WORK]
        & reachable
    )
    count = min(len(eligible), round(UNREACHABLE_SHARE * n))
    chosen = np.sort(rng.choice(eligible, size=count, replace=False))
    death, end = numbers
    rows, cols = np.nonzero(slots[chosen] >= 0)
    lines = slots[chosen][rows, cols]
    how = np.where(chance(rng, len(lines), 0.6), LineEnd.DISCONNECTED, LineEnd.REASSIGNED)
    _kill(death, end, lines, uniform_days(rng, 20, 700, len(lines)), how)
    mail_death, mail_end = mailboxes
    owned = chosen[mail[chosen, EmailKind.PERSONAL]]
    _kill(
        mail_death[:, EmailKind.PERSONAL],
        mail_end[:, EmailKind.PERSONAL],
        owned,
        uniform_days(rng, 20, 700, len(owned)),
        np.full(len(owned), MailEnd.USER_UNKNOWN),
    )

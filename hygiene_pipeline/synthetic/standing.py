"""Where each person stands at `as_of`, as far as it needs no interaction history: their
company closed, they left the company the CRM shows, their company moved and no record has the
new address or number, or nothing on file reaches them any more. A job changer whose new
employer the CRM shows (a new record) carries on there: their standing is their new company's,
and the departure belongs to the old account. The rest are active or dormant
depending on when they last genuinely interacted (`truth`).
"""

from __future__ import annotations

import numpy as np

from hygiene_pipeline.synthetic.lives import Lives
from hygiene_pipeline.synthetic.on_file import OnFile
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import EmailKind, Records
from hygiene_pipeline.synthetic.world import Fate, World

OPEN = ""  # decided by interaction history: active or stale_inactive


def working_numbers(on_file: OnFile, lives: Lives) -> np.ndarray:
    """(people, slots) mask: numbers on file still working at `as_of`."""
    numbers = on_file.number
    return (numbers >= 0) & ~(lives.number_death[np.maximum(numbers, 0)] > 0)


def working_mailboxes(on_file: OnFile, lives: Lives) -> np.ndarray:
    """(people, len(EmailKind)) mask: mailboxes on file still delivering at `as_of`."""
    mailbox = on_file.mailbox.copy()
    mailbox[:, EmailKind.NONE] = False
    return mailbox & ~(lives.mailbox_death > 0)


def standing(
    pop: Population, world: World, records: Records, on_file: OnFile, lives: Lives
) -> np.ndarray:
    """Per person: company_closed, left_company, company_relocated, invalid_contact (the first
    that holds), else OPEN."""
    n = len(pop.people)
    changed_job = world.new_company >= 0
    employer = np.where(changed_job, world.new_company, pop.people.company)
    fate = world.fate[employer]
    real = records.person >= 0
    updated = np.bincount(records.person[real & records.moved_update], minlength=n) > 0
    reachable = working_numbers(on_file, lives).any(axis=1) | working_mailboxes(on_file, lives).any(
        axis=1
    )
    return np.select(
        [
            fate == Fate.CLOSED,
            (world.leave_day >= 0) & ~changed_job,
            (fate == Fate.MOVED) & ~updated,
            ~reachable,
        ],
        ["company_closed", "left_company", "company_relocated", "invalid_contact"],
        default=OPEN,
    ).astype(object)

"""What the CRM lets anyone reach each person by: the phone numbers and the validly written
mailboxes on their records, and since when (the oldest record showing each; a move update shows
its new number from the update on). Dialers dial and marketing mails only what is on file, and a
call logged without a contact id can only be traced to a person through a number on file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hygiene_pipeline.synthetic.records import EmailKind, Records

OWN_MAILBOXES = (EmailKind.WORK, EmailKind.PERSONAL, EmailKind.NEW_WORK)  # a person's own


@dataclass(frozen=True)
class OnFile:
    """Per person (rows) the numbers and mailboxes their records show."""

    number: np.ndarray  # (people, slots) number ids, -1 padding
    number_since: np.ndarray  # (people, slots) day the first record showing it existed
    mailbox: np.ndarray  # (people, len(EmailKind)) a valid address of that kind on a record
    mailbox_since: np.ndarray  # (people, len(EmailKind))

    def numbers_by(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """(rows, slots) mask: the number was on a record of `person` by `day`."""
        day = np.asarray(day)[:, None]
        return (self.number[person] >= 0) & (self.number_since[person] >= day)

    def mailboxes_by(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """(rows, len(EmailKind)) mask: the mailbox was on a record of `person` by `day`."""
        day = np.asarray(day)[:, None]
        return self.mailbox[person] & (self.mailbox_since[person] >= day)


def build_on_file(records: Records, people: int) -> OnFile:
    """Numbers and mailboxes on each person's records (ghost records are nobody's)."""
    real = records.person >= 0
    phone_since = np.where(records.moved_update, records.update_day, records.created_day)
    person = np.concatenate([records.person[real], records.person[real]])
    number = np.concatenate([records.phone_number[real], records.mobile_number[real]])
    since = np.concatenate([phone_since[real], records.created_day[real]])
    keep = number >= 0
    person, number, since = person[keep], number[keep], since[keep]
    order = np.lexsort((-since, number, person))
    person, number, since = person[order], number[order], since[order]
    first = np.ones(len(person), dtype=bool)
    first[1:] = (person[1:] != person[:-1]) | (number[1:] != number[:-1])
    person, number, since = person[first], number[first], since[first]
    slot = np.arange(len(person)) - np.searchsorted(person, person, side="left")
    slots = int(slot.max(initial=-1)) + 1
    numbers = np.full((people, max(slots, 1)), -1)
    numbers_since = np.full((people, max(slots, 1)), -1)
    numbers[person, slot] = number
    numbers_since[person, slot] = since

    kinds = len(EmailKind)
    mailbox = np.zeros((people, kinds), dtype=bool)
    mailbox_since = np.full((people, kinds), -1)
    valid = real & records.email_valid
    owner, kind = records.person[valid], records.email_kind[valid]
    mailbox[owner, kind] = True
    np.maximum.at(mailbox_since, (owner, kind), records.created_day[valid])
    return OnFile(numbers, numbers_since, mailbox, mailbox_since)

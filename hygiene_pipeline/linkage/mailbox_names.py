"""A missing first or last name read from the record's own mailbox, for linkage only.

`remy.blondel@kestrelview.fr` on a record that only has the surname Blondel says the first name
is Remy; `rfan@summitshore.cn` with the surname Fan gives the initial R. A mailbox is read only
when it is personal (not a role mailbox) and one of its parts is the name the record does have,
so the part left over can only be the other name. Compared with what other records hold, the
filled name turns "no first name" from no evidence into agreement or disagreement: the
namesakes sharing a surname at one company come apart, the one person comes together.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_SEPARATORS = re.compile(r"[._\-+]+")
_TRAILING_DIGITS = re.compile(r"\d+$")


def _other_name(local: str, known: str, known_is_last: bool) -> str | None:
    """The part of mailbox `local` that is not the `known` name, or None when it cannot tell."""
    local = _TRAILING_DIGITS.sub("", local)
    parts = [p for p in _SEPARATORS.split(local) if p]
    if not all(p.isalpha() for p in parts):
        return None
    shortest = 1 if known_is_last else 2  # a first name may be an initial, a surname may not
    if len(parts) == 2 and known in parts and parts[0] != parts[1]:
        rest = parts[1] if parts[0] == known else parts[0]
        return rest if len(rest) >= shortest else None
    if len(parts) != 1:
        return None
    word = parts[0]
    # first name + surname (remyblondel, rfan), surname + first name (blondelremy), or a first
    # name + the surname's initial (susanf)
    for rest in (
        word[: -len(known)] if word.endswith(known) else "",
        word[len(known) :] if word.startswith(known) else "",
        word[:-1] if known_is_last and word.endswith(known[0]) and len(word) > 3 else "",
    ):
        if len(rest) >= shortest:
            return rest
    return None


def names_from_mailboxes(
    first: pd.Series, last: pd.Series, email_key: pd.Series, is_role: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """`first` and `last` with a missing one filled from the personal mailbox where it can be
    read (see the module docstring); every other value is returned as it was."""
    first_missing = first.isna() | first.eq("")
    last_missing = last.isna() | last.eq("")
    personal = email_key.notna() & ~is_role.fillna(False).astype(bool)
    usable = personal & (first_missing ^ last_missing)
    rows = np.flatnonzero(usable.to_numpy())
    if not rows.size:
        return first, last
    filled = {True: first.to_numpy(dtype=object).copy(), False: last.to_numpy(dtype=object).copy()}
    local = email_key.iloc[rows].astype(str).str.split("@").str[0].to_numpy()
    fill_first = first_missing.iloc[rows].to_numpy()
    known = np.where(fill_first, filled[False][rows], filled[True][rows])
    found: dict[tuple[str, str, bool], str | None] = {}
    for row, mailbox, name, is_first in zip(rows, local, known, fill_first.tolist(), strict=True):
        key = (mailbox, str(name), is_first)
        if key not in found:
            found[key] = _other_name(mailbox, str(name), known_is_last=is_first)
        if found[key]:
            filled[is_first][row] = found[key]
    return (
        pd.Series(filled[True], index=first.index, name=first.name),
        pd.Series(filled[False], index=last.index, name=last.name),
    )

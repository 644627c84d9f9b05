"""First-name variants that string similarity misses: nicknames and initials.

Two names are nickname variants when one is a formal name of the other (`bob` -> `robert`) or
both are nicknames of the same formal name (`bob`, `robby`), by the curated table of the
`nicknames` package; looked up once per distinct name and once per distinct pair of names.
An initial (`c`) is a variant of every name starting with that letter.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from nicknames import NickNamer


@cache
def _nick_namer() -> NickNamer:
    return NickNamer()


def _forms(name: object) -> frozenset[str]:
    """The name and its formal names, lower case; empty for a name the table does not know."""
    text = str(name).strip().lower()
    formal = _nick_namer().canonicals_of(text)
    return frozenset(formal | {text}) if formal or _nick_namer().nicknames_of(text) else frozenset()


def nickname_pairs(vocabulary: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """True where the names behind the codes are different but nickname variants of each other."""
    result = np.zeros(left.shape, dtype=bool)
    candidates = np.flatnonzero((left >= 0) & (right >= 0) & (left != right))
    if not candidates.size:
        return result
    forms = [_forms(value) for value in vocabulary]
    known = np.array([bool(f) for f in forms], dtype=bool)
    candidates = candidates[known[left[candidates]] & known[right[candidates]]]
    width = len(vocabulary)
    inverse, combos = pd.factorize(left[candidates].astype(np.int64) * width + right[candidates])
    verdict = np.array(
        [bool(forms[c // width] & forms[c % width]) for c in combos.tolist()], dtype=bool
    )
    result[candidates] = verdict[inverse] if len(combos) else False
    return result


def initial_pairs(vocabulary: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """True where one name is a single letter that starts the other (C. and Claire)."""
    text = pd.Series(vocabulary, dtype=object).astype(str).str.strip().str.lower()
    is_initial = (text.str.len() == 1).to_numpy()
    first_letter = text.str[:1].to_numpy(dtype=object)
    present = (left >= 0) & (right >= 0)
    a, b = np.where(present, left, 0), np.where(present, right, 0)
    return present & (is_initial[a] | is_initial[b]) & (first_letter[a] == first_letter[b])

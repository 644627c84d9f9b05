"""Name variants that string similarity misses: nicknames, initials and short-name typos.

Two names are nickname variants when one is a formal name of the other (`bob` -> `robert`) or
both are nicknames of the same formal name (`bob`, `robby`), by the curated table of the
`nicknames` package. An initial (`c`) is a variant of every name starting with that letter.
Typo variants start with the same letter and are one edit apart (`jia`, `jua`), or one is the
other with letters dropped (`dg`, `dong`; `lu`, `liu`): on names of two to four letters a
Jaro-Winkler similarity cannot tell these from different names. Tables are built once per
vocabulary and looked up per distinct pair of names, never per record pair.
"""

from __future__ import annotations

from functools import cache, cached_property

import numpy as np
import pandas as pd
from nicknames import NickNamer
from rapidfuzz.distance import OSA


@cache
def _nick_namer() -> NickNamer:
    return NickNamer()


def _forms(name: str) -> frozenset[str]:
    """The name and its formal names, lower case; empty for a name the table does not know."""
    text = name.strip().lower()
    namer = _nick_namer()
    formal = namer.canonicals_of(text)
    return frozenset(formal | {text}) if formal or namer.nicknames_of(text) else frozenset()


def _dropped_letters(short: str, long: str) -> bool:
    """`short` is `long` with some letters left out, in order (`dg` in `dong`)."""
    rest = iter(long)
    return all(letter in rest for letter in short)


def _typo_variants(a: str, b: str) -> bool:
    """Same first letter, and one edit apart or one a shortening of the other (2+ letters)."""
    a, b = a.strip().lower(), b.strip().lower()
    if not a or not b or a[0] != b[0] or a == b:
        return False
    short, long = sorted((a, b), key=len)
    if len(short) >= 2 and _dropped_letters(short, long):
        return True
    return len(short) >= 3 and OSA.distance(a, b) <= 1


class NameVariants:
    """Nickname and initial look-ups over one vocabulary of names (codes index `texts`)."""

    def __init__(self, texts: np.ndarray) -> None:
        self.texts = texts
        self._known: dict[int, frozenset[str]] = {}

    def _forms_of(self, codes: np.ndarray) -> dict[int, frozenset[str]]:
        """Nickname forms of the given codes, looked up once per code over the object's life."""
        for code in codes.tolist():
            if code not in self._known:
                self._known[code] = _forms(self.texts[code])
        return self._known

    @cached_property
    def _initials(self) -> tuple[np.ndarray, np.ndarray]:
        text = pd.Series(self.texts, dtype=object).str.strip().str.lower()
        return (text.str.len() == 1).to_numpy(), text.str[:1].to_numpy(dtype=object)

    def nicknames(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """True where the two names differ but are nickname variants of each other."""
        result = np.zeros(left.shape, dtype=bool)
        candidates = np.flatnonzero((left >= 0) & (right >= 0) & (left != right))
        if not candidates.size:
            return result
        codes = np.unique(np.concatenate([left[candidates], right[candidates]]))
        forms = self._forms_of(codes)
        known = np.zeros(len(self.texts), dtype=bool)
        known[codes] = [bool(forms[code]) for code in codes.tolist()]
        candidates = candidates[known[left[candidates]] & known[right[candidates]]]
        width = len(self.texts)
        inverse, combos = pd.factorize(
            left[candidates].astype(np.int64) * width + right[candidates]
        )
        verdict = np.array(
            [bool(forms[c // width] & forms[c % width]) for c in combos.tolist()], dtype=bool
        )
        result[candidates] = verdict[inverse]
        return result

    def initials(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """True where one name is a single letter that starts the other (C. and Claire)."""
        is_initial, first_letter = self._initials
        present = (left >= 0) & (right >= 0)
        a, b = np.where(present, left, 0), np.where(present, right, 0)
        return present & (is_initial[a] | is_initial[b]) & (first_letter[a] == first_letter[b])

    def typos(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """True where the two names are typo variants (see the module docstring). Only names
        that start with the same letter are compared in Python: most disagreeing pairs do not."""
        result = np.zeros(left.shape, dtype=bool)
        candidates = np.flatnonzero((left >= 0) & (right >= 0) & (left != right))
        _, first_letter = self._initials
        candidates = candidates[first_letter[left[candidates]] == first_letter[right[candidates]]]
        if not candidates.size:
            return result
        width = len(self.texts)
        inverse, combos = pd.factorize(
            left[candidates].astype(np.int64) * width + right[candidates]
        )
        texts = self.texts
        verdict = np.array(
            [_typo_variants(texts[c // width], texts[c % width]) for c in combos.tolist()],
            dtype=bool,
        )
        result[candidates] = verdict[inverse]
        return result

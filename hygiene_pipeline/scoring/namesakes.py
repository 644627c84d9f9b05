"""Whether two people of one account may be the same person, by their names.

A person split across two entities must not be called on one half after refusing on the other,
but colleagues who only share a surname are different people: holding every Smith of an account
because one Smith refused keeps callable people off the list. Two names may be one person's when
at least one part is on both and agrees, and no part disagrees:
- first names agree when equal or variants as linkage reads them (`linkage.name_variants`: a
  nickname, an initial, a typo);
- surnames agree when equal or one typo apart on four letters or more (`turber`, `turner`):
  shorter surnames (`li`, `liu`, `lin`) are different names, not typos;
- names are compared in pinyin when one is written in Han characters, and a part that none of a
  person's records has agrees with anything (nothing tells them apart).

On a number that someone who refused also carries, full names nearly alike, in either order,
may be theirs too (`may_be_one_person`): a typo in each part is how a split person keeping one
desk line looks.

The same comparison tells when records that carry one number cannot be one person's: a wrong
merge makes a company line look like a direct line (`names_conflict`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from hygiene_pipeline.linkage.name_variants import NameVariants
from hygiene_pipeline.linkage.romanise import romanised

SURNAME_TYPO_LETTERS = 4
ONE_LINE_NAME_SIMILARITY = 0.9
"""How alike (`rapidfuzz` ratio) two full names on one number must be for one to be taken for
someone who refused there: `amanda gooud` and `amanda gould` are 0.92 alike."""


def names_agree(
    first: pd.Series, other_first: pd.Series, last: pd.Series, other_last: pd.Series
) -> np.ndarray:
    """Per row: the two people's (first name, surname) may be one person's."""
    first_same, first_known = _compare(first, other_first, surname=False)
    last_same, last_known = _compare(last, other_last, surname=True)
    agree_first = first_same | ~first_known
    agree_last = last_same | ~last_known
    return agree_first & agree_last & ((first_known & first_same) | (last_known & last_same))


def may_be_one_person(
    first: pd.Series, other_first: pd.Series, last: pd.Series, other_last: pd.Series
) -> np.ndarray:
    """Per row: names of two people on one number, one of whom refused, that may be one
    person's: both parts on both, and they agree (`names_agree`: Mandy and Amanda Gould) or
    the full names, in pinyin where written in Han characters, are at least
    `ONE_LINE_NAME_SIMILARITY` alike in either order: a typo in each part (`Amanda Gooud`,
    `Amanda Gould`), a name written the other way round and misspelt (`Go Ning`, 高宁).
    Colleagues on one switchboard seldom have names that close; a missing part, which
    `names_agree` lets agree with anything, would hold every Yang behind a company's switchboard.
    """

    def spelled(names: pd.Series) -> pd.Series:
        return romanised(names.astype(object).str.lower())

    full = spelled(first).str.cat(spelled(last), sep=" ")
    straight = spelled(other_first).str.cat(spelled(other_last), sep=" ")
    crossed = spelled(other_last).str.cat(spelled(other_first), sep=" ")
    known = (full.notna() & straight.notna()).to_numpy()
    alike = np.zeros(len(full), dtype=bool)
    if known.any():
        names = full[known].tolist()
        alike[known] = (
            np.maximum(
                cpdist(names, straight[known].tolist(), scorer=fuzz.ratio),
                cpdist(names, crossed[known].tolist(), scorer=fuzz.ratio),
            )
            >= ONE_LINE_NAME_SIMILARITY * 100
        )
    return known & (names_agree(first, other_first, last, other_last) | alike)


def names_conflict(
    first: pd.Series, other_first: pd.Series, last: pd.Series, other_last: pd.Series
) -> np.ndarray:
    """Per row: the two records' names cannot be one person's, in either order (`Wang Yu` and
    `Yu Wang` are one name written both ways): a part on both that disagrees."""

    def disagree(a: pd.Series, b: pd.Series, c: pd.Series, d: pd.Series) -> np.ndarray:
        first_same, first_known = _compare(a, b, surname=False)
        last_same, last_known = _compare(c, d, surname=True)
        return (first_known & ~first_same) | (last_known & ~last_same)

    straight = disagree(first, other_first, last, other_last)
    return straight & disagree(first, other_last, last, other_first)


def _compare(left: pd.Series, right: pd.Series, *, surname: bool) -> tuple[np.ndarray, np.ndarray]:
    """(same, known): the names agree as one person's; both names are present."""
    known = (left.notna() & right.notna()).to_numpy()
    spelled = romanised(pd.concat([left, right], ignore_index=True).str.lower())
    codes, texts = pd.factorize(spelled)
    if not len(texts):
        return np.zeros(len(left), dtype=bool), known
    a, b = codes[: len(left)], codes[len(left) :]
    texts = np.asarray(texts, dtype=object)
    variants = NameVariants(texts)
    same = (a == b) & known
    if surname:
        long = pd.Series(texts).str.len().to_numpy() >= SURNAME_TYPO_LETTERS
        longer = known & long[np.maximum(a, 0)] & long[np.maximum(b, 0)]
        return same | (variants.typos(a, b) & longer), known
    return same | variants.nicknames(a, b) | variants.initials(a, b) | variants.typos(a, b), known

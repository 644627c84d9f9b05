"""Whether two people of one account with one surname may be the same person, by first name.

A person split across two entities must not be called on one half after refusing on the other,
but colleagues who only share a surname are different people: holding every Smith of an account
because one Smith refused keeps callable people off the list. First names agree when they are
equal or variants as linkage reads them (`linkage.name_variants`: a nickname, an initial, a
typo), compared in pinyin when one is written in Han characters; a person with no first name on
any record agrees with everyone (nothing tells them apart).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.linkage.name_variants import NameVariants
from hygiene_pipeline.linkage.romanise import romanised


def first_names_agree(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Per row: the two normalised first names may be one person's (missing agrees)."""
    missing = (left.isna() | right.isna()).to_numpy()
    spelled = romanised(pd.concat([left, right], ignore_index=True).str.lower())
    codes, texts = pd.factorize(spelled)
    a, b = codes[: len(left)], codes[len(left) :]
    variants = NameVariants(np.asarray(texts, dtype=object))
    return (
        missing
        | (a == b)
        | variants.nicknames(a, b)
        | variants.initials(a, b)
        | variants.typos(a, b)
    )

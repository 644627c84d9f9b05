"""Whether two people of one account may be the same person, by their names.

A person split across two entities must not be called on one half after refusing on the other,
but colleagues who only share a surname are different people: holding every Smith of an account
because one Smith refused keeps callable people off the list. Names agree when they are equal
or variants as linkage reads them (`linkage.name_variants`: a nickname, an initial, a typo such
as `turber` for `turner`), compared in pinyin when one is written in Han characters; a part
that none of a person's records has agrees with anything (nothing tells them apart).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.linkage.name_variants import NameVariants
from hygiene_pipeline.linkage.romanise import romanised


def names_agree(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Per row: the two normalised names (first names, or surnames) may be one person's
    (a missing one agrees)."""
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

"""Writing systems of values, so strings in different scripts are not compared letter by letter.

王伟 and Wang Wei are the same name, yet share no letter: their edit-distance similarity says
nothing, so such a pair is treated as missing rather than as a disagreement.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd


def _script(text: str) -> str:
    """The script of the first letter (`LATIN`, `CJK`, `CYRILLIC`, ...); '' when none."""
    for character in text:
        if character.isalpha():
            return unicodedata.name(character, "").split(" ")[0]
    return ""


def script_codes(vocabulary: np.ndarray) -> np.ndarray:
    """An integer per value naming its script; values without letters share code 0."""
    names = pd.Series([_script(str(v)) for v in vocabulary], dtype=object)
    codes, _ = pd.factorize(pd.concat([pd.Series([""]), names], ignore_index=True))
    return codes[1:].astype(np.int32)

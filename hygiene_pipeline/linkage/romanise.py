"""Chinese names written in characters, romanised to pinyin for linkage.

A CRM holds 谭萍 on one record and Ping Tan on another: different scripts share no letter, so
without a common spelling the two never meet in a block and never agree in a comparison. Names
in Han characters are written in toneless pinyin (`pypinyin`), syllables joined as CRMs write
them (秀芳 -> xiufang); every other value is kept. Each distinct value is romanised once.
"""

from __future__ import annotations

import re

import pandas as pd
from pypinyin import lazy_pinyin

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower() if _HAN.search(text) else text


def romanised(names: pd.Series) -> pd.Series:
    """`names` with every value holding Han characters written in pinyin; unchanged when none
    does. Only the distinct values are searched for Han characters (as `map_distinct` would, but
    a column without any is handed back as it came, and missing values stay as they were)."""
    codes, distinct = pd.factorize(names)
    text = pd.Series(distinct, dtype=object).astype(str)
    han = text.str.contains(_HAN).to_numpy(dtype=bool)
    if not han.any():
        return names
    spelled = text.to_numpy(dtype=object)
    spelled[han] = [_pinyin(value) for value in spelled[han]]
    out = names.to_numpy(dtype=object, copy=True)
    present = codes >= 0
    out[present] = spelled[codes[present]]
    return pd.Series(out, index=names.index, dtype="object", name=names.name)

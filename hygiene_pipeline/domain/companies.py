"""Company names: a display form and a `company_key` that ignores legal form, case and accents.

`Acme Inc.`, `ACME, Incorporated` and `Acme GmbH` share the key `acme`. The legal forms are data
(`mappings/legal_suffixes.yaml`, many countries); they are normalised exactly like the names and
removed with one regular expression per column of distinct values.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from hygiene_pipeline.domain.column_ops import clean_text, fold_accents, map_distinct
from hygiene_pipeline.domain.mappings import load_mapping

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _key_text(values: pd.Series) -> pd.Series:
    """Accent-free lower case; `&` reads `and`; dots and apostrophes vanish; other punctuation
    separates words."""
    text = fold_accents(values.astype(str)).str.replace("&", " and ", regex=False)
    text = text.str.replace(r"[.'’`]", "", regex=True).str.replace(r"[^\w\s]|_", " ", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def _alternation(forms: list[str]) -> tuple[str, str]:
    """Regex alternations of the normalised forms: (words needing a space boundary, CJK forms)."""
    keys = sorted(set(_key_text(pd.Series(forms, dtype="object"))), key=len, reverse=True)
    latin = "|".join(re.escape(k) for k in keys if k and not _CJK.search(k))
    cjk = "|".join(re.escape(k) for k in keys if k and _CJK.search(k))
    return latin, cjk


@lru_cache(maxsize=1)
def legal_form_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled (suffix, prefix) patterns built from `legal_suffixes.yaml`."""
    data = load_mapping("legal_suffixes.yaml")
    suffix_latin, suffix_cjk = _alternation(
        [f for forms in data["suffixes"].values() for f in forms]
    )
    prefix_latin, prefix_cjk = _alternation(
        [f for forms in data["prefixes"].values() for f in forms]
    )
    suffix = re.compile(rf"(?:\s+(?:{suffix_latin})|\s*(?:{suffix_cjk}))+$")
    prefix = re.compile(rf"^(?:(?:{prefix_latin})\s+|(?:{prefix_cjk})\s*)+")
    return suffix, prefix


def company_keys(values: pd.Series) -> pd.Series:
    """Matching key per company name; a name that is nothing but a legal form keeps it."""
    suffix, prefix = legal_form_patterns()

    def key(distinct: pd.Series) -> pd.Series:
        text = _key_text(distinct)
        stripped = text.str.replace(suffix, "", regex=True).str.replace(prefix, "", regex=True)
        stripped = stripped.str.strip()
        result = stripped.where(stripped.str.len() > 0, text)
        return result.where(result.str.len() > 0, None)

    return map_distinct(values, key)


def standardise_companies(values: pd.Series) -> pd.DataFrame:
    """`company` (display form, whitespace collapsed) and `company_key`."""
    company = clean_text(values)
    return pd.DataFrame(
        {"company": company, "company_key": company_keys(company)}, index=values.index
    )

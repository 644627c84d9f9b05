"""Country values to ISO 3166-1 alpha-2, using `pycountry` and its translations.

Recognised: alpha-2 and alpha-3 codes, English short, official and common names (`pycountry`),
the same names in the languages of `NAME_LANGUAGES` (`Deutschland`, `中国`, `Royaume-Uni`), and a
few everyday aliases pycountry does not carry (`UK`, `England`, `Korea`, `UAE`). Lookups
ignore case, accents, spaces, punctuation and a leading "the". Unknown values become None.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pandas as pd
import pycountry

from hygiene_pipeline.domain.column_ops import fold_accents, map_distinct

NAME_LANGUAGES: tuple[str, ...] = (
    "de", "fr", "es", "it", "nl", "pt", "pt_BR", "sv", "da", "nb_NO", "fi", "pl", "cs", "hu",
    "ro", "el", "ru", "uk", "tr", "ar", "he", "zh_CN", "zh_TW", "zh_HK", "ja", "ko",
)  # fmt: skip
"""Languages whose pycountry translations of country names are accepted."""

COUNTRY_ALIASES: dict[str, str] = {
    "UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB", "England": "GB",
    "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB", "America": "US",
    "Korea": "KR", "Turkey": "TR", "Ivory Coast": "CI", "Cape Verde": "CV", "UAE": "AE",
    "DRC": "CD", "Россия": "RU", "Nippon": "JP", "日本国": "JP", "한국": "KR",
}  # fmt: skip
"""Everyday names that are not ISO names (local endonyms are also covered by translations)."""


def _lookup_key(values: pd.Series) -> pd.Series:
    """Accent-free lower case without a leading "the", spaces or punctuation."""
    text = fold_accents(values.astype(str)).str.strip().str.replace(r"^the\s+", "", regex=True)
    return text.str.replace(r"[\W_]+", "", regex=True)


def _names(country: object) -> list[str]:
    names = [getattr(country, a, None) for a in ("name", "official_name", "common_name")]
    return [n for n in names if n]


@lru_cache(maxsize=1)
def country_lookup() -> dict[str, str]:
    """Normalised name or code -> alpha-2; earlier sources win over later ones."""
    entries: list[tuple[str, str]] = []
    countries = list(pycountry.countries)
    for country in countries:
        entries += [(country.alpha_2, country.alpha_2), (country.alpha_3, country.alpha_2)]
        entries += [(name, country.alpha_2) for name in _names(country)]
    entries += list(COUNTRY_ALIASES.items())
    for language in NAME_LANGUAGES:
        translate = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        ).gettext
        entries += [(translate(n), c.alpha_2) for c in countries for n in _names(c)]
    # "Bolivia, Plurinational State of" -> "Bolivia", only where that short form is unambiguous.
    short_forms = pd.Series([n.split(",")[0] for n, _ in entries if "," in n])
    short_targets = {n.split(",")[0]: code for n, code in entries if "," in n}
    unique_short = short_forms.drop_duplicates(keep=False)
    entries += [(name, short_targets[name]) for name in unique_short]
    keys = _lookup_key(pd.Series([name for name, _ in entries], dtype="object"))
    lookup: dict[str, str] = {}
    for key, (_, code) in zip(keys, entries, strict=True):
        lookup.setdefault(key, code)
    return lookup


def to_iso2(values: pd.Series) -> pd.Series:
    """ISO-2 upper-case code per value, or None when the value names no known country."""
    lookup = country_lookup()
    return map_distinct(values, lambda d: _lookup_key(d).map(lookup))

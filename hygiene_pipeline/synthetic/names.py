"""Given and family names per country, with realistic frequencies.

Western names come from Faker's locale tables (en_US, en_GB, de_DE, fr_FR; US names carry
census-like weights, so namesakes occur as often as they do in real CRMs). Chinese names come
from Faker's zh_CN tables in characters and are romanised with pypinyin, so a person can appear
as 王伟 in one system and as Wei Wang in another. Only names that Latin-1 can encode are kept
for the Western countries, because one landing file is written in Latin-1.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
from faker.providers.person import de_DE, en_GB, en_US, fr_FR, zh_CN
from pypinyin import lazy_pinyin

# Surnames whose reading as a surname differs from the common reading of the character.
_AMBIGUOUS_SURNAMES = frozenset("曾单解仇区查朴盖乐覃缪尉召翟")
_CHINESE_SURNAMES = 100


@dataclass(frozen=True)
class NamePool:
    """Names of one country: display (Latin) forms, local-script forms and draw weights."""

    given: tuple[pa.Array, pa.Array]  # (female, male) Latin forms
    given_local: tuple[pa.Array, pa.Array]  # same order, local script (= Latin outside CN)
    given_weights: tuple[np.ndarray, np.ndarray]
    family: pa.Array
    family_local: pa.Array
    family_weights: np.ndarray


def _table(names: object) -> tuple[list[str], np.ndarray]:
    """Names and weights from a Faker table (an OrderedDict of weights, or a plain sequence)."""
    if isinstance(names, dict):
        items = [(str(k), float(v)) for k, v in names.items()]
    else:
        items = [(str(n), 1.0) for n in names]
    kept = [
        (n, w)
        for n, w in items
        if _latin1(n) and n.replace("-", "").replace("'", "").replace(" ", "").isalpha()
    ]
    merged: dict[str, float] = {}
    for name, weight in kept:
        merged[name] = merged.get(name, 0.0) + weight
    return list(merged), np.array(list(merged.values()))


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _western(provider: type) -> NamePool:
    female, female_w = _table(provider.first_names_female)
    male, male_w = _table(provider.first_names_male)
    family, family_w = _table(provider.last_names)
    given = (pa.array(female), pa.array(male))
    return NamePool(given, given, (female_w, male_w), pa.array(family), pa.array(family), family_w)


def romanise(chinese: str) -> str:
    """Hanyu pinyin without tones, one capitalised word: 秀英 -> Xiuying."""
    return "".join(lazy_pinyin(chinese)).capitalize()


def _chinese() -> NamePool:
    provider = zh_CN.Provider
    surnames = [
        (name, weight)
        for name, weight in provider.last_names.items()
        if len(name) == 1 and name not in _AMBIGUOUS_SURNAMES
    ][:_CHINESE_SURNAMES]
    family_local = [name for name, _ in surnames]
    female, male = list(provider.first_names_female), list(provider.first_names_male)
    return NamePool(
        given=(pa.array([romanise(n) for n in female]), pa.array([romanise(n) for n in male])),
        given_local=(pa.array(female), pa.array(male)),
        given_weights=(np.ones(len(female)), np.ones(len(male))),
        family=pa.array([romanise(n) for n in family_local]),
        family_local=pa.array(family_local),
        family_weights=np.array([weight for _, weight in surnames]),
    )


@cache
def name_pools() -> dict[str, NamePool]:
    """The name pool of every generated country (built once per process)."""
    return {
        "US": _western(en_US.Provider),
        "GB": _western(en_GB.Provider),
        "DE": _western(de_DE.Provider),
        "FR": _western(fr_FR.Provider),
        "CN": _chinese(),
    }


_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def email_word(name: str) -> str:
    """A name as it appears in an email address: ASCII, lower case, letters only
    (Müller -> mueller, Jean-Pierre -> jeanpierre, O'Brien -> obrien)."""
    folded = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATION))
    return "".join(c for c in folded.lower() if "a" <= c <= "z")

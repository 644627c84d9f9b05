"""Person names: display forms, splitting a full name, and accent-free forms for matching.

Display casing is only repaired when a name arrives all upper or all lower case (`JOHN MCDONALD`,
`o'brien`); a name typed in mixed case is kept as typed, since its capitals are usually deliberate
(`DeVito`, `van der Berg`). Chinese, Japanese and Korean names are written family name first.
All work runs once per distinct value.
"""

from __future__ import annotations

import re

import pandas as pd

from hygiene_pipeline.domain.column_ops import clean_text, fold_accents, map_distinct

NAME_COLUMNS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "full_name",
    "first_name_norm",
    "last_name_norm",
)

SURNAME_PARTICLES: frozenset[str] = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "du",
        "dos",
        "das",
        "da",
        "ter",
        "ten",
        "zu",
        "le",
        "la",
    ]
)
"""Lower-case words that start a surname (`van der Berg`) and stay lower case inside a name."""

HONORIFICS: frozenset[str] = frozenset(
    ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "herr", "frau"]
)
GENERATIONAL_SUFFIXES: frozenset[str] = frozenset(
    ["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"]
)

COMPOUND_CJK_SURNAMES: frozenset[str] = frozenset(
    [
        "欧阳",
        "歐陽",
        "司马",
        "司馬",
        "诸葛",
        "諸葛",
        "上官",
        "司徒",
        "东方",
        "東方",
        "皇甫",
        "尉迟",
        "尉遲",
        "公孙",
        "公孫",
        "慕容",
        "令狐",
        "长孙",
        "長孫",
        "宇文",
        "夏侯",
        "澹台",
        "端木",
        "轩辕",
        "軒轅",
        "南宫",
        "南宮",
        "西门",
        "西門",
    ]
)
"""Two-character Chinese family names, so that `欧阳明` splits as 欧阳 + 明."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD_PARTS = re.compile(r"([-'’])")


def _is_cjk(name: str) -> bool:
    return bool(_CJK.search(name)) and not _LATIN_LETTER.search(name)


def _capitalise_part(part: str) -> str:
    if part.startswith("mc") and len(part) > 2:
        return "Mc" + part[2:].capitalize()
    return part.capitalize()


def _title_word(word: str) -> str:
    """Title-case one word, also after hyphens and apostrophes (O'Brien, Smith-Jones)."""
    return "".join(_capitalise_part(part) for part in _WORD_PARTS.split(word))


def title_case_name(name: str) -> str:
    """Sensible capitals for a name given all upper or all lower case; others are kept."""
    if name.lower() == name.upper() or (name != name.lower() and name != name.upper()):
        return name
    words = name.lower().split(" ")
    return " ".join(
        word if word in SURNAME_PARTICLES and i < len(words) - 1 else _title_word(word)
        for i, word in enumerate(words)
    )


def display_names(values: pd.Series) -> pd.Series:
    """Display form: NFKC, whitespace collapsed, capitals repaired for all-upper/lower input."""
    return map_distinct(clean_text(values), lambda d: d.map(title_case_name))


def _strip_titles(words: list[str]) -> list[str]:
    def bare(word: str) -> str:
        return word.lower().strip(".,")

    while len(words) > 1 and bare(words[0]) in HONORIFICS:
        words = words[1:]
    while len(words) > 1 and bare(words[-1]) in GENERATIONAL_SUFFIXES:
        words = words[:-1]
    return [word.rstrip(",") if i == len(words) - 1 else word for i, word in enumerate(words)]


def _split_cjk(name: str) -> tuple[str | None, str | None]:
    if " " in name:
        family, given = name.split(" ", 1)
        return given, family
    family_length = 2 if name[:2] in COMPOUND_CJK_SURNAMES or len(name) >= 4 else 1
    if len(name) <= family_length:
        return None, name
    return name[family_length:], name[:family_length]


def split_full_name(name: str) -> tuple[str | None, str | None]:
    """(first, last) of a display-form full name: `Last, First`, `First Last`, CJK family first."""
    if _is_cjk(name):
        return _split_cjk(name)
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        if first.lower().strip(".") not in GENERATIONAL_SUFFIXES:
            return first or None, last or None
    words = _strip_titles(name.split(" "))
    if len(words) == 1:
        return words[0], None
    particle = next(
        (i for i, word in enumerate(words[1:-1], 1) if word.lower() in SURNAME_PARTICLES),
        len(words) - 1,
    )
    return " ".join(words[:particle]), " ".join(words[particle:])


def _compose_full_name(first: pd.Series, last: pd.Series) -> pd.Series:
    """`First Last`, or family name first without a space for CJK names."""
    both = first.notna() & last.notna()
    spaced = first.str.cat(last, sep=" ")
    cjk = map_distinct(last.where(both, None), lambda d: d.map(_is_cjk)).eq(True)
    joined = spaced.where(~cjk, last.str.cat(first))
    return joined.where(both, first.where(first.notna(), last)).astype("object")


def name_match_key(values: pd.Series) -> pd.Series:
    """Matching form: lower case, accents stripped, only letters and single spaces (CJK kept)."""

    def key(distinct: pd.Series) -> pd.Series:
        folded = fold_accents(distinct.astype(str)).str.replace(r"[-_]", " ", regex=True)
        letters = folded.str.replace(r"[^\w\s]|\d", "", regex=True)
        collapsed = letters.str.replace(r"\s+", " ", regex=True).str.strip()
        return collapsed.where(collapsed.str.len() > 0, None)

    return map_distinct(values, key)


def standardise_names(
    first_name: pd.Series, last_name: pd.Series, full_name: pd.Series
) -> pd.DataFrame:
    """The five name columns of `NAME_COLUMNS`; parts missing from first/last come from the split
    of `full_name`, and a missing `full_name` is composed from the parts."""
    first = display_names(first_name)
    last = display_names(last_name)
    full = display_names(full_name)
    split = map_distinct(full, lambda d: d.map(split_full_name))
    has_split = split.notna()
    first = first.where(first.notna() | ~has_split, split.str[0])
    last = last.where(last.notna() | ~has_split, split.str[1])
    first = first.astype("object").where(first.notna(), None)
    last = last.astype("object").where(last.notna(), None)
    full = full.where(full.notna(), _compose_full_name(first, last))
    return pd.DataFrame(
        {
            "first_name": first,
            "last_name": last,
            "full_name": full.astype("object").where(full.notna(), None),
            "first_name_norm": name_match_key(first),
            "last_name_norm": name_match_key(last),
        },
        index=first_name.index,
    )

"""Names: display casing, splitting full names (Western and CJK), matching forms."""

from __future__ import annotations

import pandas as pd
import pytest

from hygiene_pipeline.domain.names import (
    NAME_COLUMNS,
    display_names,
    name_match_key,
    split_full_name,
    standardise_names,
)


@pytest.mark.parametrize(
    ("raw", "display"),
    [
        ("JOHN", "John"),
        ("mcdonald", "McDonald"),
        ("O'BRIEN", "O'Brien"),
        ("smith-jones", "Smith-Jones"),
        ("VAN DER BERG", "van der Berg"),
        ("DeVito", "DeVito"),
        ("  mary   ann  ", "Mary Ann"),
        ("Ｊｏｈｎ", "John"),
        ("王小明", "王小明"),
        ("Van", "Van"),
    ],
)
def test_display_form(raw: str, display: str) -> None:
    assert display_names(pd.Series([raw])).iloc[0] == display


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Jane Smith", "Jane", "Smith"),
        ("Smith, Jane", "Jane", "Smith"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("Jan van der Berg", "Jan", "van der Berg"),
        ("Dr. Martin Luther King, Jr.", "Martin Luther", "King"),
        ("Madonna", "Madonna", None),
        ("王小明", "小明", "王"),
        ("欧阳明", "明", "欧阳"),
        ("王 小明", "小明", "王"),
        ("김민준", "민준", "김"),
    ],
)
def test_split_full_name(full: str, first: str, last: str | None) -> None:
    assert split_full_name(full) == (first, last)


def test_matching_form_strips_accents_and_punctuation() -> None:
    keys = name_match_key(
        pd.Series(["José-García", "O'Brien", "Zoë  Ñúñez", "王小明", "R2-D2", None])
    )
    assert keys.tolist() == ["jose garcia", "obrien", "zoe nunez", "王小明", "r d", None]


def test_missing_parts_come_from_full_name_and_full_name_is_composed() -> None:
    out = standardise_names(
        pd.Series(["ANA", None, None, "Li"]),
        pd.Series(["garcía", None, None, None]),
        pd.Series([None, "Smith, Jane", "王小明", "Wei Li"]),
    )
    assert list(out.columns) == list(NAME_COLUMNS)
    assert out["first_name"].tolist() == ["Ana", "Jane", "小明", "Li"]
    assert out["last_name"].tolist() == ["García", "Smith", "王", "Li"]
    assert out["full_name"].tolist() == ["Ana García", "Smith, Jane", "王小明", "Wei Li"]
    assert out["last_name_norm"].tolist() == ["garcia", "smith", "王", "li"]


def test_all_missing_stays_missing() -> None:
    empty = pd.Series([None, None], dtype="object")
    out = standardise_names(empty, empty, empty)
    assert out.isna().all().all()

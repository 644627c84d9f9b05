"""Countries to ISO-2 from codes, English names, local names and aliases."""

from __future__ import annotations

import pandas as pd
import pytest

from hygiene_pipeline.domain.countries import to_iso2


@pytest.mark.parametrize(
    ("raw", "iso2"),
    [
        ("US", "US"),
        ("us", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("England", "GB"),
        ("GBR", "GB"),
        ("Deutschland", "DE"),
        ("germany ", "DE"),
        ("DEU", "DE"),
        ("中国", "CN"),
        ("China", "CN"),
        ("CHN", "CN"),
        ("France", "FR"),
        ("FRA", "FR"),
        ("the Netherlands", "NL"),
        ("Holland", "NL"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d Ivoire", "CI"),
        ("South Korea", "KR"),
        ("Russia", "RU"),
        ("Royaume-Uni", "GB"),
        ("España", "ES"),
        ("日本", "JP"),
        ("Bolivia", "BO"),
    ],
)
def test_known_countries(raw: str, iso2: str) -> None:
    assert to_iso2(pd.Series([raw])).iloc[0] == iso2


def test_unknown_and_missing_are_none() -> None:
    assert to_iso2(pd.Series(["Atlantis", "XX", "", None])).tolist() == [None, None, None, None]

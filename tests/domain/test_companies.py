"""Companies: legal-form variants of one company share one key."""

from __future__ import annotations

import pandas as pd
import pytest

from hygiene_pipeline.domain.companies import company_keys, standardise_companies


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (
            ["Acme Inc.", "ACME, Incorporated", "Acme Corp", "acme  LLC", "Acme Ltd.", "Acme"],
            "acme",
        ),
        (["Acme GmbH", "Acme AG", "Acme GmbH & Co. KG", "Acme SE"], "acme"),
        (["Société Générale S.A.", "Societe Generale SA", "SOCIÉTÉ GÉNÉRALE"], "societe generale"),
        (["Acme S.à r.l.", "Acme SARL", "Acme SAS", "Acme S.L.", "Acme S.p.A."], "acme"),
        (
            ["Acme Pty. Ltd.", "Acme Pte Ltd", "Acme B.V.", "Acme N.V.", "Acme AB", "Acme Oy"],
            "acme",
        ),
        (["Acme & Co.", "Acme and Co", "Acme Co.", "Acme PLC"], "acme"),
        (["腾讯股份有限公司", "腾讯有限公司", "腾讯"], "腾讯"),
        (["株式会社トヨタ", "トヨタ株式会社"], "トヨタ"),
        (["Johnson & Johnson", "Johnson and Johnson"], "johnson and johnson"),
    ],
)
def test_suffix_variants_share_a_key(variants: list[str], key: str) -> None:
    assert company_keys(pd.Series(variants)).tolist() == [key] * len(variants)


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert company_keys(pd.Series(["Inc", "Company Inc"])).tolist() == ["inc", "company"]


def test_legal_words_inside_a_name_stay() -> None:
    assert company_keys(pd.Series(["Co-op Food Ltd", "Company Store Ltd"])).tolist() == [
        "co op food",
        "company store",
    ]


def test_display_form_collapses_whitespace_only() -> None:
    out = standardise_companies(pd.Series(["  ACME   Inc. ", None, ""]))
    assert out["company"].tolist() == ["ACME Inc.", None, None]
    assert out["company_key"].tolist() == ["acme", None, None]

"""Yes/no flags and the consent vocabulary."""

from __future__ import annotations

import pandas as pd
import pytest

from hygiene_pipeline.domain.flags import CONSENT_STATUSES, consent_statuses, parse_flags


def test_flag_words() -> None:
    values = pd.Series(["true", "FALSE", "Yes", "no", "1", "0", "y", "N", "t", "f", None, " "])
    expected = [True, False, True, False, True, False, True, False, True, False, False, False]
    assert parse_flags(values).tolist() == expected
    assert parse_flags(values).dtype == bool


def test_unrecognised_flag_value_follows_the_caller() -> None:
    values = pd.Series(["maybe", None])
    assert parse_flags(values).tolist() == [False, False]
    assert parse_flags(values, unrecognised=True).tolist() == [True, False]


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("opted_in", "opted_in"),
        ("Opt-In", "opted_in"),
        ("subscribed", "opted_in"),
        ("Double opt-in", "opted_in"),
        ("OPTED OUT", "opted_out"),
        ("unsubscribed", "opted_out"),
        ("opt-out", "opted_out"),
        ("expired", "expired"),
        ("Lapsed", "expired"),
        ("unknown", "unknown"),
        ("pending", "unknown"),
        ("something else", "unknown"),
        (None, "unknown"),
    ],
)
def test_consent_status(raw: str | None, status: str) -> None:
    result = consent_statuses(pd.Series([raw])).iloc[0]
    assert result == status
    assert result in CONSENT_STATUSES

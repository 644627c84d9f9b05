"""E-mail standardisation: syntax validity, canonical mailbox key, role and disposable flags."""

from __future__ import annotations

import pandas as pd
import pytest

from hygiene_pipeline.domain import emails
from hygiene_pipeline.domain.emails import EMAIL_COLUMNS, standardise_emails


def one(value: str | None) -> pd.Series:
    return standardise_emails(pd.Series([value])).iloc[0]


def test_trimmed_and_lower_cased() -> None:
    row = one("  Jane.Doe@Example.ORG ")
    assert row["email"] == "jane.doe@example.org"
    assert row["email_valid"]
    assert row["email_domain"] == "example.org"


def test_plus_tags_are_dropped_for_every_provider() -> None:
    assert one("jane+news@example.org")["email_key"] == "jane@example.org"


def test_gmail_dots_are_dropped_and_googlemail_is_gmail() -> None:
    assert one("J.Doe+x@gmail.com")["email_key"] == "jdoe@gmail.com"
    assert one("j.d.o.e@googlemail.com")["email_key"] == "jdoe@gmail.com"
    assert one("j.doe@example.org")["email_key"] == "j.doe@example.org"


def test_invalid_addresses_keep_the_row_with_a_reason() -> None:
    for value in ["jane@", "jane@@example.org", "a..b@example.org", "jane@localhost", "no-at"]:
        row = one(value)
        assert not row["email_valid"], value
        assert row["email_key"] is None
        assert row["email"] == value
        assert isinstance(row["email_error"], str) and row["email_error"], value


def test_missing_values_are_none_and_not_flagged() -> None:
    out = standardise_emails(pd.Series([None, "", "   "]))
    assert out["email"].isna().all()
    assert not out[["email_valid", "email_is_role", "email_is_disposable"]].any().any()
    assert out["email_error"].isna().all()


def test_international_addresses_go_through_the_full_validator() -> None:
    row = one("Jürgen@Bücher.de")
    assert row["email_valid"]
    assert row["email_domain"] == "bücher.de"


def test_overlong_address_is_invalid() -> None:
    assert not one("a@" + "b" * 250 + ".com")["email_valid"]


def test_role_mailboxes() -> None:
    out = standardise_emails(pd.Series(["info@acme.com", "sales+eu@acme.com", "jane@acme.com"]))
    assert out["email_is_role"].tolist() == [True, True, False]


def test_disposable_domains_and_their_subdomains() -> None:
    out = standardise_emails(
        pd.Series(["x@mailinator.com", "x@eu.mailinator.com", "x@gmail.com", "bad@mailinator"])
    )
    assert out["email_is_disposable"].tolist() == [True, True, False, False]


def test_columns_and_types() -> None:
    out = standardise_emails(pd.Series(["a@b.com", None], index=[7, 9]))
    assert list(out.columns) == list(EMAIL_COLUMNS)
    assert out.index.tolist() == [7, 9]
    assert out["email_valid"].dtype == bool


@pytest.fixture
def validator_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The addresses `email-validator` is asked about from here on."""
    calls: list[str] = []
    validate = emails._validate_whole

    def counting(address: str) -> tuple[str | None, str | None]:
        calls.append(address)
        return validate(address)

    monkeypatch.setattr(emails, "_validate_whole", counting)
    return calls


def test_plain_addresses_are_validated_once_per_domain(validator_calls: list[str]) -> None:
    out = standardise_emails(
        pd.Series(["a@bücher.ch", "b.c@bücher.ch", "d+x@bücher.ch", "é@bücher.ch"])
    )
    assert out["email_valid"].all()
    assert len(validator_calls) == 2  # the domain once, the non-ASCII address whole


PLAIN_AND_NOT = [
    "acme.com", "a.b", "a-b.co.uk", "x.test.com", "test.com", "b.local.com", "aa.x--y.com",
    "a" * 63 + ".com", "ab--c.com", "xn--bcher-kva.ch", "-a.com", "a-.com", "a..b", "a.b.",
    "localhost", "foo.local", "foo.test", "a.onion", "my.arpa", "a.invalid", "1.2.3.4", "a.123",
    "a.c1", "ACME.com", "a_b.com", "a" * 64 + ".com", ("a" * 50 + ".") * 4 + "com", "bücher.de",
    "mañana.es", "xn--mana-pta.es", "пример.рф", "a.b-", "a.-b", "tld.example",
]  # fmt: skip


PLAIN = {"acme.com", "a.b", "a-b.co.uk", "x.test.com", "test.com", "b.local.com", "aa.x--y.com",
         "a" * 63 + ".com", "tld.example"}  # fmt: skip


def test_plain_domains_are_the_ordinary_ascii_ones() -> None:
    assert {domain for domain in PLAIN_AND_NOT if emails._plain_domain(domain)} == PLAIN


@pytest.mark.parametrize("domain", sorted(PLAIN))
def test_a_domain_taken_as_written_is_one_the_validator_accepts_unchanged(domain: str) -> None:
    assert emails._validate_domain(domain) == (f"a@{domain}", None)


def test_plain_domains_skip_the_validator_and_others_meet_it(validator_calls: list[str]) -> None:
    out = standardise_emails(pd.Series(["a@acme.com", "b@xn--bcher-kva.ch", "c@foo.local"]))
    assert validator_calls == ["a@xn--bcher-kva.ch", "a@foo.local"]
    assert out["email_valid"].tolist() == [True, True, False]
    assert out["email_domain"].tolist()[:2] == ["acme.com", "bücher.ch"]

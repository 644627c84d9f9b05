"""Placeholder and junk values: the test entries, dummies and keyboard mash that make ghost records.

CRMs fill up with records that are nobody: `Test Test`, `asdf`, `Mickey Mouse`, `N/A`,
`test@test.com`, `noreply@example.com`, `555-555-5555`, `0000000000`, company `ACME` or `测试公司`.
They must not be called, must not be merged with real people on their junk values, and must be
fixed in the source. Each identifying field is judged on its own, column-wise:

The word lists are `domain/mappings/placeholders.yaml`.

- names: known placeholders (test, dummy, sample, unknown, n/a, fictional characters ...),
  keyboard runs (`asdf`, `qwerty`, `zxcv`), one character repeated (`aaaa`, `xxx`), a first name
  equal to the last name when it is a placeholder (`Test Test`);
- emails: a placeholder local part (`test`, `noreply`, `none`, `asdf`, `fake` ...) or a reserved
  domain (RFC 2606 / 6761: `example.*`, `*.test`, `*.invalid`, `localhost`, `test.com`) or a
  disposable one;
- phones: the North American fictional range 555-0100..0199, `555-5555`, one digit repeated, runs
  of consecutive digits (`1234567890`, `9876543210`), two distinct digits or fewer; judged on the
  national number and on the digits as written (a made-up number read in the wrong region);
- companies: placeholders (`ACME`, `test`, `example`, `n/a`, `测试公司` ...).

A record is a *ghost record* when at least one identifying field (name, email, phone, mobile) is
junk, none is clearly real (a valid email at a real domain with a real local part, a valid phone
that is not junk), and the name is junk or missing or the company is junk: a real name at a real
company with a junk address is a real lead to fix, not nobody. `ghost_reasons` lists what was
found, without the values (they may be PII), e.g.
`"name placeholder; email placeholder or reserved domain; phone fictional or made up"`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import phonenumbers

from hygiene_pipeline.domain.column_ops import map_distinct
from hygiene_pipeline.domain.mappings import load_mapping

_TABLE = load_mapping("placeholders.yaml")
PLACEHOLDER_NAMES: frozenset[str] = frozenset(_TABLE["name_words"])
PLACEHOLDER_FULL_NAMES: frozenset[str] = frozenset(_TABLE["full_names"])
PLACEHOLDER_LOCAL_PARTS: frozenset[str] = frozenset(_TABLE["local_parts"])
RESERVED_DOMAINS: frozenset[str] = frozenset(_TABLE["reserved_domains"])
RESERVED_SUFFIXES: tuple[str, ...] = tuple(_TABLE["reserved_suffixes"])
PLACEHOLDER_COMPANIES: frozenset[str] = frozenset(_TABLE["companies"])
KEYBOARD_ROWS: tuple[str, ...] = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")


def _fold(values: pd.Series) -> pd.Series:
    """Lower case, punctuation and extra spaces removed (`N/A` -> `n a`)."""
    text = values.astype("string").str.lower().str.replace(r"[^\w\s]+", " ", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def _mash(word: str) -> bool:
    """One character repeated 3+ times, or a run of 4+ keys along a keyboard row (either way)."""
    if len(word) >= 3 and len(set(word)) == 1:
        return True
    if len(word) < 4:
        return False
    return any(word in row or word in row[::-1] for row in KEYBOARD_ROWS)


def name_is_placeholder(first: pd.Series, last: pd.Series) -> pd.Series:
    """Whether a record's name (first + last) is a placeholder or keyboard mash."""
    full = (_fold(first).fillna("") + " " + _fold(last).fillna("")).str.strip()

    def judge(distinct: pd.Series) -> pd.Series:
        def one(name: str) -> bool:
            if not name:
                return False
            if name in PLACEHOLDER_FULL_NAMES:
                return True
            return all(w in PLACEHOLDER_NAMES or _mash(w) for w in name.split())

        return distinct.map(one).astype(bool)

    return map_distinct(full.astype(object), judge).astype(bool)


def email_is_placeholder(email: pd.Series, disposable: pd.Series | None = None) -> pd.Series:
    """Whether an address is a placeholder: junk local part (or one equal to the domain's name,
    `a@a.com`), reserved or disposable domain."""
    text = email.astype("string").str.strip().str.lower()
    local = text.str.split("@").str[0].str.split("+").str[0]
    domain = text.str.split("@").str[-1]
    mashed = map_distinct(
        local.astype(object),
        lambda words: words.map(lambda w: isinstance(w, str) and _mash(w.replace(".", ""))),
    )
    junk_local = (
        local.isin(PLACEHOLDER_LOCAL_PARTS).fillna(False)
        | mashed.eq(True)
        | (local == domain.str.split(".").str[0]).fillna(False)
    )
    reserved = domain.isin(RESERVED_DOMAINS) | domain.str.endswith(RESERVED_SUFFIXES)
    flagged = (junk_local | reserved).fillna(False)
    if disposable is not None:
        flagged |= disposable.eq(True)
    return (flagged & text.notna()).astype(bool)


def _national_digits(e164: str) -> str:
    """The national significant number of an E.164 number (its digits when unparseable)."""
    try:
        return phonenumbers.national_significant_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", e164)


def _made_up(number: str) -> bool:
    """A NANP fictional number (NXX-555-01XX, 555-5555), one or two digits only, or a run of
    consecutive digits."""
    if not number or len(number) < 6:
        return False
    if len(number) == 10 and (number[3:8] == "55501" or number[3:] == "5555555"):
        return True
    return len(set(number)) <= 2 or number in "01234567890123" or number in "9876543210987"


def phone_is_placeholder(e164: pd.Series, raw: pd.Series | None = None) -> pd.Series:
    """Whether a number is fictional or made up, judged on its national significant number and
    on the digits as written (a made-up "1234567890" read in the wrong region is still made up).
    """
    national = map_distinct(
        e164.astype(object),
        lambda values: values.map(_national_digits, na_action="ignore"),
    )
    made_up = map_distinct(national.astype(object), lambda v: v.map(_made_up, na_action="ignore"))
    junk = made_up.eq(True)
    if raw is not None:
        written = raw.astype("string").str.replace(r"\D", "", regex=True)
        written = written.where(~(written.str.len().eq(11) & written.str.startswith("1")),
                                written.str[1:])  # fmt: skip
        junk |= map_distinct(
            written.astype(object), lambda v: v.map(_made_up, na_action="ignore")
        ).eq(True)
    return junk.astype(bool)


def company_is_placeholder(company: pd.Series) -> pd.Series:
    """Whether a company name is a placeholder (`ACME`, `Test Company`, `测试公司`, `N/A` ...)."""
    folded = _fold(company)
    words = folded.str.replace(
        r"\b(inc|llc|ltd|corp|co|gmbh|sa|plc|有限公司)\b", "", regex=True
    ).str.strip()
    mashed = map_distinct(
        words.astype(object),
        lambda values: values.map(
            lambda text: isinstance(text, str) and bool(text) and all(map(_mash, text.split()))
        ),
    )
    listed = (folded.isin(PLACEHOLDER_COMPANIES) | words.isin(PLACEHOLDER_COMPANIES)).fillna(False)
    return (listed | mashed.eq(True)).astype(bool)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype=object)


def _flag(frame: pd.DataFrame, name: str) -> pd.Series:
    return _column(frame, name).eq(True).fillna(False).astype(bool)


GHOST_COLUMNS: tuple[str, ...] = (
    "name_is_placeholder",
    "email_is_placeholder",
    "phone_is_placeholder",
    "mobile_phone_is_placeholder",
    "company_is_placeholder",
    "is_ghost_record",
    "ghost_reasons",
)


def ghost_flags(contacts: pd.DataFrame) -> pd.DataFrame:
    """`GHOST_COLUMNS` for standardised CRM records (same index)."""
    name = name_is_placeholder(_column(contacts, "first_name"), _column(contacts, "last_name"))
    name |= name_is_placeholder(_column(contacts, "full_name"), pd.Series(None, index=name.index))
    email = email_is_placeholder(
        _column(contacts, "email"), _column(contacts, "email_is_disposable")
    )
    phone = phone_is_placeholder(_column(contacts, "phone_e164"), _column(contacts, "phone_raw"))
    mobile = phone_is_placeholder(
        _column(contacts, "mobile_phone_e164"), _column(contacts, "mobile_phone_raw")
    )
    company = company_is_placeholder(_column(contacts, "company"))
    real_email = _flag(contacts, "email_valid") & ~email
    real_phone = (_flag(contacts, "phone_valid") & ~phone) | (
        _flag(contacts, "mobile_phone_valid") & ~mobile
    )
    junk_any = name | email | phone | mobile
    nameless = _column(contacts, "first_name").isna() & _column(contacts, "last_name").isna()
    nameless &= _column(contacts, "full_name").isna()
    ghost = junk_any & ~real_email & ~real_phone & (name | nameless | company)
    reasons = (
        pd.Series(np.where(name, "name placeholder; ", ""), index=contacts.index)
        + np.where(email, "email placeholder or reserved domain; ", "")
        + np.where(phone | mobile, "phone fictional or made up; ", "")
        + np.where(company, "company placeholder; ", "")
    ).str.removesuffix("; ")
    return pd.DataFrame(
        {
            "name_is_placeholder": name.to_numpy(),
            "email_is_placeholder": email.to_numpy(),
            "phone_is_placeholder": phone.to_numpy(),
            "mobile_phone_is_placeholder": mobile.to_numpy(),
            "company_is_placeholder": company.to_numpy(),
            "is_ghost_record": ghost.to_numpy(),
            "ghost_reasons": reasons.where(reasons != "", None).to_numpy(dtype=object),
        },
        index=contacts.index,
    )

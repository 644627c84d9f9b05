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
from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from hygiene_pipeline.domain.column_ops import (
    arrow_flags,
    arrow_objects,
    arrow_strings,
    beyond_ascii,
    map_distinct,
)
from hygiene_pipeline.domain.mappings import load_mapping
from hygiene_pipeline.domain.phones import national_significant_numbers

_TABLE = load_mapping("placeholders.yaml")
PLACEHOLDER_NAMES: frozenset[str] = frozenset(_TABLE["name_words"])
PLACEHOLDER_FULL_NAMES: frozenset[str] = frozenset(_TABLE["full_names"])
PLACEHOLDER_LOCAL_PARTS: frozenset[str] = frozenset(_TABLE["local_parts"])
RESERVED_DOMAINS: frozenset[str] = frozenset(_TABLE["reserved_domains"])
RESERVED_SUFFIXES: tuple[str, ...] = tuple(_TABLE["reserved_suffixes"])
PLACEHOLDER_COMPANIES: frozenset[str] = frozenset(_TABLE["companies"])
_NON_DIGITS = re.compile(r"\D")
KEYBOARD_ROWS: tuple[str, ...] = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_KEYBOARD_RUNS: frozenset[str] = frozenset(
    keys[start:end]
    for row in KEYBOARD_ROWS
    for keys in (row, row[::-1])
    for start in range(len(keys))
    for end in range(start + 4, len(keys) + 1)
)
"""Every run of 4+ keys along a keyboard row, either way (`asdf`, `fdsa`)."""
_DIGIT_RUNS: tuple[str, ...] = ("01234567890123", "9876543210987")
_DIGIT_SEQUENCES: frozenset[str] = frozenset(
    run[start:end]
    for run in _DIGIT_RUNS
    for start in range(len(run))
    for end in range(start + 6, len(run) + 1)
)
"""Every number of 6+ digits that `_made_up_kind` calls a `digit sequence`."""
_FICTIONAL_555 = r"^.{3}(55501.{2}|5555555)$"


def _fold_distinct(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.lower().str.replace(r"[^\w\s]+", " ", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def _folded(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct value in lower case, punctuation and extra spaces removed (`N/A` -> `n a`),
    after '' for a missing value, and per row the position of its value there."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    folded = _fold_distinct(pd.Series(distinct, dtype="object")).to_numpy(dtype=object)
    return codes + 1, np.concatenate([np.array([""], dtype=object), folded])


def _mash_kind(word: str) -> str | None:
    """`repeated characters` (one character 3+ times), `keyboard pattern` (a run of 4+ keys
    along a keyboard row, either way), or None."""
    if len(word) >= 3 and len(set(word)) == 1:
        return "repeated characters"
    if word in _KEYBOARD_RUNS:
        return "keyboard pattern"
    return None


def _name_kind(name: str) -> str | None:
    """What makes a folded name junk: a placeholder, keyboard mash, or None for a real name."""
    if not name:
        return None
    if name in PLACEHOLDER_FULL_NAMES:
        return "placeholder"
    words = name.split()
    mashes = [_mash_kind(w) for w in words]
    if not all(w in PLACEHOLDER_NAMES or m for w, m in zip(words, mashes, strict=True)):
        return None
    return next((m for m in mashes if m), "placeholder")


def _junk_word(word: str) -> bool:
    return word in PLACEHOLDER_NAMES or _mash_kind(word) is not None


def _name_kinds(names: pd.Series) -> pd.Series:
    """`_name_kind` of distinct folded names, judged in Python only where it can be junk: a
    listed full name, or a first word that is junk itself (a junk name has only junk words).
    Most names are real, and their first words repeat, so few are judged one by one."""
    words = pc.split_pattern(arrow_strings(names), " ", max_splits=1)
    first_word = pd.Series(arrow_objects(pc.list_element(words, 0)), index=names.index)
    candidate = map_distinct(first_word, lambda d: d.map(_junk_word)).to_numpy(dtype=bool)
    candidate |= names.isin(PLACEHOLDER_FULL_NAMES).to_numpy(dtype=bool)
    kinds = pd.Series(None, index=names.index, dtype=object)
    kinds[candidate] = names[candidate].map(_name_kind)
    return kinds


def name_junk(first: pd.Series, last: pd.Series) -> pd.Series:
    """Why a record's name (first + last) is junk (`placeholder`, `keyboard pattern`,
    `repeated characters`), None for a real or missing name."""
    first_codes, first_folded = _folded(first)
    last_codes, last_folded = _folded(last)
    # judged once per distinct pair of names: most rows repeat one
    rows, pairs = pd.factorize(first_codes * len(last_folded) + last_codes)
    full = first_folded[pairs // len(last_folded)] + " " + last_folded[pairs % len(last_folded)]
    kinds = map_distinct(pd.Series(full, dtype="object").str.strip(), _name_kinds)
    return pd.Series(kinds.to_numpy(dtype=object)[rows], index=first.index, dtype="object")


def name_is_placeholder(first: pd.Series, last: pd.Series) -> pd.Series:
    """Whether a record's name (first + last) is a placeholder or keyboard mash."""
    return name_junk(first, last).notna()


def _email_kind(address: str) -> tuple[str | None, bool]:
    """An address's junk kind apart from the domain lists, and whether its domain is reserved."""
    text = address.strip().lower()
    local = text.split("@")[0].split("+")[0]
    domain = text.split("@")[-1]
    placeholder = local in PLACEHOLDER_LOCAL_PARTS or local == domain.split(".")[0]
    kind = "placeholder mailbox" if placeholder else _mash_kind(local.replace(".", ""))
    return kind, domain in RESERVED_DOMAINS or domain.endswith(RESERVED_SUFFIXES)


def _email_kinds(distinct: pd.Series) -> pd.DataFrame:
    """`_email_kind` per distinct address, in one pass: addresses are nearly all distinct, and
    a column of string operations per part cost more than the rules themselves."""
    judged = [_email_kind(str(address)) for address in distinct]
    kinds, reserved = zip(*judged, strict=True) if judged else ((), ())
    return pd.DataFrame(
        {"kind": pd.Series(kinds, dtype=object), "reserved": np.array(reserved, dtype=bool)}
    )


def email_junk(email: pd.Series, disposable: pd.Series | None = None) -> pd.Series:
    """Why an address is junk, None when it is not: `reserved domain` (RFC 2606 / 6761 and
    stand-ins), `disposable domain`, `placeholder mailbox` (a junk local part, or one equal to
    the domain's name: `a@a.com`), `keyboard pattern` or `repeated characters` in the mailbox."""
    judged = map_distinct(email, _email_kinds)
    kinds = judged["kind"]
    if disposable is not None:
        kinds = kinds.mask(disposable.eq(True).to_numpy(dtype=bool), "disposable domain")
    kinds = kinds.mask(judged["reserved"].to_numpy(dtype=bool), "reserved domain")
    return kinds.where(email.notna().to_numpy(dtype=bool), None)


def email_is_placeholder(email: pd.Series, disposable: pd.Series | None = None) -> pd.Series:
    """Whether an address is a placeholder: junk local part (or one equal to the domain's name,
    `a@a.com`), reserved or disposable domain."""
    return email_junk(email, disposable).notna().astype(bool)


def _made_up_kind(number: str) -> str | None:
    """Why a national number is made up: `fictional 555 number` (NANP NXX-555-01XX,
    555-5555), `all same digits`, `digit sequence` (`1234567890`, `9876543210`), `two digits
    only`; None for a believable number."""
    if not number or len(number) < 6:
        return None
    if len(number) == 10 and (number[3:8] == "55501" or number[3:] == "5555555"):
        return "fictional 555 number"
    if len(set(number)) == 1:
        return "all same digits"
    if any(number in run for run in _DIGIT_RUNS):
        return "digit sequence"
    return "two digits only" if len(set(number)) == 2 else None


def _made_up_kinds(numbers: pd.Series) -> pd.Series:
    """`_made_up_kind` of distinct digit strings, judged in Python only where it can say
    something: two distinct digits or fewer, a digit sequence, or the 555 shapes. Those are
    few, so the believable majority costs a handful of Arrow passes instead of a call each."""
    text = arrow_strings(numbers)
    digits_used = sum(
        arrow_flags(pc.greater(pc.count_substring(text, digit), 0)).astype(np.int8)
        for digit in "0123456789"
    )
    candidate = (digits_used <= 2) | arrow_flags(pc.match_substring_regex(text, _FICTIONAL_555))
    candidate |= numbers.isin(_DIGIT_SEQUENCES).to_numpy(dtype=bool)
    kinds = pd.Series(None, index=numbers.index, dtype=object)
    kinds[candidate] = numbers[candidate].map(_made_up_kind)
    return kinds


def _written_kinds(distinct: pd.Series) -> pd.Series:
    """`_made_up_kind` of the digits of numbers as written, without a leading NANP `1`."""
    text = arrow_strings(distinct.astype("string"))
    digits = pc.replace_substring_regex(text, "[^0-9]", "")
    written = arrow_strings(beyond_ascii(text, digits, partial(_NON_DIGITS.sub, "")))
    nanp = pc.and_(pc.equal(pc.utf8_length(written), 11), pc.starts_with(written, "1"))
    written = pc.if_else(nanp, pc.utf8_slice_codeunits(written, 1), written)
    return _made_up_kinds(pd.Series(arrow_objects(written), index=distinct.index, dtype=object))


def phone_junk(e164: pd.Series, raw: pd.Series | None = None) -> pd.Series:
    """Why a number is fictional or made up (see `_made_up_kind`), None when it is not; judged
    on its national significant number and on the digits as written (a made-up "1234567890"
    read in the wrong region is still made up)."""
    national = national_significant_numbers(e164.astype(object))
    kinds = map_distinct(national, _made_up_kinds)
    if raw is not None:
        kinds = kinds.fillna(map_distinct(raw.astype(object), _written_kinds))
    return kinds.astype(object).where(kinds.notna(), None)


def phone_is_placeholder(e164: pd.Series, raw: pd.Series | None = None) -> pd.Series:
    """Whether a number is fictional or made up (see `phone_junk`)."""
    return phone_junk(e164, raw).notna().astype(bool)


def _company_mash(text: object) -> str | None:
    if not isinstance(text, str) or not text:
        return None
    kinds = [_mash_kind(word) for word in text.split()]
    return kinds[0] if all(kinds) else None


def _company_kinds(distinct: pd.Series) -> pd.Series:
    folded = _fold_distinct(distinct)
    words = folded.str.replace(
        r"\b(inc|llc|ltd|corp|co|gmbh|sa|plc|有限公司)\b", "", regex=True
    ).str.strip()
    kinds = words.astype(object).map(_company_mash)
    listed = (folded.isin(PLACEHOLDER_COMPANIES) | words.isin(PLACEHOLDER_COMPANIES)).fillna(False)
    return kinds.mask(listed.to_numpy(dtype=bool), "placeholder")


def company_junk(company: pd.Series) -> pd.Series:
    """Why a company name is junk (`placeholder`: `ACME`, `Test Company`, `测试公司`, `N/A` ...;
    `keyboard pattern`, `repeated characters`), None for a real or missing one."""
    return map_distinct(company, _company_kinds)


def company_is_placeholder(company: pd.Series) -> pd.Series:
    """Whether a company name is a placeholder (`ACME`, `Test Company`, `测试公司`, `N/A` ...)."""
    return company_junk(company).notna().astype(bool)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype=object)


def _flag(frame: pd.DataFrame, name: str) -> pd.Series:
    return _column(frame, name).eq(True).fillna(False).astype(bool)


GHOST_PHONE_COLUMNS: tuple[str, ...] = ("phone", "mobile_phone")
"""The phone columns whose junk numbers count towards a ghost record."""

GHOST_COLUMNS: tuple[str, ...] = (
    "name_is_placeholder",
    "email_is_placeholder",
    "phone_is_placeholder",
    "mobile_phone_is_placeholder",
    "company_is_placeholder",
    "is_ghost_record",
    "ghost_score",
    "ghost_reasons",
)


def _present(frame: pd.DataFrame, *columns: str) -> np.ndarray:
    """Rows where any of `columns` has a value."""
    return np.logical_or.reduce([_column(frame, c).notna().to_numpy() for c in columns])


def _labelled(kinds: pd.Series, field: str) -> pd.Series:
    return (field + ": " + kinds.astype("string") + "; ").fillna("")


GHOST_FIELDS: tuple[str, ...] = ("name", "email", *GHOST_PHONE_COLUMNS, "company")
"""The identifying fields a ghost record is judged on, each by `junk_kinds`."""


def junk_kinds(
    contacts: pd.DataFrame, fields: tuple[str, ...] = GHOST_FIELDS
) -> dict[str, pd.Series]:
    """Why each of `fields` (of `GHOST_FIELDS`) is junk per record, None where it is not.
    `contacts` needs only the standardised columns of those fields, so a field can be judged as
    soon as its columns are made."""
    return {field: _field_junk(contacts, field) for field in fields}


def _field_junk(contacts: pd.DataFrame, field: str) -> pd.Series:
    """The name (first + last, else the full name), the e-mail, a phone or the company."""
    if field == "name":
        kind = name_junk(_column(contacts, "first_name"), _column(contacts, "last_name"))
        full = name_junk(_column(contacts, "full_name"), pd.Series(None, index=kind.index))
        return kind.fillna(full)
    if field == "email":
        return email_junk(_column(contacts, "email"), _column(contacts, "email_is_disposable"))
    if field == "company":
        return company_junk(_column(contacts, "company"))
    return phone_junk(_column(contacts, f"{field}_e164"), _column(contacts, f"{field}_raw"))


def ghost_flags(
    contacts: pd.DataFrame, judged: Mapping[str, pd.Series] | None = None
) -> pd.DataFrame:
    """`GHOST_COLUMNS` for standardised CRM records (same index).

    `judged` may hold what `junk_kinds` says of some `GHOST_FIELDS`, judged already where
    their columns were made (the phones where they were parsed; the name and e-mail while the
    phones were parsed): the same values, and judging them again costs a pass over each.

    `ghost_score` is the share of the record's identifying fields that are present and junk
    (name, email, phone, mobile, company): 1.0 when every one of them is junk, 0.0 for a record
    without any junk. `ghost_reasons` names each junk field and why, without its value
    (`"name: keyboard pattern; email: reserved domain; every identifying field junk"`).
    """
    known = dict(judged or {})
    known.update(junk_kinds(contacts, tuple(f for f in GHOST_FIELDS if f not in known)))
    name_kind, email_kind, phone_kind, mobile_kind, company_kind = (
        known[field] for field in GHOST_FIELDS
    )
    name, email, phone, mobile, company = (
        kind.notna().to_numpy(dtype=bool)
        for kind in (name_kind, email_kind, phone_kind, mobile_kind, company_kind)
    )
    real_email = _flag(contacts, "email_valid").to_numpy() & ~email
    real_phone = (_flag(contacts, "phone_valid").to_numpy() & ~phone) | (
        _flag(contacts, "mobile_phone_valid").to_numpy() & ~mobile
    )
    junk_any = name | email | phone | mobile
    nameless = _column(contacts, "first_name").isna() & _column(contacts, "last_name").isna()
    nameless = (nameless & _column(contacts, "full_name").isna()).to_numpy(dtype=bool)
    ghost = junk_any & ~real_email & ~real_phone & (name | nameless | company)
    present = np.stack(
        [
            ~nameless,
            _column(contacts, "email").notna().to_numpy(),
            _present(contacts, "phone_raw", "phone_e164"),
            _present(contacts, "mobile_phone_raw", "mobile_phone_e164"),
            _column(contacts, "company").notna().to_numpy(),
        ]
    )
    junk = np.stack([name, email, phone, mobile, company]) & present
    counted = present.sum(axis=0)
    score = np.divide(junk.sum(axis=0), counted, out=np.zeros(len(contacts)), where=counted > 0)
    reasons = (
        _labelled(name_kind, "name")
        + _labelled(email_kind, "email")
        + _labelled(phone_kind, "phone")
        + _labelled(mobile_kind, "mobile")
        + _labelled(company_kind, "company")
        + np.where(score == 1.0, "every identifying field junk", "")
    ).str.removesuffix("; ")
    return pd.DataFrame(
        {
            "name_is_placeholder": name,
            "email_is_placeholder": email,
            "phone_is_placeholder": phone,
            "mobile_phone_is_placeholder": mobile,
            "company_is_placeholder": company,
            "is_ghost_record": ghost,
            "ghost_score": score.round(3),
            "ghost_reasons": reasons.where(reasons != "", None).to_numpy(dtype=object),
        },
        index=contacts.index,
    )

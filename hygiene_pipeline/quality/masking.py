"""Masking of personal data (emails, phones, names) before it reaches logs, check metadata or
messages.

Why: on-call staff need to recognise *which* rows are at fault without the UI, the run logs or
`dq_check_results` becoming a second copy of the CRM. A masked value keeps just enough to match
it against the warehouse by eye (`j***@d***.com`, `+1******0100`, `J. D.`), never the whole.

The kind of a value is decided by its column name (`pii_kind`), so every caller masks the same way:
columns naming an email, a phone (or an E.164 number) or a name, plus free-text and mixed columns
(`raw`, `notes`, `diagnostic`, `value`, ...) in which any email or phone-like run of digits is
masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Literal

import pandas as pd

PiiKind = Literal["email", "phone", "name", "text"]

_FREE_TEXT_COLUMNS = frozenset({"raw", "notes", "diagnostic", "details", "message", "url", "value"})
_NAME_COLUMN = re.compile(r"(^|_)name(_norm)?$")
_EMAIL_IN_TEXT = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_IN_TEXT = re.compile(r"(?<![\w.+-])(?!\d{4}-\d{2}-\d{2})\+?\d[\d ().-]{5,}\d(?!\w)")
"""A phone-like run of digits in free text; ISO dates are left alone."""
_MASK = "***"
_VISIBLE_PHONE_DIGITS = 4


def pii_kind(column: str) -> PiiKind | None:
    """What kind of personal data a column holds, judged by its name; None when it holds none."""
    name = column.lower()
    if name in _FREE_TEXT_COLUMNS:
        return "text"
    if "email" in name:
        return "email"
    if "phone" in name or "e164" in name:
        return "phone"
    if _NAME_COLUMN.search(name):
        return "name"
    return None


def mask_email(email: str) -> str:
    """`jane.doe@example.com` -> `j***@e***.com`: first letters and the top-level domain only."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return _first(email) + _MASK
    labels = domain.split(".")
    suffix = f".{labels[-1]}" if len(labels) > 1 else ""
    return f"{_first(local)}{_MASK}@{_first(domain)}{_MASK}{suffix}"


def mask_phone(phone: str) -> str:
    """`+14155550100` -> `+1******0100`: the leading digit after `+` and the last four digits."""
    digits = re.sub(r"\D", "", phone)
    plus = phone.strip().startswith("+")
    if len(digits) <= _VISIBLE_PHONE_DIGITS + 1:
        return "*" * len(digits)
    lead = f"+{digits[0]}" if plus else ""
    hidden = len(digits) - _VISIBLE_PHONE_DIGITS - (1 if plus else 0)
    return f"{lead}{'*' * hidden}{digits[-_VISIBLE_PHONE_DIGITS:]}"


def mask_name(name: str) -> str:
    """`Jane van Dijk` -> `J. V. D.`: initials only."""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)


def mask_text(text: str) -> str:
    """Free text with every email and phone-like run of digits inside it masked."""
    text = _EMAIL_IN_TEXT.sub(lambda match: mask_email(match.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda match: mask_phone(match.group(0)), text)


_MASKERS: dict[PiiKind, Callable[[str], str]] = {
    "email": mask_email,
    "phone": mask_phone,
    "name": mask_name,
    "text": mask_text,
}


def mask_value(column: str, value: object) -> object:
    """One value of `column`, masked when the column holds personal data and the value is text."""
    kind = pii_kind(column)
    if kind is None or not isinstance(value, str):
        return value
    return _MASKERS[kind](value)


def mask_series(column: str, values: pd.Series) -> pd.Series:
    """A whole column masked, computing each distinct value once (columns repeat values a lot)."""
    kind = pii_kind(column)
    if kind is None:
        return values
    masker = _MASKERS[kind]
    mapping = {value: masker(value) for value in values.dropna().unique() if isinstance(value, str)}
    masked = values.map(mapping)
    return masked.where(masked.notna(), values)


def mask_record(record: Mapping[str, object]) -> dict[str, object]:
    """A row as a dict with every personal value masked, e.g. a sample key for check metadata."""
    return {column: mask_value(column, value) for column, value in record.items()}


def _first(text: str) -> str:
    """The first character of `text`, or nothing for an empty string."""
    return text[:1]

"""Masking of personal data (emails, phones, names) before it reaches logs, check metadata or
messages.

Why: on-call staff need to recognise *which* rows are at fault without the UI, the run logs or
`dq_check_results` becoming a second copy of the CRM. A masked value keeps just enough to match
it against the warehouse by eye (`j***@d***.com`, `+1******0100`, `J. D.`), never the whole.

How a column is masked comes from the one classification in `dbt_like_sql/schema.yml`
(`warehouse.column_catalog`), the same that builds the masked views: a column name classified as
personal in any curated table is masked everywhere by its mask kind. Columns schema.yml does not
describe (staging-only ones such as `email_key` or `first_name_norm`) are judged by their names
(emails, phones, names); any other unknown column is treated as free text, so emails and
phone-like runs of digits inside it are masked all the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

import pandas as pd

from hygiene_pipeline.warehouse.column_catalog import SHOWN, Mask, MaskKind, shipped_catalog

_NAME_COLUMN = re.compile(r"(^|_)name(_norm)?$")
_EMAIL_IN_TEXT = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_IN_TEXT = re.compile(r"(?<![\w.+-])(?!\d{4}-\d{2}-\d{2})\+?\d[\d ().-]{5,}\d(?!\w)")
"""A phone-like run of digits in free text; ISO dates are left alone."""
_MASK = "***"
_VISIBLE_PHONE_DIGITS = 4


def mask_kind(column: str) -> Mask:
    """How values of `column` are masked: its schema.yml classification, else judged by name."""
    classified = _classified_masks()
    return classified[column] if column in classified else _kind_by_name(column)


@cache
def _classified_masks() -> dict[str, Mask]:
    return shipped_catalog().masks_by_column_name()


def _kind_by_name(column: str) -> MaskKind:
    """The mask of a column schema.yml does not know: by its name, free text when unsure."""
    name = column.lower()
    if "email" in name:
        return "email"
    if "phone" in name or "e164" in name:
        return "phone"
    if _NAME_COLUMN.search(name):
        return "name"
    return "text"


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


def mask_email_or_phone(value: str) -> str:
    """An email address or a phone number (a suppression key), masked as what it is."""
    return mask_email(value) if "@" in value else mask_phone(value)


def redact(_value: str) -> str:
    """A value hidden whole: only that there was one shows."""
    return _MASK


_MASKERS: dict[MaskKind, Callable[[str], str]] = {
    "email": mask_email,
    "phone": mask_phone,
    "email_or_phone": mask_email_or_phone,
    "name": mask_name,
    "text": mask_text,
    "redact": redact,
}


def mask_value(column: str, value: object) -> object:
    """One value of `column`, masked when the column holds personal data and the value is text."""
    kind = mask_kind(column)
    if kind == SHOWN or not isinstance(value, str):
        return value
    return _MASKERS[kind](value)


def mask_series(column: str, values: pd.Series) -> pd.Series:
    """A whole column masked, computing each distinct value once (columns repeat values a lot)."""
    kind = mask_kind(column)
    if kind == SHOWN:
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

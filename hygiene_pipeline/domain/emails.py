"""E-mail addresses: syntax validity with `email-validator`, canonical mailbox keys, flags.

Validation is per distinct value and split to stay fast on a million rows: a local part that
matches `email-validator`'s own ASCII dot-atom pattern is valid by that library's rules, so those
addresses need only their domain checked, once per distinct domain (`validate_email` on a probe
address, no DNS). Every other address (international, quoted, malformed) goes through
`validate_email` whole, once per distinct value. Disposable domains come from the
`disposable-email-domains` package.
"""

from __future__ import annotations

import pandas as pd
from disposable_email_domains import blocklist as disposable_domains
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT, EMAIL_MAX_LENGTH

from hygiene_pipeline.domain.column_ops import blank_to_none, map_distinct

EMAIL_COLUMNS: tuple[str, ...] = (
    "email",
    "email_valid",
    "email_key",
    "email_domain",
    "email_is_role",
    "email_is_disposable",
    "email_error",
)
"""Columns of `standardise_emails`; `email_error` is the validator's message for invalid ones."""

ROLE_LOCAL_PARTS: frozenset[str] = frozenset(
    [
        "abuse",
        "accounting",
        "accounts",
        "admin",
        "administrator",
        "all",
        "billing",
        "careers",
        "community",
        "compliance",
        "contact",
        "contactus",
        "customercare",
        "customerservice",
        "donotreply",
        "enquiries",
        "enquiry",
        "feedback",
        "finance",
        "general",
        "hello",
        "help",
        "helpdesk",
        "hostmaster",
        "hr",
        "info",
        "information",
        "inquiries",
        "inquiry",
        "invoices",
        "it",
        "jobs",
        "legal",
        "mail",
        "marketing",
        "media",
        "news",
        "newsletter",
        "no-reply",
        "noreply",
        "office",
        "operations",
        "ops",
        "orders",
        "partners",
        "postmaster",
        "press",
        "privacy",
        "purchasing",
        "reception",
        "recruiting",
        "recruitment",
        "sales",
        "security",
        "service",
        "staff",
        "support",
        "team",
        "webmaster",
    ]
)
"""Local parts that name a function rather than a person (checked after plus tags are dropped)."""

DOT_INSENSITIVE_DOMAINS: frozenset[str] = frozenset({"gmail.com", "googlemail.com"})
"""Providers that ignore dots in the local part."""

DOMAIN_ALIASES: dict[str, str] = {"googlemail.com": "gmail.com"}

_VALIDATOR_OPTIONS = {"check_deliverability": False}


def _validate_whole(address: str) -> tuple[str | None, str | None]:
    """Normalised address (or None) and the validator's message (or None)."""
    try:
        return validate_email(address, **_VALIDATOR_OPTIONS).normalized, None
    except EmailNotValidError as error:
        return None, str(error)


def _validate_domains(domains: pd.Series) -> pd.DataFrame:
    """Per distinct domain: its normalised form, or the validator's message about it."""
    results = domains.map(lambda domain: _validate_whole(f"a@{domain}"))
    return pd.DataFrame(
        {
            "domain": results.map(lambda r: r[0].split("@", 1)[1] if r[0] else None),
            "error": results.map(lambda r: r[1]),
        }
    )


def _split(addresses: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Local part and domain around the last `@` (None for both when there is no `@`)."""
    has_at = addresses.str.contains("@", regex=False, na=False).astype(bool)
    local = pd.Series(None, index=addresses.index, dtype="object")
    domain = local.copy()
    if has_at.any():
        parts = addresses[has_at].str.rpartition("@")
        local[has_at], domain[has_at] = parts[0], parts[2]
    return local, domain


def _validate(addresses: pd.Series) -> pd.DataFrame:
    """Normalised address (None if invalid) and the validator's message, per distinct address.

    Addresses with a plain ASCII local part only need their domain validated, per domain.
    """
    local, domain = _split(addresses)
    fast = (
        (addresses.str.count("@") == 1)
        & local.str.match(DOT_ATOM_TEXT.pattern, na=False).astype(bool)
        & (domain.str.len() > 0)
    )
    checked = map_distinct(domain.where(fast, None), _validate_domains)
    normalised = (local + "@" + checked["domain"]).where(fast & checked["domain"].notna(), None)
    too_long = normalised.str.len() > EMAIL_MAX_LENGTH
    error = checked["error"].where(
        ~too_long, f"The email address is too long (more than {EMAIL_MAX_LENGTH} characters)."
    )
    slow_rows = ~fast & addresses.notna()
    slow = addresses[slow_rows].map(_validate_whole)
    normalised = normalised.where(~too_long, None)
    normalised[slow_rows] = slow.map(lambda r: r[0])
    error[slow_rows] = slow.map(lambda r: r[1])
    return pd.DataFrame({"normalised": normalised, "error": error})


def mailbox_key(local: pd.Series, domain: pd.Series) -> pd.Series:
    """Canonical mailbox: plus tag dropped, dots dropped where the provider ignores them."""
    domain = domain.where(~domain.isin(DOMAIN_ALIASES), domain.map(DOMAIN_ALIASES))
    untagged = local.str.split("+", n=1).str[0]
    undotted = untagged.where(~domain.isin(DOT_INSENSITIVE_DOMAINS), untagged.str.replace(".", ""))
    return undotted + "@" + domain


def is_disposable(domain: pd.Series) -> pd.Series:
    """Domain, or any parent domain of it, is on the disposable-provider list."""

    def listed(name: str) -> bool:
        labels = name.split(".")
        return any(".".join(labels[i:]) in disposable_domains for i in range(len(labels) - 1))

    return map_distinct(domain, lambda d: d.map(listed).astype(bool))


def _standardise_distinct(values: pd.Series) -> pd.DataFrame:
    addresses = blank_to_none(values).str.lower()
    checked = _validate(addresses)
    valid = checked["normalised"].notna()
    local, valid_domain = _split(checked["normalised"])
    domain = valid_domain.where(valid, _split(addresses)[1])
    return pd.DataFrame(
        {
            "email": addresses,
            "email_valid": valid,
            "email_key": mailbox_key(local, domain).where(valid, None),
            "email_domain": domain.where(domain.str.len() > 0, None),
            "email_is_role": local.str.split("+", n=1).str[0].isin(ROLE_LOCAL_PARTS),
            "email_is_disposable": is_disposable(domain),
            "email_error": checked["error"],
        }
    )


def standardise_emails(values: pd.Series) -> pd.DataFrame:
    """Trim and lower-case addresses, check their syntax and derive the mailbox key and flags.

    Invalid addresses keep their cleaned text in `email` with `email_valid` False and `email_key`
    None; `email_error` says why. Each distinct input value is processed once.
    """
    return map_distinct(values, _standardise_distinct)

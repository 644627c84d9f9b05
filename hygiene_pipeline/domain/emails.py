"""E-mail addresses: syntax validity with `email-validator`, canonical mailbox keys, flags.

Internationalised addresses must also be written in one script per part and must not imitate
ASCII with look-alike letters (`script_problem`): `jоhn@exаmple.cоm` with Cyrillic `о` and `а`
passes IDNA but is a spoof, and is invalid here.

Validation is per distinct value and split to stay fast on a million rows: a local part that
matches `email-validator`'s own ASCII dot-atom pattern is valid by that library's rules, so those
addresses need only their domain checked, once per distinct domain: a plain lower-case ASCII
domain that the library's rules accept as written (`PLAIN_DOMAIN`) is taken as it is, any other
through `validate_email` on a probe address (no DNS). Every other address (international,
quoted, malformed) goes through `validate_email` whole, once per distinct value. Disposable
domains come from the `disposable-email-domains` package.
"""

from __future__ import annotations

import re
import unicodedata
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from disposable_email_domains import blocklist as disposable_domains
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT, EMAIL_MAX_LENGTH

from hygiene_pipeline.domain.column_ops import (
    arrow_flags,
    arrow_objects,
    arrow_strings,
    map_distinct,
    map_values,
)

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
_ROLE_SET = pa.array(sorted(ROLE_LOCAL_PARTS))

_VALIDATOR_OPTIONS = {"check_deliverability": False}
_CJK_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC"})
_ASCII_LOOKALIKES = frozenset(
    "аеорсухіјѕԁһӏԛԝвкмнтАВЕКМНОРСТУХІЈЅ"  # Cyrillic
    "οαυνιρκτχεΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"  # Greek
)
"""Letters of other scripts that render like ASCII letters (after lower-casing too)."""


def _validate_whole(address: str) -> tuple[str | None, str | None]:
    """Normalised address (or None) and the validator's message (or None)."""
    try:
        return validate_email(address, **_VALIDATOR_OPTIONS).normalized, None
    except EmailNotValidError as error:
        return None, str(error)


def _validate_domain(domain: str) -> tuple[str | None, str | None]:
    """A probe address at `domain`, normalised (or None), and why it is not valid (or None)."""
    normalised, error = _validate_whole(f"a@{domain}")
    problem = script_problem(normalised) if normalised else None
    return (None, problem) if problem else (normalised, error)


_PLAIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
PLAIN_DOMAIN = re.compile(rf"(?!.{{201}})(?:{_PLAIN_LABEL}\.)+{_PLAIN_LABEL}(?<=[a-z])")
"""A domain `email-validator` accepts as it is, by its own rules: lower-case letters, digits and
inner hyphens in labels of 1 to 63 characters, two labels or more, ending in a letter, at most
200 characters (far from its length limits). It must also not be special-use, nor have a label
with two hyphens after two characters (`xn--` Punycode, reserved `ab--` labels): see
`_plain_domain`."""


def _plain_domain(domain: str) -> bool:
    """Whether `domain` is valid as written with no need to ask the validator (`PLAIN_DOMAIN`)."""
    return (
        PLAIN_DOMAIN.fullmatch(domain) is not None
        and not any(label[2:4] == "--" for label in domain.split("."))
        and not any(
            domain == special or domain.endswith("." + special)
            for special in SPECIAL_USE_DOMAIN_NAMES
        )
    )


def _validate_domains(domains: pd.Series, workers: int | None = None) -> pd.DataFrame:
    """Per distinct domain: its normalised form, or the validator's message about it. A plain
    domain (`_plain_domain`: nearly all) is its own normal form; the validator, which costs
    about 0.1 ms per domain, sees the others (in `workers` processes when there are very many)."""
    names = domains.tolist()
    found = {name: (f"a@{name}", None) for name in names if _plain_domain(name)}
    unusual = pd.Series([name for name in names if name not in found], dtype="object")
    found |= dict(zip(unusual, map_values(unusual, _validate_domain, workers), strict=True))
    results = [found[name] for name in names]
    return pd.DataFrame(
        {
            "domain": [
                normalised.split("@", 1)[1] if normalised else None for normalised, _ in results
            ],
            "error": [error for _, error in results],
        }
    )


_PLAIN_ADDRESS = "^(?:" + DOT_ATOM_TEXT.pattern.removesuffix("\\Z") + ")@[^@]+$"
"""An address whose local part passes `email-validator`'s ASCII dot-atom rule (RE2 syntax)."""


def _validate(
    addresses: pa.Array, workers: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validity, normalised local part and domain, and the validator's message per address.

    A plain ASCII local part is valid by `email-validator`'s own rule, so those addresses only
    need their domain validated, once per domain; all others are validated whole.
    """
    parts = pc.extract_regex(addresses, r"^(?P<local>.*)@(?P<domain>[^@]*)$")
    local = arrow_objects(pc.struct_field(parts, "local"))
    domain = arrow_objects(pc.struct_field(parts, "domain"))
    single_at = pc.equal(pc.count_substring(addresses, "@"), 1)
    plain = arrow_flags(pc.and_(single_at, pc.match_substring_regex(addresses, _PLAIN_ADDRESS)))
    checked = map_distinct(
        pd.Series(np.where(plain, domain, None)), partial(_validate_domains, workers=workers)
    )
    valid_domain = checked["domain"].to_numpy(dtype=object)
    error = checked["error"].to_numpy(dtype=object)
    length = pd.Series(local).str.len() + pd.Series(valid_domain).str.len() + 1
    too_long = plain & (length > EMAIL_MAX_LENGTH).to_numpy()
    error[too_long] = f"The email address is too long (more than {EMAIL_MAX_LENGTH} characters)."
    valid = plain & pd.notna(valid_domain) & ~too_long
    local, domain = np.where(valid, local, None), np.where(valid, valid_domain, domain)
    text = arrow_objects(addresses)
    for row in np.flatnonzero(~plain & pd.notna(text)):
        normalised, error[row] = _validate_whole(text[row])
        if normalised is not None:
            error[row] = script_problem(normalised)
        if normalised is not None and error[row] is None:
            valid[row] = True
            local[row], domain[row] = normalised.rsplit("@", 1)
    return valid, local, domain, error


def _script(character: str) -> str | None:
    """The writing system of a letter (`LATIN`, `CYRILLIC`, `GREEK`, `CJK` for Chinese,
    Japanese and Korean together ...), None for digits, punctuation and marks."""
    if not unicodedata.category(character).startswith("L"):
        return None
    words = unicodedata.name(character, "UNKNOWN").split()
    word = words[1] if words[0] in {"FULLWIDTH", "HALFWIDTH"} and len(words) > 1 else words[0]
    return "CJK" if word in _CJK_SCRIPTS else word


def script_problem(address: str) -> str | None:
    """Why an internationalised address is a likely spoof, or None when it is not.

    Each part (the local part, each domain label) must be written in one script: `pаypal`
    with a Cyrillic `а` mixes two. A part in another script that looks entirely like ASCII
    letters (`соm` in Cyrillic) imitates an ASCII name. A non-ASCII top-level domain must be a
    proper IDNA label of one script (`рф`, `中国`), which the same two rules ensure on top of the
    validator's IDNA check.
    """
    local, domain = address.rsplit("@", 1)
    labels = [("local part", local)] + [
        ("top-level domain" if i == len(parts) - 1 else "domain", label)
        for parts in [domain.split(".")]
        for i, label in enumerate(parts)
    ]
    for where, label in labels:
        if label.isascii():
            continue
        scripts = {script for script in map(_script, label) if script}
        if len(scripts) > 1:
            return f"mixed scripts in the {where} ({', '.join(sorted(scripts)).lower()})"
        letters = [c for c in label if unicodedata.category(c).startswith("L")]
        if letters and all(c in _ASCII_LOOKALIKES for c in letters):
            return f"the {where} imitates ASCII letters with look-alike characters"
    return None


def _standardise_distinct(values: pd.Series, workers: int | None = None) -> pd.DataFrame:
    """All e-mail columns for distinct raw values, with Arrow string kernels."""
    addresses = pc.utf8_lower(pc.utf8_trim_whitespace(arrow_strings(values)))
    addresses = pc.if_else(pc.equal(pc.utf8_length(addresses), 0), None, addresses)
    valid, local, domain, error = _validate(addresses, workers)
    untagged = pc.replace_substring_regex(arrow_strings(local), r"\+.*$", "")
    domains = pd.Series(domain, dtype="object")
    return pd.DataFrame(
        {
            "email": arrow_objects(addresses),
            "email_valid": valid,
            "email_key": arrow_objects(_mailbox_key(untagged, arrow_strings(domain))),
            "email_domain": domains.where(domains.str.len() > 0, None).to_numpy(),
            "email_is_role": arrow_flags(pc.is_in(untagged, value_set=_ROLE_SET)),
            "email_is_disposable": is_disposable(domains).to_numpy(),
            "email_error": error,
        }
    )


def _mailbox_key(untagged: pa.Array, domain: pa.Array) -> pa.Array:
    """Canonical mailbox: dots dropped where the provider ignores them, provider aliases."""
    for alias, canonical in DOMAIN_ALIASES.items():
        domain = pc.if_else(pc.equal(domain, alias), canonical, domain)
    dotless = pc.is_in(domain, value_set=pa.array(sorted(DOT_INSENSITIVE_DOMAINS)))
    local = pc.if_else(dotless, pc.replace_substring(untagged, ".", ""), untagged)
    return pc.binary_join_element_wise(local, domain, "@")


def is_disposable(domain: pd.Series) -> pd.Series:
    """Domain, or any parent domain of it, is on the disposable-provider list."""

    def listed(name: str) -> bool:
        labels = name.split(".")
        return any(".".join(labels[i:]) in disposable_domains for i in range(len(labels) - 1))

    return map_distinct(domain, lambda d: d.map(listed).astype(bool))


def standardise_emails(values: pd.Series, workers: int | None = None) -> pd.DataFrame:
    """Trim and lower-case addresses, check their syntax and derive the mailbox key and flags.

    Invalid addresses keep their cleaned text in `email` with `email_valid` False and `email_key`
    None; `email_error` says why. Each distinct input value is processed once; `workers` is the
    number of processes for validating very many unusual domains (default `default_workers`).
    """
    return map_distinct(values, partial(_standardise_distinct, workers=workers))

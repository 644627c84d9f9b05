"""Ghost records: CRM rows that are nobody. Test entries, placeholders and keyboard mash
(`Test Test`, `asdf`, `Mickey Mouse`, `Max Mustermann`, 张三), junk or throw-away addresses
(`test@test.com`, `noreply@example.com`, disposable domains), junk numbers (`555-555-5555`,
`0000000000`, `1234567890`) and the US numbers reserved for fiction (555-0100 to 555-0199), and
companies like `ACME` or 测试公司.

Values come from small pools, so ghosts share junk with each other (two `test@test.com`
records), and the junk numbers overlap with the junk some real records carry (`JUNK_PHONES`).
Every value can be written in its file's encoding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hygiene_pipeline.synthetic.columns import (
    chance,
    digits,
    join,
    nulls_where,
    pick,
    where,
)
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES

GHOST_SHARE = 0.015  # of all CRM records
_LATIN_NAMES = (
    ("Test", "Test"),
    ("test", "test"),
    ("asdf", "asdf"),
    ("Mickey", "Mouse"),
    ("Donald", "Duck"),
    ("N/A", "N/A"),
    ("Test", "User"),
    ("Do Not", "Use"),
    ("xxx", "xxx"),
    ("Dummy", "Contact"),
    ("qwerty", "qwerty"),
    ("Max", "Mustermann"),
    ("Sample", "Lead"),
    ("Unknown", "Unknown"),
)
_LOCAL_NAMES = (("三", "张"), ("四", "李"), ("测试", "测试"), ("Test", "Test"))
_EMAILS = (
    "test@test.com",
    "test@test.com",
    "noreply@example.com",
    "test@example.com",
    "asdf@asdf.com",
    "a@a.com",
    "none@none.com",
    "N/A",
)
_DISPOSABLE = ("mailinator.com", "yopmail.com", "guerrillamail.com", "10minutemail.com")
JUNK_GHOST_PHONES = (
    "555-555-5555",
    "0000000000",
    "1234567890",
    "000-000-0000",
    "9999999999",
    "N/A",
)
_COMPANIES = ("ACME", "Acme Inc", "Test Company", "N/A", "-", "Company", "asdf")
_LOCAL_COMPANIES = ("测试公司", "ACME", "Test Company")


@dataclass(frozen=True)
class GhostText:
    """The written fields of ghost records."""

    first_name: pa.Array
    last_name: pa.Array
    full_name: pa.Array
    email: pa.Array
    phone: pa.Array
    mobile_phone: pa.Array
    company: pa.Array
    job_title: pa.Array


def _pairs(
    rng: np.random.Generator, pool: tuple[tuple[str, str], ...], n: int
) -> tuple[pa.Array, pa.Array]:
    chosen = rng.integers(0, len(pool), size=n)
    return (
        pa.array([pool[i][0] for i in chosen], pa.string()),
        pa.array([pool[i][1] for i in chosen], pa.string()),
    )


def ghost_text(
    rng: np.random.Generator, file: np.ndarray, real_junk_phones: list[str]
) -> GhostText:
    """Fields of one ghost record per entry of `file` (index into CRM_FILES). The first two
    ghosts are both `test@test.com`; the third carries a junk number some real record has."""
    n = len(file)
    local = np.array([spec.local_script_names for spec in CRM_FILES])[file]
    wide = np.array([spec.encoding != "latin-1" for spec in CRM_FILES])[file]
    latin_first, latin_last = _pairs(rng, _LATIN_NAMES, n)
    local_first, local_last = _pairs(rng, _LOCAL_NAMES, n)
    first = where(local, local_first, latin_first)
    last = where(local, local_last, latin_last)
    full = where(local, join(last, first), join(first, " ", last))
    disposable = join("user", digits(rng, n, 4), "@", pick(rng, _DISPOSABLE, n))
    email = where(chance(rng, n, 0.25), disposable, pick(rng, _EMAILS, n))
    email = nulls_where(chance(rng, n, 0.1), email)
    reserved = join(
        pick(rng, ("(212) 555-01", "+1 415 555 01", "312-555-01", "1-617-555-01"), n),
        digits(rng, n, 2),
    )
    phone = where(chance(rng, n, 0.35), reserved, pick(rng, JUNK_GHOST_PHONES, n))
    phone = nulls_where(chance(rng, n, 0.15), phone)
    company = where(
        wide & chance(rng, n, 0.3), pick(rng, _LOCAL_COMPANIES, n), pick(rng, _COMPANIES, n)
    )
    company = nulls_where(chance(rng, n, 0.15), company)
    if n >= 2:
        email = _set(email, [0, 1], "test@test.com")
    if n >= 3 and real_junk_phones:
        phone = _set(phone, [2], real_junk_phones[0])
    null = pa.scalar(None, pa.string())
    return GhostText(
        first_name=first,
        last_name=last,
        full_name=where(local, full, null),
        email=email,
        phone=phone,
        mobile_phone=nulls_where(np.ones(n, dtype=bool), phone),
        company=company,
        job_title=nulls_where(~chance(rng, n, 0.2), pick(rng, ("Test", "N/A", "xxx"), n)),
    )


def _set(values: pa.Array, rows: list[int], value: str) -> pa.Array:
    """`values` with `rows` replaced by `value`."""
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return where(mask, value, values)

"""Standardised contacts with known duplicates, made directly in the `crm_contacts` staging form.

Built with numpy so that test sets of thousands of records take milliseconds. Each person gets
one record, some get duplicates in other source systems with the usual damage: typos, first and
last name swapped, a missing e-mail or phone, the phone moved to the mobile column, an e-mail
typo. Traps for the linker: switchboard numbers shared across a company, role mailboxes,
namesakes (frequent names at different companies). `person_id` is the ground truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SOURCES = np.array(["salesforce", "hubspot", "dynamics"], dtype=object)
_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))
_SYLLABLES = np.array(
    ["an", "be", "ca", "do", "el", "fi", "ga", "ha", "io", "ju", "ka", "li", "mo", "na", "or",
     "pe", "qu", "ri", "sa", "to", "ul", "ve", "wi", "xa", "yo", "ze", "son", "ton", "ber", "mar"]
)  # fmt: skip


def _words(rng: np.random.Generator, count: int, syllables: int) -> np.ndarray:
    parts = rng.choice(_SYLLABLES, size=(count * 3, syllables))
    words = np.unique(["".join(p) for p in parts])
    rng.shuffle(words)
    return words[:count]


def _zipf_choice(rng: np.random.Generator, values: np.ndarray, size: int, a: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, len(values) + 1) ** a
    return rng.choice(values, size=size, p=weights / weights.sum())


def _typo(rng: np.random.Generator, words: np.ndarray) -> np.ndarray:
    """One substituted letter at a random position past the first two."""
    out = words.copy()
    for i, word in enumerate(words):
        if len(word) > 3:
            at = rng.integers(2, len(word))
            out[i] = word[:at] + rng.choice(_LETTERS) + word[at + 1 :]
    return out


def make_contacts(persons: int, seed: int = 0, duplicate_share: float = 0.35) -> pd.DataFrame:
    """A standardised contacts frame with a `person_id` ground-truth column."""
    rng = np.random.default_rng(seed)
    first_names = _words(rng, 600, 2)
    last_names = _words(rng, 4000, 3)
    companies = _words(rng, max(50, persons // 8), 3)
    first = _zipf_choice(rng, first_names, persons, 1.0)
    last = _zipf_choice(rng, last_names, persons, 0.8)
    company = companies[rng.integers(0, len(companies), persons)]
    postal = np.char.add("P", rng.integers(10000, 99999, persons).astype(str)).astype(object)
    personal = rng.random(persons) < 0.3
    domain = np.where(personal, "gmail.com", np.char.add(company.astype(str), ".com"))
    email = np.char.add(np.char.add(np.char.add(first.astype(str), "."), last.astype(str)), "@")
    email = np.char.add(email, domain).astype(object)
    email = np.char.add(np.char.add(np.arange(persons).astype(str), "."), email.astype(str))
    email = email.astype(object)
    phone = np.char.add("+1555", rng.integers(1_000_000, 9_999_999, persons).astype(str))
    phone = phone.astype(object)
    mobile = np.char.add("+1666", rng.integers(1_000_000, 9_999_999, persons).astype(str))
    mobile = np.where(rng.random(persons) < 0.5, mobile, None).astype(object)
    company_codes = pd.factorize(company)[0]
    switchboard = rng.random(persons) < 0.1
    phone[switchboard] = np.char.add("+1777", (1_000_000 + company_codes[switchboard]).astype(str))
    people = pd.DataFrame(
        {
            "person_id": np.arange(persons),
            "first_name_norm": first,
            "last_name_norm": last,
            "email_key": email,
            "phone_e164": phone,
            "mobile_phone_e164": mobile,
            "company_key": company,
            "postal_code_key": postal,
        }
    )
    copies = np.where(rng.random(persons) < duplicate_share, rng.integers(1, 4, persons), 0)
    originals = people.assign(copy=0)
    dupes = people.loc[np.repeat(np.arange(persons), copies)].reset_index(drop=True)
    dupes["copy"] = 1 + dupes.groupby("person_id").cumcount()
    records = pd.concat([originals, dupes], ignore_index=True)
    _damage(rng, records, records["copy"].to_numpy() > 0)
    return _finish(rng, records)


def _damage(rng: np.random.Generator, records: pd.DataFrame, dup: np.ndarray) -> None:
    n = len(records)

    def pick(share: float) -> np.ndarray:
        return dup & (rng.random(n) < share)

    for column in ("first_name_norm", "last_name_norm"):
        hit = pick(0.12)
        records.loc[hit, column] = _typo(rng, records.loc[hit, column].to_numpy())
    swap = pick(0.08)
    records.loc[swap, ["first_name_norm", "last_name_norm"]] = records.loc[
        swap, ["last_name_norm", "first_name_norm"]
    ].to_numpy()
    records.loc[pick(0.3), "email_key"] = None
    records.loc[pick(0.3), "phone_e164"] = None
    moved = pick(0.1) & records["mobile_phone_e164"].isna().to_numpy()
    records.loc[moved, "mobile_phone_e164"] = records.loc[moved, "phone_e164"]
    records.loc[moved, "phone_e164"] = None
    typo = pick(0.05) & records["email_key"].notna().to_numpy()
    records.loc[typo, "email_key"] = _typo(rng, records.loc[typo, "email_key"].to_numpy())
    records.loc[pick(0.2), "postal_code_key"] = None
    role = dup & (rng.random(n) < 0.03)
    records.loc[role, "email_key"] = "info@" + records.loc[role, "company_key"] + ".com"


def _finish(rng: np.random.Generator, records: pd.DataFrame) -> pd.DataFrame:
    n = len(records)
    source = SOURCES[(records["copy"].to_numpy() + rng.integers(0, 3, n)) % 3]
    contact_id = np.char.add("C", np.arange(n).astype(str)).astype(object)
    base = pd.Timestamp("2024-01-01", tz="UTC")
    updated = base + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    email = records["email_key"]
    records = records.assign(
        record_key=pd.Series(source, dtype=object) + ":" + pd.Series(contact_id),
        contact_id=contact_id,
        source_system=source,
        first_name=records["first_name_norm"].str.title(),
        last_name=records["last_name_norm"].str.title(),
        email=email,
        email_valid=email.notna(),
        email_domain=email.str.split("@").str[1],
        email_is_role=email.fillna("").str.startswith("info@"),
        phone_valid=records["phone_e164"].notna(),
        mobile_phone_valid=records["mobile_phone_e164"].notna(),
        home_phone_e164=None,
        home_phone_valid=False,
        other_phone_e164=None,
        other_phone_valid=False,
        company=records["company_key"].str.title() + " Inc",
        job_title="Manager",
        street=None,
        city=None,
        postal_code=records["postal_code_key"],
        country="US",
        created_at=updated - pd.Timedelta(days=30),
        updated_at=updated,
        last_activity_at=updated,
        do_not_call=rng.random(n) < 0.05,
        do_not_email=rng.random(n) < 0.05,
        consent_status=rng.choice(["opted_in", "opted_out", "unknown"], n, p=[0.6, 0.1, 0.3]),
        consent_expires_at=updated + pd.Timedelta(days=365),
    )
    order = rng.permutation(n)
    return records.iloc[order].drop(columns="copy").reset_index(drop=True)

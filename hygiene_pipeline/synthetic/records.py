"""CRM contact records: each person appears 1-4 times across Salesforce, HubSpot and the
legacy CRM, each time written a little differently.

The noise is what real CRMs hold: nicknames (Bob for Robert), one- or two-edit typos, case and
whitespace, initials, given/family order swapped for Chinese names (and names in characters in
the legacy Chinese export), company legal-suffix variants (`Acme Inc`, `ACME, Inc.`, `Acme
Incorporated`), email case and plus tags, phone numbers in every format and with extensions,
missing fields. Hard negatives are planted too: colleagues whose records carry the company
switchboard, and role mailboxes (`info@`) on several colleagues' records.

This module fixes who each record is and how it identifies them; `record_activity` adds the
dates, consent and flags that depend on each person's planned story.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.synthetic.columns import (
    assemble,
    chance,
    group_rows,
    integers_as_text,
    join,
    nulls_where,
    pick,
    row_choice,
    take,
    where,
)
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES, SOURCE_WEIGHTS, Source
from hygiene_pipeline.synthetic.phones import EXTENSION_FORMATS, draw_styles
from hygiene_pipeline.synthetic.population import Population, mailbox_key
from hygiene_pipeline.synthetic.reference_data import (
    CITIES,
    COUNTRIES,
    COUNTRY_CODES,
    JOB_TITLE_ABBREVIATIONS,
    JUNK_PHONES,
    LEGAL_SUFFIXES,
)
from hygiene_pipeline.synthetic.text_noise import (
    apply_case,
    apply_initials,
    apply_nicknames,
    apply_typos,
    apply_whitespace,
)


class PhoneKind(IntEnum):
    """What a record's phone field holds."""

    NONE = 0
    DIRECT = 1
    MOBILE = 2
    SWITCHBOARD = 3
    JUNK = 4


class EmailKind(IntEnum):
    """Whose mailbox a record's email field names."""

    NONE = 0
    WORK = 1
    PERSONAL = 2
    ROLE = 3


ROLE_MAILBOX_COMPANY_SHARE = 0.15
PLUS_TAGS: tuple[str, ...] = ("+crm", "+newsletter", "+sf", "+events")
_CHINA = COUNTRY_CODES.index("CN")


@dataclass(frozen=True)
class Records:
    """One row per CRM contact record (bad rows excluded); text columns are as written."""

    person: np.ndarray
    country_index: np.ndarray  # the person's country, index into COUNTRY_CODES
    rank: np.ndarray  # 0 for each person's first (most complete) record
    source: np.ndarray  # Source
    file: np.ndarray  # index into CRM_FILES
    contact_id: pa.Array
    first_name: pa.Array
    last_name: pa.Array
    full_name: pa.Array
    email: pa.Array
    email_kind: np.ndarray  # EmailKind
    email_valid: np.ndarray
    email_key: pa.Array  # mailbox key of a valid email, else null
    phone: pa.Array
    phone_kind: np.ndarray  # PhoneKind
    phone_number: np.ndarray  # number id, -1 when none or junk
    mobile_phone: pa.Array
    mobile_number: np.ndarray
    company: pa.Array
    job_title: pa.Array
    street: pa.Array
    city: pa.Array
    state: pa.Array
    postal_code: pa.Array
    country: pa.Array  # as written (ISO-2, ISO-3, English or local name), null if missing
    country_known: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


def _file_of(source: np.ndarray, country: np.ndarray) -> np.ndarray:
    lookup = np.full((len(Source), len(COUNTRY_CODES)), -1)
    for i, spec in enumerate(CRM_FILES):
        for code in spec.countries:
            lookup[spec.source, COUNTRY_CODES.index(code)] = i
    return lookup[source, country]


def _salesforce_ids(sequence: np.ndarray) -> pa.Array:
    """18-character Salesforce Contact ids (`003...`), with the real case-checksum suffix."""
    alphabet = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    value = np.asarray(sequence, dtype=np.int64) + 1_000_000
    tail = np.zeros((len(value), 5), dtype=np.int64)
    for position in range(4, -1, -1):
        value, tail[:, position] = np.divmod(value, 62)
    upper = (tail >= 10) & (tail < 36)
    checksum = (upper * (1 << np.arange(5))).sum(axis=1)
    checksum_chars = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"))
    chars = [pa.array(alphabet[tail[:, p]]) for p in range(5)]
    return join("0035g00000", *chars, "AA", pa.array(checksum_chars[checksum]))


def _contact_ids(rng: np.random.Generator, source: np.ndarray) -> pa.Array:
    """Ids in each system's own shape; different shapes make them unique across systems."""
    pieces: list[pa.Array] = []
    order: list[np.ndarray] = []
    for s, rows in group_rows(source):
        sequence = np.cumsum(rng.integers(1, 9, size=len(rows)))
        if s == Source.SALESFORCE:
            pieces.append(_salesforce_ids(sequence))
        elif s == Source.HUBSPOT:
            pieces.append(integers_as_text(51_000_000 + sequence * 13))
        else:
            pieces.append(join("L-", integers_as_text(sequence, width=7)))
        order.append(rows)
    return assemble(pieces, order)


def _names(
    rng: np.random.Generator,
    pop: Population,
    person: np.ndarray,
    file: np.ndarray,
    source: np.ndarray,
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(first_name, last_name, full_name) as each record writes them."""
    people = pop.people
    n = len(person)
    local_file = np.array([spec.local_script_names for spec in CRM_FILES])[file]
    in_characters = local_file & chance(rng, n, 0.85)
    given = take(people.given, person)
    family = take(people.family, person)
    latin = ~in_characters
    given, nick = apply_nicknames(rng, given, latin & chance(rng, n, 0.12))
    given = apply_typos(rng, given, latin & ~nick & chance(rng, n, 0.04))
    family = apply_typos(rng, family, latin & chance(rng, n, 0.03))
    given = apply_initials(given, latin & ~nick & chance(rng, n, 0.02))
    given = apply_case(given, latin & chance(rng, n, 0.04), latin & chance(rng, n, 0.03))
    family = apply_case(family, latin & chance(rng, n, 0.04), latin & chance(rng, n, 0.02))
    given = apply_whitespace(rng, given, latin & chance(rng, n, 0.03))
    family = apply_whitespace(rng, family, latin & chance(rng, n, 0.03))
    chinese = people.country[person] == _CHINA
    swapped = chinese & latin & chance(rng, n, 0.2)
    first = where(in_characters, take(people.given_local, person), where(swapped, family, given))
    last = where(in_characters, take(people.family_local, person), where(swapped, given, family))
    # Family name first for Chinese full names (王伟, Wang Wei), given name first otherwise.
    full = where(
        in_characters,
        join(take(people.family_local, person), take(people.given_local, person)),
        where(chinese, join(last, " ", first), join(first, " ", last)),
    )
    only_full = (source == Source.LEGACY) & chance(rng, n, 0.25)
    null = pa.scalar(None, pa.string())
    first = nulls_where(only_full | chance(rng, n, 0.03), first)
    last = nulls_where(only_full | chance(rng, n, 0.02), last)
    return first, last, where(only_full, full, null)


def _role_mailbox_people(rng: np.random.Generator, pop: Population) -> np.ndarray:
    """People whose record shows their company's role mailbox: 2-4 colleagues in some companies."""
    company = pop.people.company
    size = np.bincount(company, minlength=len(pop.companies))
    chosen = (size >= 3) & chance(rng, len(size), ROLE_MAILBOX_COMPANY_SHARE)
    quota = np.where(chosen, rng.integers(2, 5, size=len(size)), 0)
    order = np.lexsort((rng.random(len(company)), company))
    rank_in_company = np.empty(len(company), dtype=np.int64)
    starts = np.searchsorted(company[order], company[order], side="left")
    rank_in_company[order] = np.arange(len(company)) - starts
    return rank_in_company < quota[company]


def _emails(
    rng: np.random.Generator, pop: Population, person: np.ndarray, rank: np.ndarray
) -> tuple[pa.Array, np.ndarray, np.ndarray, pa.Array]:
    """(email as written, kind, valid, mailbox key) per record."""
    people = pop.people
    n = len(person)
    work = take(people.work_email, person)
    personal = take(people.personal_email, person)
    weights = np.column_stack(
        [
            np.full(n, 0.08),
            np.where(pc.is_valid(work).to_numpy(zero_copy_only=False), 0.72, 0.0),
            np.where(pc.is_valid(personal).to_numpy(zero_copy_only=False), 0.2, 0.0),
        ]
    )
    kind = row_choice(rng, weights)
    role_person = _role_mailbox_people(rng, pop)
    kind = np.where(role_person[person] & (rank == 0), EmailKind.ROLE, kind)
    role = take(pop.companies.role_mailbox, people.company[person])
    null = pa.scalar(None, pa.string())
    base = where(
        kind == EmailKind.WORK,
        work,
        where(kind == EmailKind.PERSONAL, personal, where(kind == EmailKind.ROLE, role, null)),
    )
    parts = pc.split_pattern(base, "@", max_splits=1)
    local, domain = pc.list_element(parts, 0), pc.list_element(parts, 1)
    tagged = (kind != EmailKind.ROLE) & chance(rng, n, 0.05)
    written = where(tagged, join(local, pick(rng, PLUS_TAGS, n), "@", domain), base)
    written = where(chance(rng, n, 0.1), pc.utf8_capitalize(written), written)
    written = apply_case(written, chance(rng, n, 0.03), np.zeros(n, dtype=bool))
    malformed = np.isin(kind, (EmailKind.WORK, EmailKind.PERSONAL)) & chance(rng, n, 0.005)
    broken = where(chance(rng, n, 0.5), join(local, "@@", domain), join(local, ".", domain))
    written = where(malformed, broken, written)
    padded = chance(rng, n, 0.02)
    written = where(padded, join(" ", written, " "), written)
    valid = (kind != EmailKind.NONE) & ~malformed
    key = nulls_where(~valid, mailbox_key(base))
    return written, kind, valid, key


def _countries(
    rng: np.random.Generator, country: np.ndarray, file: np.ndarray, rank: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """The country as each record writes it, and whether it is there at all."""
    n = len(country)
    local_file = np.array([spec.local_script_names for spec in CRM_FILES])[file]
    spelled = np.full(n, "", dtype=object)
    style = rng.choice(4, size=n, p=(0.6, 0.2, 0.12, 0.08))
    for c, rows in group_rows(country):
        info = COUNTRIES[COUNTRY_CODES[c]]
        local = info.local_name if info.local_name.isascii() else info.english_name
        forms = np.array([info.iso2, info.english_name, info.iso3, local], dtype=object)
        spelled[rows] = forms[style[rows]]
        if not info.local_name.isascii():
            spelled[rows[(style[rows] == 3) & local_file[rows]]] = info.local_name
    known = ~chance(rng, n, 0.08) | (rank == 0)
    return nulls_where(~known, pa.array(spelled, pa.string())), known


def _phones(
    rng: np.random.Generator, pop: Population, person: np.ndarray, country_known: np.ndarray
) -> tuple[pa.Array, np.ndarray, np.ndarray, pa.Array, np.ndarray]:
    """(phone, kind, number id, mobile_phone, mobile number id) per record."""
    people = pop.people
    n = len(person)
    direct = people.direct[person]
    mobile = people.mobile[person]
    switchboard = pop.companies.switchboard[people.company[person]]
    weights = np.column_stack(
        [
            np.full(n, 0.15),
            np.where(direct >= 0, 0.5, 0.0),
            np.where(mobile >= 0, 0.2, 0.0),
            np.full(n, 0.13),
            np.full(n, 0.02),
        ]
    )
    kind = row_choice(rng, weights)
    number = np.select(
        [kind == PhoneKind.DIRECT, kind == PhoneKind.MOBILE, kind == PhoneKind.SWITCHBOARD],
        [direct, mobile, switchboard],
        default=-1,
    )
    phone = _written_numbers(
        rng,
        pop,
        number,
        country_known,
        extension_share=np.where(kind == PhoneKind.MOBILE, 0.0, 0.1),
    )
    phone = where(kind == PhoneKind.JUNK, pick(rng, JUNK_PHONES, n), phone)
    has_mobile = (mobile >= 0) & chance(rng, n, 0.55)
    mobile_number = np.where(has_mobile, mobile, -1)
    mobile_phone = _written_numbers(
        rng, pop, mobile_number, country_known, extension_share=np.zeros(n)
    )
    return phone, kind, number, mobile_phone, mobile_number


def _written_numbers(
    rng: np.random.Generator,
    pop: Population,
    number: np.ndarray,
    country_known: np.ndarray,
    extension_share: np.ndarray,
) -> pa.Array:
    """Numbers in a random format readable with the record's region; null where number < 0."""
    present = number >= 0
    ids = np.where(present, number, 0)
    styles = draw_styles(rng, pop.numbers, ids, country_known)
    written = pop.numbers.format(ids, styles)
    n = len(number)
    extension = join(
        pick(rng, EXTENSION_FORMATS, n), integers_as_text(rng.integers(2, 4999, size=n))
    )
    written = where(chance(rng, n, extension_share), join(written, extension), written)
    return nulls_where(~present, written)


def _companies(
    rng: np.random.Generator,
    pop: Population,
    person: np.ndarray,
    source: np.ndarray,
    rank: np.ndarray,
) -> pa.Array:
    """Company names with legal-suffix variants, case noise and gaps (never on a first record)."""
    companies = pop.companies
    company = pop.people.company[person]
    n = len(person)
    country = companies.country[company]
    form = companies.legal_form[company]
    pieces: list[pa.Array] = []
    order: list[np.ndarray] = []
    for key, rows in group_rows(country * 10 + form):
        variants = LEGAL_SUFFIXES[COUNTRY_CODES[key // 10]][key % 10]
        weights = np.array([3.0] + [1.0] * (len(variants) - 1))
        suffix = pick(rng, variants, len(rows), p=weights)
        glue = where(pc.starts_with(suffix, ","), "", " ")
        pieces.append(join(take(companies.base_name, company[rows]), glue, suffix))
        order.append(rows)
    name = assemble(pieces, order)
    bare = (source == Source.LEGACY) & chance(rng, n, 0.1)
    name = where(bare, take(companies.base_name, company), name)
    name = apply_case(name, chance(rng, n, 0.05), chance(rng, n, 0.03))
    name = apply_whitespace(rng, name, chance(rng, n, 0.02))
    return nulls_where((rank > 0) & chance(rng, n, 0.05), name)


def _job_titles(rng: np.random.Generator, pop: Population, person: np.ndarray) -> pa.Array:
    n = len(person)
    title = take(pop.people.job_title, person)
    abbreviation = pa.array(
        [JOB_TITLE_ABBREVIATIONS.get(t) for t in pop.people.job_title.unique().to_pylist()],
        pa.string(),
    )
    abbreviated = abbreviation.take(pc.index_in(title, pop.people.job_title.unique()))
    title = where(
        chance(rng, n, 0.4) & pc.is_valid(abbreviated).to_numpy(zero_copy_only=False),
        abbreviated,
        title,
    )
    title = apply_case(title, chance(rng, n, 0.03), np.zeros(n, dtype=bool))
    return nulls_where(chance(rng, n, 0.1), title)


def build_records(rng: np.random.Generator, pop: Population) -> Records:
    """Every CRM record of every person, shuffled across files as real exports are."""
    people = pop.people
    person = np.repeat(np.arange(len(people)), people.records)
    rank = np.arange(len(person)) - np.repeat(
        np.cumsum(people.records) - people.records, people.records
    )
    shuffle = rng.permutation(len(person))
    person, rank = person[shuffle], rank[shuffle]
    n = len(person)
    source = rng.choice(len(Source), size=n, p=SOURCE_WEIGHTS)
    country = people.country[person]
    file = _file_of(source, country)
    first, last, full = _names(rng, pop, person, file, source)
    email, email_kind, email_valid, email_key = _emails(rng, pop, person, rank)
    country_text, country_known = _countries(rng, country, file, rank)
    phone, phone_kind, phone_number, mobile_phone, mobile_number = _phones(
        rng, pop, person, country_known
    )
    company = people.company[person]
    city = pop.companies.city[company]
    no_address = chance(rng, n, 0.12)
    city_names = pa.array([c.name for c in CITIES]).take(pa.array(city))
    city_names = apply_case(city_names, chance(rng, n, 0.03), np.zeros(n, dtype=bool))
    return Records(
        person=person,
        country_index=country,
        rank=rank,
        source=source,
        file=file,
        contact_id=_contact_ids(rng, source),
        first_name=first,
        last_name=last,
        full_name=full,
        email=email,
        email_kind=email_kind,
        email_valid=email_valid,
        email_key=email_key,
        phone=phone,
        phone_kind=phone_kind,
        phone_number=phone_number,
        mobile_phone=mobile_phone,
        mobile_number=mobile_number,
        company=_companies(rng, pop, person, source, rank),
        job_title=_job_titles(rng, pop, person),
        street=nulls_where(no_address, take(pop.companies.street, company)),
        city=nulls_where(no_address, city_names),
        state=nulls_where(no_address, pa.array([c.state for c in CITIES]).take(pa.array(city))),
        postal_code=nulls_where(no_address, take(pop.companies.postal_code, company)),
        country=country_text,
        country_known=country_known,
    )


def person_contact_points(records: Records, people: int) -> pd.DataFrame:
    """Per person, what their records let anyone reach them by: personal numbers (up to two,
    as number ids), the switchboard, role mailboxes, own valid mailboxes, Salesforce/legacy
    records (which can carry a do-not-call flag)."""
    personal = pd.DataFrame(
        {
            "person": np.concatenate([records.person, records.person]),
            "number": np.concatenate(
                [
                    np.where(
                        np.isin(records.phone_kind, [PhoneKind.DIRECT, PhoneKind.MOBILE]),
                        records.phone_number,
                        -1,
                    ),
                    records.mobile_number,
                ]
            ),
        }
    )
    personal = personal[personal["number"] >= 0].drop_duplicates().sort_values(["person", "number"])
    personal["slot"] = personal.groupby("person").cumcount()
    first = np.full(people, -1)
    second = np.full(people, -1)
    first[personal.loc[personal["slot"] == 0, "person"]] = personal.loc[
        personal["slot"] == 0, "number"
    ]
    second[personal.loc[personal["slot"] == 1, "person"]] = personal.loc[
        personal["slot"] == 1, "number"
    ]

    def any_of(mask: np.ndarray) -> np.ndarray:
        return np.bincount(records.person[mask], minlength=people) > 0

    own_email = records.email_valid & np.isin(
        records.email_kind, [EmailKind.WORK, EmailKind.PERSONAL]
    )
    return pd.DataFrame(
        {
            "number_1": first,
            "number_2": second,
            "has_switchboard": any_of(records.phone_kind == PhoneKind.SWITCHBOARD),
            "has_role_mailbox": any_of(records.email_kind == EmailKind.ROLE),
            "has_own_email": any_of(own_email),
            "has_work_email": any_of(own_email & (records.email_kind == EmailKind.WORK)),
            "has_flag_source": any_of(records.source != Source.HUBSPOT),
        }
    )


def one_record_each(
    rng: np.random.Generator,
    records: Records,
    people: np.ndarray,
    eligible: np.ndarray | None = None,
) -> np.ndarray:
    """For each of `people`, one of their records chosen at random (among `eligible` records
    when given); -1 where a person has none."""
    mask = (
        np.ones(len(records), dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    )
    rows = np.flatnonzero(mask)
    if not len(rows):
        return np.full(len(people), -1)
    order = rows[np.lexsort((rng.random(len(rows)), records.person[rows]))]
    owners = records.person[order]
    position = np.minimum(np.searchsorted(owners, people), len(owners) - 1)
    return np.where(owners[position] == people, order[position], -1)

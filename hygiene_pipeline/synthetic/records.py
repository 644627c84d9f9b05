"""CRM contact records: each person appears 1-4 times across Salesforce, HubSpot and the
legacy CRM, each time written a little differently, plus a small share of ghost records (`ghosts`).

The noise is what real CRMs hold: nicknames (Bob for Robert), one- or two-edit typos, case and
whitespace, initials, given/family order swapped for Chinese names (and names in characters in
the legacy Chinese export), company legal-suffix variants (`Acme Inc`, `ACME, Inc.`, `Acme
Incorporated`), email case and plus tags, phone numbers in every format and with extensions,
junk in the phone field, missing fields. Hard negatives are planted too: colleagues whose records
carry the company switchboard, and role mailboxes (`info@`) on several colleagues' records.

The CRM is the last to know what happened in the `world`: records keep showing the company a
person left, and a moved company's old address and numbers. Only some records of people at a
moved company were updated (after the move) with the new address, and sometimes its new numbers.
A job changer's last record is the new one: the new employer, the new work address and the
personal mobile they took with them.

This module fixes who each record is and what it shows; `crm_fields` adds the dates, consent
and flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
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
from hygiene_pipeline.synthetic.ghosts import JUNK_GHOST_PHONES, ghost_text
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES, SOURCE_WEIGHTS, Source
from hygiene_pipeline.synthetic.phones import EXTENSION_FORMATS, draw_styles
from hygiene_pipeline.synthetic.population import Population, mailbox_key
from hygiene_pipeline.synthetic.reference_data import (
    CITIES,
    COUNTRIES,
    COUNTRY_CODES,
    COUNTRY_WEIGHTS,
    JOB_TITLE_ABBREVIATIONS,
    JUNK_PHONES,
    LEGAL_SUFFIXES,
    US_JUNK_PHONES,
)
from hygiene_pipeline.synthetic.text_noise import (
    apply_case,
    apply_initials,
    apply_nicknames,
    apply_typos,
    apply_whitespace,
)
from hygiene_pipeline.synthetic.timeline import uniform_days
from hygiene_pipeline.synthetic.world import NEVER, WINDOW_DAYS, Fate, World


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
    NEW_WORK = 4  # a job changer's address at the new employer


ROLE_MAILBOX_COMPANY_SHARE = 0.15
MOVE_UPDATE_SHARE = 0.3  # people at a moved company with a record updated after the move
MOVE_PHONE_UPDATE_SHARE = 0.5  # of those updates, the ones that also change the phone
RECORD_CREATED_DAYS = (WINDOW_DAYS + 60, 2200)  # before the world's events (edges push some back)
PLUS_TAGS: tuple[str, ...] = ("+crm", "+newsletter", "+sf", "+events")
_CHINA = COUNTRY_CODES.index("CN")


@dataclass(frozen=True)
class Records:
    """One row per CRM contact record (bad rows excluded); text columns are as written."""

    person: np.ndarray  # -1 for ghost records
    ghost: np.ndarray
    account: np.ndarray  # the company the record shows (true company index), -1 for ghosts
    job_change: np.ndarray  # a job changer's record at the new employer
    moved_update: np.ndarray  # updated after the company moved: shows the new address
    created_day: np.ndarray
    update_day: np.ndarray  # day of the move update, NEVER otherwise
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
    rng: np.random.Generator,
    pop: Population,
    world: World,
    person: np.ndarray,
    rank: np.ndarray,
    job_change: np.ndarray,
) -> tuple[pa.Array, np.ndarray, np.ndarray, pa.Array]:
    """(email as written, kind, valid, mailbox key) per record."""
    people = pop.people
    n = len(person)
    work = where(job_change, take(world.new_work_email, person), take(people.work_email, person))
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
    kind = np.where(job_change & (kind == EmailKind.WORK), EmailKind.NEW_WORK, kind)
    parts = pc.split_pattern(base, "@", max_splits=1)
    local, domain = pc.list_element(parts, 0), pc.list_element(parts, 1)
    tagged = (kind != EmailKind.ROLE) & chance(rng, n, 0.05)
    written = where(tagged, join(local, pick(rng, PLUS_TAGS, n), "@", domain), base)
    written = where(chance(rng, n, 0.1), pc.utf8_capitalize(written), written)
    written = apply_case(written, chance(rng, n, 0.03), np.zeros(n, dtype=bool))
    own = np.isin(kind, (EmailKind.WORK, EmailKind.PERSONAL, EmailKind.NEW_WORK))
    malformed = own & chance(rng, n, 0.005)
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
    rng: np.random.Generator,
    pop: Population,
    person: np.ndarray,
    country_known: np.ndarray,
    shown: tuple[np.ndarray, np.ndarray],
    forced_kind: np.ndarray,
    forced_mobile: np.ndarray,
) -> tuple[pa.Array, np.ndarray, np.ndarray, pa.Array, np.ndarray]:
    """(phone, kind, number id, mobile_phone, mobile number id) per record, given the direct
    line and switchboard each record can show (`shown`) and the phone kinds some records must
    show (`forced_kind`, -1 where free)."""
    people = pop.people
    n = len(person)
    direct, switchboard = shown
    mobile = people.mobile[person]
    weights = np.column_stack(
        [
            np.full(n, 0.15),
            np.where(direct >= 0, 0.5, 0.0),
            np.where(mobile >= 0, 0.2, 0.0),
            np.full(n, 0.13),
            np.full(n, 0.02),
        ]
    )
    kind = np.where(forced_kind >= 0, forced_kind, row_choice(rng, weights))
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
    us = people.country[person] == COUNTRY_CODES.index("US")
    junk = where(us, pick(rng, JUNK_PHONES + US_JUNK_PHONES, n), pick(rng, JUNK_PHONES, n))
    phone = where(kind == PhoneKind.JUNK, junk, phone)
    has_mobile = (mobile >= 0) & (chance(rng, n, 0.55) | forced_mobile)
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
    company: np.ndarray,
    source: np.ndarray,
    rank: np.ndarray,
) -> pa.Array:
    """Company names with legal-suffix variants, case noise and gaps (never on a first record)."""
    companies = pop.companies
    n = len(company)
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


def _move_updates(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    person: np.ndarray,
    eligible: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One record (among `eligible`) of some people still at their company when it moved is
    updated after the move; returns the updated-record mask and the update day per record."""
    company = pop.people.company
    n = len(company)
    moved = (world.fate[company] == Fate.MOVED) & ~(world.leave_day > world.fate_day[company])
    chosen = np.flatnonzero(moved & chance(rng, n, MOVE_UPDATE_SHARE))
    rows = np.flatnonzero(eligible)
    order = rows[np.lexsort((rng.random(len(rows)), person[rows]))]
    owners = person[order]
    position = np.minimum(np.searchsorted(owners, chosen), max(len(owners) - 1, 0))
    picked = order[position[owners[position] == chosen]] if len(owners) else np.zeros(0, int)
    updated = np.zeros(len(person), dtype=bool)
    updated[picked] = True
    move_day = world.fate_day[company[person]]
    day = uniform_days(rng, 1, np.maximum(move_day - 5, 1), len(person))
    return updated, np.where(updated, day, NEVER)


def _real_records(
    rng: np.random.Generator, pop: Population, world: World, total: int
) -> dict[str, object]:
    """The columns of every real person's records, shuffled across files."""
    people = pop.people
    person = np.repeat(np.arange(len(people)), people.records)
    rank = np.arange(len(person)) - np.repeat(
        np.cumsum(people.records) - people.records, people.records
    )
    shuffle = rng.permutation(len(person))
    person, rank = person[shuffle], rank[shuffle]
    n = len(person)
    if n != total:
        raise ValueError(f"population holds {n} records, expected {total}")
    source = rng.choice(len(Source), size=n, p=SOURCE_WEIGHTS)
    country = people.country[person]
    file = _file_of(source, country)
    job_change = (world.new_company[person] >= 0) & (rank == people.records[person] - 1)
    account = np.where(job_change, world.new_company[person], people.company[person])
    moved_update, update_day = _move_updates(rng, pop, world, person, ~job_change)
    phone_update = moved_update & chance(rng, n, MOVE_PHONE_UPDATE_SHARE)
    direct = np.where(job_change, world.new_direct[person], people.direct[person])
    direct = np.where(phone_update, world.moved_direct[person], direct)
    switchboard = np.where(
        phone_update, world.new_switchboard[account], pop.companies.switchboard[account]
    )
    forced_kind = np.select(
        [(job_change | phone_update) & (direct >= 0), job_change | phone_update],
        [PhoneKind.DIRECT, PhoneKind.SWITCHBOARD],
        default=-1,
    )
    changer = world.new_company[person] >= 0
    first, last, full = _names(rng, pop, person, file, source)
    email, email_kind, email_valid, email_key = _emails(rng, pop, world, person, rank, job_change)
    country_text, country_known = _countries(rng, country, file, rank)
    phone, phone_kind, phone_number, mobile_phone, mobile_number = _phones(
        rng,
        pop,
        person,
        country_known,
        (direct, switchboard),
        forced_kind,
        changer & (job_change | (rank == 0)),
    )
    city = np.where(moved_update, world.new_city[account], pop.companies.city[account])
    no_address = chance(rng, n, 0.12) & ~moved_update
    city_names = pa.array([c.name for c in CITIES]).take(pa.array(city))
    city_names = apply_case(city_names, chance(rng, n, 0.03), np.zeros(n, dtype=bool))
    street = where(
        moved_update, take(world.new_street, account), take(pop.companies.street, account)
    )
    postal = where(
        moved_update,
        take(world.new_postal_code, account),
        take(pop.companies.postal_code, account),
    )
    created = np.where(
        job_change, world.joined_day[person], uniform_days(rng, *RECORD_CREATED_DAYS, n)
    )
    return {
        "person": person,
        "ghost": np.zeros(n, dtype=bool),
        "account": account,
        "job_change": job_change,
        "moved_update": moved_update,
        "created_day": created,
        "update_day": update_day,
        "country_index": country,
        "rank": rank,
        "source": source,
        "file": file,
        "first_name": first,
        "last_name": last,
        "full_name": full,
        "email": email,
        "email_kind": email_kind,
        "email_valid": email_valid,
        "email_key": email_key,
        "phone": phone,
        "phone_kind": phone_kind,
        "phone_number": phone_number,
        "mobile_phone": mobile_phone,
        "mobile_number": mobile_number,
        "company": _companies(rng, pop, account, source, rank),
        "job_title": _job_titles(rng, pop, person),
        "street": nulls_where(no_address, street),
        "city": nulls_where(no_address, city_names),
        "state": nulls_where(no_address, pa.array([c.state for c in CITIES]).take(pa.array(city))),
        "postal_code": nulls_where(no_address, postal),
        "country": country_text,
        "country_known": country_known,
    }


def _ghost_records(
    rng: np.random.Generator, count: int, real_junk_phones: list[str]
) -> dict[str, object]:
    """The columns of `count` ghost records."""
    source = rng.choice(len(Source), size=count, p=SOURCE_WEIGHTS)
    country = rng.choice(len(COUNTRY_CODES), size=count, p=COUNTRY_WEIGHTS)
    file = _file_of(source, country)
    text = ghost_text(rng, file, real_junk_phones)
    known = chance(rng, count, 0.5)
    none = np.full(count, -1)
    null = pa.nulls(count, pa.string())
    return {
        "person": none,
        "ghost": np.ones(count, dtype=bool),
        "account": none,
        "job_change": np.zeros(count, dtype=bool),
        "moved_update": np.zeros(count, dtype=bool),
        "created_day": uniform_days(rng, 0, RECORD_CREATED_DAYS[1], count),
        "update_day": np.full(count, NEVER),
        "country_index": country,
        "rank": np.zeros(count, dtype=np.int64),
        "source": source,
        "file": file,
        "first_name": text.first_name,
        "last_name": text.last_name,
        "full_name": text.full_name,
        "email": text.email,
        "email_kind": np.full(count, EmailKind.NONE),
        "email_valid": np.zeros(count, dtype=bool),
        "email_key": null,
        "phone": text.phone,
        "phone_kind": np.full(count, PhoneKind.JUNK),
        "phone_number": none,
        "mobile_phone": text.mobile_phone,
        "mobile_number": none,
        "company": text.company,
        "job_title": text.job_title,
        "street": null,
        "city": null,
        "state": null,
        "postal_code": null,
        "country": nulls_where(
            ~known, pa.array(np.array(COUNTRY_CODES, dtype=object)[country], pa.string())
        ),
        "country_known": known,
    }


def build_records(rng: np.random.Generator, pop: Population, world: World, ghosts: int) -> Records:
    """Every CRM record of every person and `ghosts` ghost records, shuffled across files as
    real exports are."""
    real = _real_records(rng, pop, world, int(pop.people.records.sum()))
    junk = pa.array(real["phone"]).filter(pa.array(real["phone_kind"] == PhoneKind.JUNK))
    written = set(pc.unique(junk).to_pylist())
    junk_values = [value for value in JUNK_GHOST_PHONES if value in written]
    fake = _ghost_records(rng, ghosts, junk_values)
    order = rng.permutation(len(real["person"]) + ghosts)
    index = pa.array(order)
    columns: dict[str, object] = {}
    for name, values in real.items():
        other = fake[name]
        if isinstance(values, np.ndarray):
            columns[name] = np.concatenate([values, np.asarray(other)])[order]
        else:
            columns[name] = pa.concat_arrays([values, other]).take(index)
    return Records(contact_id=_contact_ids(rng, columns["source"]), **columns)


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

"""The cast of the world behind the CRM: companies (skewed sizes, one switchboard, one web
domain, one role mailbox each) and the people who work there, with their real names, numbers and
email addresses. What then happens to them is `world`'s business.

Namesakes are planted on purpose: some people share the exact first and last name of someone
at another company, and several % of companies share their name with an unrelated company in
another city or country (`Northwind Analytics` at `northwind-analytics.com` in Chicago and at
`northwindanalytics.com` in Boston): neither pair may ever be merged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.synthetic.columns import (
    assemble,
    chance,
    digits,
    group_rows,
    integers_as_text,
    join,
    map_distinct,
    pick,
    take,
    to_numpy_text,
    where,
)
from hygiene_pipeline.synthetic.names import email_word, name_pools
from hygiene_pipeline.synthetic.phones import PLAN_INDEX, NumberBook
from hygiene_pipeline.synthetic.reference_data import (
    CITIES,
    COMPANY_INDUSTRIES,
    COMPANY_ROOT_PREFIXES,
    COMPANY_ROOT_STEMS,
    COUNTRIES,
    COUNTRY_CODES,
    COUNTRY_WEIGHTS,
    GB_INWARD_LETTERS,
    JOB_TITLES,
    LEGAL_SUFFIXES,
    ROLE_MAILBOXES,
    STREETS,
)

RECORDS_PER_PERSON = (1, 2, 3, 4)
RECORDS_PER_PERSON_WEIGHTS = (0.52, 0.28, 0.13, 0.07)
PEOPLE_PER_COMPANY = 9.0
MAX_COMPANY_WEIGHT = 100.0  # caps the largest account at a few hundred people
NAMESAKE_SHARE = 0.01
NAMESAKE_COMPANY_SHARE = 0.04
DIRECT_LINE_SHARE = 0.75
MOBILE_SHARE = 0.8
WORK_EMAIL_SHARE = 0.9
PERSONAL_EMAIL_SHARE = 0.35
SPARE_NUMBER_SHARE = 0.02  # numbers owned by nobody in the CRM (DNC-list noise)
_MOBILE_PLAN = {
    code: PLAN_INDEX[f"{code.lower()}_mobile"] for code in COUNTRY_CODES if code != "DE"
}
_MOBILE_PLAN["DE"] = PLAN_INDEX["de_mobile_long"]
_DE_SHORT_MOBILE_SHARE = 0.4


@dataclass(frozen=True)
class Companies:
    """One row per company."""

    country: np.ndarray  # int index into COUNTRY_CODES
    city: np.ndarray  # int index into CITIES
    base_name: pa.Array  # "Northwind Analytics"
    legal_form: np.ndarray  # int index into LEGAL_SUFFIXES[country]
    name: pa.Array  # canonical display form, "Northwind Analytics Inc"
    domain: pa.Array  # "northwind-analytics.com"
    street: pa.Array
    postal_code: pa.Array
    switchboard: np.ndarray  # number id
    role_mailbox: pa.Array  # "info@northwind-analytics.com"
    namesake_of: np.ndarray  # the company whose name this one shares, or -1

    def __len__(self) -> int:
        return len(self.country)


@dataclass(frozen=True)
class People:
    """One row per real person; `records` is how many CRM records they have."""

    company: np.ndarray
    country: np.ndarray
    female: np.ndarray
    given: pa.Array
    family: pa.Array
    given_local: pa.Array
    family_local: pa.Array
    job_title: pa.Array
    direct: np.ndarray  # number id or -1
    mobile: np.ndarray  # number id or -1
    work_email: pa.Array  # null when none
    personal_email: pa.Array  # null when none
    records: np.ndarray
    namesake_of: np.ndarray  # the person whose name was copied, or -1

    def __len__(self) -> int:
        return len(self.company)


@dataclass(frozen=True)
class Population:
    """Companies, people and every phone number they own."""

    companies: Companies
    people: People
    numbers: NumberBook
    spare_numbers: np.ndarray  # ids of numbers nobody in the CRM owns


def record_counts(rng: np.random.Generator, total: int) -> np.ndarray:
    """Records per person (1-4, skewed) adding up exactly to `total` records. People are drawn
    in batches a little larger than `total` needs on average, and again while a batch falls
    short (small worlds can)."""
    mean = float(np.dot(RECORDS_PER_PERSON, RECORDS_PER_PERSON_WEIGHTS))
    batch = int(total / mean * 1.1) + 8
    counts = rng.choice(RECORDS_PER_PERSON, size=batch, p=RECORDS_PER_PERSON_WEIGHTS)
    while counts.sum() < total:
        more = rng.choice(RECORDS_PER_PERSON, size=batch, p=RECORDS_PER_PERSON_WEIGHTS)
        counts = np.concatenate([counts, more])
    cumulative = np.cumsum(counts)
    people = int(np.searchsorted(cumulative, total)) + 1
    counts = counts[:people].copy()
    counts[-1] -= int(cumulative[people - 1] - total)
    return counts


def _per_country(values: dict[str, object]) -> np.ndarray:
    """A lookup array indexed like COUNTRY_CODES."""
    return np.array([values[code] for code in COUNTRY_CODES], dtype=object)


_CITY_ROWS = {
    code: np.array([i for i, c in enumerate(CITIES) if c.country == code]) for code in COUNTRY_CODES
}
_SUFFIX_FORMS = {code: [forms[0] for forms in LEGAL_SUFFIXES[code]] for code in COUNTRY_CODES}


def _companies(rng: np.random.Generator, count: int) -> tuple[Companies, np.ndarray]:
    """Companies without their numbers yet; also returns each company's switchboard plan."""
    country = rng.choice(len(COUNTRY_CODES), size=count, p=COUNTRY_WEIGHTS)
    city = np.zeros(count, dtype=np.int64)
    legal_form = np.zeros(count, dtype=np.int64)
    canonical_parts: list[pa.Array] = []
    groups = group_rows(country)
    for c, rows in groups:
        code = COUNTRY_CODES[c]
        city[rows] = rng.choice(_CITY_ROWS[code], size=len(rows))
        legal_form[rows] = rng.integers(0, len(_SUFFIX_FORMS[code]), size=len(rows))
        canonical_parts.append(pa.array(_SUFFIX_FORMS[code]).take(pa.array(legal_form[rows])))
    canonical = assemble(canonical_parts, [rows for _, rows in groups])
    capacity = len(COMPANY_ROOT_PREFIXES) * len(COMPANY_ROOT_STEMS) * len(COMPANY_INDUSTRIES)
    if count > capacity:
        raise ValueError(f"at most {capacity} companies can be named; asked for {count}")
    combo = rng.choice(capacity, size=count, replace=False)
    namesake_of = _company_namesakes(rng, country, city, combo)
    prefix, rest = np.divmod(combo, len(COMPANY_ROOT_STEMS) * len(COMPANY_INDUSTRIES))
    stem, industry = np.divmod(rest, len(COMPANY_INDUSTRIES))
    root = join(
        pa.array(COMPANY_ROOT_PREFIXES).take(pa.array(prefix)),
        pa.array(COMPANY_ROOT_STEMS).take(pa.array(stem)),
    )
    industry_name = pa.array(COMPANY_INDUSTRIES).take(pa.array(industry))
    base = join(root, " ", industry_name)
    tld = pa.array(
        _per_country({code: COUNTRIES[code].work_tld for code in COUNTRY_CODES})[country],
        pa.string(),
    )
    hyphenated = chance(rng, count, 0.5)
    # A namesake at home writes its domain the other way: northwind-analytics.com and
    # northwindanalytics.com are two companies.
    copies = np.flatnonzero(namesake_of >= 0)
    hyphenated[copies] = ~hyphenated[namesake_of[copies]]
    hyphen = where(hyphenated, "-", "")
    domain = join(pc.utf8_lower(root), hyphen, pc.utf8_lower(industry_name), tld)
    repeat = occurrence(domain)
    domain = where(repeat > 0, join(domain, integers_as_text(repeat + 1)), domain)
    street, postal = addresses(rng, country, city)
    plan_of_city = np.array([PLAN_INDEX[c.fixed_plan] for c in CITIES])
    role = join(pick(rng, ROLE_MAILBOXES, count), "@", domain)
    companies = Companies(
        country=country,
        city=city,
        base_name=base,
        legal_form=legal_form,
        name=join(base, " ", canonical),
        domain=domain,
        street=street,
        postal_code=postal,
        switchboard=np.full(count, -1),
        role_mailbox=role,
        namesake_of=namesake_of,
    )
    return companies, plan_of_city[city]


def _company_namesakes(
    rng: np.random.Generator, country: np.ndarray, city: np.ndarray, combo: np.ndarray
) -> np.ndarray:
    """Give a few companies the name (name combination `combo`) of another company; a namesake
    in the same country moves to another city of it. Updates `combo` and `city` in place and
    returns, per company, the company copied (-1 for none). Each original is copied once."""
    count = len(combo)
    namesake_of = np.full(count, -1)
    copies = np.flatnonzero(chance(rng, count, NAMESAKE_COMPANY_SHARE))
    others = np.setdiff1d(np.arange(count), copies)
    if not len(copies) or len(others) < len(copies):
        return namesake_of
    sources = rng.choice(others, size=len(copies), replace=False)
    namesake_of[copies] = sources
    combo[copies] = combo[sources]
    for c, rows in group_rows(country[copies]):
        same = rows[city[copies[rows]] == city[sources[rows]]]
        cities = _CITY_ROWS[COUNTRY_CODES[c]]
        position = np.searchsorted(cities, city[copies[same]])
        city[copies[same]] = cities[(position + 1) % len(cities)]
    return namesake_of


def addresses(
    rng: np.random.Generator, country: np.ndarray, city: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """Street line and postal code per company, in each city's usual order and shape."""
    streets: list[pa.Array] = []
    postals: list[pa.Array] = []
    order: list[np.ndarray] = []
    for c, rows in group_rows(city):
        place = CITIES[c]
        n = len(rows)
        number = integers_as_text(rng.integers(1, 400, size=n))
        name = pick(rng, STREETS[place.country], n)
        streets.append(
            join(name, " ", number) if place.country == "DE" else join(number, " ", name)
        )
        prefix = pick(rng, place.postal_prefixes, n)
        if place.country == "GB":
            letters = tuple(GB_INWARD_LETTERS)
            postals.append(
                join(prefix, " ", digits(rng, n, 1), pick(rng, letters, n), pick(rng, letters, n))
            )
        else:
            postals.append(join(prefix, digits(rng, n, place.postal_digits)))
        order.append(rows)
    return assemble(streets, order), assemble(postals, order)


def _names(
    rng: np.random.Generator, country: np.ndarray, female: np.ndarray
) -> tuple[pa.Array, ...]:
    """(given, family, given_local, family_local) drawn from each country's name pool."""
    columns: list[list[pa.Array]] = [[], [], [], []]
    order: list[np.ndarray] = []
    pools = name_pools()
    for key, rows in group_rows(country * 2 + female):
        pool = pools[COUNTRY_CODES[key // 2]]
        sex = 0 if key % 2 else 1  # pools list female names first
        given_w = pool.given_weights[sex]
        given_ix = pa.array(rng.choice(len(given_w), size=len(rows), p=given_w / given_w.sum()))
        family_ix = pa.array(
            rng.choice(
                len(pool.family_weights),
                size=len(rows),
                p=pool.family_weights / pool.family_weights.sum(),
            )
        )
        columns[0].append(pool.given[sex].take(given_ix))
        columns[1].append(pool.family.take(family_ix))
        columns[2].append(pool.given_local[sex].take(given_ix))
        columns[3].append(pool.family_local.take(family_ix))
        order.append(rows)
    return tuple(assemble(column, order) for column in columns)


def _plant_namesakes(
    rng: np.random.Generator, company: np.ndarray, country: np.ndarray, names: list[np.ndarray]
) -> np.ndarray:
    """Give a few people the exact name of someone at another company of the same country."""
    namesake_of = np.full(len(company), -1)
    copiers = np.flatnonzero(chance(rng, len(company), NAMESAKE_SHARE))
    for _, rows in group_rows(country):
        mine = np.intersect1d(copiers, rows)
        if not len(mine) or len(rows) < 2:
            continue
        source = rows[rng.integers(0, len(rows), size=len(mine))]
        ok = (company[source] != company[mine]) & ~np.isin(source, copiers)
        namesake_of[mine[ok]] = source[ok]
    copied = np.flatnonzero(namesake_of >= 0)
    for column in names:
        column[copied] = column[namesake_of[copied]]
    return namesake_of


def mailbox_key(addresses: pa.Array) -> pa.Array:
    """The mailbox an address delivers to: lower case, plus tag dropped, and for Gmail the dots
    of the local part dropped too (how mail providers themselves read it)."""
    parts = pc.split_pattern(pc.utf8_lower(addresses), "@", max_splits=1)
    local = pc.list_element(pc.split_pattern(pc.list_element(parts, 0), "+", max_splits=1), 0)
    domain = pc.list_element(parts, 1)
    gmail = pc.is_in(domain, pa.array(["gmail.com", "googlemail.com"]))
    local = pc.if_else(gmail, pc.replace_substring(local, ".", ""), local)
    return join(local, "@", domain)


def occurrence(keys: pa.Array) -> np.ndarray:
    """0 for the first row with each key, 1 for the second, ... (in row order)."""
    codes = pc.dictionary_encode(keys).indices.to_numpy(zero_copy_only=False)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, sorted_codes, side="left")
    seen = np.empty(len(codes), dtype=np.int64)
    seen[order] = np.arange(len(codes)) - starts
    return seen


def unique_addresses(local: pa.Array, domain: pa.Array, taken: pa.Array | None = None) -> pa.Array:
    """`local@domain`, numbered (john.smith2@...) where two rows would share a mailbox, or a row
    would share one with an address in `taken`."""
    taken = pc.drop_null(taken) if taken is not None else pa.array([], pa.string())
    taken_keys = mailbox_key(taken)
    while True:
        address = join(local, "@", domain)
        repeat = occurrence(pa.concat_arrays([taken_keys, mailbox_key(address)]))[len(taken) :]
        if not (repeat > 0).any():
            return address
        local = where(repeat > 0, join(local, integers_as_text(repeat + 1)), local)


def _emails(
    rng: np.random.Generator,
    people_given: pa.Array,
    people_family: pa.Array,
    domain: pa.Array,
    country: np.ndarray,
) -> tuple[pa.Array, pa.Array]:
    """(work, personal) addresses; each person has at least one, none is shared."""
    n = len(country)
    first = map_distinct(people_given, email_word)
    last = map_distinct(people_family, email_word)
    initial = pc.utf8_slice_codeunits(first, 0, 1)
    convention = rng.choice(5, size=n, p=(0.5, 0.2, 0.1, 0.1, 0.1))
    work_local = where(
        convention == 0,
        join(first, ".", last),
        where(
            convention == 1,
            join(initial, last),
            where(
                convention == 2,
                join(first, "_", last),
                where(
                    convention == 3,
                    join(first, pc.utf8_slice_codeunits(last, 0, 1)),
                    join(first, ".", last),
                ),
            ),
        ),
    )
    personal_local = where(
        chance(rng, n, 0.5),
        join(first, ".", last),
        join(first, last, integers_as_text(rng.integers(60, 100, size=n))),
    )
    groups = group_rows(country)
    providers = assemble(
        [pick(rng, COUNTRIES[COUNTRY_CODES[c]].personal_domains, len(rows)) for c, rows in groups],
        [rows for _, rows in groups],
    )
    has_work = chance(rng, n, WORK_EMAIL_SHARE)
    has_personal = chance(rng, n, PERSONAL_EMAIL_SHARE) | ~has_work
    work = unique_addresses(work_local, domain)
    personal = unique_addresses(personal_local, providers)
    null = pa.scalar(None, pa.string())
    return where(has_work, work, null), where(has_personal, personal, null)


def build_population(rng: np.random.Generator, records_total: int) -> Population:
    """Companies and people for a CRM of `records_total` contact records."""
    counts = record_counts(rng, records_total)
    n_people = len(counts)
    n_companies = max(2, int(np.ceil(n_people / PEOPLE_PER_COMPANY)))
    weights = np.minimum(rng.pareto(1.3, size=n_companies) + 0.2, MAX_COMPANY_WEIGHT)
    company = rng.choice(n_companies, size=n_people, p=weights / weights.sum())
    used, company = np.unique(company, return_inverse=True)
    companies, switchboard_plans = _companies(rng, len(used))
    country = companies.country[company]
    female = chance(rng, n_people, 0.5).astype(np.int64)
    given, family, given_local, family_local = (
        to_numpy_text(a) for a in _names(rng, country, female)
    )
    namesake_of = _plant_namesakes(
        rng, company, country, [given, family, given_local, family_local, female]
    )
    given_a, family_a = pa.array(given, pa.string()), pa.array(family, pa.string())
    work, personal = _emails(rng, given_a, family_a, take(companies.domain, company), country)

    has_direct = chance(rng, n_people, DIRECT_LINE_SHARE)
    has_mobile = chance(rng, n_people, MOBILE_SHARE) | ~has_direct
    mobile_plans = _per_country(_MOBILE_PLAN).astype(np.int64)[country]
    short_de = (country == COUNTRY_CODES.index("DE")) & chance(
        rng, n_people, _DE_SHORT_MOBILE_SHARE
    )
    mobile_plans[short_de] = PLAN_INDEX["de_mobile_short"]
    spare = max(20, int(n_people * SPARE_NUMBER_SHARE))
    spare_plans = rng.choice(mobile_plans, size=spare) if n_people else np.zeros(spare, int)
    direct_rows, mobile_rows = np.flatnonzero(has_direct), np.flatnonzero(has_mobile)
    plans = np.concatenate(
        [
            switchboard_plans,
            switchboard_plans[company[direct_rows]],
            mobile_plans[mobile_rows],
            spare_plans,
        ]
    )
    numbers = NumberBook.draw(rng, plans)
    offset = len(companies)
    direct = np.full(n_people, -1)
    direct[direct_rows] = offset + np.arange(len(direct_rows))
    offset += len(direct_rows)
    mobile = np.full(n_people, -1)
    mobile[mobile_rows] = offset + np.arange(len(mobile_rows))
    offset += len(mobile_rows)
    companies = replace(companies, switchboard=np.arange(len(companies)))
    people = People(
        company=company,
        country=country,
        female=female.astype(bool),
        given=given_a,
        family=family_a,
        given_local=pa.array(given_local, pa.string()),
        family_local=pa.array(family_local, pa.string()),
        job_title=pick(rng, JOB_TITLES, n_people),
        direct=direct,
        mobile=mobile,
        work_email=work,
        personal_email=personal,
        records=counts,
        namesake_of=namesake_of,
    )
    return Population(companies, people, numbers, spare_numbers=offset + np.arange(spare))

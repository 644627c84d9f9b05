"""`ground_truth/`: what the generated CRM really holds, for judging a pipeline run against it.

- `records.csv`: source_system, contact_id, person_id, source_file, account (the true company id
  of the company the record shows, empty for ghosts), is_ghost: every accepted CRM record (the
  planted bad rows are not in it). Ghost records are nobody: each has a person id of its own
  (`G...`).
- `people.csv`: one row per person (ghosts included): true name, email, phone (E.164), company,
  account, country, and their state at `as_of` as `truth` defines it: status, coarse_status,
  status_reason, status_since, intent_tier with the dates behind it (last_genuine_at,
  explicit_need_at, last_engaged_at, refused_at), is_dnc and dnc_reason, consent_valid and
  consent_state, calls_today, calls_7d, over_call_cap, working_number, dialable, and the
  account of a job changer's new employer.
- `accounts.csv`: one row per company: account, name, country, city, domain, status
  (active/relocated/closed), fate_date, new_city (after a move), shares_name_with (the account of
  a namesake company).
- `hard_negatives.csv`: pairs of different people that look alike and must not be merged:
  namesakes at other companies, colleagues whose records show the same switchboard number,
  colleagues whose records show the same role mailbox, a ghost record sharing a junk phone with
  a real person's record.
- `bad_rows.csv`: feed, file, row_number (1-based data row), defect, detail of every planted
  bad row; quarantine should reject exactly these.
- `summary.json`: the generation parameters and counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.synthetic.columns import (
    integers_as_text,
    join,
    nulls_where,
    take,
    to_numpy_text,
    where,
)
from hygiene_pipeline.synthetic.file_io import format_times, write_csv
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES, SOURCE_NAMES
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import EmailKind, PhoneKind, Records
from hygiene_pipeline.synthetic.reference_data import CITIES, COUNTRY_CODES
from hygiene_pipeline.synthetic.timeline import DAY, Timeline
from hygiene_pipeline.synthetic.truth import Truth
from hygiene_pipeline.synthetic.world import NEVER, World


def person_ids(index: np.ndarray) -> pa.Array:
    """`P0000001`-style ids of people (by index)."""
    return join("P", integers_as_text(np.asarray(index) + 1, width=7))


def ghost_ids(index: np.ndarray) -> pa.Array:
    """`G0000001`-style ids of ghost records (by their order among ghost records)."""
    return join("G", integers_as_text(np.asarray(index) + 1, width=7))


def account_ids(index: np.ndarray) -> pa.Array:
    """`C000001`-style ids of companies (by index); null for -1."""
    index = np.asarray(index)
    return nulls_where(index < 0, join("C", integers_as_text(np.maximum(index, 0) + 1, width=6)))


def record_person_ids(records: Records) -> pa.Array:
    """The person id of each record: its person's, or the ghost record's own."""
    ghost = records.person < 0
    ghost_index = np.cumsum(ghost) - 1
    return where(ghost, ghost_ids(ghost_index), person_ids(np.maximum(records.person, 0)))


def _dates(days: np.ndarray, timeline: Timeline) -> pa.Array:
    """ISO dates of days back from `as_of`; null for NEVER."""
    days = np.asarray(days)
    return format_times(np.where(days >= 0, timeline.day0 - days * DAY, -1), "%Y-%m-%d", -1)


def write_records(path: Path, records: Records) -> None:
    """`records.csv`: every accepted CRM record and the person and company it is."""
    files = np.array([spec.name for spec in CRM_FILES], dtype=object)
    table = pa.table(
        {
            "source_system": pa.array(
                np.array(SOURCE_NAMES, dtype=object)[records.source], pa.string()
            ),
            "contact_id": records.contact_id,
            "person_id": record_person_ids(records),
            "source_file": pa.array(files[records.file], pa.string()),
            "account": account_ids(records.account),
            "is_ghost": pa.array(records.person < 0),
        }
    )
    write_csv(path, table)


def _reasons(people: pd.DataFrame, timeline: Timeline) -> np.ndarray:
    since = to_numpy_text(_dates(people["status_since"].to_numpy(), timeline))
    genuine = to_numpy_text(_dates(people["last_genuine"].to_numpy(), timeline))
    status = people["status"].to_numpy()
    never = people["last_genuine"].to_numpy() == NEVER
    return np.select(
        [
            status == "company_closed",
            status == "left_company",
            status == "company_relocated",
            status == "invalid_contact",
            (status == "stale_inactive") & never,
            status == "stale_inactive",
        ],
        [
            "company closed on " + since.astype(str),
            "left the company on " + since.astype(str),
            "company moved on " + since.astype(str) + "; no record shows the new address or number",
            np.full(len(status), "no number or mailbox on file reaches them", dtype=object),
            np.full(len(status), "no genuine interaction ever", dtype=object),
            "no genuine interaction since " + genuine.astype(str),
        ],
        default="genuine interaction on " + genuine.astype(str),
    )


def write_people(
    path: Path,
    pop: Population,
    world: World,
    records: Records,
    truth: Truth,
    timeline: Timeline,
) -> None:
    """`people.csv`: who everyone really is and their state at `as_of`; ghosts last."""
    people, companies = pop.people, pop.companies
    n = len(people)
    decided = truth.people
    has_mobile = people.mobile >= 0
    chinese = people.country == COUNTRY_CODES.index("CN")
    dates = {
        f"{column}_at": _dates(decided[column].to_numpy(), timeline)
        for column in ("last_genuine", "explicit_need", "last_engaged", "refused")
    }
    real = pa.table(
        {
            "person_id": person_ids(np.arange(n)),
            "first_name": people.given,
            "last_name": people.family,
            "name_local": nulls_where(~chinese, join(people.family_local, people.given_local)),
            "email": pc.coalesce(people.work_email, people.personal_email),
            "phone_e164": pop.numbers.e164(
                np.where(people.direct >= 0, people.direct, people.mobile)
            ),
            "mobile_e164": nulls_where(
                ~has_mobile, pop.numbers.e164(np.where(has_mobile, people.mobile, 0))
            ),
            "company": take(companies.name, people.company),
            "account": account_ids(people.company),
            "country": pa.array(np.array(COUNTRY_CODES, dtype=object)[people.country], pa.string()),
            "record_count": pa.array(people.records),
            "is_ghost": pa.array(np.zeros(n, dtype=bool)),
            "status": pa.array(decided["status"].to_numpy(dtype=object), pa.string()),
            "coarse_status": pa.array(decided["coarse_status"].to_numpy(dtype=object), pa.string()),
            "status_reason": pa.array(_reasons(decided, timeline), pa.string()),
            "status_since": _dates(decided["status_since"].to_numpy(), timeline),
            "intent_tier": pa.array(decided["intent_tier"].to_numpy(dtype=object), pa.string()),
            **dates,
            "is_dnc": pa.array(decided["is_dnc"].to_numpy()),
            "dnc_reason": nulls_where(
                decided["dnc_reason"].to_numpy() == "",
                pa.array(decided["dnc_reason"].to_numpy(dtype=object), pa.string()),
            ),
            "consent_valid": pa.array(decided["consent_valid"].to_numpy()),
            "consent_state": pa.array(decided["consent_state"].to_numpy(dtype=object), pa.string()),
            "calls_today": pa.array(decided["calls_today"].to_numpy()),
            "calls_7d": pa.array(decided["calls_7d"].to_numpy()),
            "over_call_cap": pa.array(decided["over_call_cap"].to_numpy()),
            "working_number": pa.array(decided["working_number"].to_numpy()),
            "dialable": pa.array(decided["dialable"].to_numpy()),
            "new_account": account_ids(world.new_company),
        }
    )
    write_csv(path, pa.concat_tables([real, _ghost_people(records, real.schema)]))


def _ghost_people(records: Records, schema: pa.Schema) -> pa.Table:
    """One people.csv row per ghost record: nobody, never to be called."""
    rows = np.flatnonzero(records.person < 0)
    g = len(rows)
    index = pa.array(rows)
    values = {
        "person_id": ghost_ids(np.arange(g)),
        "first_name": records.first_name.take(index),
        "last_name": records.last_name.take(index),
        "email": records.email.take(index),
        "phone_e164": records.phone.take(index),
        "company": records.company.take(index),
        "country": records.country.take(index),
        "record_count": pa.array(np.ones(g, dtype=np.int64)),
        "is_ghost": pa.array(np.ones(g, dtype=bool)),
        "status": pa.array(np.full(g, "ghost", dtype=object), pa.string()),
        "coarse_status": pa.array(np.full(g, "ghost", dtype=object), pa.string()),
        "status_reason": pa.array(
            np.full(g, "a test, placeholder or junk record", dtype=object), pa.string()
        ),
        "intent_tier": pa.array(np.full(g, "low", dtype=object), pa.string()),
        "calls_today": pa.array(np.zeros(g, dtype=np.int64)),
        "calls_7d": pa.array(np.zeros(g, dtype=np.int64)),
        **{
            flag: pa.array(np.zeros(g, dtype=bool))
            for flag in ("is_dnc", "consent_valid", "over_call_cap", "working_number", "dialable")
        },
    }
    columns = [
        values[field.name].cast(field.type) if field.name in values else pa.nulls(g, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def write_accounts(
    path: Path, pop: Population, world: World, truth: Truth, timeline: Timeline
) -> None:
    """`accounts.csv`: every company, its true identity and fate."""
    companies = pop.companies
    city_names = np.array([c.name for c in CITIES], dtype=object)
    moved = world.new_city != companies.city
    table = pa.table(
        {
            "account": account_ids(np.arange(len(companies))),
            "name": companies.name,
            "country": pa.array(
                np.array(COUNTRY_CODES, dtype=object)[companies.country], pa.string()
            ),
            "city": pa.array(city_names[companies.city], pa.string()),
            "domain": companies.domain,
            "status": pa.array(truth.accounts["status"].to_numpy(dtype=object), pa.string()),
            "fate_date": _dates(truth.accounts["fate"].to_numpy(), timeline),
            "new_city": pa.array(np.where(moved, city_names[world.new_city], None), pa.string()),
            "shares_name_with": account_ids(companies.namesake_of),
        }
    )
    write_csv(path, table)


def _chains(
    kind: str, members: np.ndarray, company: np.ndarray, shared: np.ndarray
) -> pd.DataFrame:
    """Consecutive pairs of `members` within each company (a chain links the whole group)."""
    order = members[np.argsort(company[members], kind="stable")]
    same = company[order][1:] == company[order][:-1]
    left, right = order[:-1][same], order[1:][same]
    return pd.DataFrame({"kind": kind, "left": left, "right": right, "shared_value": shared[left]})


def write_hard_negatives(path: Path, pop: Population, records: Records) -> int:
    """`hard_negatives.csv`: look-alike pairs of different people; returns the pair count."""
    people, companies = pop.people, pop.companies
    n = len(people)
    company = people.company
    real = records.person >= 0
    owner = records.person[real]
    board_of = companies.switchboard[company]

    def any_record(mask: np.ndarray) -> np.ndarray:
        return np.bincount(owner[mask[real]], minlength=n) > 0

    on_board = any_record(records.phone_number == board_of[np.maximum(records.person, 0)])
    on_role = any_record((records.email_kind == EmailKind.ROLE) & ~records.job_change)
    namesakes = np.flatnonzero(people.namesake_of >= 0)
    full_name = to_numpy_text(join(people.given, " ", people.family))
    ids = to_numpy_text(person_ids(np.arange(n)))
    pairs = pd.concat(
        [
            pd.DataFrame(
                {
                    "kind": "namesake",
                    "left": people.namesake_of[namesakes],
                    "right": namesakes,
                    "shared_value": full_name[namesakes],
                }
            ),
            _chains(
                "shared_switchboard",
                np.flatnonzero(on_board),
                company,
                to_numpy_text(pop.numbers.e164(board_of)),
            ),
            _chains(
                "shared_role_mailbox",
                np.flatnonzero(on_role),
                company,
                to_numpy_text(take(companies.role_mailbox, company)),
            ),
        ],
        ignore_index=True,
    )
    frame = pd.DataFrame(
        {
            "kind": pairs["kind"].to_numpy(dtype=object),
            "person_id_left": ids[pairs["left"].to_numpy(dtype=np.int64)],
            "person_id_right": ids[pairs["right"].to_numpy(dtype=np.int64)],
            "shared_value": pairs["shared_value"].to_numpy(dtype=object),
        }
    )
    frame = pd.concat([frame, _junk_pairs(records)], ignore_index=True)
    write_csv(path, pa.Table.from_pandas(frame, preserve_index=False))
    return len(frame)


def _junk_pairs(records: Records) -> pd.DataFrame:
    """A real record and a ghost record showing the same junk phone (one pair per ghost)."""
    phone = to_numpy_text(records.phone)
    ids = to_numpy_text(record_person_ids(records))
    junk = (records.person >= 0) & (records.phone_kind == PhoneKind.JUNK)
    real = pd.DataFrame({"shared_value": phone[junk], "person_id_left": ids[junk]})
    real = real.drop_duplicates("shared_value")
    ghosts = pd.DataFrame(
        {"shared_value": phone[records.person < 0], "person_id_right": ids[records.person < 0]}
    ).dropna()
    pairs = ghosts.merge(real, on="shared_value")
    pairs["kind"] = "ghost_shared_junk_phone"
    return pairs[["kind", "person_id_left", "person_id_right", "shared_value"]]


def write_bad_rows(path: Path, rows: list[dict[str, object]]) -> None:
    """`bad_rows.csv`: every planted bad row and where it is."""
    frame = pd.DataFrame(rows, columns=["feed", "file", "row_number", "defect", "detail"])
    write_csv(path, pa.Table.from_pandas(frame, preserve_index=False))


def write_summary(path: Path, summary: dict[str, object]) -> None:
    """`summary.json`."""
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

"""`ground_truth/`: what the generated CRM really holds, for scoring a pipeline run against it.

- `records.csv`: source_system, contact_id, person_id, source_file: which person each accepted
  CRM record is (the planted bad rows are not in it).
- `people.csv`: one row per person: true name, email, phone (E.164), company, country, the
  planned `scenario`, and what the scoring rules conclude from the planted evidence: `status`,
  `status_reason`, `last_presence_at`, `intent_score` and (for active people) `intent_tier`,
  `is_dnc` and `dnc_reason`, `consent_valid`, `is_callable`, `calls_today`, `calls_7d` and
  `on_dial_list`.
- `hard_negatives.csv`: pairs of different people that look alike and must not be merged:
  namesakes at other companies, colleagues whose records show the same switchboard number,
  colleagues whose records show the same role mailbox.
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
)
from hygiene_pipeline.synthetic.file_io import write_csv
from hygiene_pipeline.synthetic.landing_layout import CRM_FILES, SOURCE_NAMES
from hygiene_pipeline.synthetic.plan import Plan, Scenario
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import Records
from hygiene_pipeline.synthetic.reference_data import COUNTRY_CODES


def person_ids(index: np.ndarray) -> pa.Array:
    """`P0000001`-style ids of people (by index)."""
    return join("P", integers_as_text(np.asarray(index) + 1, width=7))


def write_records(path: Path, records: Records) -> None:
    """`records.csv`: every accepted CRM record and the person it is."""
    files = np.array([spec.name for spec in CRM_FILES], dtype=object)
    table = pa.table(
        {
            "source_system": pa.array(
                np.array(SOURCE_NAMES, dtype=object)[records.source], pa.string()
            ),
            "contact_id": records.contact_id,
            "person_id": person_ids(records.person),
            "source_file": pa.array(files[records.file], pa.string()),
        }
    )
    write_csv(path, table)


def write_people(path: Path, pop: Population, plan: Plan, truth: pd.DataFrame) -> None:
    """`people.csv`: who everyone really is and what the rules say about them."""
    people, companies = pop.people, pop.companies
    n = len(people)
    has_mobile = people.mobile >= 0
    chinese = people.country == COUNTRY_CODES.index("CN")
    table = pa.table(
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
            "company_id": join("C", integers_as_text(people.company + 1, width=6)),
            "country": pa.array(np.array(COUNTRY_CODES, dtype=object)[people.country], pa.string()),
            "record_count": pa.array(people.records),
            "scenario": pa.array(
                np.array([s.name.lower() for s in Scenario], dtype=object)[plan.scenario],
                pa.string(),
            ),
        }
    )
    story = pa.Table.from_pandas(truth, preserve_index=False)
    for name in story.column_names:
        table = table.append_column(name, story.column(name))
    write_csv(path, table)


def _chains(
    kind: str, members: np.ndarray, company: np.ndarray, shared: np.ndarray
) -> pd.DataFrame:
    """Consecutive pairs of `members` within each company (a chain links the whole group)."""
    order = members[np.argsort(company[members], kind="stable")]
    same = company[order][1:] == company[order][:-1]
    left, right = order[:-1][same], order[1:][same]
    return pd.DataFrame({"kind": kind, "left": left, "right": right, "shared_value": shared[left]})


def write_hard_negatives(path: Path, pop: Population, points: pd.DataFrame) -> int:
    """`hard_negatives.csv`: look-alike pairs of different people; returns the pair count."""
    people, companies = pop.people, pop.companies
    company = people.company
    namesakes = np.flatnonzero(people.namesake_of >= 0)
    full_name = to_numpy_text(join(people.given, " ", people.family))
    board = to_numpy_text(pop.numbers.e164(companies.switchboard[company]))
    role = to_numpy_text(take(companies.role_mailbox, company))
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
                np.flatnonzero(points["has_switchboard"].to_numpy()),
                company,
                board,
            ),
            _chains(
                "shared_role_mailbox",
                np.flatnonzero(points["has_role_mailbox"].to_numpy()),
                company,
                role,
            ),
        ],
        ignore_index=True,
    )
    table = pa.table(
        {
            "kind": pa.array(pairs["kind"].to_numpy(dtype=object), pa.string()),
            "person_id_left": person_ids(pairs["left"].to_numpy()),
            "person_id_right": person_ids(pairs["right"].to_numpy()),
            "shared_value": pa.array(pairs["shared_value"].to_numpy(dtype=object), pa.string()),
        }
    )
    write_csv(path, table)
    return len(pairs)


def write_bad_rows(path: Path, rows: list[dict[str, object]]) -> None:
    """`bad_rows.csv`: every planted bad row and where it is."""
    frame = pd.DataFrame(rows, columns=["feed", "file", "row_number", "defect", "detail"])
    write_csv(path, pa.Table.from_pandas(frame, preserve_index=False))


def write_summary(path: Path, summary: dict[str, object]) -> None:
    """`summary.json`."""
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

"""Fixtures over the session's `generated_crm`: ground-truth tables, summary.json, the CRM rows
read back from the landing files and every observation traced to the people it concerns."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from landing_readers import ACTIVITY_FORMATS, COUNTRY_BY_TEXT, CRM_COLUMNS, read_rows
from observed import Observed, observe_landing

from hygiene_pipeline.synthetic.landing_layout import CRM_FILES


@pytest.fixture(scope="session")
def truth(generated_crm: Path) -> dict[str, pd.DataFrame]:
    """The ground-truth tables."""
    folder = generated_crm / "ground_truth"
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)  # noqa: E731
    return {
        name: read(f"{name}.csv")
        for name in ("people", "records", "accounts", "bad_rows", "hard_negatives")
    }


@pytest.fixture(scope="session")
def summary(generated_crm: Path) -> dict[str, object]:
    """summary.json."""
    return json.loads((generated_crm / "ground_truth" / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def crm_rows(generated_crm: Path, truth: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every good CRM row under contract column names, with file, row number, source and the
    person it is (bad rows left out)."""
    bad = truth["bad_rows"]
    frames = []
    for spec in CRM_FILES:
        header, rows = read_rows(
            generated_crm / "landing" / "crm_contacts" / spec.name, spec.encoding
        )
        skip = set(bad.loc[bad["file"] == spec.name, "row_number"].astype(int))
        source = spec.name.split("_")[0]
        columns = CRM_COLUMNS[source]
        kept = [(i + 1, row) for i, row in enumerate(rows) if i + 1 not in skip]
        frame = pd.DataFrame(
            {name: [row[header.index(col)] for _, row in kept] for name, col in columns.items()}
        )
        frame["do_not_call"] = frame.get("do_not_call", pd.Series("", index=frame.index))
        frame["file"] = spec.name
        fmt = ACTIVITY_FORMATS.get(spec.name, ACTIVITY_FORMATS.get(source))
        frame["last_activity_at"] = pd.to_datetime(
            frame["last_activity"], format=fmt, errors="coerce", utc=True
        )
        frame["row_number"] = [number for number, _ in kept]
        frame["source_system"] = source
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    people = truth["records"][["source_system", "contact_id", "person_id"]]
    rows = rows.merge(people, on=["source_system", "contact_id"], how="left", validate="one_to_one")
    country = truth["people"].set_index("person_id")["country"]
    rows["person_country"] = rows["person_id"].map(country)
    rows["region"] = rows["country"].map(COUNTRY_BY_TEXT).fillna("US")
    return rows


@pytest.fixture(scope="session")
def observed(
    generated_crm: Path, crm_rows: pd.DataFrame, truth: dict[str, pd.DataFrame]
) -> Observed:
    """Every call, event, bounce and do-not-call entry with the people it concerns."""
    return observe_landing(generated_crm / "landing", crm_rows, truth["bad_rows"])

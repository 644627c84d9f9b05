"""The planted bad rows: every one listed in bad_rows.csv is in its file with its defect, and no
other row of the landing files has one of those defects."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
from landing_readers import read_jsonl, read_rows

from hygiene_pipeline.synthetic.landing_layout import CRM_FILES

ENCODINGS = {spec.name: spec.encoding for spec in CRM_FILES}
REQUIRED = {  # column(s) of which at least one must be filled, per file
    "hubspot_contacts_export.csv": ("Record ID",),
    "bounces_mta_export.csv": ("email",),
    "dialer_calls_export.csv": ("called_at",),
    "vicidial_call_export.csv": ("phone_dialed", "contact_id"),
    "web_activity.csv": ("event_type",),
    "national_dnc_registry.csv": ("phone",),
}
DATE_COLUMNS = {
    "salesforce_contacts_amer.csv": ("CreatedDate", "%Y-%m-%dT%H:%M:%S.000+0000"),
    "bounces_mta_export.csv": ("bounced_at", "%Y-%m-%d %H:%M:%S"),
    "vicidial_call_export.csv": ("called_at", "%Y-%m-%d %H:%M:%S"),
    "web_activity.csv": ("occurred_at", "%Y-%m-%dT%H:%M:%SZ"),
    "internal_dnc_requests.csv": ("added_at", "%Y-%m-%d"),
}


def _feed_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "landing").rglob("*") if p.is_file())


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _defects_of_csv(path: Path) -> dict[int, set[str]]:
    """Row number -> the defects found in that row, checked independently of bad_rows.csv."""
    header, rows = read_rows(path, ENCODINGS.get(path.name, "utf-8"))
    found: dict[int, set[str]] = {}
    seen_ids: set[str] = set()
    for number, row in enumerate(rows, 1):
        defects = set()
        if len(row) != len(header):
            defects.add("ragged_row")
        else:
            values = dict(zip(header, row, strict=True))
            if path.name in REQUIRED and not any(values[c] for c in REQUIRED[path.name]):
                defects.add("missing_required_value")
            if path.name in DATE_COLUMNS:
                column, fmt = DATE_COLUMNS[path.name]
                if values[column] and not _parses(values[column], fmt):
                    defects.add("unparseable_date")
            if path.name == "dialer_calls_export.csv" and values["disposition"] == "ZZ_UNKNOWN":
                defects.add("unmappable_disposition")
            if path.name.startswith("salesforce"):
                if values["Id"] in seen_ids:
                    defects.add("duplicate_contact_id")
                seen_ids.add(values["Id"])
        if any(len(value) >= 20_000 for value in row):
            defects.add("field_too_long")
        if defects:
            found[number] = defects
    return found


def _defects_of_jsonl(path: Path) -> dict[int, set[str]]:
    found = {}
    for number, line in enumerate(read_jsonl(path), 1):
        try:
            json.loads(line)
        except json.JSONDecodeError:
            found[number] = {"malformed_json"}
    return found


def test_bad_rows_are_exactly_the_defective_rows(generated_crm: Path, truth: dict) -> None:
    listed = {(row.file, int(row.row_number)): row.defect for row in truth["bad_rows"].itertuples()}
    found = {}
    for path in _feed_files(generated_crm):
        defects = _defects_of_jsonl(path) if path.suffix == ".jsonl" else _defects_of_csv(path)
        found |= {(path.name, number): kinds for number, kinds in defects.items()}
    assert set(found) == set(listed)
    assert all(listed[key] in kinds for key, kinds in found.items())


def test_every_feed_has_bad_rows_and_the_crm_has_every_kind(truth: dict) -> None:
    bad: pd.DataFrame = truth["bad_rows"]
    assert set(bad["feed"]) == {
        "crm_contacts",
        "email_bounces",
        "call_logs",
        "engagement_events",
        "dnc_list",
    }
    crm_defects = set(bad.loc[bad["feed"] == "crm_contacts", "defect"])
    assert crm_defects == {
        "ragged_row",
        "missing_required_value",
        "unparseable_date",
        "duplicate_contact_id",
        "field_too_long",
    }


def test_bad_crm_rows_are_not_records(truth: dict) -> None:
    records = truth["records"]
    bad = truth["bad_rows"]
    crm_bad = bad[bad["feed"] == "crm_contacts"]
    assert len(records) + len(crm_bad) == 2_000
    assert not records.duplicated(["source_system", "contact_id"]).any()

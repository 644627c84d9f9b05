"""The feed assets on a landing where good files sit beside bad ones, through `materialize()` on
DuckDB: every good row is staged, every bad file is in `curated.rejected_files` and named by the
WARN check, nothing is lost; an error no retry can mend fails once, in one line."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    AssetsDefinition,
    DagsterEventType,
    DagsterInstance,
    materialize,
)

from hygiene_pipeline.definitions import SQL_MODELS_DIR, build_definitions
from hygiene_pipeline.defs.feed_assets import feed_assets
from hygiene_pipeline.defs.publish_assets import build_publish_asset
from hygiene_pipeline.defs.quality_checks import build_rejected_files_check
from hygiene_pipeline.defs.quarantine_assets import rejected_files, rejected_records
from hygiene_pipeline.defs.resources import LandingResource, WarehouseResource
from hygiene_pipeline.warehouse.engine import Warehouse

SAMPLES = Path(__file__).parents[1] / "domain" / "samples"
HEADER = "contact_id,first_name,last_name,email,phone,company,notes\n"


def write(folder: Path, name: str, content: bytes | str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())


def workbook() -> bytes:
    """Two worksheets of contacts, as CRM users save them from Excel."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "EU"
    first.append(["Contact ID", "First Name", "Last Name", "Email", "Phone", "Company"])
    first.append(["X1", "Anna", "Berg", "anna.berg@example.se", "+46 8 555 010 30", "Fabrikam AB"])
    first.append(["X2", "Ole", "Hansen", "ole@example.dk", 4533123456, "Contoso ApS"])
    second = book.create_sheet("US")
    second.append(["Contact ID", "First Name", "Last Name", "Email", "Phone", "Account Name"])
    second.append(["X3", "Kim", "Lee", "kim.lee@example.com", 6175550123, "Northwind Inc"])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    contacts = root / "crm_contacts"
    write(contacts, "crm_good.csv", HEADER
          + "G1,Ada,Lovelace,ada@example.com,+44 20 7183 8750,Analytical Ltd,\n"
          + "G2,Alan,Turing,alan@example.com,+44 161 555 0123,Bletchley plc,\n")  # fmt: skip
    write(contacts, "crm_empty.csv", b"")
    write(contacts, "crm_nul.csv", HEADER.encode()
          + b"N1,Grace,Hopper,grace@example.com,+1 617 555 0142,Navy,\n"
          + b"N2,Bad,Row,bad@example.com,+1 617 555 0143,Acme,typed\x00here\n"
          + b"N3,Edsger,Dijkstra,edsger@example.nl,+31 20 555 0101,TU Eindhoven,\n")  # fmt: skip
    write(contacts, "crm_broken.xlsx", b"PK\x03\x04 this is not a workbook")
    write(contacts, "crm_book.xlsx", workbook())
    write(contacts, "crm_excel.csv", "sep=;\ncontact_id;first_name;last_name;email\n"
          + "S1;Marie;Curie;marie@example.fr\nS2;Pierre;Curie;pierre@example.fr\n")  # fmt: skip
    write(contacts, "notes.pdf", b"%PDF-1.7 not a data file")
    bounces, calls = root / "email_bounces", root / "call_logs"
    bounces.mkdir()
    calls.mkdir()
    shutil.copy(SAMPLES / "mailgun_legacy_webhooks.jsonl", bounces)
    shutil.copy(SAMPLES / "twilio_call_log.csv", calls)
    return root


def run(landing: Path, tmp_path: Path, selection: list[AssetsDefinition]):
    warehouse_url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    defs = build_definitions(
        landing=LandingResource(landing_dir=str(landing)),
        warehouse=WarehouseResource(url=warehouse_url),
        home=tmp_path / "home",
    )
    publication = build_publish_asset([key for a in selection for key in a.keys], SQL_MODELS_DIR)
    result = materialize(
        [*selection, publication],
        resources=defs.resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    return result, Warehouse(warehouse_url)


def test_good_files_are_staged_bad_files_are_named_and_nothing_is_lost(
    landing: Path, tmp_path: Path
) -> None:
    result, warehouse = run(
        landing,
        tmp_path,
        [*feed_assets, rejected_records, rejected_files, *build_rejected_files_check()],
    )
    assert result.success

    staged = warehouse.read_table("staging", "crm_contacts")
    assert sorted(staged["contact_id"]) == ["G1", "G2", "N1", "N3", "S1", "S2", "X1", "X2", "X3"]
    assert set(staged["source_file"]) == {
        "crm_good.csv", "crm_nul.csv", "crm_excel.csv", "crm_book.xlsx#EU", "crm_book.xlsx#US",
    }  # fmt: skip
    # a phone typed as a number in Excel stays whole (no `.0`), read in the default region
    assert staged.set_index("contact_id").loc["X3", "phone_e164"] == "+16175550123"

    quarantined = warehouse.read_table("curated", "rejected_records")
    assert quarantined[["source_file", "row_number", "reason"]].values.tolist() == [
        ["crm_nul.csv", 2, "control character U+0000 in notes"]
    ]
    refused = warehouse.read_table("curated", "rejected_files").sort_values("source_file")
    assert refused["source_file"].tolist() == ["crm_broken.xlsx", "crm_empty.csv", "notes.pdf"]
    assert refused["reason"].str.split(" ").str[0].tolist() == ["corrupt", "empty", "unsupported"]
    assert refused["run_id"].eq(result.run_id).all() and refused["detected_at"].notna().all()

    # the raw asset shows what each file's columns became; nothing lost in the count
    raw = result.asset_materializations_for_node("load_crm_contacts")[0].metadata
    assert raw["rows_in"].value == 10 and raw["rows_rejected"].value == 1
    assert raw["files_rejected"].value == 3
    mapping = raw["column_mapping"].value
    assert "| crm_book.xlsx#EU | Contact ID | contact_id | recognised |" in mapping
    assert "| crm_book.xlsx#US | Account Name | company | mapped |" in mapping
    assert "| crm_nul.csv | notes | notes | unrecognised |" in mapping

    (check,) = result.get_asset_check_evaluations()
    assert (check.asset_key, check.passed) == (AssetKey(["curated", "rejected_files"]), False)
    assert check.severity == AssetCheckSeverity.WARN
    named = check.metadata["files"].value
    assert named == (
        "crm_contacts/crm_broken.xlsx (corrupt or unreadable workbook); "
        "crm_contacts/crm_empty.csv (empty file); "
        "crm_contacts/notes.pdf (unsupported file type '.pdf')"
    )
    assert check.metadata["rejected_files"].value == 3
    assert "typed" not in str(check.metadata)  # file names only, never row values


def test_a_missing_required_folder_fails_once_in_one_line(landing: Path, tmp_path: Path) -> None:
    shutil.rmtree(landing / "call_logs")
    load_calls = next(a for a in feed_assets if a.node_def.name == "load_call_logs")
    result, _ = run(landing, tmp_path, [load_calls])
    assert not result.success
    failures = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    retries = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]
    assert len(failures) == 1 and not retries
    error = failures[0].step_failure_data.user_failure_data
    assert error is not None and "\n" not in error.description
    assert error.description.startswith("feed folder ") and "call_logs is missing" in (
        error.description
    )

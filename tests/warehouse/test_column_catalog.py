"""schema.yml is the one home of curated column docs and PII classification: every documented
column is described and classified, every contract table is there, and a bad entry is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygiene_pipeline.contract import CURATED_TABLES
from hygiene_pipeline.warehouse.column_catalog import (
    MASK_KINDS,
    SchemaDocError,
    load_catalog,
    shipped_catalog,
)


def test_every_documented_column_is_described_and_classified() -> None:
    catalog = shipped_catalog()

    undescribed = [
        f"{r.name}.{c.name}"
        for r in catalog.relations.values()
        for c in r.columns
        if not c.description
    ]
    unclassified = [
        f"{r.name}.{c.name}" for r in catalog.relations.values() for c in r.columns if c.pii is None
    ]

    assert not undescribed
    assert not unclassified
    assert all(r.description for r in catalog.relations.values())


def test_every_contract_table_and_column_is_documented() -> None:
    catalog = shipped_catalog()

    missing = [
        f"{table}.{column}"
        for table, columns in CURATED_TABLES.items()
        for column in columns
        if catalog.relation(table).column(column) is None
    ]

    assert not missing


def test_personal_columns_carry_a_mask_kind() -> None:
    catalog = shipped_catalog()

    assert catalog.mask_of("contacts_golden", "dial_phone_e164") == "phone"
    assert catalog.mask_of("contacts_golden", "status") == "none"
    assert catalog.mask_of("match_pairs", "first_name") == "none"  # an agreement level
    assert catalog.mask_of("contacts_golden", "not_documented") is None
    assert catalog.mask_of("no_such_table", "email") is None
    # A name personal in one table is personal wherever it appears.
    assert catalog.masks_by_column_name()["first_name"] == "name"


def write_schema(folder: Path, meta: str) -> Path:
    (folder / "schema.yml").write_text(
        "version: 2\nsources:\n  - name: curated\n    tables:\n      - name: people\n"
        "        columns:\n          - name: email\n"
        f"            description: An address.\n            meta: {meta}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("{pii: true}", "pii: true needs a mask, one of " + ", ".join(MASK_KINDS)),
        ("{pii: true, mask: hash}", "pii: true needs a mask"),
        ("{pii: false, mask: email}", "pii: false takes no mask"),
        ("{pii: 'yes'}", "pii must be true or false"),
    ],
)
def test_a_bad_classification_is_refused_naming_table_and_column(
    tmp_path: Path, meta: str, message: str
) -> None:
    with pytest.raises(SchemaDocError, match=r"schema\.yml: people\.email: " + message):
        load_catalog(write_schema(tmp_path, meta))


def test_a_column_without_meta_is_unclassified(tmp_path: Path) -> None:
    (tmp_path / "schema.yml").write_text(
        "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: x\n", encoding="utf-8"
    )

    assert load_catalog(tmp_path).mask_of("m", "x") is None

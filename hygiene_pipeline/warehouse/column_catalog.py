"""`dbt_like_sql/schema.yml`: the one home of curated table and column docs and of the PII
classification that decides what every masked view and every check sample hides.

The file is dbt's format: `sources:` (the `curated` tables the Python assets publish) and `models:`
(the SQL models). Each column has a description and, under `meta`, its classification:

    - name: phone_e164
      description: Best phone number in E.164 form.
      meta: {pii: true, mask: phone}

`pii: false` shows the column as it is. `pii: true` needs a `mask`, one of `MASK_KINDS`:
`email` (`j***@example.com`), `phone` (`+1******0100`), `email_or_phone` (either, by the value's
shape), `name` (initials), `text` (free text: emails and phone-like runs of digits inside it
starred) or `redact` (hidden whole: raw rows, addresses, values that can be anything).
A column without a classification is unclassified: masked views hide it whole and report it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from hygiene_pipeline.package_files import sql_models_dir
from hygiene_pipeline.warehouse.catalog import TableDocs

DOC_FILE = "schema.yml"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: schema.yml is read each time the definitions are
built (several times per run), in a twelfth of the 0.1 s the pure-Python loader takes; the
other YAML files are small and read once."""
CURATED = "curated"
MASK_KINDS = ("email", "phone", "email_or_phone", "name", "text", "redact")
MaskKind = Literal["email", "phone", "email_or_phone", "name", "text", "redact"]
SHOWN = "none"
"""The `mask` of a column that holds no personal data (`pii: false`)."""
Mask = MaskKind | Literal["none"]


class SchemaDocError(ValueError):
    """A schema.yml entry that cannot be used; the message names the table and column."""


@dataclass(frozen=True)
class ColumnDoc:
    """A documented column: description, declared SQL type and classification.

    `mask` is `"none"` for a column without personal data, a `MaskKind` for one with it, and
    None while the column is unclassified.
    """

    name: str
    description: str = ""
    data_type: str | None = None
    mask: Mask | None = None

    @property
    def pii(self) -> bool | None:
        """Whether the column holds personal data; None when unclassified."""
        return None if self.mask is None else self.mask != SHOWN


@dataclass(frozen=True)
class RelationDoc:
    """A curated table or view as schema.yml documents it."""

    name: str
    description: str = ""
    columns: tuple[ColumnDoc, ...] = ()

    def column(self, name: str) -> ColumnDoc | None:
        """The documented column `name`, or None."""
        return next((c for c in self.columns if c.name == name), None)

    @property
    def docs(self) -> TableDocs:
        """The description and column descriptions as warehouse comments."""
        return table_docs(self.description, self.columns)


@dataclass(frozen=True)
class ColumnCatalog:
    """Every curated relation schema.yml documents, by name."""

    relations: Mapping[str, RelationDoc] = field(default_factory=dict)

    def relation(self, name: str) -> RelationDoc:
        """The relation's docs; an undocumented relation has no columns (all unclassified)."""
        return self.relations.get(name) or RelationDoc(name)

    def mask_of(self, relation: str, column: str) -> Mask | None:
        """How `relation.column` is shown to readers without PII rights; None: unclassified."""
        doc = self.relation(relation).column(column)
        return doc.mask if doc else None

    def description_of(self, relation: str, column: str) -> str | None:
        """The column's description, or None when schema.yml has none."""
        doc = self.relation(relation).column(column)
        return (doc.description or None) if doc else None

    def table_docs(self) -> dict[str, TableDocs]:
        """Comments for every documented relation (`COMMENT ON` tables, views and columns)."""
        return {name: relation.docs for name, relation in self.relations.items()}

    def masks_by_column_name(self) -> dict[str, Mask]:
        """One mask per column name over all relations: where relations disagree, a personal
        classification wins over `none` (a name that holds PII anywhere is hidden everywhere)."""
        masks: dict[str, Mask] = {}
        for relation in self.relations.values():
            for column in relation.columns:
                if column.mask is not None and masks.get(column.name, SHOWN) == SHOWN:
                    masks[column.name] = column.mask
        return masks


def load_catalog(models_dir: Path) -> ColumnCatalog:
    """The curated sources and models of `<models_dir>/schema.yml`, validated."""
    document = read_schema_doc(models_dir)
    entries = [
        table
        for source in document.get("sources") or []
        if source.get("name") == CURATED
        for table in source.get("tables") or []
    ]
    entries += document.get("models") or []
    relations: dict[str, RelationDoc] = {}
    for entry in entries:
        name = entry["name"]
        if name in relations:
            raise SchemaDocError(f"{DOC_FILE}: {name} is documented twice")
        relations[name] = RelationDoc(name, description(entry), tuple(column_docs(entry)))
    return ColumnCatalog(relations)


@cache
def shipped_catalog() -> ColumnCatalog:
    """The catalog of the schema.yml shipped with the package (read once per process)."""
    return load_catalog(sql_models_dir())


def read_schema_doc(models_dir: Path) -> dict[str, Any]:
    """The parsed schema.yml of `models_dir` (empty when there is none)."""
    path = Path(models_dir) / DOC_FILE
    if not path.exists():
        return {}
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}


def column_docs(entry: Mapping[str, Any]) -> list[ColumnDoc]:
    """The documented columns of one schema.yml source table or model."""
    return [
        ColumnDoc(
            name=column["name"],
            description=description(column),
            data_type=column.get("data_type"),
            mask=_mask(entry["name"], column),
        )
        for column in entry.get("columns") or []
    ]


def description(entry: Mapping[str, Any]) -> str:
    """An entry's description, trimmed."""
    return (entry.get("description") or "").strip()


def table_docs(text: str, columns: Iterable[ColumnDoc]) -> TableDocs:
    """A description and column docs as warehouse comments."""
    return TableDocs(text or None, {c.name: c.description for c in columns if c.description})


def _mask(relation: str, column: Mapping[str, Any]) -> Mask | None:
    """The column's classification from `meta`, checked; None when it has none."""
    meta = column.get("meta") or {}
    if "pii" not in meta:
        return None
    where = f"{DOC_FILE}: {relation}.{column['name']}"
    pii, mask = meta["pii"], meta.get("mask", SHOWN)
    if not isinstance(pii, bool):
        raise SchemaDocError(f"{where}: pii must be true or false, not {pii!r}")
    if pii and mask not in MASK_KINDS:
        raise SchemaDocError(f"{where}: pii: true needs a mask, one of {', '.join(MASK_KINDS)}")
    if not pii and mask != SHOWN:
        raise SchemaDocError(f"{where}: pii: false takes no mask (found {mask!r})")
    return mask

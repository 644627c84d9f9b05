"""Expectation suites as files: Great Expectations Core 1.x suite JSON, one file per table.

Why files: the rules a table must meet are reviewed and changed like code, by people who know
the data, without touching Python. The file name says which table (and Dagster asset) a suite
guards: `staging.crm_contacts.json` -> table `staging.crm_contacts`, asset
`["staging", "crm_contacts"]`.

A suite is plain GX JSON (`name`, `expectations`, `meta`) with these conventions:

- each expectation's GX-native `severity` (`critical`, `warning` or `info`; GX's default is
  `critical`) decides what its failure does: `critical` stops publication downstream, the rest
  warn;
- each expectation's `meta.hint` is the one line on-call staff read when it fails;
- `meta.key_columns` on the suite name the columns that identify an offending row in a report
  (e.g. `record_key`, `source_file`, `row_number`); personal values among them are masked;
- `meta.parameters` on the suite maps a GX suite parameter (`{"$PARAMETER": "name"}` in an
  expectation's kwargs) to a warehouse column whose distinct values fill it at evaluation time,
  e.g. `{"contact_xref_entity_ids": {"table": "curated.contact_xref", "column": "entity_id"}}`:
  that is how a suite checks one table against another;
- `{"$VOCABULARY": "STATUSES"}` anywhere in an expectation stands for that tuple of
  `hygiene_pipeline/vocabulary.py`, so a suite checks the one vocabulary rather than a copy.

Loading validates the file without importing Great Expectations (which takes seconds), so a
code location with a broken suite fails at load time with the file and the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygiene_pipeline import vocabulary

SEVERITIES: tuple[str, ...] = ("critical", "warning", "info")
BLOCKING_SEVERITY = "critical"
DEFAULT_SEVERITY = "critical"
"""Great Expectations' own default: an expectation without `severity` is critical."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARAMETER_KEY = "$PARAMETER"
_VOCABULARY_KEY = "$VOCABULARY"


class SuiteError(ValueError):
    """A suite file that cannot be used, with the file and the reason in the message."""

    @classmethod
    def invalid(cls, suite: SuiteSpec, spec: ExpectationSpec, reason: object) -> SuiteError:
        """The error for one expectation of a suite, naming the file and its position."""
        return cls(
            f"{suite.path.name}: expectation {spec.position} ({spec.label}) is invalid: {reason}"
        )


@dataclass(frozen=True)
class ReferenceColumn:
    """A warehouse column whose distinct values fill a suite parameter."""

    schema: str
    table: str
    column: str

    @property
    def asset_key(self) -> tuple[str, str]:
        """The asset whose table holds the column (a dependency of the check)."""
        return (self.schema, self.table)


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation of a suite as written, with what a report needs to talk about it."""

    position: int
    type: str
    kwargs: Mapping[str, Any]
    severity: str
    hint: str | None
    config: Mapping[str, Any]

    @property
    def blocking(self) -> bool:
        """Whether a failure stops publication downstream."""
        return self.severity == BLOCKING_SEVERITY

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the expectation looks at, in the order its kwargs name them."""
        single = [self.kwargs[k] for k in ("column", "column_A", "column_B") if k in self.kwargs]
        return (*single, *self.kwargs.get("column_list", ()))

    @property
    def label(self) -> str:
        """A short name for reports: the expectation type and its columns."""
        columns = ", ".join(self.columns)
        return f"{self.type}({columns})" if columns else self.type

    def parameters(self) -> tuple[str, ...]:
        """Names of the suite parameters the kwargs refer to."""
        return tuple(
            value[_PARAMETER_KEY]
            for value in self.kwargs.values()
            if isinstance(value, Mapping) and _PARAMETER_KEY in value
        )


@dataclass(frozen=True)
class SuiteSpec:
    """A loaded suite file: which table it guards and its expectations."""

    name: str
    schema: str
    table: str
    path: Path
    description: str
    key_columns: tuple[str, ...]
    references: Mapping[str, ReferenceColumn]
    expectations: tuple[ExpectationSpec, ...]

    @property
    def asset_key(self) -> tuple[str, str]:
        """The Dagster asset key of the guarded table."""
        return (self.schema, self.table)

    @property
    def qualified_table(self) -> str:
        """`schema.table`, as reports name the table."""
        return f"{self.schema}.{self.table}"

    def expectations_where(self, blocking: bool) -> tuple[ExpectationSpec, ...]:
        """The blocking (critical) or the non-blocking (warning, info) expectations."""
        return tuple(e for e in self.expectations if e.blocking == blocking)


def load_suites(directory: Path) -> list[SuiteSpec]:
    """Every `<schema>.<table>.json` suite in `directory`, in file-name order."""
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise SuiteError(f"{directory}: no expectation suites (*.json) found")
    return [load_suite(path) for path in paths]


def load_suite(path: Path) -> SuiteSpec:
    """One suite file, validated: severities, hints, key columns and parameter references."""
    schema, table = _table_of(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SuiteError(f"{path.name}: not valid JSON ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("expectations"), list):
        raise SuiteError(f"{path.name}: expected an object with an 'expectations' list")
    document = _with_vocabularies(path, document)
    meta = document.get("meta") or {}
    references = {
        name: _reference(path, name, ref) for name, ref in (meta.get("parameters") or {}).items()
    }
    expectations = tuple(
        _expectation(path, position, config)
        for position, config in enumerate(document["expectations"])
    )
    if not expectations:
        raise SuiteError(f"{path.name}: the suite has no expectations")
    for expectation in expectations:
        unknown = set(expectation.parameters()) - references.keys()
        if unknown:
            raise SuiteError(
                f"{path.name}: expectation {expectation.position} ({expectation.label}) uses "
                f"undeclared parameters {sorted(unknown)}; declare them in meta.parameters"
            )
    key_columns = tuple(meta.get("key_columns") or ())
    for column in key_columns:
        _require_identifier(path, "key column", column)
    return SuiteSpec(
        name=str(document.get("name") or path.stem),
        schema=schema,
        table=table,
        path=path,
        description=str(meta.get("description") or ""),
        key_columns=key_columns,
        references=references,
        expectations=expectations,
    )


def _with_vocabularies(path: Path, node: Any) -> Any:
    """The document with every `{"$VOCABULARY": name}` replaced by that vocabulary's values."""
    if isinstance(node, dict):
        if set(node) == {_VOCABULARY_KEY}:
            values = getattr(vocabulary, str(node[_VOCABULARY_KEY]), None)
            if not isinstance(values, tuple):
                raise SuiteError(f"{path.name}: no vocabulary named {node[_VOCABULARY_KEY]!r}")
            return list(values)
        return {key: _with_vocabularies(path, value) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_vocabularies(path, value) for value in node]
    return node


def _table_of(path: Path) -> tuple[str, str]:
    """`staging.crm_contacts.json` -> (`staging`, `crm_contacts`)."""
    parts = path.stem.split(".")
    if len(parts) != 2 or not all(_IDENTIFIER.match(part) for part in parts):
        raise SuiteError(f"{path.name}: a suite file is named <schema>.<table>.json")
    return parts[0], parts[1]


def _expectation(path: Path, position: int, config: object) -> ExpectationSpec:
    """One expectation object, checked for the fields the adapter relies on."""
    where = f"{path.name}: expectation {position}"
    if not isinstance(config, dict) or not isinstance(config.get("type"), str):
        raise SuiteError(f"{where}: an expectation is an object with a 'type'")
    kwargs = config.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        raise SuiteError(f"{where}: 'kwargs' must be an object")
    severity = config.get("severity", DEFAULT_SEVERITY)
    if severity not in SEVERITIES:
        raise SuiteError(f"{where}: severity {severity!r} is not one of {list(SEVERITIES)}")
    hint = (config.get("meta") or {}).get("hint")
    return ExpectationSpec(
        position=position,
        type=config["type"],
        kwargs=kwargs,
        severity=severity,
        hint=str(hint) if hint else None,
        config=config,
    )


def _reference(path: Path, name: str, ref: object) -> ReferenceColumn:
    """A `{"table": "schema.table", "column": "c"}` parameter source."""
    if not isinstance(ref, dict) or not {"table", "column"} <= ref.keys():
        raise SuiteError(f"{path.name}: parameter {name!r} needs 'table' and 'column'")
    schema, _, table = str(ref["table"]).partition(".")
    for what, identifier in (("schema", schema), ("table", table), ("column", ref["column"])):
        _require_identifier(path, f"parameter {name!r} {what}", identifier)
    return ReferenceColumn(schema=schema, table=table, column=str(ref["column"]))


def _require_identifier(path: Path, what: str, value: object) -> None:
    """Names that end up in SQL must be plain identifiers."""
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise SuiteError(f"{path.name}: {what} {value!r} is not a plain identifier")

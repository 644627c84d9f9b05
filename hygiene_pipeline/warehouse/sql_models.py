"""dbt-style SQL models: load, render, validate and build them in the curated schema.

A model is `<models_dir>/<name>.sql`: one SELECT in PostgreSQL dialect with Jinja calls
- `{{ config(materialized='table') }}` or `'view'` (default `table`),
- `{{ ref('model') }}` for another model (built first),
- `{{ source('staging'|'curated', 'table') }}` for a table a Python asset publishes; the source
  must be declared under `sources:` in `schema.yml`.

Descriptions and column docs come from `<models_dir>/schema.yml` (dbt `models:`/`sources:`
format) and are written as comments on the built table or view. Dependencies are taken from the
`ref`/`source` calls as the template renders; `sqlglot` then parses the rendered SQL, which must be
a single query reading no table that was not declared that way, and writes it out in the
warehouse's dialect (transpiled for DuckDB).
Tables are built with `CREATE TABLE ... AS` under a loading name and swapped in atomically; views
are replaced in one transaction.
"""

from __future__ import annotations

import graphlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
import sqlglot
import sqlglot.expressions as exp

from hygiene_pipeline.warehouse.catalog import TableDocs
from hygiene_pipeline.warehouse.column_catalog import (
    DOC_FILE,
    ColumnDoc,
    column_docs,
    description,
    read_schema_doc,
    table_docs,
)
from hygiene_pipeline.warehouse.engine import Warehouse
from hygiene_pipeline.warehouse.sql_text import quoted_identifier, sqlglot_dialect

MODEL_SCHEMA = "curated"
SOURCE_DIALECT = "postgres"
_LOGICAL_SCHEMAS = {"staging": "staging", "curated": "curated"}

Materialization = Literal["table", "view"]


class SqlModelError(ValueError):
    """A model that cannot be rendered, parsed or ordered; the message names the model."""


@dataclass(frozen=True)
class SqlModel:
    """One model file with what its template declares and what `schema.yml` says about it."""

    name: str
    path: Path
    template: str
    materialized: Materialization
    refs: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]
    description: str = ""
    columns: tuple[ColumnDoc, ...] = ()

    @property
    def docs(self) -> TableDocs:
        """The description and column docs as warehouse comments."""
        return table_docs(self.description, self.columns)


@dataclass(frozen=True)
class BuiltModel:
    """What building a model produced."""

    name: str
    table_name: str
    materialized: Materialization
    row_count: int


@dataclass
class _Rendered:
    sql: str
    refs: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    relations: set[tuple[str, str]] = field(default_factory=set)


def load_sql_models(models_dir: Path) -> list[SqlModel]:
    """Every model in `models_dir`, validated, in dependency order (dependencies first)."""
    docs = read_schema_doc(models_dir)
    declared_sources = _declared_sources(docs)
    model_docs = {entry["name"]: entry for entry in docs.get("models") or []}
    paths = sorted(Path(models_dir).glob("*.sql"))
    names = {path.stem for path in paths}
    models = {}
    for path in paths:
        template = path.read_text(encoding="utf-8")
        rendered = _render(path.stem, template, _LOGICAL_SCHEMAS)
        _check_declarations(path.stem, rendered, names, declared_sources)
        _parse(path.stem, rendered)
        entry = model_docs.get(path.stem, {})
        models[path.stem] = SqlModel(
            name=path.stem,
            path=path,
            template=template,
            materialized=_materialization(path.stem, rendered.config),
            refs=tuple(dict.fromkeys(rendered.refs)),
            sources=tuple(dict.fromkeys(rendered.sources)),
            description=description(entry),
            columns=tuple(column_docs(entry)),
        )
    return [models[name] for name in _dependency_order(models)]


def render_model_sql(model: SqlModel, warehouse: Warehouse) -> str:
    """The model's SELECT for this warehouse: its schema names, transpiled to its dialect."""
    schemas = {logical: warehouse.schema_for(logical) for logical in _LOGICAL_SCHEMAS}
    rendered = _render(model.name, model.template, schemas)
    return _parse(model.name, rendered).sql(dialect=sqlglot_dialect(warehouse.dialect))


def build_sql_model(warehouse: Warehouse, model: SqlModel) -> BuiltModel:
    """Build one model in the curated schema (its refs and sources must exist already)."""
    sql = render_model_sql(model, warehouse)
    schema = warehouse.curated_schema
    if model.materialized == "view":
        warehouse.replace_view(schema, model.name, sql, docs=model.docs)
        row_count = warehouse.row_count(schema, model.name)
    else:
        row_count = warehouse.replace_table_as(schema, model.name, sql, docs=model.docs)
    return BuiltModel(
        name=model.name,
        table_name=f"{schema}.{model.name}",
        materialized=model.materialized,
        row_count=row_count,
    )


def build_sql_models(warehouse: Warehouse, models: list[SqlModel]) -> list[BuiltModel]:
    """Build models in the given order (as `load_sql_models` returns them)."""
    return [build_sql_model(warehouse, model) for model in models]


def _render(name: str, template: str, schemas: Mapping[str, str]) -> _Rendered:
    rendered = _Rendered(sql="")

    def config(**settings: Any) -> str:
        rendered.config.update(settings)
        return ""

    def ref(model: str) -> str:
        rendered.refs.append(model)
        return _relation(rendered, schemas[MODEL_SCHEMA], model)

    def source(schema: str, table: str) -> str:
        if schema not in schemas:
            raise SqlModelError(f"model {name}: source schema {schema!r} is not staging or curated")
        rendered.sources.append((schema, table))
        return _relation(rendered, schemas[schema], table)

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    try:
        rendered.sql = environment.from_string(template).render(
            config=config, ref=ref, source=source
        )
    except jinja2.TemplateError as error:
        raise SqlModelError(f"model {name}: {error}") from error
    return rendered


def _parse(name: str, rendered: _Rendered) -> exp.Query:
    """Parse the rendered SQL; it must be one query reading only declared relations."""
    try:
        statements = [s for s in sqlglot.parse(rendered.sql, read=SOURCE_DIALECT) if s]
    except sqlglot.errors.ParseError as error:
        raise SqlModelError(f"model {name}: {error}") from error
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise SqlModelError(f"model {name}: must be exactly one SELECT statement")
    query = statements[0]
    cte_names = {cte.alias_or_name for cte in query.find_all(exp.CTE)}
    for table in query.find_all(exp.Table):
        if table.catalog or (table.db, table.name) not in rendered.relations:
            if not table.db and table.name in cte_names:
                continue
            raise SqlModelError(
                f"model {name}: reads {table.sql(dialect=SOURCE_DIALECT)} directly; "
                "use ref() or source()"
            )
    return query


def _check_declarations(
    name: str, rendered: _Rendered, model_names: set[str], declared: set[tuple[str, str]]
) -> None:
    unknown_refs = sorted(set(rendered.refs) - model_names)
    if unknown_refs:
        raise SqlModelError(f"model {name}: ref() to unknown model(s) {', '.join(unknown_refs)}")
    undeclared = sorted(f"{s}.{t}" for s, t in set(rendered.sources) - declared)
    if undeclared:
        raise SqlModelError(
            f"model {name}: source(s) {', '.join(undeclared)} not declared in {DOC_FILE}"
        )


def _dependency_order(models: Mapping[str, SqlModel]) -> list[str]:
    sorter = graphlib.TopologicalSorter({name: m.refs for name, m in sorted(models.items())})
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as error:
        raise SqlModelError(f"models reference each other in a cycle: {error.args[1]}") from error


def _materialization(name: str, config: Mapping[str, Any]) -> Materialization:
    materialized = config.get("materialized", "table")
    if materialized not in ("table", "view"):
        raise SqlModelError(f"model {name}: materialized must be 'table' or 'view'")
    return materialized


def _declared_sources(docs: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {
        (source["name"], table["name"])
        for source in docs.get("sources") or []
        for table in source.get("tables") or []
    }


def _relation(rendered: _Rendered, schema: str, name: str) -> str:
    """Record a relation the template declared and return it quoted for the SQL."""
    rendered.relations.add((schema, name))
    return f"{quoted_identifier(schema)}.{quoted_identifier(name)}"

"""The expectations of a suite compiled to SQL, so a suite is evaluated where the data lives.

Why: reading a whole table into pandas to validate it costs seconds and gigabytes at a million
contacts; counting offending rows in the warehouse costs one aggregate query per suite, and only
a failed expectation needs its few offending rows fetched.

SQL is written once in PostgreSQL's dialect and transpiled for DuckDB by sqlglot. Each rule
mirrors Great Expectations' semantics for its expectation type:

- column-value expectations ignore NULLs (except `not_be_null`), and their `mostly` share is of
  the non-null rows; a regex matches anywhere in the value as text (anchor it to match whole);
- uniqueness counts every row sharing a non-null value as offending (NULLs group together in a
  compound key when another of its columns is set, as pandas does);
- a required value set filled from another table (`$PARAMETER`) becomes an anti-join against
  that table instead of a list shipped through Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot
import sqlglot.expressions as exp

from hygiene_pipeline.quality.suites import ExpectationSpec, SuiteError, SuiteSpec
from hygiene_pipeline.warehouse.sql_text import quoted_identifier, sqlglot_dialect

ROW_COUNT = "row_count"
"""The alias of the table's row count in the aggregate query."""
_PARAMETER_KEY = "$PARAMETER"


@dataclass(frozen=True)
class Relation:
    """A table as SQL names it (quoted, schema-qualified) and the columns it has."""

    sql: str
    columns: frozenset[str]


@dataclass(frozen=True)
class Reference:
    """The warehouse column whose distinct values fill a suite parameter, as SQL names it."""

    table_sql: str
    column: str


@dataclass(frozen=True)
class Rule:
    """One expectation as SQL.

    `aggregates` are select-list items over the table (alias `t`), `derived` a one-row derived
    table joined beside them; together they produce the figures `figures` names (aliases of the
    aggregate query). `offending` selects the offending rows of a column-value rule.
    """

    spec: ExpectationSpec
    kind: str
    figures: Mapping[str, str]
    aggregates: tuple[str, ...] = ()
    derived: str | None = None
    offending: str | None = None


MAP = "map"
"""Column-value rules: offending rows matched by a predicate, GX's unexpected rows."""
ROWS = "rows"
"""Table row count bounds: no offending rows, the count is the observation."""
UNIQUE = "unique"
"""Uniqueness of one or more columns: rows sharing a value, and how many repeat an earlier one."""
CONTAINS = "contains"
"""A set of values the column must contain: the offenders are the absent values."""


def compile_rule(
    suite: SuiteSpec, spec: ExpectationSpec, table: Relation, references: Mapping[str, Reference]
) -> Rule:
    """The SQL of one expectation; a SuiteError names the file and position when it cannot be."""
    compiler = _COMPILERS.get(spec.type)
    if compiler is None:
        raise SuiteError.invalid(
            suite, spec, f"type not supported (supported: {sorted(_COMPILERS)})"
        )
    try:
        return compiler(spec, table, references)
    except (KeyError, TypeError, ValueError) as error:
        raise SuiteError.invalid(suite, spec, str(error)) from error


def aggregate_query(table: Relation, rules: Sequence[Rule], dialect: str) -> str:
    """One query returning the row count and every rule's figures in one row."""
    items = [f"COUNT(*) AS {quoted_identifier(ROW_COUNT)}"]
    items += [item for rule in rules for item in rule.aggregates]
    derived = [f"({rule.derived}) AS d{rule.spec.position}" for rule in rules if rule.derived]
    base = f"(SELECT {', '.join(items)} FROM {table.sql} AS t) AS base"
    return transpile(f"SELECT * FROM {' CROSS JOIN '.join([base, *derived])}", dialect)


def offending_rows_query(
    table: Relation,
    rule: Rule,
    columns: Sequence[str],
    order: Sequence[str],
    limit: int,
    dialect: str,
) -> str:
    """The first `limit` offending rows of a column-value rule (`columns` of them), in `order`."""
    selected = ", ".join(quoted_identifier(c) for c in columns)
    order_by = f" ORDER BY {', '.join(quoted_identifier(c) for c in order)}" if order else ""
    return transpile(
        f"SELECT {selected} FROM {table.sql} AS t WHERE {rule.offending}{order_by} LIMIT {limit}",
        dialect,
    )


def repeats_query(
    table: Relation,
    columns: Sequence[str],
    selected: Sequence[str],
    order: Sequence[str],
    dialect: str,
    *,
    first_only: bool = False,
    limit: int,
) -> str:
    """The first `limit` rows that repeat an earlier row's value of `columns` (earlier in
    `order`); `first_only` keeps the first repeat of each value."""
    ordered = ", ".join(quoted_identifier(c) for c in order)
    wanted = ", ".join(quoted_identifier(c) for c in selected)
    keep = "repeat_rank = 2" if first_only else "repeat_rank > 1"
    return transpile(
        f"SELECT {wanted} FROM ({_ranked(table, columns, [*selected, *order], order)}) AS ranked "
        f"WHERE {keep} ORDER BY {ordered} LIMIT {limit}",
        dialect,
    )


def repeat_files_query(
    table: Relation, columns: Sequence[str], order: Sequence[str], dialect: str
) -> str:
    """The distinct files (`source_file`) of the rows that repeat an earlier row's value."""
    return transpile(
        f"SELECT DISTINCT source_file FROM ({_ranked(table, columns, ['source_file'], order)}) "
        "AS ranked WHERE repeat_rank > 1 ORDER BY source_file",
        dialect,
    )


def _ranked(
    table: Relation, columns: Sequence[str], carried: Sequence[str], order: Sequence[str]
) -> str:
    """Rows with a value of `columns`, carrying `carried`, ranked within their value by `order`
    (`repeat_rank` 1 is the first row of its value)."""
    names = [quoted_identifier(c) for c in columns]
    others = [quoted_identifier(c) for c in dict.fromkeys(carried) if c not in columns]
    ordered = ", ".join(quoted_identifier(c) for c in order)
    return (
        f"SELECT {', '.join([*names, *others])}, ROW_NUMBER() OVER (PARTITION BY "
        f"{', '.join(names)} ORDER BY {ordered}) AS repeat_rank FROM {table.sql} AS t "
        f"WHERE {_any_set(columns)}"
    )


def absent_values_query(
    rule: Rule, table: Relation, references: Mapping[str, Reference], limit: int, dialect: str
) -> str:
    """The first `limit` required values the column lacks, in value order."""
    column = rule.spec.kwargs["column"]
    return transpile(
        f"SELECT required.v AS {quoted_identifier(column)} FROM "
        f"({_required_values(rule.spec, references)}) AS required WHERE {_absent(table, column)} "
        f"ORDER BY 1 LIMIT {limit}",
        dialect,
    )


def transpile(sql: str, dialect: str) -> str:
    """PostgreSQL-dialect SQL for the warehouse's engine (`duckdb` or `postgresql`)."""
    return sqlglot.transpile(sql, read="postgres", write=sqlglot_dialect(dialect))[0]


def _not_null(spec: ExpectationSpec, _table: Relation, _refs: Mapping[str, Reference]) -> Rule:
    column = _column(spec)
    return _map_rule(spec, f"{column} IS NULL", denominator="COUNT(*)")


def _in_set(spec: ExpectationSpec, _table: Relation, refs: Mapping[str, Reference]) -> Rule:
    column = _column(spec)
    values = _value_set(spec, refs)
    if values is None:
        return _map_rule(spec, f"{column} IS NOT NULL")
    return _map_rule(spec, f"{column} IS NOT NULL AND NOT ({column} IN ({values}))")


def _match_regex(spec: ExpectationSpec, _table: Relation, _refs: Mapping[str, Reference]) -> Rule:
    column = _column(spec)
    regex = spec.kwargs["regex"]
    if not isinstance(regex, str):
        raise TypeError("regex must be a string")
    return _map_rule(
        spec, f"{column} IS NOT NULL AND NOT (CAST({column} AS TEXT) ~ {_literal(regex)})"
    )


def _between(spec: ExpectationSpec, _table: Relation, _refs: Mapping[str, Reference]) -> Rule:
    column = _column(spec)
    return _map_rule(spec, f"{column} IS NOT NULL AND NOT ({_within(spec, column)})")


def _row_count(spec: ExpectationSpec, _table: Relation, _refs: Mapping[str, Reference]) -> Rule:
    _within(spec, "0")  # validates the bounds
    return Rule(spec=spec, kind=ROWS, figures={})


def _unique(spec: ExpectationSpec, table: Relation, _refs: Mapping[str, Reference]) -> Rule:
    columns = list(spec.columns)
    if not columns:
        raise ValueError("no column named")
    names = ", ".join(quoted_identifier(c) for c in columns)
    shared, groups = _aliases(spec, "shared", "groups")
    derived = (
        f"SELECT COALESCE(SUM(n), 0) AS {shared}, COUNT(*) AS {groups} FROM "
        f"(SELECT COUNT(*) AS n FROM {table.sql} AS t WHERE {_any_set(columns)} "
        f"GROUP BY {names} HAVING COUNT(*) > 1) AS repeated"
    )
    return Rule(
        spec=spec,
        kind=UNIQUE,
        figures={"shared": _plain(shared), "groups": _plain(groups)},
        derived=derived,
    )


def _contain_set(spec: ExpectationSpec, table: Relation, refs: Mapping[str, Reference]) -> Rule:
    _column(spec), _value_set(spec, refs)  # validate the kwargs
    column = spec.kwargs["column"]
    required, absent = _aliases(spec, "required", "absent")
    derived = (
        f"SELECT COUNT(*) AS {required}, COUNT(*) FILTER (WHERE {_absent(table, column)}) "
        f"AS {absent} FROM ({_required_values(spec, refs)}) AS required"
    )
    return Rule(
        spec=spec,
        kind=CONTAINS,
        figures={"required": _plain(required), "absent": _plain(absent)},
        derived=derived,
    )


_COMPILERS: dict[str, Callable[[ExpectationSpec, Relation, Mapping[str, Reference]], Rule]] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_match_regex": _match_regex,
    "expect_column_values_to_be_between": _between,
    "expect_column_values_to_be_unique": _unique,
    "expect_compound_columns_to_be_unique": _unique,
    "expect_column_distinct_values_to_contain_set": _contain_set,
    "expect_table_row_count_to_be_between": _row_count,
}


def _map_rule(spec: ExpectationSpec, offending: str, denominator: str | None = None) -> Rule:
    """A column-value rule: offending rows, and the rows its share is of (non-null by default)."""
    unexpected, considered = _aliases(spec, "unexpected", "considered")
    denominator = denominator or f"COUNT({_column(spec)})"
    return Rule(
        spec=spec,
        kind=MAP,
        figures={"unexpected": _plain(unexpected), "considered": _plain(considered)},
        aggregates=(
            f"COUNT(*) FILTER (WHERE {offending}) AS {unexpected}",
            f"{denominator} AS {considered}",
        ),
        offending=offending,
    )


def _within(spec: ExpectationSpec, column: str) -> str:
    """`min_value <= column <= max_value` (strict with `strict_min`/`strict_max`)."""
    kwargs = spec.kwargs
    bounds = []
    if kwargs.get("min_value") is not None:
        bounds.append(
            f"{column} {'>' if kwargs.get('strict_min') else '>='} {_number(kwargs['min_value'])}"
        )
    if kwargs.get("max_value") is not None:
        bounds.append(
            f"{column} {'<' if kwargs.get('strict_max') else '<='} {_number(kwargs['max_value'])}"
        )
    if not bounds:
        raise ValueError("min_value or max_value is required")
    return " AND ".join(bounds)


def _value_set(spec: ExpectationSpec, refs: Mapping[str, Reference]) -> str | None:
    """`value_set` as SQL: a literal list or a parameter's subquery; None for an empty list."""
    values = spec.kwargs["value_set"]
    if isinstance(values, Mapping) and _PARAMETER_KEY in values:
        return _required_values(spec, refs)
    if not isinstance(values, (list, tuple)):
        raise TypeError("value_set must be a list")
    present = [v for v in values if v is not None]
    return ", ".join(_literal(v) for v in present) or None


def _required_values(spec: ExpectationSpec, refs: Mapping[str, Reference] | None = None) -> str:
    """Distinct non-null values of the parameter's column (`v`), or of the literal value set."""
    values = spec.kwargs["value_set"]
    if isinstance(values, Mapping) and _PARAMETER_KEY in values:
        name = values[_PARAMETER_KEY]
        if refs is None or name not in refs:
            raise ValueError(f"no table for parameter {name!r}")
        reference = refs[name]
        quoted = quoted_identifier(reference.column)
        return (
            f"SELECT DISTINCT {quoted} AS v FROM {reference.table_sql} WHERE {quoted} IS NOT NULL"
        )
    rows = " UNION ".join(f"SELECT {_literal(v)} AS v" for v in values if v is not None)
    return rows or "SELECT NULL AS v WHERE FALSE"


def _absent(table: Relation, column: str) -> str:
    """`required.v` does not occur in the column."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {table.sql} AS t WHERE t.{quoted_identifier(column)} "
        "= required.v)"
    )


def _any_set(columns: Sequence[str]) -> str:
    """At least one of the columns holds a value."""
    return " OR ".join(f"{quoted_identifier(c)} IS NOT NULL" for c in columns)


def _column(spec: ExpectationSpec) -> str:
    """The quoted `column` kwarg."""
    column = spec.kwargs["column"]
    if not isinstance(column, str):
        raise TypeError("column must be a name")
    return quoted_identifier(column)


def _aliases(spec: ExpectationSpec, *names: str) -> tuple[str, ...]:
    """Quoted result aliases unique to the expectation: `"e3_unexpected"`."""
    return tuple(quoted_identifier(f"e{spec.position}_{name}") for name in names)


def _plain(alias: str) -> str:
    """A quoted alias as the result column name."""
    return alias.strip('"')


def _number(value: Any) -> str:
    """A numeric bound as SQL (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"bound {value!r} is not a number")
    return _literal(value)


def _literal(value: object) -> str:
    """A Python scalar as a SQL literal."""
    return exp.convert(value).sql(dialect="postgres")

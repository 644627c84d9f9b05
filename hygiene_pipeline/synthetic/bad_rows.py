"""The planted bad rows: a known, small set of genuinely broken rows per feed (ragged, missing
a required value, an unparseable date, a duplicate contact id within a source, a 20,000-character
field, an unmappable disposition, a cut-off JSON line), so quarantine can be tested exactly.

Each defect is made from a template row that is otherwise valid (and, outside the CRM, owned by
nobody), so the row has that one defect and no other reason to be rejected.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from hygiene_pipeline.synthetic.file_io import BadRow, csv_row_text

LONG_FIELD_CHARS = 20_000  # the pipeline's default limit is 10,000
Row = Mapping[str, str | None]


def template_row(table: pa.Table, index: int) -> dict[str, str | None]:
    """Row `index` of a written table as a template (all empty if the table has no rows)."""
    if not table.num_rows:
        return dict.fromkeys(table.column_names)
    return table.slice(index, 1).to_pylist()[0]


def row_text(values: Row) -> str:
    """One CSV row (quoted like the generated files) of the given values, in their order."""
    return csv_row_text(pa.table({k: pa.array([v], pa.string()) for k, v in values.items()}))


def missing(template: Row, *columns: str) -> BadRow:
    """A row whose required value (or every one of alternative columns) is empty."""
    blanked = dict(template) | dict.fromkeys(columns)
    return BadRow(row_text(blanked), "missing_required_value", f"{' and '.join(columns)} empty")


def unparseable_date(template: Row, column: str, value: str) -> BadRow:
    """A row whose date no reader can parse."""
    line = row_text(dict(template) | {column: value})
    return BadRow(line, "unparseable_date", f"{column} {value}")


def ragged(template: Row, extra: int = 2) -> BadRow:
    """A row with more fields than the header."""
    fields = len(template)
    line = row_text(template) + ',"EXTRA"' * extra
    return BadRow(line, "ragged_row", f"{fields + extra} fields, header has {fields}")


def too_long(template: Row, column: str, phrase: str) -> BadRow:
    """A row with a field of LONG_FIELD_CHARS characters (`phrase` repeated)."""
    text = (phrase * (LONG_FIELD_CHARS // len(phrase) + 1))[:LONG_FIELD_CHARS]
    detail = f"{column} has {LONG_FIELD_CHARS} characters"
    return BadRow(row_text(dict(template) | {column: text}), "field_too_long", detail)


def duplicate_id(template: Row, column: str, taken: str) -> BadRow:
    """A row reusing an id that an earlier row of the same source already has."""
    line = row_text(dict(template) | {column: taken})
    return BadRow(line, "duplicate_contact_id", f"{column} {taken} repeats an earlier row's")


def unmappable(template: Row, column: str, value: str) -> BadRow:
    """A row whose code no vocabulary maps."""
    line = row_text(dict(template) | {column: value})
    return BadRow(line, "unmappable_disposition", f"{column} {value}")


def malformed_json(line: str) -> BadRow:
    """A JSON Lines line cut off mid-document."""
    return BadRow(line, "malformed_json", "line cut off mid-document")

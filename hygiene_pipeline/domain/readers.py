"""Read every landing file of a feed into raw text rows, quarantining what cannot be used.

Files: `landing_dir/<feed>/`, read in name order (`landing_files`): CSV text, spreadsheet
workbooks (`workbooks`: every worksheet, or only the first, by `excel_sheets`) and, for
`email_bounces` and `engagement_events`, JSON; any may be gzipped. A missing folder, or one
without any file, is a `FeedError` for the required feeds (`crm_contacts`, `email_bounces`,
`call_logs`); the optional feeds then yield no rows.

One file that cannot be read never stops its feed. It is recorded in
`FeedFrames.rejected_files` with a specific reason (empty file, unsupported file type, not text,
not a readable gzip file, corrupt or password-protected workbook, no header row, ...) and the
feed goes on with its other files. A workbook's worksheets are read as if they were files named
`<file>#<sheet>` when the workbook has several worksheets.

Each text file's encoding is detected (`encoding.detect_encoding`) and reported in
`FeedFrames.file_encodings` (`workbook` for workbooks). CSV: a first line `sep=<c>` (Excel's
delimiter hint) names the delimiter and is not a record; otherwise the delimiter is the most
frequent of `,` `;` tab `|` in the header line (outside quotes). `row_number` counts data
records: header excluded, blank lines skipped, a quoted value spanning lines is one record.

JSON: one object per line (JSON Lines). A `.json` file may instead hold one document: an array
of objects, a Mailgun events page (`{"items": [...]}`) or a Postmark bounces page
(`{"Bounces": [...]}`). Bounce records in the shape of an ESP export are flattened by
`esp_bounces`; other bounce records must be flat objects with bounce columns. `row_number`
counts records; an SES notification with several recipients gives one record per recipient.
Flat JSON Lines are parsed by Arrow. Where a few lines defeat it (invalid JSON, a line that is no
object, a nested or floating-point value), those lines alone are read record by record, with the
same result; a file with many such lines, or with nested or floating-point values on its lines
in general, is read record by record throughout.

Values stay text, in Arrow-backed columns (`RAW_TEXT_DTYPE`: no Python object per value);
empty and whitespace-only values are missing (NA). Headers are normalised and mapped to
contract names (`headers`); when several columns map to one name, the first non-empty value in
column order wins. Unknown columns are kept under their normalised names; which source column
became which column is reported per file in `FeedFrames.column_mapping`. Every contract column
of the feed is present (all missing when no file has it), then the unknown columns, then
the lineage columns `source_file` and `row_number`. A file's own column named like a lineage
column is kept with the suffix `_original`. `crm_contacts` rows take `source_system` from its
column, or where that is absent or blank from the file name's first token split on `_`, `-`,
`.` or space, lower-cased (`salesforce_contacts_eu.csv` -> `salesforce`).

Quarantine reasons, first match wins: a ragged row (field count differs from the header); an
invalid JSON line or a record of no known shape; every row of a file that lacks a required
column; a control character (a NUL byte, ...; `encoding.CONTROL_CHARACTERS`) in a value, naming
the column; a field longer than `max_field_chars`; a missing required value; in `crm_contacts` a
`contact_id` already seen within its `source_system` (compared trimmed, and case-insensitively
for the source system; the first is kept).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from hygiene_pipeline.domain.column_ops import RAW_TEXT_DTYPE
from hygiene_pipeline.domain.encoding import (
    CONTROL_CHARACTERS,
    detect_encoding,
    has_control_bytes,
)
from hygiene_pipeline.domain.esp_bounces import EspRecordError, as_text, esp_bounce_rows
from hygiene_pipeline.domain.feed_frames import (
    COLUMN_MAPPING_COLUMNS,
    REJECTED_COLUMNS,
    REJECTED_FILE_COLUMNS,
    FeedFrames,
    empty_column_mapping,
    empty_rejected,
    rejections,
)
from hygiene_pipeline.domain.feed_specs import FeedError, FeedSpec, describe_group, feed_spec
from hygiene_pipeline.domain.headers import ColumnMappings, load_column_mappings, normalise_header
from hygiene_pipeline.domain.landing_files import (
    UnreadableFile,
    feed_files,
    file_bytes,
    file_format,
)
from hygiene_pipeline.domain.workbooks import Sheets, read_workbook

__all__ = ["FeedError", "read_feed"]

LINEAGE_COLUMNS: tuple[str, ...] = ("source_file", "row_number")
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
JSON_PAGE_KEYS: tuple[str, ...] = ("items", "Bounces")
HEADER_PROBE_BYTES = 1 << 20
JSON_SAMPLE_BYTES = 1 << 20
JSON_PARTS = 16
"""Parts a run of JSON lines that Arrow cannot read whole is cut into, to find the lines it
cannot read (each part that fails is cut again)."""
JSON_PART_MIN_LINES = 64
"""A run of lines this short that Arrow cannot read is read line by line, not cut again."""
JSON_LINES_APART_MAX = 10_000
"""Lines read one by one beside Arrow; a file with more is read record by record throughout."""
JSON_FAILED_PARTS_MAX = 200
"""Parts Arrow fails to read before the file is read record by record throughout instead (bad
lines everywhere would cost more parsing in parts than record by record)."""
JSON_OBJECT_LINE = re.compile(rb"^\s*\{\s*[^\s}]")
"""A line that opens a JSON object with a field: the only lines handed to Arrow's parser (it
reads an empty object as a row of nulls, and a part starting with a `null` line can crash it)."""
CSV_BLOCK_BYTES = 8 << 20
FILE_NAME_TOKENS = re.compile(r"[_\-. ]+")
QUOTED = re.compile(r'"[^"]*"')
SEP_HINT = re.compile(r"^sep=(.)\s*$", re.IGNORECASE)
CONTROL_PATTERN = f"[{CONTROL_CHARACTERS}]"
JSON_CONTROL_ESCAPE = re.compile(rb"\\(?:u00[01][0-9a-fA-F]|u007[fF]|[bf])")
"""JSON spells control characters as escapes (backslash-u0000, backslash-b, ...), which the bytes
of the file do not show as control bytes."""
WORKBOOK_ENCODING = "workbook"


@dataclass
class _FileRows:
    """One file as parsed: raw columns under their headers, each row's number, unreadable rows."""

    headers: list[str]
    values: pa.Table
    row_numbers: np.ndarray
    unreadable: pd.DataFrame
    may_hold_controls: bool = True


@dataclass
class _FileBatch:
    """One file's (or worksheet's) usable rows (mapped, checked) and its quarantined rows."""

    name: str
    encoding: str
    accepted: pa.Table
    rejected: list[pd.DataFrame]
    column_mapping: pd.DataFrame


def read_feed(
    landing_dir: Path,
    feed: str,
    mappings: ColumnMappings | None = None,
    max_field_chars: int = 10_000,
    excel_sheets: Sheets = "all",
) -> FeedFrames:
    """Every file of `landing_dir/<feed>/` as raw rows; unreadable files in `rejected_files`."""
    spec = feed_spec(feed)
    mappings = load_column_mappings(None) if mappings is None else mappings
    readable, refused = feed_files(Path(landing_dir) / feed, spec)
    batches: list[_FileBatch] = []
    for path in readable:
        try:
            batches.extend(_read_file(path, spec, mappings, max_field_chars, excel_sheets))
        except UnreadableFile as error:
            refused[path.name] = str(error)
        except (OSError, UnicodeError, csv.Error, pa.ArrowException) as error:
            # a failure no check above foresaw still stays with its file, named
            detail = (str(error).splitlines() or [""])[0]
            refused[path.name] = f"cannot be read ({type(error).__name__}: {detail})"
    rejected = [part for batch in batches for part in batch.rejected]
    encodings = {batch.name: batch.encoding for batch in batches}
    table = _assembled([batch.accepted for batch in batches], spec)
    if spec.unique_within is not None:
        columns_by_file = {batch.name: batch.accepted.column_names for batch in batches}
        table, duplicates = _without_duplicates(table, feed, *spec.unique_within, columns_by_file)
        rejected.append(duplicates)
    accepted = table.to_pandas(split_blocks=True, types_mapper=_text_types_mapper)
    mapping_report = (
        pd.concat([batch.column_mapping for batch in batches], ignore_index=True)
        if batches
        else empty_column_mapping()
    )
    del table, batches
    # hand the Arrow buffers no column holds back to the OS: later stages allocate outside it
    pa.default_memory_pool().release_unused()
    return FeedFrames(
        feed=feed,
        accepted=accepted,
        rejected=_concatenated_rejections(rejected),
        files=list(encodings),
        file_encodings=encodings,
        rejected_files=pd.DataFrame(
            [(feed, name, reason) for name, reason in sorted(refused.items())],
            columns=REJECTED_FILE_COLUMNS,
            dtype="object",
        ),
        column_mapping=mapping_report,
    )


def _read_file(
    path: Path, spec: FeedSpec, mappings: ColumnMappings, max_field_chars: int, sheets: Sheets
) -> list[_FileBatch]:
    """One file decoded and parsed (a workbook sheet by sheet), mapped and checked row by row."""
    data = file_bytes(path)
    kind = file_format(path.name)
    if kind == "workbook":
        parts = [
            (name, WORKBOOK_ENCODING, rows)
            for name, rows in _read_sheets(path.name, data, sheets, spec.name)
        ]
    else:
        try:
            encoding = detect_encoding(data)
        except ValueError as error:
            raise UnreadableFile(f"cannot be decoded as text ({error})") from None
        parse = _read_json if kind == "json" else _read_csv
        rows = parse(path.name, data, encoding, spec)
        # UTF-16 spells every character with a NUL half: only its decoded values tell
        rows.may_hold_controls = (
            encoding.startswith("utf-16")
            or has_control_bytes(data)
            or (kind == "json" and JSON_CONTROL_ESCAPE.search(data) is not None)
        )
        parts = [(path.name, encoding, rows)]
    del data
    return [
        _checked(name, encoding, rows, spec, mappings, max_field_chars)
        for name, encoding, rows in parts
    ]


def _checked(
    name: str,
    encoding: str,
    rows: _FileRows,
    spec: FeedSpec,
    mappings: ColumnMappings,
    max_field_chars: int,
) -> _FileBatch:
    """A parsed file mapped to contract columns, its unusable rows set aside with a reason."""
    table = _mapped_table(rows, name, spec, mappings)
    rejected = [rows.unreadable]
    reasons = _row_problems(table, spec, max_field_chars, rows.may_hold_controls)
    bad = reasons.notna().to_numpy()
    if bad.any():
        unusable = table.filter(pa.array(bad)).to_pandas()
        rejected.append(rejections(spec.name, unusable, reasons[bad].reset_index(drop=True)))
        table = table.filter(pa.array(~bad))
    report = _column_mapping(name, rows.headers, spec, mappings)
    return _FileBatch(name, encoding, table, rejected, report)


def _read_sheets(
    file_name: str, data: bytes, sheets: Sheets, feed: str
) -> list[tuple[str, _FileRows]]:
    """A workbook's sheets as parsed files, named `<file>#<sheet>` when there are several."""
    found = read_workbook(data, sheets)
    named = len(found) > 1
    parsed = []
    for sheet in found:
        name = f"{file_name}#{sheet.name}" if named else file_name
        columns = {
            f"f{i}": pa.array([row[i] for row in sheet.rows], pa.string())
            for i in range(len(sheet.headers))
        }
        parsed.append(
            (
                name,
                _FileRows(
                    headers=sheet.headers,
                    values=pa.table(columns),
                    row_numbers=np.array(sheet.row_numbers, dtype=np.int64),
                    unreadable=_unreadable_rows(feed, name, np.array([], dtype=np.int64), [], []),
                ),
            )
        )
    return parsed


def _read_csv(file_name: str, data: bytes, encoding: str, spec: FeedSpec) -> _FileRows:
    """A delimited text file, all values as text; rows of the wrong width set aside."""
    probe = codecs.getincrementaldecoder(encoding)().decode(data[:HEADER_PROBE_BYTES])
    lines = probe.split("\n", 2)
    hint = SEP_HINT.match(lines[0].rstrip("\r"))
    skipped = 1 if hint else 0
    header_line = lines[skipped] if len(lines) > skipped else ""
    if hint:
        delimiter = hint.group(1)
    else:
        unquoted = QUOTED.sub("", header_line)
        delimiter = max(DELIMITERS, key=unquoted.count)
    header_text = probe.split("\n", skipped)[skipped] if skipped else probe
    width = len(next(csv.reader(io.StringIO(header_text), delimiter=delimiter), []))
    if width == 0 or not header_line.strip():
        raise UnreadableFile("no header row")
    placeholders = [f"f{i}" for i in range(width)]
    ragged: list[tuple[int, int, str]] = []

    def set_aside(row: Any) -> str:
        ragged.append((row.number, row.actual_columns, row.text))
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),
            read_options=pa_csv.ReadOptions(
                # serial reading is what numbers the rows handed to `set_aside`
                use_threads=False,
                block_size=CSV_BLOCK_BYTES,
                skip_rows=skipped,
                column_names=placeholders,
                encoding="utf8" if encoding.startswith("utf-8") else encoding,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=set_aside
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(placeholders, pa.string())
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        detail = str(error).splitlines()[0]
        raise UnreadableFile(f"cannot be parsed as delimited text ({detail})") from None
    # arrow numbers records from 1, counting the skipped hint line and the header
    first_data_record = skipped + 2
    if any(number < first_data_record for number, _, _ in ragged) or table.num_rows == 0:
        raise UnreadableFile("the header row cannot be parsed")
    headers = [table.column(i)[0].as_py() for i in range(width)]
    set_aside_numbers = np.array(
        [number - first_data_record + 1 for number, _, _ in ragged], dtype=np.int64
    )
    parsed = np.ones(table.num_rows - 1 + len(ragged), dtype=bool)
    parsed[set_aside_numbers - 1] = False
    return _FileRows(
        headers=headers,
        values=table.slice(1),
        row_numbers=np.flatnonzero(parsed) + 1,
        unreadable=_unreadable_rows(
            spec.name,
            file_name,
            set_aside_numbers,
            [f"ragged row: {fields} fields, header has {width}" for _, fields, _ in ragged],
            [_fields_json(text, delimiter) for _, _, text in ragged],
        ),
    )


def _fields_json(text: str, delimiter: str) -> str:
    """A ragged row's fields as a JSON array: its columns cannot be named reliably."""
    fields = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    return json.dumps(fields, ensure_ascii=False)


def _read_json(file_name: str, data: bytes, encoding: str, spec: FeedSpec) -> _FileRows:
    """Flat JSON Lines via Arrow's parser (around the few lines it cannot read); ESP shapes,
    documents and files of many such lines record by record."""
    if spec.name == "email_bounces":
        return _read_json_records(file_name, data, encoding, spec, _bounce_record_rows)
    parsed = _json_lines_arrow(data) if encoding == "utf-8" else None
    table = _flat_text(parsed) if parsed is not None else None
    if table is not None:
        return _FileRows(
            headers=table.column_names,
            values=table,
            row_numbers=np.arange(1, table.num_rows + 1),
            unreadable=_unreadable_rows(spec.name, file_name, np.array([], dtype=np.int64), [], []),
        )
    is_document = file_name.lower().removesuffix(".gz").endswith(".json")
    # Parts only help where some lines do not parse; nested or floating values are everywhere.
    in_parts = encoding == "utf-8" and not is_document and parsed is None
    rows = _json_lines_in_parts(file_name, data, spec) if in_parts else None
    return (
        rows
        if rows is not None
        else _read_json_records(file_name, data, encoding, spec, _flat_record_rows)
    )


def _json_lines_in_parts(file_name: str, data: bytes, spec: FeedSpec) -> _FileRows | None:
    """JSON Lines that Arrow cannot read whole: Arrow reads the runs of lines it can, and the few
    lines it cannot (not an object with fields, invalid JSON, a nested or floating-point value,
    several objects on one line) are read as `_read_json_records` reads every line, so rows,
    row numbers and reasons are the same. Arrow only ever sees lines that open an object with a
    field. None when more than `JSON_LINES_APART_MAX` lines need reading one by one, or more
    than `JSON_FAILED_PARTS_MAX` parts fail."""
    lines = [line for line in data.split(b"\n") if line.strip()]
    tables: list[pa.Table] = []
    starts: list[int] = []
    apart = _LinesApart()

    def one_by_one(start: int, stop: int) -> bool:
        for at in range(start, stop):
            if apart.count >= JSON_LINES_APART_MAX:
                return False
            row = apart.read(at, lines[at].decode("utf-8"))
            if row is not None:
                tables.append(pa.table({k: pa.array([v], pa.string()) for k, v in row.items()}))
                starts.append(at)
        return True

    def read(start: int, stop: int) -> bool:
        step = -(-(stop - start) // JSON_PARTS)
        return all(read_part(at, min(at + step, stop)) for at in range(start, stop, step))

    failed_parts = 0

    def read_part(start: int, stop: int) -> bool:
        nonlocal failed_parts
        parsed = _json_lines_arrow(b"\n".join(lines[start:stop]))
        table = _flat_text(parsed) if parsed is not None else None
        if table is not None and table.num_rows == stop - start:
            tables.append(table)
            starts.append(start)
            return True
        failed_parts += 1
        if failed_parts > JSON_FAILED_PARTS_MAX:
            return False
        if stop - start <= JSON_PART_MIN_LINES:
            return one_by_one(start, stop)
        return read(start, stop)

    objects = [at for at, line in enumerate(lines) if JSON_OBJECT_LINE.match(line)]
    done = 0
    for run_start, run_stop in _runs(objects):
        if not (one_by_one(done, run_start) and read_part(run_start, run_stop)):
            return None
        done = run_stop
    if not one_by_one(done, len(lines)):
        return None
    # A line of only non-ASCII white space is no record: later lines' numbers close up.
    blank = np.array(apart.blank, dtype=np.int64)
    runs = [np.arange(at, at + table.num_rows) for at, table in zip(starts, tables, strict=True)]
    line_numbers = np.concatenate(runs) if runs else np.array([], dtype=np.int64)
    aside = np.array(apart.numbers, dtype=np.int64)
    values = pa.concat_tables(tables, promote_options="default") if tables else pa.table({})
    return _FileRows(
        headers=values.column_names,
        values=values,
        row_numbers=line_numbers + 1 - np.searchsorted(blank, line_numbers),
        unreadable=_unreadable_rows(
            spec.name,
            file_name,
            aside + 1 - np.searchsorted(blank, aside),
            apart.reasons,
            apart.raws,
        ),
    )


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive positions as `(first, after last)`."""
    runs: list[tuple[int, int]] = []
    for at in positions:
        if runs and runs[-1][1] == at:
            runs[-1] = (runs[-1][0], at + 1)
        else:
            runs.append((at, at + 1))
    return runs


@dataclass
class _LinesApart:
    """JSON lines read one by one: blank ones (by their index), and those set aside with why."""

    blank: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    count: int = 0

    def read(self, index: int, line: str) -> dict[str, str | None] | None:
        """The line's row, or None (blank, or set aside)."""
        self.count += 1
        parsed = _json_line(line)
        if parsed is None:
            self.blank.append(index)
            return None
        raw, value = parsed
        rows, problem = _record_rows_or_problem(value, _flat_record_rows)
        if problem is None:
            return rows[0]
        self.numbers.append(index)
        self.reasons.append(problem)
        self.raws.append(raw)
        return None


def _json_lines_arrow(data: bytes) -> pa.Table | None:
    """JSON Lines as Arrow parses them, date-like text kept as text; `None` when it cannot (a bad
    line, a JSON document, an over-long line)."""
    # Arrow types ISO date strings as timestamps; those fields are read as the text they are,
    # learnt from the first lines so that one full pass usually suffices.
    sample = data[: data.rfind(b"\n", 0, JSON_SAMPLE_BYTES) + 1] or data
    try:
        first = pa_json.read_json(pa.BufferReader(sample))
        text_fields = _temporal_fields(first)
        if len(sample) == len(data) and not text_fields:
            return first
        table = _json_lines_table(data, text_fields)
        if late_fields := _temporal_fields(table):
            table = _json_lines_table(data, text_fields + late_fields)
    except pa.ArrowInvalid:
        return None
    return table


def _flat_text(table: pa.Table) -> pa.Table | None:
    """Every value as text; `None` for a nested value or a number Arrow read as floating point
    (whose text would differ from the record-by-record reading's: `1e2`, an integer past 64
    bits)."""
    if any(pa.types.is_nested(f.type) or pa.types.is_floating(f.type) for f in table.schema):
        return None
    return pa.table(
        [column.cast(pa.string()) for column in table.columns], names=table.column_names
    )


def _temporal_fields(table: pa.Table) -> list[str]:
    return [f.name for f in table.schema if pa.types.is_temporal(f.type)]


def _json_lines_table(data: bytes, text_fields: list[str]) -> pa.Table:
    explicit = pa.schema([(name, pa.string()) for name in text_fields])
    options = pa_json.ParseOptions(explicit_schema=explicit)
    return pa_json.read_json(pa.BufferReader(data), parse_options=options)


def _read_json_records(
    file_name: str,
    data: bytes,
    encoding: str,
    spec: FeedSpec,
    record_rows: Callable[[dict[str, Any]], list[dict[str, str | None]]],
) -> _FileRows:
    """JSON Lines (or one JSON document) record by record; records of no usable shape set aside."""
    is_document = file_name.lower().removesuffix(".gz").endswith(".json")
    rows: list[dict[str, str | None]] = []
    row_numbers: list[int] = []
    aside_numbers: list[int] = []
    aside_reasons: list[str] = []
    aside_raws: list[str] = []
    number = 0
    for raw, value in _json_values(data.decode(encoding), is_document):
        produced, problem = _record_rows_or_problem(value, record_rows)
        if problem is not None:
            number += 1
            aside_numbers.append(number)
            aside_reasons.append(problem)
            aside_raws.append(raw)
            continue
        for row in produced:
            number += 1
            rows.append(row)
            row_numbers.append(number)
    headers = list(dict.fromkeys(key for row in rows for key in row))
    columns = {
        f"f{i}": pa.array([row.get(key) for row in rows], pa.string())
        for i, key in enumerate(headers)
    }
    return _FileRows(
        headers=headers,
        values=pa.table(columns),
        row_numbers=np.array(row_numbers, dtype=np.int64),
        unreadable=_unreadable_rows(
            spec.name,
            file_name,
            np.array(aside_numbers, dtype=np.int64),
            aside_reasons,
            aside_raws,
        ),
    )


def _json_values(text: str, may_be_document: bool) -> list[tuple[str, Any]]:
    """(raw JSON text, parsed value or the parse error) per record of a JSON file."""
    if may_be_document:
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            pass  # not one document: read as JSON Lines below
        else:
            if isinstance(document, dict):
                pages = [
                    document[key] for key in JSON_PAGE_KEYS if isinstance(document.get(key), list)
                ]
                document = pages[0] if pages else [document]
            items = document if isinstance(document, list) else [document]
            return [(json.dumps(item, ensure_ascii=False), item) for item in items]
    return [value for line in text.split("\n") if (value := _json_line(line)) is not None]


def _json_line(line: str) -> tuple[str, Any] | None:
    """(raw text, parsed value or the parse error) of one JSON line; None for a blank line."""
    line = line.strip()
    if not line:
        return None
    try:
        return line, json.loads(line)
    except json.JSONDecodeError as error:
        return json.dumps(line, ensure_ascii=False), error


def _record_rows_or_problem(
    value: object, record_rows: Callable[[dict[str, Any]], list[dict[str, str | None]]]
) -> tuple[list[dict[str, str | None]], str | None]:
    """The rows a parsed JSON record gives, or why it gives none."""
    problem = _json_problem(value)
    if problem is not None:
        return [], problem
    try:
        return record_rows(value), None  # type: ignore[arg-type]
    except EspRecordError as error:
        return [], str(error)


def _json_problem(value: object) -> str | None:
    """Why a parsed JSON value cannot be a record, if it cannot."""
    if isinstance(value, json.JSONDecodeError):
        return f"invalid JSON: {value.msg} (column {value.colno})"
    if not isinstance(value, dict) or not value:
        return "not a JSON object with fields"
    return None


def _bounce_record_rows(record: dict[str, Any]) -> list[dict[str, str | None]]:
    """An ESP export record flattened, or a flat record taken as it is."""
    rows = esp_bounce_rows(record)
    if rows is not None:
        return rows
    if any(isinstance(value, dict | list) for value in record.values()):
        shown = ", ".join(sorted(record)[:8])
        raise EspRecordError(f"unrecognised bounce record: no known ESP shape (keys: {shown})")
    return _flat_record_rows(record)


def _flat_record_rows(record: dict[str, Any]) -> list[dict[str, str | None]]:
    """A flat JSON object as one row of text values (nested values as JSON text)."""
    return [{key: as_text(value) for key, value in record.items()}]


def _unreadable_rows(
    feed: str, file_name: str, row_numbers: np.ndarray, reasons: list[str], raws: list[str]
) -> pd.DataFrame:
    """Quarantine rows for records that never became columns (ragged rows, bad JSON)."""
    return pd.DataFrame(
        {
            "feed": pd.Series(feed, index=range(len(reasons)), dtype=object),
            "source_file": pd.Series(file_name, index=range(len(reasons)), dtype=object),
            "row_number": row_numbers.astype(np.int64),
            "reason": pd.Series(reasons, dtype=object),
            "raw": pd.Series(raws, dtype=object),
        },
        columns=REJECTED_COLUMNS,
    )


def _mapped_table(
    rows: _FileRows, file_name: str, spec: FeedSpec, mappings: ColumnMappings
) -> pa.Table:
    """Columns under contract names (same-name ones coalesced), blanks as nulls, lineage added."""
    positions: dict[str, list[int]] = {}
    for position, target in enumerate(mappings.target_columns(spec.name, rows.headers)):
        name = f"{target}_original" if target in LINEAGE_COLUMNS else target
        positions.setdefault(name, []).append(position)
    columns = {
        name: _first_non_null([_blank_to_null(rows.values.column(p)) for p in group])
        for name, group in positions.items()
    }
    count = rows.values.num_rows
    if spec.source_system_from_file_name:
        from_name = _source_system_of(file_name)
        given = columns.get("source_system")
        columns["source_system"] = (
            _repeated(from_name, count) if given is None else pc.coalesce(given, from_name)
        )
    columns["source_file"] = _repeated(file_name, count)
    columns["row_number"] = pa.array(rows.row_numbers, pa.int64())
    return pa.table(columns)


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty and whitespace-only values as nulls (a copy only when there are some)."""
    blank = pc.or_(pc.equal(pc.binary_length(column), 0), pc.utf8_is_space(column))
    if not pc.any(blank).as_py():
        return column
    return pc.if_else(blank, pa.scalar(None, pa.string()), column)


def _first_non_null(columns: list[pa.ChunkedArray]) -> pa.ChunkedArray:
    return columns[0] if len(columns) == 1 else pc.coalesce(*columns)


def _repeated(value: str, count: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), count)


def _source_system_of(file_name: str) -> str:
    """The first token of a file name: `salesforce_contacts_eu.csv` -> `salesforce`."""
    return next(token for token in FILE_NAME_TOKENS.split(file_name) if token).lower()


def _row_problems(
    table: pa.Table, spec: FeedSpec, max_field_chars: int, may_hold_controls: bool
) -> pd.Series:
    """Per row, the first reason it cannot go on (`None` for a usable row)."""
    reasons = pd.Series(np.full(table.num_rows, None, dtype=object))
    names = table.column_names
    absent = next((group for group in spec.required if not set(group) & set(names)), None)
    if absent is not None:
        reasons[:] = f"missing required column: {describe_group(absent)} (file has no such column)"
        return reasons
    if may_hold_controls:
        _mark_control_characters(table, reasons)
    for name in names:
        column = table.column(name)
        if (
            name in LINEAGE_COLUMNS
            or (pc.max(pc.binary_length(column)).as_py() or 0) <= max_field_chars
        ):
            continue  # bytes bound characters from above: no value here can be too long
        lengths = pc.fill_null(pc.utf8_length(column), 0).to_numpy()
        over = (lengths > max_field_chars) & reasons.isna().to_numpy()
        reasons[over] = (
            f"field too long: {name} has "
            + pd.Series(lengths[over], index=reasons.index[over]).astype(str)
            + f" characters (limit {max_field_chars})"
        )
    for group in spec.required:
        missing = np.logical_and.reduce(
            [pc.is_null(table.column(name)).to_numpy() for name in group if name in names]
        )
        reasons[missing & reasons.isna().to_numpy()] = (
            f"missing required value: {describe_group(group)}"
        )
    return reasons


def _mark_control_characters(table: pa.Table, reasons: pd.Series) -> None:
    """Give rows whose value holds a control character a reason naming the character and column.

    A NUL byte or a stray escape in one field says the field is damaged; the row is set aside
    rather than the file, and nothing downstream (PostgreSQL refuses NUL in text) meets it.
    """
    for name in table.column_names:
        if name in LINEAGE_COLUMNS:
            continue
        column = table.column(name)
        hit = pc.fill_null(pc.match_substring_regex(column, CONTROL_PATTERN), False)
        if not pc.any(hit).as_py():
            continue
        new = hit.to_numpy(zero_copy_only=False) & reasons.isna().to_numpy()
        values = pd.Series(column.filter(pa.array(new)).to_pylist(), index=reasons.index[new])
        codes = values.str.extract(f"({CONTROL_PATTERN})", expand=False).map(
            lambda character: f"U+{ord(character):04X}"
        )
        reasons[new] = "control character " + codes + f" in {name}"


def _column_mapping(
    file_name: str, headers: list[str], spec: FeedSpec, mappings: ColumnMappings
) -> pd.DataFrame:
    """Which source column became which column, and whether the feed knows that column."""
    targets = mappings.target_columns(spec.name, headers)
    known = set(spec.columns)
    return pd.DataFrame(
        {
            "source_file": file_name,
            "source_column": headers,
            "column": targets,
            "status": [
                ("mapped" if normalise_header(header) != target else "recognised")
                if target in known
                else "unrecognised"
                for header, target in zip(headers, targets, strict=True)
            ],
        },
        columns=COLUMN_MAPPING_COLUMNS,
    )


def _assembled(tables: list[pa.Table], spec: FeedSpec) -> pa.Table:
    """Every file's accepted rows in one table: contract columns, unknown columns, lineage."""
    template = pa.table(
        {name: pa.array([], pa.string()) for name in spec.columns}
        | {"source_file": pa.array([], pa.string()), "row_number": pa.array([], pa.int64())}
    )
    table = pa.concat_tables([template, *tables], promote_options="default")
    unknown = [name for name in table.column_names if name not in template.column_names]
    return table.select([*spec.columns, *unknown, *LINEAGE_COLUMNS])


def _without_duplicates(
    table: pa.Table,
    feed: str,
    key_column: str,
    scope_column: str,
    columns_by_file: dict[str, list[str]],
) -> tuple[pa.Table, pd.DataFrame]:
    """Keep the first row of each key within its scope; quarantine later ones, naming the first."""
    keys = _codes(pc.utf8_trim_whitespace(table.column(key_column)))
    scopes = _codes(pc.utf8_lower(pc.utf8_trim_whitespace(table.column(scope_column))))
    combined = scopes * (int(keys.max(initial=0)) + 1) + keys
    later = pd.Series(combined).duplicated().to_numpy()
    if not later.any():
        return table, empty_rejected()
    first_row_of_key = pd.Series(np.flatnonzero(~later), index=combined[~later])
    first = table.select(list(LINEAGE_COLUMNS)).take(
        first_row_of_key.loc[combined[later]].to_numpy()
    )
    duplicates = table.filter(pa.array(later)).to_pandas()
    first_rows = first.to_pandas()
    reasons = (
        f"duplicate {key_column} '" + duplicates[key_column]
        + f"' within {scope_column} '" + duplicates[scope_column]
        + "' (first seen in row " + first_rows["row_number"].astype(str)
        + " of " + first_rows["source_file"] + ")"
    )  # fmt: skip
    quarantined = [
        rejections(feed, rows[columns_by_file[file_name]], reasons)
        for file_name, rows in duplicates.groupby("source_file", sort=False)
    ]
    return table.filter(pa.array(~later)), pd.concat(quarantined, ignore_index=True)


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Integer codes that are equal exactly where the values are equal."""
    positions = pc.index_in(column, value_set=pc.unique(column))
    return pc.fill_null(positions, -1).to_numpy().astype(np.int64)


def _text_types_mapper(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    """Text columns stay in Arrow's memory (`string[pyarrow]`): no Python object per value, and
    Arrow's kernels read them without a copy (`column_ops.arrow_strings`)."""
    return RAW_TEXT_DTYPE if pa.types.is_string(arrow_type) else None


def _concatenated_rejections(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """All quarantined rows in file and row order."""
    non_empty = [part for part in parts if len(part)]
    if not non_empty:
        return empty_rejected()
    combined = pd.concat(non_empty, ignore_index=True)
    return combined.sort_values(["source_file", "row_number"], kind="stable", ignore_index=True)

"""Writing landing files: CSV in a chosen encoding (with or without a byte-order mark) and JSON
Lines, each with an optional block of planted bad rows in the middle of the file.

Bad rows go after the first half of the good rows, so a reader has to recover from them rather
than just stopping early; their 1-based data row numbers are returned for the ground truth.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

_CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class BadRow:
    """A planted defect: `line` is the row's text (without newline) as it appears in the file."""

    line: str
    defect: str
    detail: str


@dataclass(frozen=True)
class Written:
    """What one file received: data rows (good + bad) and where each bad row landed."""

    path: Path
    rows: int
    bad_rows: list[tuple[int, BadRow]]


def csv_bytes(table: pa.Table, header: bool = False) -> bytes:
    """A table as UTF-8 CSV (quoted as needed, `\\n` line ends, empty field for null)."""
    buffer = io.BytesIO()
    options = pacsv.WriteOptions(include_header=header, quoting_style="needed")
    pacsv.write_csv(table, buffer, write_options=options)
    return buffer.getvalue()


def _chunks(length: int, start: int = 0) -> range:
    return range(start, length, _CHUNK_ROWS)


def write_csv(
    path: Path, table: pa.Table, encoding: str = "utf-8", bad_rows: tuple[BadRow, ...] = ()
) -> Written:
    """Write `table` as CSV in `encoding` ("utf-8-sig" adds a byte-order mark), with `bad_rows`
    after the first half of the rows. Streams in chunks, so memory stays flat for big files."""
    cut = table.num_rows // 2
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        if encoding == "utf-8-sig":
            out.write(b"\xef\xbb\xbf")

        def emit(data: bytes) -> None:
            out.write(data if codec == "utf-8" else data.decode("utf-8").encode(codec))

        emit(csv_bytes(table.slice(0, 0), header=True))
        for begin in _chunks(cut):
            emit(csv_bytes(table.slice(begin, min(_CHUNK_ROWS, cut - begin))))
        emit("".join(bad.line + "\n" for bad in bad_rows).encode("utf-8"))
        for begin in _chunks(table.num_rows, cut):
            emit(csv_bytes(table.slice(begin, min(_CHUNK_ROWS, table.num_rows - begin))))
    return Written(
        path, table.num_rows + len(bad_rows), [(cut + 1 + i, bad) for i, bad in enumerate(bad_rows)]
    )


def _joined_lines(lines: pa.Array) -> bytes:
    """Lines as UTF-8 text, each ended by a newline."""
    if not len(lines):
        return b""
    one_list = pa.ListArray.from_arrays(
        pa.array([0, len(lines)], pa.int32()), lines.cast(pa.string())
    )
    return (pc.binary_join(one_list, "\n")[0].as_py() + "\n").encode("utf-8")


def write_jsonl(path: Path, lines: pa.Array, bad_rows: tuple[BadRow, ...] = ()) -> Written:
    """Write one JSON document per line (UTF-8), with `bad_rows` after the first half."""
    cut = len(lines) // 2
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for begin in _chunks(cut):
            out.write(_joined_lines(lines.slice(begin, min(_CHUNK_ROWS, cut - begin))))
        out.write(_joined_lines(pa.array([bad.line for bad in bad_rows], pa.string())))
        for begin in _chunks(len(lines), cut):
            out.write(_joined_lines(lines.slice(begin, min(_CHUNK_ROWS, len(lines) - begin))))
    return Written(
        path, len(lines) + len(bad_rows), [(cut + 1 + i, bad) for i, bad in enumerate(bad_rows)]
    )


def json_text(values: pa.Array) -> pa.Array:
    """String values as JSON string literals (quoted and escaped); null becomes `null`."""
    escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    return pc.fill_null(quoted, "null")


def hex_tokens(rng: np.random.Generator, size: int, width: int) -> pa.Array:
    """Random lower-case hexadecimal strings of `width` characters."""
    alphabet = np.array(list("0123456789abcdef"))
    nibbles = rng.integers(0, 16, size=(size, width))
    columns = [pa.array(alphabet[nibbles[:, i]]) for i in range(width)]
    return pc.binary_join_element_wise(*columns, "") if width > 1 else columns[0]


def csv_row_text(table: pa.Table) -> str:
    """The CSV text of a one-row table, without the line end (quoted like the files)."""
    return csv_bytes(table).decode("utf-8").rstrip("\n")


_TWO_DIGITS = pa.array([f"{i:02d}" for i in range(100)])
_YEAR_BASE = 1900
_YEARS = pa.array([str(year) for year in range(_YEAR_BASE, 2200)])
_FIELD = re.compile(r"%([YmdHMS])")


def _civil(seconds: np.ndarray) -> dict[str, np.ndarray]:
    """Year, month, day, hour, minute, second of epoch seconds (UTC), by integer arithmetic
    (the days-to-civil algorithm of the proleptic Gregorian calendar)."""
    days, clock = np.divmod(seconds, 86_400)
    shifted = days + 719_468
    era = np.floor_divide(shifted, 146_097)
    day_of_era = shifted - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153
    month = np.where(month_index < 10, month_index + 3, month_index - 9)
    hour, rest = np.divmod(clock, 3600)
    minute, second = np.divmod(rest, 60)
    return {
        "Y": year_of_era + era * 400 + (month <= 2),
        "m": month,
        "d": day_of_year - (153 * month_index + 2) // 5 + 1,
        "H": hour,
        "M": minute,
        "S": second,
    }


def format_times(seconds: np.ndarray, fmt: str, missing: int) -> pa.Array:
    """Epoch seconds as text in `fmt` (strftime's %Y %m %d %H %M %S and literal text), null
    where `seconds == missing`. Built from digit tables rather than strftime: several times
    faster on millions of values."""
    seconds = np.asarray(seconds, dtype=np.int64)
    known = seconds != missing
    fields = _civil(np.where(known, seconds, 0))
    parts: list[pa.Array | str] = []
    for index, piece in enumerate(_FIELD.split(fmt)):
        if index % 2 == 0:
            if piece:
                parts.append(piece)
        elif piece == "Y":
            parts.append(_YEARS.take(pa.array(fields["Y"] - _YEAR_BASE)))
        else:
            parts.append(_TWO_DIGITS.take(pa.array(fields[piece])))
    text = pc.binary_join_element_wise(*parts, "") if len(parts) > 1 else parts[0]
    return pc.if_else(pa.array(known), text, pa.scalar(None, pa.string()))


def spell_booleans(values: np.ndarray, spellings: np.ndarray) -> pa.Array:
    """Booleans as text; `spellings` holds a (true, false) pair per row."""
    return pa.array(np.where(values, spellings[:, 0], spellings[:, 1]), pa.string())

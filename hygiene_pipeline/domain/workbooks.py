"""Read spreadsheet workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) into text rows.

CRM users save exports from Excel as often as they save CSV. Workbooks are read with
python-calamine (a binding of the Rust `calamine` reader: maintained, fast, and it reads every
one of these formats), so no cell formula runs and nothing is written. Every worksheet is read,
or only the first by configuration (`SHEETS`); chart sheets and empty worksheets give nothing.

A sheet's first non-empty row is its header; the rows below it are data records, numbered from 1
with fully empty rows skipped (as blank CSV lines are). Cell values become the text a CSV export
of the same sheet would hold: whole numbers without a decimal point (a phone number or an id
typed as a number stays `4155550100`, not `4155550100.0`), booleans as `true`/`false`, dates
and times in ISO 8601, empty cells as missing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from hygiene_pipeline.domain.landing_files import UnreadableFile

Sheets = Literal["all", "first"]
SHEETS: tuple[str, ...] = ("all", "first")


@dataclass(frozen=True)
class SheetRows:
    """One worksheet as text: its name, header cells and data records (all the header's width)."""

    name: str
    headers: list[str]
    rows: list[list[str | None]]
    row_numbers: list[int]


def read_workbook(data: bytes, sheets: Sheets = "all") -> list[SheetRows]:
    """The non-empty worksheets of a workbook; `UnreadableFile` when it cannot be opened."""
    if sheets not in SHEETS:
        raise ValueError(f"sheets must be one of {SHEETS}, not {sheets!r}")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheets = [
            meta.name for meta in workbook.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet
        ]
        if sheets == "first":
            worksheets = worksheets[:1]
        cells = [(name, workbook.get_sheet_by_name(name).to_python()) for name in worksheets]
    except PasswordError:
        raise UnreadableFile("password-protected workbook") from None
    except (CalamineError, ValueError, OSError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UnreadableFile(f"corrupt or unreadable workbook ({detail})") from None
    return [sheet for name, rows in cells if (sheet := _sheet_rows(name, rows)) is not None]


def _sheet_rows(name: str, cells: list[list[object]]) -> SheetRows | None:
    """Header and data records of one sheet's cells; `None` for a sheet without any value."""
    texts = [[cell_text(value) for value in row] for row in cells]
    filled = [i for i, row in enumerate(texts) if any(v is not None for v in row)]
    if not filled:
        return None
    header_at, records = filled[0], filled[1:]
    width = max(len(texts[i]) for i in filled)
    header = [value or "" for value in _padded(texts[header_at], width)]
    return SheetRows(
        name=name,
        headers=header,
        rows=[_padded(texts[i], width) for i in records],
        row_numbers=list(range(1, len(records) + 1)),
    )


def _padded(row: list[str | None], width: int) -> list[str | None]:
    return row + [None] * (width - len(row))


def cell_text(value: object) -> str | None:
    """A cell value as the text a CSV export would hold; `None` for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)

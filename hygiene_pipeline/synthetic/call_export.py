"""`call_logs/`: two dialer exports.

- `vicidial_call_export.csv`: VICIdial-style status codes (`NA`, `N`, `B`, `AB`, `A`, `AA`, `DC`,
  `ADC`, `WN`, `DNC`, `NI`, `CALLBK`, `SALE`, `XFER`), naive UTC timestamps, VICIdial unique ids.
- `dialer_calls_export.csv`: canonical disposition words (the only file with left_company,
  company_moved and company_closed, which dialers record as free-text outcomes), ISO timestamps.

`phone_dialed` is the number as dialled from a US dialer: national formats for US numbers, `+`
or `011` for the rest (call logs carry no country, so the pipeline's default region applies).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from hygiene_pipeline.synthetic.bad_rows import (
    missing,
    ragged,
    too_long,
    unmappable,
    unparseable_date,
)
from hygiene_pipeline.synthetic.columns import (
    group_rows,
    integers_as_text,
    join,
    pick,
    take,
    where,
)
from hygiene_pipeline.synthetic.file_io import (
    BadRow,
    Written,
    format_times,
    write_csv,
)
from hygiene_pipeline.synthetic.landing_layout import CALL_FILES
from hygiene_pipeline.synthetic.phones import draw_styles
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.records import Records

# Canonical disposition -> the VICIdial codes a dialer writes for it.
DISPOSITION_CODES: dict[str, tuple[str, ...]] = {
    "connected": ("XFER",),
    "no_answer": ("NA", "N"),
    "busy": ("B", "AB"),
    "voicemail": ("A", "AA"),
    "disconnected": ("DC", "ADC"),
    "wrong_number": ("WN",),
    "do_not_call": ("DNC",),
    "not_interested": ("NI",),
    "interested": ("SALE",),
    "callback": ("CALLBK",),
}
_NOTES = {
    "left_company": "Receptionist: no longer with the company",
    "company_moved": "Company relocated, new office number unknown",
    "company_closed": "Number announces the business has closed",
    "do_not_call": "Asked to be removed from all call lists",
    "wrong_number": "Reached someone else, never heard of the contact",
    "callback": "Asked for a call back next week",
    "interested": "Interested, send pricing and book a demo",
}
_DURATION = {  # seconds (low, high) per disposition
    "connected": (40, 900),
    "interested": (300, 1800),
    "callback": (30, 180),
    "not_interested": (15, 120),
    "voicemail": (20, 45),
    "left_company": (20, 90),
    "company_moved": (15, 60),
    "company_closed": (5, 30),
    "do_not_call": (10, 60),
    "wrong_number": (5, 40),
}
_CAMPAIGNS = ("Q_OUTBOUND_NA", "EMEA_NEW_LOGO", "APAC_EXPANSION", "RENEWALS", "WEBINAR_FOLLOWUP")


def _codes(rng: np.random.Generator, groups: list[tuple[str, np.ndarray]], size: int) -> pa.Array:
    """The dialer code of each call, one of its disposition's codes at random."""
    codes = np.empty(size, dtype=object)
    for disposition, rows in groups:
        options = np.array(DISPOSITION_CODES[disposition], dtype=object)
        codes[rows] = options[rng.integers(0, len(options), size=len(rows))]
    return pa.array(codes, pa.string())


def _table(
    rng: np.random.Generator, pop: Population, records: Records, calls: pd.DataFrame, words: bool
) -> pa.Table:
    n = len(calls)
    number = calls["number"].to_numpy()
    has_number = number >= 0
    ids = np.where(has_number, number, 0)
    styles = draw_styles(rng, pop.numbers, ids, np.zeros(n, dtype=bool))
    dialled = where(has_number, pop.numbers.format(ids, styles), pa.scalar(None, pa.string()))
    disposition = calls["disposition"].to_numpy(dtype=object)
    index, names = pd.factorize(disposition)
    groups = [(str(names[i]), rows) for i, rows in group_rows(index)]
    durations = np.zeros(n, dtype=np.int64)
    notes = np.full(n, None, dtype=object)
    for name, rows in groups:
        least, most = _DURATION.get(name, (0, 0))
        durations[rows] = rng.integers(least, most + 1, size=len(rows))
        if name in _NOTES:
            notes[rows[rng.random(len(rows)) < 0.6]] = _NOTES[name]
    ts = calls["ts"].to_numpy()
    if words:
        # Unique and rising with time, as a dialer numbers its calls.
        sequence = 10**8 + np.cumsum(rng.integers(1, 50, size=n))
        call_id = join("CL-", integers_as_text(sequence, width=9))
        called_at = format_times(ts, "%Y-%m-%dT%H:%M:%SZ", -1)
        written = pa.array(disposition, pa.string())
    else:
        # VICIdial's uniqueid: the epoch second and a counter (calls come in time order, so
        # calls of the same second never share it).
        call_id = join(integers_as_text(ts), ".", integers_as_text(np.arange(n) % 10**5, width=5))
        called_at = format_times(ts, "%Y-%m-%d %H:%M:%S", -1)
        written = _codes(rng, groups, n)
        notes = np.full(n, None, dtype=object)
    return pa.table(
        {
            "call_id": call_id,
            "phone_dialed": dialled,
            "contact_id": take(records.contact_id, calls["record"].to_numpy()),
            "called_at": called_at,
            "disposition": written,
            "duration_seconds": integers_as_text(durations),
            "agent_id": join("agent", integers_as_text(rng.integers(1, 60, size=n), width=3)),
            "campaign": pick(rng, _CAMPAIGNS, n),
            "notes": pa.array(notes, pa.string()),
        }
    )


def _bad_rows(words: bool) -> tuple[BadRow, ...]:
    """The planted defects of one dialer export, on a call to a number nobody has."""
    template = {
        "call_id": "CL-999999990",
        "phone_dialed": "+1 212 200 0000",
        "contact_id": None,
        "called_at": "2025-01-15T10:00:00Z",
        "disposition": "no_answer",
        "duration_seconds": "0",
        "agent_id": "agent001",
        "campaign": "RENEWALS",
        "notes": None,
    }
    if words:
        return (
            missing(template | {"call_id": "CL-999999991"}, "called_at"),
            too_long(template | {"call_id": "CL-999999992"}, "notes", "Left voicemail "),
            unmappable(template | {"call_id": "CL-999999993"}, "disposition", "ZZ_UNKNOWN"),
        )
    vici = template | {"called_at": "2025-01-15 10:00:00", "disposition": "NA"}
    return (
        ragged(vici | {"call_id": "1700000000.99991"}, extra=1),
        unparseable_date(vici | {"call_id": "1700000000.99992"}, "called_at", "31/02/2025 10:00"),
        missing(vici | {"call_id": "1700000000.99993"}, "phone_dialed", "contact_id"),
    )


def write_call_logs(
    folder: Path, rng: np.random.Generator, pop: Population, records: Records, calls: pd.DataFrame
) -> list[Written]:
    """Write both dialer exports of the landing folder `call_logs/`."""
    written = []
    for words, name in ((False, CALL_FILES["codes"]), (True, CALL_FILES["words"])):
        table = _table(rng, pop, records, calls[calls["words_file"] == words], words)
        written.append(write_csv(folder / name, table, "utf-8", _bad_rows(words)))
    return written

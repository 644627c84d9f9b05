"""`dnc_list/`: do-not-call lists.

- `national_dnc_registry.csv`: numbers on the national registers (US National DNC Registry, UK
  TPS, France Bloctel, Germany's Robinsonliste, ...): people's own numbers, and numbers of people
  who are not in the CRM at all. No country column: numbers are written as a US reader parses
  them (any format for US numbers, `+` or `011` for the rest).
- `internal_dnc_requests.csv`: the company's own opt-out requests as people wrote them down, with
  no country column: E.164, international, national format of the number's own country (`0121
  276 1071`, `(415) 555-0132`, `06 12 34 56 78`), and US numbers with vanity letters
  (`(415) 555-FLOW`). A national-format entry denotes a number in each region where it is valid.
- `regional_dnc_requests.csv`: the requests taken by the regional offices, with a `country` column
  (ISO-2) that says how to read the national formats.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from hygiene_pipeline.synthetic.bad_rows import missing, ragged, unparseable_date
from hygiene_pipeline.synthetic.columns import integers_as_text, join, pick, where
from hygiene_pipeline.synthetic.file_io import Written, format_times, write_csv
from hygiene_pipeline.synthetic.landing_layout import DNC_FILES
from hygiene_pipeline.synthetic.phones import NumberBook, draw_styles
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.reference_data import COUNTRY_CODES, NUMBER_PLANS

_REGISTRIES = {
    "US": "National DNC Registry",
    "GB": "TPS",
    "DE": "Robinsonliste",
    "FR": "Bloctel",
    "CN": "MIIT DNC",
}
VANITY_SHARE = 0.25  # of US requests whose last four digits all have letters
_KEYPAD = np.array(
    [
        list(letters.ljust(4))
        for letters in ("", "", "ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV", "WXYZ")
    ]
)
_KEYS = np.array([0, 0, 3, 3, 3, 3, 3, 4, 3, 4])
_US_PLANS = np.array([plan.country == "US" for plan in NUMBER_PLANS])


def vanity(
    rng: np.random.Generator, book: NumberBook, ids: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """US numbers with their last four digits as keypad letters (`(415) 555-FLOW`,
    `1-415-555-FLOW`), and which of `ids` can be written so (none of those digits is 0 or 1)."""
    nsn = book.nsn.take(pa.array(ids)).cast(pa.int64()).to_numpy()
    last = np.stack([nsn // 10**k % 10 for k in (3, 2, 1, 0)], axis=1)
    possible = _US_PLANS[book.plan[ids]] & (last >= 2).all(axis=1)
    pick_at = np.floor(rng.random(last.shape) * _KEYS[last]).astype(np.int64)
    letters = _KEYPAD[last, pick_at]
    word = join(*(pa.array(letters[:, k]) for k in range(4)))
    head = integers_as_text(nsn // 10**7)
    exchange = integers_as_text(nsn // 10**4 % 1000, width=3)
    parens = join("(", head, ") ", exchange, "-", word)
    leading = join("1-", head, "-", exchange, "-", word)
    return where(rng.random(len(ids)) < 0.5, parens, leading), possible


def _phones(
    rng: np.random.Generator, pop: Population, numbers: np.ndarray, listed_by: str
) -> pa.Array:
    book = pop.numbers
    if listed_by == "registry":
        return book.format(numbers, draw_styles(rng, book, numbers, np.zeros(len(numbers), bool)))
    written = book.format(numbers, draw_styles(rng, book, numbers, np.ones(len(numbers), bool)))
    if listed_by == "regional":
        return written
    lettered, possible = vanity(rng, book, numbers)
    return where(possible & (rng.random(len(numbers)) < VANITY_SHARE), lettered, written)


def _table(
    rng: np.random.Generator, pop: Population, entries: pd.DataFrame, listed_by: str
) -> pa.Table:
    numbers = entries["number"].to_numpy()
    country = pop.numbers.country_index(numbers)
    columns: dict[str, pa.Array] = {"phone": _phones(rng, pop, numbers, listed_by)}
    if listed_by == "regional":
        codes = np.array(COUNTRY_CODES, dtype=object)
        columns["country"] = pa.array(codes[country], pa.string())
    columns["added_at"] = format_times(entries["ts"].to_numpy(), "%Y-%m-%d", -1)
    if listed_by == "registry":
        names = np.array([_REGISTRIES[code] for code in COUNTRY_CODES], dtype=object)
        columns["source"] = pa.array(names[country], pa.string())
    else:
        columns["source"] = pick(
            rng, ("customer_request", "phone_request", "email_request"), len(numbers)
        )
    return pa.table(columns)


_TEMPLATE = {"phone": "+1 212 200 0001", "added_at": "2025-01-15", "source": "customer_request"}
_BAD_ROWS = {
    "registry": (missing(_TEMPLATE, "phone"), ragged(_TEMPLATE, extra=1)),
    "internal": (unparseable_date(_TEMPLATE, "added_at", "2025-02-30"),),
    "regional": (
        ragged(
            {
                "phone": "020 7946 0000",
                "country": "GB",
                "added_at": "2025-01-15",
                "source": "customer_request",
            },
            extra=1,
        ),
    ),
}


def write_dnc_lists(
    folder: Path, rng: np.random.Generator, pop: Population, entries: pd.DataFrame
) -> list[Written]:
    """Write the three files of `dnc_list/`."""
    written = []
    for key, name in DNC_FILES.items():
        rows = entries[entries["listed_by"] == key]
        table = _table(rng, pop, rows, key)
        written.append(write_csv(folder / name, table, "utf-8", _BAD_ROWS[key]))
    return written

"""`dnc_list/`: do-not-call registers. `national_dnc_registry.csv` holds numbers from the
national registers (US National DNC Registry, UK TPS, France Bloctel, Germany's Robinsonliste,
...); `internal_dnc_requests.csv` the company's own opt-out requests.

DNC lists carry no country, so numbers are written as a US reader would parse them: any format
for US numbers, `+` or `011` for the rest. Every personal number on the records of a registered
person is listed (whichever number a golden record keeps is on the list), plus numbers of people
who are not in the CRM at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from hygiene_pipeline.synthetic.bad_rows import missing, ragged, unparseable_date
from hygiene_pipeline.synthetic.file_io import (
    Written,
    format_times,
    write_csv,
)
from hygiene_pipeline.synthetic.landing_layout import DNC_FILES
from hygiene_pipeline.synthetic.phones import draw_styles
from hygiene_pipeline.synthetic.population import Population
from hygiene_pipeline.synthetic.reference_data import COUNTRY_CODES

_REGISTRIES = {
    "US": "National DNC Registry",
    "GB": "TPS",
    "DE": "Robinsonliste",
    "FR": "Bloctel",
    "CN": "MIIT DNC",
}


def _table(
    rng: np.random.Generator, pop: Population, entries: pd.DataFrame, registry: bool
) -> pa.Table:
    numbers = entries["number"].to_numpy()
    styles = draw_styles(rng, pop.numbers, numbers, np.zeros(len(numbers), dtype=bool))
    if registry:
        names = np.array([_REGISTRIES[code] for code in COUNTRY_CODES], dtype=object)
        source = pa.array(names[pop.numbers.country_index(numbers)], pa.string())
    else:
        source = pa.array(np.full(len(numbers), "customer_request", dtype=object), pa.string())
    return pa.table(
        {
            "phone": pop.numbers.format(numbers, styles),
            "added_at": format_times(entries["ts"].to_numpy(), "%Y-%m-%d", -1),
            "source": source,
        }
    )


_TEMPLATE = {"phone": "+1 212 200 0001", "added_at": "2025-01-15", "source": "customer_request"}
_BAD_ROWS = {
    "registry": (missing(_TEMPLATE, "phone"), ragged(_TEMPLATE, extra=1)),
    "internal": (unparseable_date(_TEMPLATE, "added_at", "2025-02-30"),),
}


def write_dnc_lists(
    folder: Path, rng: np.random.Generator, pop: Population, entries: pd.DataFrame
) -> list[Written]:
    """Write both files of `dnc_list/`."""
    written = []
    for key, name in DNC_FILES.items():
        rows = entries[entries["listed_by"] == key]
        table = _table(rng, pop, rows, registry=key == "registry")
        written.append(write_csv(folder / name, table, "utf-8", _BAD_ROWS[key]))
    return written

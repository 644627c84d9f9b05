"""A table of the warehouse handed over unread, read when its reader takes it.

A step that hands several large tables to SQL one after another (scoring copies the contacts,
calls and events into its own database) holds each only while it is copied, instead of all of
them, as Python objects or Arrow, for the whole step: at a million contacts they were 1.5 GiB
kept beside the scoring database until the step returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from hygiene_pipeline.warehouse.engine import Warehouse


@dataclass(frozen=True)
class StoredTable:
    """`columns` of `schema.table` in `warehouse`, read on demand; the warehouse hands back the
    memory it cached for each read (`Warehouse.release_memory`)."""

    warehouse: Warehouse
    schema: str
    table: str
    column_names: tuple[str, ...]

    def arrow(self, columns: Sequence[str] | None = None) -> pa.Table:
        """The table's columns (those of `columns` it has, in its order) as Arrow."""
        try:
            return self.warehouse.read_arrow(self.schema, self.table, self._chosen(columns))
        finally:
            self.warehouse.release_memory()

    def frame(self) -> pd.DataFrame:
        """The table's columns as a frame with the pipeline's dtypes."""
        try:
            return self.warehouse.read_columns(self.schema, self.table, self.column_names)
        finally:
            self.warehouse.release_memory()

    def _chosen(self, columns: Sequence[str] | None) -> list[str]:
        if columns is None:
            return list(self.column_names)
        wanted = set(columns)
        return [name for name in self.column_names if name in wanted]

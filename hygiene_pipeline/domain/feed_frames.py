"""The unit every ingest and standardise step hands on: accepted rows plus quarantined rows.

Besides rows, a batch carries what was learnt about its files: the files that could not be read
at all (`rejected_files`, one row per file with its reason) and, per file read, which source
column became which column (`column_mapping`), so a user sees at once what was not understood.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import pandas as pd

FEEDS: tuple[str, ...] = (
    "crm_contacts",
    "email_bounces",
    "call_logs",
    "engagement_events",
    "dnc_list",
)
REJECTED_COLUMNS: list[str] = ["feed", "source_file", "row_number", "reason", "raw"]
REJECTED_FILE_COLUMNS: list[str] = ["feed", "source_file", "reason"]
COLUMN_MAPPING_COLUMNS: list[str] = ["source_file", "source_column", "column", "status"]
"""`status`: `mapped` (a mapping renamed it), `contract` (already a contract name) or
`unrecognised` (carried through under its normalised name)."""


def empty_rejected() -> pd.DataFrame:
    """An empty quarantine frame with the right columns, so concatenation never loses them."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in REJECTED_COLUMNS}).astype(
        {"row_number": "int64"}
    )


def empty_rejected_files() -> pd.DataFrame:
    """An empty file-quarantine frame: feed, source_file, reason."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in REJECTED_FILE_COLUMNS})


def empty_column_mapping() -> pd.DataFrame:
    """An empty column-mapping report."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMN_MAPPING_COLUMNS})


def raw_json(rows: pd.DataFrame, columns: list[str]) -> pd.Series:
    """The original values of each row as JSON text, for the quarantine's `raw` column."""
    records = rows[columns].astype(object).where(rows[columns].notna(), None)
    return pd.Series(
        [
            json.dumps(dict(zip(columns, values, strict=True)), ensure_ascii=False, default=str)
            for values in records.itertuples(index=False, name=None)
        ],
        index=rows.index,
        dtype="object",
    )


def rejections(feed: str, rows: pd.DataFrame, reasons: pd.Series | str) -> pd.DataFrame:
    """Quarantine rows of an ingested or standardised frame, keeping lineage and the raw values."""
    if rows.empty:
        return empty_rejected()
    value_columns = [c for c in rows.columns if c not in ("source_file", "row_number")]
    out = pd.DataFrame(
        {
            "feed": feed,
            "source_file": rows["source_file"].astype(object),
            "row_number": rows["row_number"].astype("int64"),
            "reason": reasons if isinstance(reasons, str) else reasons.loc[rows.index],
            "raw": raw_json(rows, value_columns),
        },
        index=rows.index,
    )
    return out.reset_index(drop=True)


@dataclass
class FeedFrames:
    """Accepted and quarantined rows of one feed; together they account for every input row."""

    feed: str
    accepted: pd.DataFrame
    rejected: pd.DataFrame = field(default_factory=empty_rejected)
    files: list[str] = field(default_factory=list)
    file_encodings: dict[str, str] = field(default_factory=dict)  # file -> detected encoding
    rejected_files: pd.DataFrame = field(default_factory=empty_rejected_files)
    column_mapping: pd.DataFrame = field(default_factory=empty_column_mapping)

    def quarantine(
        self,
        mask: pd.Series,
        reasons: pd.Series | str,
        standardised: pd.DataFrame | None = None,
    ) -> FeedFrames:
        """Move the rows selected by `mask` from accepted to rejected with their reasons.

        With `standardised` (the accepted rows' standardised form, same index) the rows that
        stay are taken from it, while the rejected keep their values as received.
        """
        mask = mask.fillna(False).astype(bool)
        kept = self.accepted if standardised is None else standardised
        if not mask.any():
            return replace(self, accepted=kept)
        moved = rejections(self.feed, self.accepted.loc[mask], reasons)
        kept = kept.loc[~mask]
        kept.index = pd.RangeIndex(len(kept))  # in place: `reset_index` would copy every column
        return replace(
            self,
            accepted=kept,
            rejected=pd.concat([self.rejected, moved], ignore_index=True),
        )

    @property
    def row_count(self) -> int:
        """Input rows accounted for: accepted plus rejected."""
        return len(self.accepted) + len(self.rejected)

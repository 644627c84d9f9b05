"""Canonical call dispositions and engagement event types, and the tables that map onto them.

The built-in tables are `mappings/dispositions.yaml` (VICIdial-style dialer codes such as `NA`,
`B`, `DC`, `DNC`, `NI`, `A`, `CALLBK`, `SALE`, plus plain-English spellings) and
`mappings/event_types.yaml`. A user YAML file of the same shape extends them, and wins where it
names a code the built-in table already has:

    dispositions:
      voicemail: [VMAIL, "LEFT MSG"]
    event_types:
      email_open: [mail_opened]

Quote codes YAML would read as booleans (`"Y"`, `"NO"`, `"ON"`). Matching ignores case, and
spaces, hyphens and underscores are interchangeable; every canonical value maps to itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from hygiene_pipeline import vocabulary
from hygiene_pipeline.domain.column_ops import blank_to_none, map_distinct
from hygiene_pipeline.domain.mappings import load_mapping

CALL_DISPOSITIONS = vocabulary.CALL_DISPOSITIONS
EVENT_TYPES = vocabulary.EVENT_TYPES


def vocabulary_key(values: pd.Series) -> pd.Series:
    """Lookup form of codes: trimmed, lower case, runs of spaces/hyphens/underscores as `_`."""
    return blank_to_none(values).str.lower().str.replace(r"[\s_-]+", "_", regex=True)


def _lookup(table: Mapping[str, object], canonical: tuple[str, ...], what: str) -> dict[str, str]:
    """Code -> canonical value from a {canonical: [codes]} table, checking the targets."""
    unknown = sorted(set(table) - set(canonical))
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; expected one of {list(canonical)}")
    pairs = [(str(code), target) for target, codes in table.items() for code in (codes or [])]
    pairs += [(target, target) for target in table]
    keys = vocabulary_key(pd.Series([code for code, _ in pairs], dtype="object"))
    return dict(zip(keys, (target for _, target in pairs), strict=True))


@dataclass(frozen=True)
class Vocabularies:
    """Code -> canonical value tables for call dispositions and engagement event types."""

    dispositions: Mapping[str, str]
    event_types: Mapping[str, str]

    def map_dispositions(self, values: pd.Series) -> pd.Series:
        """Canonical disposition per value (looked up once per distinct value); None where
        missing or unmappable."""
        return map_distinct(values, lambda d: vocabulary_key(d).map(self.dispositions))

    def map_event_types(self, values: pd.Series) -> pd.Series:
        """Canonical event type per value; None where missing or unmappable."""
        return map_distinct(values, lambda d: vocabulary_key(d).map(self.event_types))


def load_vocabularies(extra: str | Path | Mapping[str, object] | None = None) -> Vocabularies:
    """The built-in tables, extended by a user YAML file (path) or an equivalent mapping."""
    dispositions = {c: c for c in CALL_DISPOSITIONS}
    dispositions |= _lookup(load_mapping("dispositions.yaml"), CALL_DISPOSITIONS, "disposition")
    event_types = {e: e for e in EVENT_TYPES}
    event_types |= _lookup(load_mapping("event_types.yaml"), EVENT_TYPES, "event type")
    if extra is not None:
        user = (
            extra
            if isinstance(extra, Mapping)
            else yaml.safe_load(Path(extra).read_text(encoding="utf-8")) or {}
        )
        dispositions |= _lookup(user.get("dispositions") or {}, CALL_DISPOSITIONS, "disposition")
        event_types |= _lookup(user.get("event_types") or {}, EVENT_TYPES, "event type")
    return Vocabularies(dispositions=dispositions, event_types=event_types)


@lru_cache(maxsize=1)
def default_vocabularies() -> Vocabularies:
    """The built-in tables only (cached)."""
    return load_vocabularies()

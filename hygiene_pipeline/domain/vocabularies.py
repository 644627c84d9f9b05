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

Dispositions may also list documented statuses that say nothing about the person, each with the
reason it is ignored (`ignored: {CODE: reason}`); a code listed later (the user's file after the
built-in table) moves from one list to the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from hygiene_pipeline import vocabulary
from hygiene_pipeline.domain.column_ops import blank_to_none, map_distinct
from hygiene_pipeline.domain.mappings import load_mapping

CALL_DISPOSITIONS = vocabulary.CALL_DISPOSITIONS
IGNORED = "ignored"
"""The disposition table's section of documented statuses that say nothing about the person."""
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
    ignored_dispositions: Mapping[str, str] = field(default_factory=dict)

    def map_dispositions(self, values: pd.Series) -> pd.Series:
        """Canonical disposition per value (looked up once per distinct value); None where
        missing or unmappable."""
        return map_distinct(values, lambda d: vocabulary_key(d).map(self.dispositions))

    def ignored_reasons(self, values: pd.Series) -> pd.Series:
        """Why each value is an ignored disposition; None for the others."""
        return map_distinct(values, lambda d: vocabulary_key(d).map(self.ignored_dispositions))

    def map_event_types(self, values: pd.Series) -> pd.Series:
        """Canonical event type per value; None where missing or unmappable."""
        return map_distinct(values, lambda d: vocabulary_key(d).map(self.event_types))


def load_vocabularies(extra: str | Path | Mapping[str, object] | None = None) -> Vocabularies:
    """The built-in tables, extended by a user YAML file (path) or an equivalent mapping."""
    dispositions: dict[str, str] = {c: c for c in CALL_DISPOSITIONS}
    ignored: dict[str, str] = {}
    _add_dispositions(dispositions, ignored, load_mapping("dispositions.yaml"))
    event_types = {e: e for e in EVENT_TYPES}
    event_types |= _lookup(load_mapping("event_types.yaml"), EVENT_TYPES, "event type")
    if extra is not None:
        user = extra if isinstance(extra, Mapping) else _user_table(Path(extra))
        _add_dispositions(dispositions, ignored, user.get("dispositions") or {})
        event_types |= _lookup(user.get("event_types") or {}, EVENT_TYPES, "event type")
    return Vocabularies(
        dispositions=dispositions, event_types=event_types, ignored_dispositions=ignored
    )


def _user_table(path: Path) -> Mapping[str, object]:
    """A user's vocabulary file; `ValueError` naming the file when it cannot be used."""
    try:
        table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ValueError(f"vocabulary file {path}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ValueError(f"vocabulary file {path}: not valid YAML ({error})") from None
    if not isinstance(table, Mapping):
        raise ValueError(f"vocabulary file {path}: expected `dispositions:` / `event_types:`")
    return table


def _add_dispositions(
    dispositions: dict[str, str], ignored: dict[str, str], table: Mapping[str, object]
) -> None:
    """Add a {canonical: [codes], ignored: {code: reason}} table; its codes win."""
    table = dict(table)
    reasons = table.pop(IGNORED, None) or {}
    if not isinstance(reasons, Mapping):
        raise ValueError(f"dispositions '{IGNORED}' must map each code to its reason")
    mapped = _lookup(table, CALL_DISPOSITIONS, "disposition")
    keys = vocabulary_key(pd.Series([str(code) for code in reasons], dtype="object"))
    skipped = dict(zip(keys, (str(reason) for reason in reasons.values()), strict=True))
    for code in mapped:
        ignored.pop(code, None)
    for code in skipped:
        dispositions.pop(code, None)
    dispositions |= mapped
    ignored |= skipped


@lru_cache(maxsize=1)
def default_vocabularies() -> Vocabularies:
    """The built-in tables only (cached)."""
    return load_vocabularies()

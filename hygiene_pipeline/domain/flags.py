"""Yes/no flags and the consent vocabulary.

Flags read `true/false/yes/no/1/0/y/n/t/f` (any case; also `on/off`, `x`, `checked`). A missing
flag is False. A value that is present but unrecognised is `unrecognised` (the caller decides):
the do-not-call and do-not-email flags treat it as True, since something was written there and
a suppression wrongly missed costs more than one wrongly applied.
"""

from __future__ import annotations

import pandas as pd

from hygiene_pipeline import vocabulary
from hygiene_pipeline.domain.column_ops import blank_to_none, map_distinct

TRUE_WORDS: frozenset[str] = frozenset(
    {"true", "t", "yes", "y", "1", "1.0", "on", "x", "checked", "wahr", "ja", "oui", "si", "sí",
     "是", "do not allow"}
)  # fmt: skip
FALSE_WORDS: frozenset[str] = frozenset(
    {"false", "f", "no", "n", "0", "0.0", "off", "unchecked", "falsch", "nein", "non", "否",
     "allow"}
)  # fmt: skip
"""Chinese CRMs write 是/否; Dynamics 365 labels its do-not-contact options `Do Not Allow` /
`Allow` (read where the flag asks "do not ...?")."""

CONSENT_STATUSES = vocabulary.CONSENT_STATUSES
"""Canonical consent values of the contract."""

CONSENT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "opted_in": (
        "opted in",
        "opt in",
        "optin",
        "subscribed",
        "subscriber",
        "consented",
        "consent given",
        "granted",
        "given",
        "explicit",
        "double opt in",
        "confirmed",
        "yes",
        "y",
        "true",
    ),
    "opted_out": (
        "opted out",
        "opt out",
        "optout",
        "unsubscribed",
        "withdrawn",
        "revoked",
        "declined",
        "denied",
        "refused",
        "no",
        "n",
        "false",
    ),
    "expired": ("expired", "lapsed", "consent expired"),
    "unknown": ("unknown", "pending", "none", "n/a", "na", "not set", "unset"),
}
"""Spellings per canonical consent status; case, spaces, hyphens and underscores are ignored."""


def _word_key(values: pd.Series) -> pd.Series:
    return blank_to_none(values).str.lower().str.replace(r"[\s_-]+", "_", regex=True)


_CONSENT_LOOKUP: dict[str, str] = {
    key: status
    for status, spellings in CONSENT_SPELLINGS.items()
    for key in _word_key(pd.Series([status, *spellings], dtype="object"))
}


def parse_flags(values: pd.Series, unrecognised: bool = False) -> pd.Series:
    """`bool` per value: missing -> False, recognised words -> their value, others ->
    `unrecognised`. Evaluated once per distinct value."""

    def read(distinct: pd.Series) -> pd.Series:
        words = blank_to_none(distinct).str.lower()
        result = pd.Series(unrecognised, index=distinct.index, dtype=bool)
        result[words.isna()] = False
        result[words.isin(TRUE_WORDS)] = True
        result[words.isin(FALSE_WORDS)] = False
        return result

    return map_distinct(values, read)


def consent_statuses(values: pd.Series) -> pd.Series:
    """Canonical consent status per value; missing and unrecognised values are `unknown`."""
    statuses = map_distinct(values, lambda d: _word_key(d).map(_CONSENT_LOOKUP))
    return statuses.where(statuses.notna(), "unknown").astype("object")

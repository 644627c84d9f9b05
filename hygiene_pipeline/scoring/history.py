"""Status history as spells: a new row only when a person's status changes, nothing deleted.

A spell is (`entity_id`, `status`, `status_reason`, `valid_from`, `valid_to`, `run_id`), with
`valid_to` NULL while it is current and `run_id` the run that opened it. Each run compares the
current spells with the new statuses:

- no current spell: open one from `as_of`;
- a different status: close the current spell at `as_of` and open a new one from `as_of`;
- the same status (whatever the reason text says now): nothing, so re-running a batch changes
  nothing;
- a person no longer scored (e.g. merged into another entity): the spell is left as it is;
- a run whose `as_of` is before the current spell's `valid_from` (a back-dated re-run) leaves
  that person's history alone: history only moves forward.

At most one current spell per person is assumed; the warehouse keeps it so by applying the
closes and opens of a run in one transaction (`apply_status_history` does the same in memory).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from hygiene_pipeline.scoring.frames import utc_as_of

SPELL_COLUMNS: list[str] = [
    "entity_id",
    "status",
    "status_reason",
    "valid_from",
    "valid_to",
    "run_id",
]


def empty_spells() -> pd.DataFrame:
    """A status history with no spells yet, with the right columns and types."""
    return pd.DataFrame(
        {
            "entity_id": pd.Series(dtype=object),
            "status": pd.Series(dtype=object),
            "status_reason": pd.Series(dtype=object),
            "valid_from": pd.Series(dtype="datetime64[ns, UTC]"),
            "valid_to": pd.Series(dtype="datetime64[ns, UTC]"),
            "run_id": pd.Series(dtype=object),
        }
    )


def status_history_changes(
    previous_spells: pd.DataFrame | None,
    current: pd.DataFrame,
    run_id: str,
    as_of: datetime | pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`(spells_to_close, spells_to_open)` that bring the history up to `current`.

    `previous_spells`: the history so far (`SPELL_COLUMNS`, None or empty on the first run);
    `current`: `entity_id`, `status`, `status_reason` of this run. `spells_to_close` are the
    current spells to end, with `valid_to` set to `as_of` (key: `entity_id` + `valid_from`);
    `spells_to_open` are the new spells.
    """
    stamp = utc_as_of(as_of)
    spells = empty_spells() if previous_spells is None else previous_spells
    open_spells = (
        spells[spells["valid_to"].isna()]
        .assign(valid_from=lambda f: pd.to_datetime(f["valid_from"], utc=True))
        .sort_values("valid_from", kind="stable")
        .drop_duplicates("entity_id", keep="last")
    )
    now = current[["entity_id", "status", "status_reason"]].drop_duplicates("entity_id")
    compared = now.merge(
        open_spells[SPELL_COLUMNS], on="entity_id", how="left", suffixes=("", "_open")
    )
    has_open = compared["valid_from"].notna()
    forward = ~(compared["valid_from"] > stamp)
    changed = has_open & forward & (compared["status"] != compared["status_open"])
    opening = (~has_open | changed) & forward

    to_close = compared.loc[
        changed, ["entity_id", "status_open", "status_reason_open", "valid_from", "run_id"]
    ]
    to_close = to_close.rename(
        columns={"status_open": "status", "status_reason_open": "status_reason"}
    ).assign(valid_to=stamp)
    to_open = compared.loc[opening, ["entity_id", "status", "status_reason"]].assign(
        valid_from=stamp, valid_to=pd.NaT, run_id=run_id
    )
    return (
        _typed(to_close[SPELL_COLUMNS]),
        _typed(to_open[SPELL_COLUMNS]),
    )


def apply_status_history(
    previous_spells: pd.DataFrame | None,
    spells_to_close: pd.DataFrame,
    spells_to_open: pd.DataFrame,
) -> pd.DataFrame:
    """The history after a run's changes: closed spells get `valid_to`, new spells are appended."""
    spells = empty_spells() if previous_spells is None else _typed(previous_spells)
    closing = _typed(spells_to_close).set_index(["entity_id", "valid_from"])["valid_to"]
    ends = closing.reindex(pd.MultiIndex.from_frame(spells[["entity_id", "valid_from"]]))
    spells = spells.assign(valid_to=spells["valid_to"].fillna(ends.set_axis(spells.index)))
    return pd.concat([spells, _typed(spells_to_open)], ignore_index=True)[SPELL_COLUMNS]


def _typed(spells: pd.DataFrame) -> pd.DataFrame:
    """Spells with UTC timestamps and object text, so frames from different runs concatenate."""
    return (
        spells.reset_index(drop=True)
        .astype({"entity_id": object, "status": object})
        .assign(
            valid_from=lambda f: pd.to_datetime(f["valid_from"], utc=True),
            valid_to=lambda f: pd.to_datetime(f["valid_to"], utc=True),
        )
    )

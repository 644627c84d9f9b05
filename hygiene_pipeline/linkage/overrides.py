"""Human overrides: pairs of records that must or must not end up as the same entity.

The file is CSV or YAML with `record_key_left`, `record_key_right`, `rule` (`must_link` or
`cannot_link`) and an optional `note`. YAML is a list of such mappings, or a mapping whose
`overrides` key holds the list. Overrides apply on the next run: a `cannot_link` pair is never in
one cluster (this is how a wrong merge is undone), a `must_link` pair is merged even when the
model disagrees, unless a `cannot_link` forbids it. A pair listed with both rules is treated as
`cannot_link`, the safe reading.

The data can carry must-links of its own: a record the source system merged into another keeps
a pointer to the record that absorbed it (Salesforce `MasterRecordId`, Dynamics `masterid`).
`master_record_links` turns those pointers into must-links, and `combined_overrides` puts them
together with the user's file, where a user's `cannot_link` still wins.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

OVERRIDE_COLUMNS: list[str] = ["record_key_left", "record_key_right", "rule", "note"]
RULES: tuple[str, ...] = ("must_link", "cannot_link")


def empty_overrides() -> pd.DataFrame:
    """An override table with no rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in OVERRIDE_COLUMNS})


def normalise_overrides(table: pd.DataFrame) -> pd.DataFrame:
    """Validate an override table and reduce it to one row per unordered pair.

    Raises ValueError naming the first bad row (1-based) so the file can be fixed.
    """
    missing = {"record_key_left", "record_key_right", "rule"} - set(table.columns)
    if missing:
        raise ValueError(f"override table lacks columns {sorted(missing)}")
    out = table.reindex(columns=OVERRIDE_COLUMNS).astype(object)
    out = out.where(out.notna(), None).reset_index(drop=True)
    for column in ("record_key_left", "record_key_right", "rule"):
        out[column] = out[column].map(lambda v: None if v is None else str(v).strip() or None)
    out["rule"] = out["rule"].str.lower()
    incomplete = out[["record_key_left", "record_key_right", "rule"]].isna().any(axis=1)
    bad_rule = ~out["rule"].isin(RULES)
    same = out["record_key_left"] == out["record_key_right"]
    for mask, problem in (
        (incomplete, "missing record key or rule"),
        (bad_rule, f"rule must be one of {RULES}"),
        (same, "a record cannot be paired with itself"),
    ):
        if mask.any():
            row = int(mask.to_numpy().argmax()) + 1
            raise ValueError(f"override row {row}: {problem}")
    swap = out["record_key_left"] > out["record_key_right"]
    out.loc[swap, ["record_key_left", "record_key_right"]] = out.loc[
        swap, ["record_key_right", "record_key_left"]
    ].to_numpy()
    out["_rank"] = out["rule"].map({"cannot_link": 0, "must_link": 1})
    out = out.sort_values(["record_key_left", "record_key_right", "_rank"], kind="stable")
    out = out.drop_duplicates(["record_key_left", "record_key_right"]).drop(columns="_rank")
    return out.reset_index(drop=True)


def load_overrides(path: str | Path) -> pd.DataFrame:
    """Read an override file (`.csv`, `.yaml` or `.yml`); a missing file means no overrides."""
    path = Path(path)
    if not path.exists():
        return empty_overrides()
    if path.suffix.lower() in (".yaml", ".yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if isinstance(data, dict):
            data = data.get("overrides") or []
        if not isinstance(data, list):
            raise ValueError(f"{path.name}: expected a list of overrides")
        table = pd.DataFrame(data, columns=None if data else OVERRIDE_COLUMNS)
    else:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        table.columns = [c.strip().lower() for c in table.columns]
    return normalise_overrides(table)


MASTER_RECORD_NOTE = "merged into this master record in the source system"


def master_record_links(
    records: pd.DataFrame,
    record_key: str = "record_key",
    master_key: str = "master_record_key",
) -> pd.DataFrame:
    """Must-links from each record to the master record its source system merged it into.

    `master_key` holds the master's record key (same source system); pointers to a record that
    is not among `records` (deleted, or not exported) and pointers to itself give nothing.
    """
    if master_key not in records.columns or records.empty:
        return empty_overrides()
    pointers = records[[record_key, master_key]].dropna()
    pointers = pointers[
        pointers[master_key].isin(records[record_key])
        & (pointers[master_key] != pointers[record_key])
    ]
    return pd.DataFrame(
        {
            "record_key_left": pointers[record_key].astype(object).to_numpy(),
            "record_key_right": pointers[master_key].astype(object).to_numpy(),
            "rule": "must_link",
            "note": MASTER_RECORD_NOTE,
        },
        columns=OVERRIDE_COLUMNS,
    )


def combined_overrides(*tables: pd.DataFrame) -> pd.DataFrame:
    """Several override tables as one; a pair listed with both rules stays `cannot_link`."""
    frames = [table for table in tables if not table.empty]
    if not frames:
        return empty_overrides()
    return normalise_overrides(pd.concat(frames, ignore_index=True))

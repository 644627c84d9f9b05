"""Do-not-call entries in any written form, resolved to the numbers they denote.

People write DNC entries the way they say numbers: "0121 276 1071" with no country, "(415)
555-0132", "+44 121 276 1071", "1-800-FLOWERS". An entry read only in the default region fails
for most of them, and a failed entry protects nobody. So, for each entry:

1. Vanity letters become digits (phonenumbers' keypad mapping), and the entry is read in its
   row's `country`, else the default region.
2. When that gives no valid number, or (without a `country`) a valid number that nobody has, its
   digits are read in every region where we know numbers (CRM records, call logs), and also as
   an international number without its `+`: every valid reading that is a number we know is
   denoted by the entry. Compliance errs towards not calling, so an entry may block several
   numbers.
3. Every valid reading in the entry's own region is blocked too, known or not: the number may
   reach the CRM later.

Entries that denote no number we know are reported in `dnc_unmatched` with the reason, so
someone can check them (a typo, a number of a person not yet in the CRM, a registry entry).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import phonenumbers

from hygiene_pipeline.domain.column_ops import map_distinct
from hygiene_pipeline.domain.phones import parse_phones
from hygiene_pipeline.scoring.frames import column, utc_column

DNC_MATCH_COLUMNS: list[str] = ["entry", "phone_e164", "added_at", "source", "read_as"]
DNC_UNMATCHED_COLUMNS: list[str] = [
    "phone_raw",
    "source_file",
    "row_number",
    "country",
    "added_at",
    "source",
    "reason",
]


def _keypad_digits(raw: pd.Series) -> pd.Series:
    """Vanity letters to keypad digits ("1-800-FLOWERS" -> "1-800-3569377"), per distinct value."""
    return map_distinct(
        raw,
        lambda values: values.map(
            lambda text: (
                phonenumbers.convert_alpha_characters_in_number(text)
                if isinstance(text, str) and any(c.isalpha() for c in text)
                else text
            )
        ),
    )


def _readings(entries: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """Every valid reading of each entry's digits in each region, and as international digits."""
    digits = entries["text"].str.replace(r"\D", "", regex=True)
    frames = [
        pd.DataFrame({"entry": entries["entry"], "text": entries["text"], "region": region})
        for region in regions
    ]
    frames.append(pd.DataFrame({"entry": entries["entry"], "text": "+" + digits, "region": ""}))
    tries = pd.concat(frames, ignore_index=True)
    # A "+digits" text is international: its parse ignores the region it is given.
    parsed = parse_phones(tries["text"], tries["region"].where(tries["region"] != "", "US"))
    valid = parsed["valid"].to_numpy(dtype=bool)
    read_as = np.where(tries["region"] == "", "international digits", "national digits in ")
    return pd.DataFrame(
        {
            "entry": tries["entry"].to_numpy()[valid],
            "phone_e164": parsed["e164"].to_numpy()[valid],
            "read_as": (read_as + tries["region"].to_numpy())[valid],
        }
    )


def resolve_dnc(
    dnc: pd.DataFrame | None,
    known_numbers: pd.DataFrame,
    default_region: str,
    as_of: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The numbers each DNC entry denotes, and the entries that denote no number we know.

    `dnc` is `staging.dnc_list` (`phone_raw`, `phone_e164`, `phone_valid`, `country`,
    `added_at`, `source`, lineage); `known_numbers` has `phone_e164` and `region` of every
    number on a record or in a call. Entries added after `as_of` are not yet known.
    Returns (`DNC_MATCH_COLUMNS`: one row per entry and number, `DNC_UNMATCHED_COLUMNS`).
    """
    if dnc is None or dnc.empty:
        return (
            pd.DataFrame(columns=DNC_MATCH_COLUMNS),
            pd.DataFrame(columns=DNC_UNMATCHED_COLUMNS),
        )
    added = utc_column(dnc, "added_at")
    dnc = dnc[~(added > as_of)]
    country = column(dnc, "country").astype(object).where(column(dnc, "country").notna(), None)
    entries = pd.DataFrame(
        {
            "entry": np.arange(len(dnc)),
            "raw": column(dnc, "phone_raw").astype(object),
            "country": country.to_numpy(),
            "added_at": utc_column(dnc, "added_at").to_numpy(),
            "source": column(dnc, "source").to_numpy(),
        }
    )
    entries["text"] = _keypad_digits(entries["raw"].fillna("")).to_numpy()
    region = entries["country"].fillna(default_region.upper())
    own = parse_phones(entries["text"], region)
    own_valid = own["valid"].to_numpy(dtype=bool)
    known = known_numbers["phone_e164"].dropna().unique()
    own_known = own_valid & own["e164"].isin(known).to_numpy()

    direct = pd.DataFrame(
        {
            "entry": entries["entry"].to_numpy()[own_valid],
            "phone_e164": own["e164"].to_numpy()[own_valid],
            "read_as": ("as written, in " + region).to_numpy()[own_valid],
        }
    )
    wider = ~own_valid | (~own_known & entries["country"].isna().to_numpy())
    regions = sorted(set(known_numbers["region"].dropna()) | {default_region.upper()})
    readings = _readings(entries[wider], regions)
    readings = readings[readings["phone_e164"].isin(known)]
    matches = pd.concat([direct, readings], ignore_index=True).drop_duplicates(
        ["entry", "phone_e164"]
    )
    matches = matches.merge(entries[["entry", "added_at", "source"]], on="entry")

    matched = np.isin(entries["entry"], matches.loc[matches["phone_e164"].isin(known), "entry"])
    unmatched = entries[~matched]
    reason = np.where(
        own_valid[~matched],
        "a valid number (" + own["e164"].fillna("")[~matched].astype(str) + "), on no record "
        "and in no call",
        "not a valid number in "
        + region[~matched].astype(str)
        + ", nor in any region of the numbers we know ("
        + ", ".join(regions)
        + ")",
    )
    lineage = dnc.reset_index(drop=True)
    report = pd.DataFrame(
        {
            "phone_raw": unmatched["raw"].to_numpy(),
            "source_file": column(lineage, "source_file").to_numpy()[~matched],
            "row_number": column(lineage, "row_number").to_numpy()[~matched],
            "country": unmatched["country"].to_numpy(),
            "added_at": unmatched["added_at"].to_numpy(),
            "source": unmatched["source"].to_numpy(),
            "reason": reason,
        }
    )
    return matches[DNC_MATCH_COLUMNS].reset_index(drop=True), report

"""Phone numbers to E.164 with `phonenumbers`, computed once per distinct (number, region) key.

Formatting noise is removed with vectorised string operations first: extensions (`x123`,
`ext. 45`, `#12`) are split off, everything but digits and a leading `+` is dropped, and a
leading `00` becomes `+`. A number in international form does not depend on the region, so its
key carries none. Each distinct key is then read in one of two ways, with the same result:

- Column-wise (`phone_metadata.metadata_read`): most keys, read with the library's own
  metadata and rules on whole columns of numbers.
- Per key (`parse_keys`): every other key goes through `phonenumbers.parse`, `number_type` and
  `region_code_for_number`. Large sets are parsed in halves by worker processes
  (`column_ops.map_in_chunks`: spawned, so scripts that call this need the usual
  `if __name__ == "__main__":` guard).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow.compute as pc

from hygiene_pipeline.domain.column_ops import (
    arrow_flags,
    arrow_objects,
    arrow_strings,
    blank_to_none,
    map_distinct,
    map_in_chunks,
)
from hygiene_pipeline.domain.phone_metadata import TYPE_NAMES, calling_code, metadata_read

PHONE_FIELDS: tuple[str, ...] = ("raw", "e164", "valid", "type", "region", "extension")
"""Suffixes of the six columns each phone column becomes (`phone_raw`, `phone_e164`, ...)."""

_MIN_NSN, _MAX_NSN = 2, 17
_URI_NUMBER = r"^\s*(?i:tel|sips?):([^@;]*).*$"
_EXTENSION_MARK = r"[^\d\s()+./-]"
"""Any character besides digits and separators: only such values may carry an extension."""
_EXTENSION = (
    r"^(?P<number>.*?)\s*(?:(?:e?xt(?:ension)?|x)\s*[.:]?|;ext=|#)\s*(?P<extension>\d{1,7})\s*$"
)


def _keys_of(raw: pd.Series) -> pd.DataFrame:
    """Per distinct raw value: trimmed text, parse key, international flag and extension.

    Runs on Arrow strings; NFKC first turns full-width digits and plus signs into ASCII ones.
    """
    text = blank_to_none(raw)
    number = pc.utf8_normalize(arrow_strings(text), "NFKC")
    # call-centre exports write numbers as URIs: `tel:+44...`, `sip:+44...@carrier;user=phone`
    number = pc.replace_substring_regex(number, _URI_NUMBER, r"\1")
    marked = arrow_flags(pc.match_substring_regex(number, _EXTENSION_MARK))
    extension = np.full(len(text), None, dtype=object)
    if marked.any():
        normalised = arrow_objects(number)
        parts = pd.Series(normalised[marked]).str.extract(_EXTENSION, flags=re.IGNORECASE)
        found = parts["number"].notna().to_numpy()
        rows = np.flatnonzero(marked)[found]
        extension[rows] = parts.loc[found, "extension"].to_numpy(dtype=object)
        normalised[rows] = parts.loc[found, "number"].to_numpy(dtype=object)
        number = arrow_strings(normalised)
    number = pc.utf8_ltrim_whitespace(number)
    double_zero = pc.starts_with(number, "00")
    international = pc.or_(pc.starts_with(number, "+"), double_zero)
    digits = pc.replace_substring_regex(number, r"\D", "")
    digits = pc.if_else(double_zero, pc.utf8_slice_codeunits(digits, 2), digits)
    key = pc.if_else(international, pc.binary_join_element_wise("+", digits, ""), digits)
    key = pc.if_else(pc.greater(pc.utf8_length(digits), 0), key, None)
    return pd.DataFrame(
        {
            "raw": text,
            "number": arrow_objects(key),
            "international": arrow_flags(international),
            "extension": extension,
        },
        index=text.index,
    )


def phone_keys(raw: pd.Series, region: pd.Series) -> pd.DataFrame:
    """Split extensions off and reduce each raw number to its parse key (digits, leading `+`).

    Returns `raw` (trimmed), `number` (the key, `None` when no digit is left), `region` (`""`
    for international numbers, whose parse ignores the region) and `extension` (digits or
    `None`). The string work runs once per distinct raw value.
    """
    keys = map_distinct(raw, _keys_of)
    keys["region"] = region.astype("object").where(~keys["international"], "").fillna("")
    return keys[["raw", "number", "region", "extension"]]


def _region_of(parsed: phonenumbers.PhoneNumber) -> str | None:
    """Region of a number; a dictionary look-up unless its calling code is shared by regions."""
    shared = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(parsed.country_code, ())
    if len(shared) == 1:
        return shared[0]
    return phonenumbers.region_code_for_number(parsed)


def parse_keys(keys: list[tuple[str, str]]) -> tuple[list, list, list, list]:
    """Parse (number, region) keys; returns parallel lists of E.164, validity, type and region.

    Runs in worker processes, so it takes and returns plain lists.
    """
    e164s, valids, types, regions = [], [], [], []
    for number, region in keys:
        try:
            parsed = phonenumbers.parse(number, region or None)
        except phonenumbers.NumberParseException:
            e164s.append(None)
            valids.append(False)
            types.append(None)
            regions.append(None)
            continue
        # number_type is UNKNOWN exactly when is_valid_number is False; calling it alone saves
        # a second region look-up, which is costly for shared calling codes such as +1.
        number_type = phonenumbers.number_type(parsed)
        e164s.append(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        valids.append(number_type != phonenumbers.PhoneNumberType.UNKNOWN)
        types.append(TYPE_NAMES.get(number_type, "unknown"))
        regions.append(_region_of(parsed))
    return e164s, valids, types, regions


def _parse_all(keys: list[tuple[str, str]], workers: int | None) -> tuple[list, ...]:
    """Parse keys in-process, or in halves across worker processes when there are many."""
    parts = map_in_chunks(parse_keys, keys, workers)
    return tuple([value for part in parts for value in part[field]] for field in range(4))


def parse_phones(
    raw: pd.Series,
    region: pd.Series | str,
    workers: int | None = None,
) -> pd.DataFrame:
    """Standardise a column of raw phone numbers.

    `region` is the ISO-2 parsing region per row (or one for all rows), used only for numbers
    written in national form. Returns the columns of `PHONE_FIELDS`: `raw` (trimmed input),
    `e164` (`None` when not a number), `valid` (`phonenumbers.is_valid_number`), `type`
    (lower-case `PhoneNumberType` name), `region` (ISO-2 of the number) and `extension`.
    """
    regions = pd.Series(region, index=raw.index) if isinstance(region, str) else region
    keys = phone_keys(raw, map_distinct(regions, lambda distinct: distinct.str.upper()))
    present = keys["number"].notna()
    number_codes, numbers = pd.factorize(keys["number"][present])
    region_codes, regions_seen = pd.factorize(keys["region"][present])
    codes, distinct = pd.factorize(number_codes * len(regions_seen) + region_codes)
    pairs = pd.DataFrame(
        {
            "number": numbers[distinct // len(regions_seen)],
            "region": regions_seen[distinct % len(regions_seen)],
        }
    ).astype("object")
    read = metadata_read(pairs).astype({"valid": "object"})
    per_key = read["country_code"] == 0
    slow_keys = list(zip(pairs.loc[per_key, "number"], pairs.loc[per_key, "region"], strict=True))
    parsed = _parse_all(slow_keys, workers)
    out = pd.DataFrame({"raw": keys["raw"]}, index=raw.index)
    for name, values in zip(("e164", "valid", "type", "region"), parsed, strict=True):
        read.loc[per_key, name] = pd.Series(values, index=read.index[per_key], dtype="object")
        column = np.full(len(raw), False if name == "valid" else None, dtype=object)
        column[present.to_numpy()] = read[name].to_numpy(dtype=object)[codes]
        out[name] = column.astype(bool) if name == "valid" else column
    out["extension"] = keys["extension"]
    return out[list(PHONE_FIELDS)]


def _split_e164(distinct: pd.Series) -> pd.Series:
    text = arrow_strings(distinct)
    digits = pc.replace_substring_regex(text, r"\D", "")
    heads = pd.Series(arrow_objects(pc.utf8_slice_codeunits(digits, 0, 3)), dtype="object")
    codes = map_distinct(heads, lambda d: d.map(calling_code)).to_numpy(dtype=int)
    code_length = np.where(codes > 0, np.char.str_len(codes.astype(str)), 0)
    national = arrow_objects(digits)
    for length in (1, 2, 3):
        rows = code_length == length
        if rows.any():
            national[rows] = arrow_objects(pc.utf8_slice_codeunits(digits, length))[rows]
    size = pd.Series(national, dtype="object").str.len().to_numpy()
    split = (
        arrow_flags(pc.starts_with(text, "+"))
        & (code_length > 0)
        & (size >= _MIN_NSN)
        & (size <= _MAX_NSN)
    )
    return pd.Series(np.where(split, national, arrow_objects(digits)), dtype="object")


def national_significant_numbers(e164: pd.Series) -> pd.Series:
    """The national significant number of each E.164 number (`+441234567890` -> `1234567890`).

    E.164 is `+`, the calling code and the national significant number, so the number is the
    digits after the calling code (calling codes are prefix-free): no second parse is needed. A
    value without a calling code or with an impossible length keeps all its digits.
    """
    return map_distinct(e164, _split_e164)

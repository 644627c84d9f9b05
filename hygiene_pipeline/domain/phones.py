"""Phone numbers to E.164 with `phonenumbers`, computed once per distinct (number, region) key.

Formatting noise is removed with vectorised string operations first: extensions (`x123`,
`ext. 45`, `#12`) are split off, everything but digits and a leading `+` is dropped, and a
leading `00` becomes `+`. A number in international form does not depend on the region, so its
key carries none. Each distinct key is then read in one of two ways, with the same result:

- Column-wise (`metadata_read`): when `phonenumbers.parse` would change nothing but split off
  the country code (an international number, or a national one without trunk prefix, IDD or
  country-code digits), the split is done on the whole column and validity, number type and
  region come from matching the library's own metadata patterns, in the library's own order,
  against the column of national numbers per calling code.
- Per key (`parse_keys`): every other key goes through `phonenumbers.parse`, `number_type` and
  `region_code_for_number`. Large sets are parsed in chunks by a pool of worker processes
  (spawned, so scripts that call this need the usual `if __name__ == "__main__":` guard).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import timezone as phone_timezone

from hygiene_pipeline.domain.column_ops import (
    arrow_flags,
    arrow_objects,
    arrow_strings,
    blank_to_none,
    map_distinct,
)

PHONE_FIELDS: tuple[str, ...] = ("raw", "e164", "valid", "type", "region", "extension")
"""Suffixes of the six columns each phone column becomes (`phone_raw`, `phone_e164`, ...)."""

POOL_THRESHOLD = 100_000
"""Distinct keys below which parsing stays in-process (starting workers costs about a second)."""

_CHUNK_SIZE = 25_000
_EXTENSION_MARK = r"[^\d\s()+./-]"
"""Any character besides digits and separators: only such values may carry an extension."""
_EXTENSION = (
    r"^(?P<number>.*?)\s*(?:(?:e?xt(?:ension)?|x)\s*[.:]?|;ext=|#)\s*(?P<extension>\d{1,7})\s*$"
)
_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(phonenumbers.PhoneNumberType).items()
    if isinstance(value, int) and name.isupper()
}


def _keys_of(raw: pd.Series) -> pd.DataFrame:
    """Per distinct raw value: trimmed text, parse key, international flag and extension.

    Runs on Arrow strings; NFKC first turns full-width digits and plus signs into ASCII ones.
    """
    text = blank_to_none(raw)
    number = pc.utf8_normalize(arrow_strings(text), "NFKC")
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
        types.append(_TYPE_NAMES.get(number_type, "unknown"))
        regions.append(_region_of(parsed))
    return e164s, valids, types, regions


def _parse_all(keys: list[tuple[str, str]], workers: int) -> tuple[list, list, list, list]:
    """Parse keys in-process, or in chunks across `workers` spawned processes when worth it."""
    if workers <= 1 or len(keys) < POOL_THRESHOLD:
        return parse_keys(keys)
    chunks = [keys[i : i + _CHUNK_SIZE] for i in range(0, len(keys), _CHUNK_SIZE)]
    results: tuple[list, list, list, list] = ([], [], [], [])
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for chunk_result in pool.map(parse_keys, chunks):
            for collected, part in zip(results, chunk_result, strict=True):
                collected.extend(part)
    return results


_DESC_ORDER: tuple[tuple[str, int], ...] = (
    ("premium_rate", phonenumbers.PhoneNumberType.PREMIUM_RATE),
    ("toll_free", phonenumbers.PhoneNumberType.TOLL_FREE),
    ("shared_cost", phonenumbers.PhoneNumberType.SHARED_COST),
    ("voip", phonenumbers.PhoneNumberType.VOIP),
    ("personal_number", phonenumbers.PhoneNumberType.PERSONAL_NUMBER),
    ("pager", phonenumbers.PhoneNumberType.PAGER),
    ("uan", phonenumbers.PhoneNumberType.UAN),
    ("voicemail", phonenumbers.PhoneNumberType.VOICEMAIL),
)
"""Number types in the order `phonenumbers` tests them before fixed line and mobile."""

_UNKNOWN = phonenumbers.PhoneNumberType.UNKNOWN
_MIN_NSN, _MAX_NSN, _MAX_CODE = 2, 17, 3
_LITERAL_PREFIXES = re.compile(r"\d+(?:\|\d+)*")


def _metadata(country_code: int, region: str) -> phonenumbers.PhoneMetadata | None:
    return phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)


def _starts(values: pa.Array, pattern: str | None) -> np.ndarray:
    """Rows whose start matches `pattern` (as `re.match`); none when there is no pattern."""
    if not pattern:
        return np.zeros(len(values), dtype=bool)
    hits = pc.match_substring_regex(values, f"^(?:{pattern})")
    return arrow_flags(hits)


def _matches(
    numbers: pa.Array, lengths: np.ndarray, desc: phonenumbers.PhoneNumberDesc | None
) -> np.ndarray:
    """`phonenumbers`' desc test on a column: allowed length, then the whole pattern."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(numbers), dtype=bool)
    whole = _starts(numbers, f"(?:{desc.national_number_pattern})$")
    return whole & np.isin(lengths, desc.possible_length) if desc.possible_length else whole


def _number_types(
    numbers: pa.Array, lengths: np.ndarray, metadata: phonenumbers.PhoneMetadata
) -> np.ndarray:
    """`PhoneNumberType` per national number, decided as `phonenumbers.number_type` does."""
    types = np.full(len(numbers), _UNKNOWN)
    open_rows = _matches(numbers, lengths, metadata.general_desc)
    for desc_name, number_type in _DESC_ORDER:
        hit = open_rows & _matches(numbers, lengths, getattr(metadata, desc_name))
        types[hit] = number_type
        open_rows &= ~hit
    fixed = open_rows & _matches(numbers, lengths, metadata.fixed_line)
    same = bool(metadata.same_mobile_and_fixed_line_pattern)
    mobile = open_rows & (not same) & _matches(numbers, lengths, metadata.mobile)
    types[fixed] = phonenumbers.PhoneNumberType.FIXED_LINE
    types[fixed & (same | mobile)] = phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    types[~fixed & mobile] = phonenumbers.PhoneNumberType.MOBILE
    return types


def _classify(
    country_code: int, numbers: pa.Array, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Type and region of national numbers sharing one calling code, as `number_type` and
    `region_code_for_number` decide them."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]
    region = np.full(len(numbers), None if len(regions) > 1 else regions[0], dtype=object)
    for candidate in regions if len(regions) > 1 else ():
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(candidate, None)
        still_open = np.flatnonzero(pd.isna(region))
        if metadata is None or not len(still_open):
            continue
        subset = numbers.take(still_open)
        if metadata.leading_digits is not None:
            found = _starts(subset, metadata.leading_digits)
        else:
            found = _number_types(subset, lengths[still_open], metadata) != _UNKNOWN
        region[still_open[found]] = candidate
    types = np.full(len(numbers), _UNKNOWN)
    for name in pd.unique(region[pd.notna(region)]):
        rows = np.flatnonzero(region == name)
        metadata = _metadata(country_code, name)
        types[rows] = _number_types(numbers.take(rows), lengths[rows], metadata)
    return types, region


def _calling_code(head: str) -> int:
    """The calling code `phonenumbers` reads from the first three digits (0 when none fits)."""
    if head[:1] in ("", "0"):
        return 0
    return next(
        (
            int(head[:n])
            for n in range(1, 4)
            if int(head[:n]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        ),
        0,
    )


def _possible_length(lengths: np.ndarray, desc: phonenumbers.PhoneNumberDesc) -> np.ndarray:
    """Lengths `parse` accepts after removing a trunk prefix (possible, or longer than any)."""
    possible = desc.possible_length
    if not possible:
        return np.zeros(len(lengths), dtype=bool)
    allowed = np.isin(lengths, possible) | (lengths > max(possible))
    return allowed & ~np.isin(lengths, desc.possible_length_local_only or ())


def _national_numbers(
    numbers: np.ndarray, metadata: phonenumbers.PhoneMetadata
) -> tuple[np.ndarray, np.ndarray]:
    """National numbers as `parse` leaves them after its trunk-prefix step, and the rows this
    could decide: all when the prefix rule is absent or literal digits (`0`, `0|180020`), else
    only the rows the rule does not match."""
    prefix = metadata.national_prefix_for_parsing
    if not prefix:
        return numbers, np.ones(len(numbers), dtype=bool)
    if metadata.national_prefix_transform_rule or not _LITERAL_PREFIXES.fullmatch(prefix):
        return numbers, ~_starts(arrow_strings(numbers), prefix)
    text = pd.Series(numbers, dtype="object")
    cut = np.zeros(len(text), dtype=int)
    for literal in prefix.split("|"):  # `re.match` takes the first alternative that fits
        cut[(cut == 0) & text.str.startswith(literal).to_numpy(dtype=bool)] = len(literal)
    stripped = text.to_numpy(dtype=object)
    for length in np.unique(cut[cut > 0]):
        rows = np.flatnonzero(cut == length)
        stripped[rows] = text.iloc[rows].str[int(length) :].to_numpy(dtype=object)
    general = metadata.general_desc.national_number_pattern
    if general:
        viable = _starts(arrow_strings(numbers), f"(?:{general})$")
        keep = viable & ~_starts(arrow_strings(stripped), f"(?:{general})$")
    else:
        keep = np.zeros(len(text), dtype=bool)
    lengths = pd.Series(stripped, dtype="object").str.len().to_numpy()
    take = (cut > 0) & ~keep & _possible_length(lengths, metadata.general_desc)
    return np.where(take, stripped, numbers), np.ones(len(numbers), dtype=bool)


def metadata_read(keys: pd.DataFrame) -> pd.DataFrame:
    """E.164, validity, type and region of the (number, region) keys `parse` would only split.

    Returns one row per key; `country_code` is 0 where the key needs `phonenumbers.parse`
    (a patterned trunk prefix, IDD or country-code digits in front, an unknown code or region,
    an odd length) and the other columns are then empty.
    """
    count = len(keys)
    number = keys["number"].astype(str)
    digits = number.str.lstrip("+")
    in_region = ~number.str.startswith("+").to_numpy(dtype=bool)
    plus = ~in_region & (digits.str.len() > _MAX_CODE).to_numpy(dtype=bool)
    country_code = np.zeros(count, dtype=np.int64)
    national = digits.to_numpy(dtype=object)
    heads = map_distinct(digits.str[:_MAX_CODE].where(plus, None), lambda d: d.map(_calling_code))
    country_code[plus] = heads[plus].to_numpy(dtype=np.int64)
    for code in pd.unique(country_code[country_code > 0]):
        rows = np.flatnonzero(country_code == code)
        metadata = _metadata(int(code), phonenumbers.region_code_for_country_code(int(code)))
        if metadata is None:
            country_code[rows] = 0
            continue
        after_code = digits.iloc[rows].str[len(str(code)) :].to_numpy(dtype=object)
        national[rows], decided = _national_numbers(after_code, metadata)
        country_code[rows[~decided]] = 0
    regions = keys["region"].to_numpy(dtype=object)
    for name in pd.unique(regions[in_region]):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(name, None)
        if metadata is None:
            continue
        rows = np.flatnonzero((regions == name) & in_region)
        candidates = arrow_strings(national[rows])
        blocked = _starts(candidates, str(metadata.country_code))
        blocked |= _starts(candidates, metadata.international_prefix)
        national[rows], decided = _national_numbers(national[rows], metadata)
        country_code[rows[decided & ~blocked]] = metadata.country_code
    lengths = pd.Series(national, dtype="object").str.len().to_numpy()
    country_code[(lengths < _MIN_NSN) | (lengths > _MAX_NSN)] = 0
    e164 = np.full(count, None, dtype=object)
    number_type = np.full(count, None, dtype=object)
    number_region = np.full(count, None, dtype=object)
    valid = np.zeros(count, dtype=bool)
    for code in pd.unique(country_code[country_code > 0]):
        rows = np.flatnonzero(country_code == code)
        numbers = arrow_strings(national[rows])
        types, found_regions = _classify(int(code), numbers, lengths[rows])
        e164[rows] = f"+{code}" + pd.Series(national[rows], dtype="object")
        valid[rows] = types != _UNKNOWN
        number_type[rows] = pd.Series(types).map(_TYPE_NAMES).to_numpy(dtype=object)
        number_region[rows] = found_regions
    return pd.DataFrame(
        {
            "country_code": country_code,
            "e164": e164,
            "valid": valid,
            "type": number_type,
            "region": number_region,
        },
        index=keys.index,
    )


def default_workers() -> int:
    """Worker processes for phone parsing: the cores this process may use, at most two."""
    return max(1, min(2, len(os.sched_getaffinity(0))))


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
    keys = phone_keys(raw, regions.str.upper())
    present = keys["number"].notna()
    codes, distinct = pd.factorize(keys["region"][present] + "|" + keys["number"][present])
    pairs = pd.DataFrame(
        [pair.split("|", 1) for pair in distinct], columns=["region", "number"], dtype="object"
    )
    read = metadata_read(pairs).astype({"valid": "object"})
    per_key = read["country_code"] == 0
    slow_keys = list(zip(pairs.loc[per_key, "number"], pairs.loc[per_key, "region"], strict=True))
    parsed = _parse_all(slow_keys, workers or default_workers())
    out = pd.DataFrame({"raw": keys["raw"]}, index=raw.index)
    for name, values in zip(("e164", "valid", "type", "region"), parsed, strict=True):
        read.loc[per_key, name] = pd.Series(values, index=read.index[per_key], dtype="object")
        column = np.full(len(raw), False if name == "valid" else None, dtype=object)
        column[present.to_numpy()] = read[name].to_numpy(dtype=object)[codes]
        out[name] = column.astype(bool) if name == "valid" else column
    out["extension"] = keys["extension"]
    return out[list(PHONE_FIELDS)]


def number_time_zone(e164: pd.Series) -> pd.Series:
    """IANA time zone of each E.164 number (the first one `phonenumbers` lists), else None.

    Scoring uses it for local calling windows; computed once per distinct number.
    """

    def zones(distinct: pd.Series) -> pd.Series:
        def first_zone(number: str) -> str | None:
            try:
                candidates = phone_timezone.time_zones_for_number(phonenumbers.parse(number))
            except phonenumbers.NumberParseException:
                return None
            known = [zone for zone in candidates if zone != phone_timezone.UNKNOWN_TIMEZONE]
            return known[0] if known else None

        return distinct.map(first_zone)

    return map_distinct(e164, zones)

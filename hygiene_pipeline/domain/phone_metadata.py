"""Phone numbers read column-wise with `phonenumbers`' own metadata and rules.

`phonenumbers.parse` plus `number_type` cost tens of microseconds per number, too slow for
millions of distinct numbers. This module repeats their steps on whole columns wherever the
region's rules are literal digits: a leading IDD (`011` in the US) turns a national key into an
international one, the calling code is split off (or, written in front of a national number,
kept or dropped by `parse`'s test), the trunk prefix (`0`, `0|180020`) is removed under
`parse`'s conditions, and the national numbers are matched against each region's metadata
patterns (Arrow's RE2 kernels) in the order `number_type` and `region_code_for_number` use.
Keys whose region has patterned rules (Chinese carrier prefixes, Argentine mobile prefixes...)
are left to `phonenumbers.parse` (see `phones`); tests compare both ways on numbers of many
regions written in several forms.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.domain.column_ops import (
    arrow_flags,
    arrow_objects,
    arrow_strings,
    map_distinct,
)

TYPE_NAMES: dict[int, str] = {
    value: name.lower()
    for name, value in vars(phonenumbers.PhoneNumberType).items()
    if isinstance(value, int) and name.isupper()
}
"""Lower-case `PhoneNumberType` names (`mobile`, `fixed_line`, `unknown`, ...)."""

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


def calling_code(head: str) -> int:
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


def _literal_cut(numbers: pa.Array, alternatives: str) -> np.ndarray:
    """Length of the first `|`-separated digit literal each number starts with (0 for none),
    which is what `re.match` on such an alternation consumes."""
    cut = np.zeros(len(numbers), dtype=int)
    for literal in alternatives.split("|"):
        cut[(cut == 0) & arrow_flags(pc.starts_with(numbers, literal))] = len(literal)
    return cut


def _after(numbers: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """Each number without its first `cut` digits."""
    text = arrow_strings(numbers)
    out = np.array(numbers, dtype=object)  # a copy: `numbers` stays as given
    for length in np.unique(cut[cut > 0]):
        rows = cut == length
        out[rows] = arrow_objects(pc.utf8_slice_codeunits(text, int(length)))[rows]
    return out


def _viable(numbers: np.ndarray, metadata: phonenumbers.PhoneMetadata) -> np.ndarray:
    """Numbers matching the region's general pattern, without a length check (`parse`'s test)."""
    general = metadata.general_desc.national_number_pattern
    if not general:
        return np.zeros(len(numbers), dtype=bool)
    return _starts(arrow_strings(numbers), f"(?:{general})$")


def _trunk_strip(
    numbers: np.ndarray, metadata: phonenumbers.PhoneMetadata
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_maybe_strip_national_prefix_carrier_code` on a column: the numbers with the trunk
    prefix removed where it removes it, those rows, and the rows decided here (all when the
    prefix rule is absent or literal digits such as `0` or `0|180020`, else only the rows the
    rule does not match)."""
    none = np.zeros(len(numbers), dtype=bool)
    prefix = metadata.national_prefix_for_parsing
    if not prefix:
        return numbers, none, ~none
    if metadata.national_prefix_transform_rule or not _LITERAL_PREFIXES.fullmatch(prefix):
        return numbers, none, ~_starts(arrow_strings(numbers), prefix)
    cut = _literal_cut(arrow_strings(numbers), prefix)
    stripped = _after(numbers, cut)
    strips = (cut > 0) & ~(_viable(numbers, metadata) & ~_viable(stripped, metadata))
    return np.where(strips, stripped, numbers), strips, ~none


def _national_numbers(
    numbers: np.ndarray, metadata: phonenumbers.PhoneMetadata
) -> tuple[np.ndarray, np.ndarray]:
    """National numbers as `parse` leaves them after its trunk-prefix step (which keeps the
    prefix when the rest has an impossible length), and the rows decided here."""
    stripped, strips, decided = _trunk_strip(numbers, metadata)
    lengths = pc.utf8_length(arrow_strings(stripped)).to_numpy(zero_copy_only=False)
    take = strips & _possible_length(lengths, metadata.general_desc)
    return np.where(take, stripped, numbers), decided


def _dialled_abroad(
    digits: np.ndarray, regions: np.ndarray, in_region: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """National keys that start with their region's literal IDD (`011` in the US), rewritten as
    the international numbers `parse` reads them as; an IDD followed by 0 is not one."""
    digits, in_region = np.array(digits, dtype=object), in_region.copy()
    for name in pd.unique(regions[in_region]):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(name, None)
        idd = metadata.international_prefix if metadata else None
        if not idd or not _LITERAL_PREFIXES.fullmatch(idd):
            continue
        rows = np.flatnonzero((regions == name) & in_region)
        cut = _literal_cut(arrow_strings(digits[rows]), idd)
        after = _after(digits[rows], cut)
        dialled = (cut > 0) & ~arrow_flags(pc.starts_with(arrow_strings(after), "0"))
        digits[rows[dialled]] = after[dialled]
        in_region[rows[dialled]] = False
    return digits, in_region


def _with_country_code(
    numbers: np.ndarray, metadata: phonenumbers.PhoneMetadata
) -> tuple[np.ndarray, np.ndarray]:
    """National numbers of keys that start with the region's own calling code, as `parse`
    reads them: without the code when the rest fits the region better, else unchanged."""
    code_length = np.full(len(numbers), len(str(metadata.country_code)))
    after, _, after_decided = _trunk_strip(_after(numbers, code_length), metadata)
    lengths = pc.utf8_length(arrow_strings(numbers)).to_numpy(zero_copy_only=False)
    possible = metadata.general_desc.possible_length
    too_long = lengths > max(possible) if possible else np.zeros(len(numbers), dtype=bool)
    use_code = (~_viable(numbers, metadata) & _viable(after, metadata)) | too_long
    kept, kept_decided = _national_numbers(numbers, metadata)
    shortened, shortened_decided = _national_numbers(after, metadata)
    national = np.where(use_code, shortened, kept)
    # Whether the code goes depends on the first strip, so rows it cannot decide stay open.
    return national, after_decided & np.where(use_code, shortened_decided, kept_decided)


def metadata_read(keys: pd.DataFrame) -> pd.DataFrame:
    """E.164, validity, type and region of the (number, region) keys `parse` would only split.

    Returns one row per key; `country_code` is 0 where the key needs `phonenumbers.parse`
    (a patterned trunk prefix or IDD, an unknown code or region, an odd length) and the other
    columns are then empty.
    """
    count = len(keys)
    number = arrow_strings(keys["number"])
    regions = keys["region"].to_numpy(dtype=object)
    in_region = ~arrow_flags(pc.starts_with(number, "+"))
    national, in_region = _dialled_abroad(
        arrow_objects(pc.utf8_ltrim(number, characters="+")), regions, in_region
    )
    digits = arrow_strings(national)
    plus = ~in_region & (pc.utf8_length(digits).to_numpy(zero_copy_only=False) > _MAX_CODE)
    country_code = np.zeros(count, dtype=np.int64)
    heads = arrow_objects(pc.utf8_slice_codeunits(digits, 0, _MAX_CODE))
    codes = map_distinct(pd.Series(np.where(plus, heads, None)), lambda d: d.map(calling_code))
    country_code[plus] = codes[plus].to_numpy(dtype=np.int64)
    for code in pd.unique(country_code[country_code > 0]):
        rows = np.flatnonzero(country_code == code)
        metadata = _metadata(int(code), phonenumbers.region_code_for_country_code(int(code)))
        if metadata is None:
            country_code[rows] = 0
            continue
        after_code = pc.utf8_slice_codeunits(digits.take(pa.array(rows)), len(str(code)))
        national[rows], decided = _national_numbers(arrow_objects(after_code), metadata)
        country_code[rows[~decided]] = 0
    for name in pd.unique(regions[in_region]):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(name, None)
        if metadata is None:
            continue
        rows = np.flatnonzero((regions == name) & in_region)
        candidates = arrow_strings(national[rows])
        blocked = _starts(candidates, metadata.international_prefix)
        own_code = arrow_flags(pc.starts_with(candidates, str(metadata.country_code)))
        read, decided = _national_numbers(national[rows], metadata)
        if own_code.any():
            read[own_code], decided[own_code] = _with_country_code(
                national[rows][own_code], metadata
            )
        national[rows] = read
        country_code[rows[decided & ~blocked]] = metadata.country_code
    lengths = pc.utf8_length(arrow_strings(national)).to_numpy(zero_copy_only=False)
    country_code[(lengths < _MIN_NSN) | (lengths > _MAX_NSN)] = 0
    e164 = np.full(count, None, dtype=object)
    number_type = np.full(count, None, dtype=object)
    number_region = np.full(count, None, dtype=object)
    valid = np.zeros(count, dtype=bool)
    for code in pd.unique(country_code[country_code > 0]):
        rows = np.flatnonzero(country_code == code)
        numbers = arrow_strings(national[rows])
        types, found_regions = _classify(int(code), numbers, lengths[rows])
        e164[rows] = arrow_objects(pc.binary_join_element_wise(f"+{code}", numbers, ""))
        valid[rows] = types != _UNKNOWN
        number_type[rows] = pd.Series(types).map(TYPE_NAMES).to_numpy(dtype=object)
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

"""Column-wise phone reading: same answers as `phonenumbers.parse` on numbers of many regions."""

from __future__ import annotations

import random

import pandas as pd
import phonenumbers

from hygiene_pipeline.domain.phone_metadata import metadata_read
from hygiene_pipeline.domain.phones import parse_keys


def _sample_keys() -> list[tuple[str, str]]:
    """Library example numbers of many regions in four written forms, with one digit changed,
    one added or one dropped: valid, invalid, prefixed and odd-length keys."""
    rng = random.Random(11)
    regions = ["US", "CA", "GB", "JE", "DE", "FR", "CN", "IT", "RU", "AR", "MX", "BR", "IN", "AU"]
    kinds = [
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
    ]
    keys: list[tuple[str, str]] = []
    for region in regions:
        for kind in kinds:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            national_digits = "".join(ch for ch in national if ch.isdigit())
            forms = [
                (e164[1:], ""),  # international
                (national_digits, region),  # national, with any trunk prefix
                (e164[1:], region),  # calling code written in front of a national number
                ("011" + e164[1:], "US"),  # dialled from the US
            ]
            for _ in range(8):
                for text, key_region in forms:
                    digits = list(text)
                    digits[rng.randrange(len(digits))] = str(rng.randint(0, 9))
                    if rng.random() < 0.15:
                        digits.append(str(rng.randint(0, 9)))
                    elif rng.random() < 0.15:
                        digits.pop()
                    number = "".join(digits)
                    keys.append(("+" + number if not key_region else number, key_region))
    keys += [("+112", ""), ("+0123456", ""), ("12", "US"), ("+80012345678", ""), ("5551234", "XX")]
    return list(dict.fromkeys(keys))


def test_metadata_read_agrees_with_phonenumbers() -> None:
    keys = _sample_keys()
    read = metadata_read(pd.DataFrame(keys, columns=["number", "region"]))
    e164s, valids, types, regions = parse_keys(keys)
    library = pd.DataFrame({"e164": e164s, "valid": valids, "type": types, "region": regions})
    covered = read["country_code"] > 0
    assert covered.mean() > 0.5
    for column in ("e164", "valid", "type", "region"):
        assert read.loc[covered, column].tolist() == library.loc[covered, column].tolist(), column


def test_keys_it_cannot_decide_are_left_to_the_library() -> None:
    keys = pd.DataFrame(
        {"number": ["+112", "01012345678", "5551234", "+0123456"], "region": ["", "CN", "XX", ""]}
    )
    assert metadata_read(keys)["country_code"].tolist() == [0, 0, 0, 0]


def test_trunk_prefix_is_removed_as_parse_removes_it() -> None:
    keys = pd.DataFrame(
        {"number": ["02079460018", "+4402079460018", "0301234567"], "region": ["GB", "", "DE"]}
    )
    read = metadata_read(keys)
    assert read["e164"].tolist() == ["+442079460018", "+442079460018", "+49301234567"]
    assert read["valid"].all()

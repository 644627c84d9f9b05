"""Chinese names in characters are written in pinyin for linkage."""

from __future__ import annotations

import pandas as pd

from hygiene_pipeline.linkage.crm_spec import JUNK_BLANKS, linkage_input
from hygiene_pipeline.linkage.romanise import romanised


def test_names_in_han_characters_are_written_in_pinyin_and_others_kept() -> None:
    names = pd.Series(["萍", "谭", "秀芳", "ping", "müller", None], dtype=object)
    assert romanised(names).tolist() == ["ping", "tan", "xiufang", "ping", "müller", None]


def test_linkage_sees_pinyin_where_staging_keeps_the_characters() -> None:
    contacts = pd.DataFrame(
        {"record_key": ["crm:1"], "first_name_norm": ["萍"], "last_name_norm": ["谭"]}
    )
    view = linkage_input(contacts.assign(**dict.fromkeys(JUNK_BLANKS, False)))
    assert view.loc[0, ["first_name_norm", "last_name_norm"]].tolist() == ["ping", "tan"]
    assert contacts.loc[0, "first_name_norm"] == "萍"


def test_each_distinct_name_is_romanised_wherever_it_repeats() -> None:
    names = pd.Series(["谭", None, "tan", "谭", float("nan"), "谭萍"], index=[7, 3, 5, 1, 2, 9])
    spelled = romanised(names)
    assert spelled.index.tolist() == [7, 3, 5, 1, 2, 9]
    assert spelled.tolist()[:4] == ["tan", None, "tan", "tan"]
    assert pd.isna(spelled[2]) and spelled[9] == "tanping"

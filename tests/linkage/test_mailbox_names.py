"""A missing first or last name read from the record's own personal mailbox."""

from __future__ import annotations

import pandas as pd

from hygiene_pipeline.linkage.mailbox_names import names_from_mailboxes


def test_the_name_a_record_lacks_is_the_rest_of_its_mailbox() -> None:
    rows = [
        (None, "blondel", "remy.blondel@kestrelview.fr", False, "remy", "blondel"),
        (None, "blondel", "remyblondel88@laposte.net", False, "remy", "blondel"),
        (None, "fan", "rfan@summitshore.cn", False, "r", "fan"),
        (None, "faivre", "susanf@kestrelmore.fr", False, "susan", "faivre"),
        ("john", None, "john.bartlett@lionlight.co.uk", False, "john", "bartlett"),
        (None, "duan", "yan.duan@kestrelmore.cn", False, "yan", "duan"),
    ]
    columns = ["first", "last", "email", "role", "want_first", "want_last"]
    frame = pd.DataFrame(rows, columns=columns)
    first, last = names_from_mailboxes(frame["first"], frame["last"], frame["email"], frame["role"])
    assert first.tolist() == frame["want_first"].tolist()
    assert last.tolist() == frame["want_last"].tolist()


def test_names_are_left_alone_where_the_mailbox_cannot_tell() -> None:
    frame = pd.DataFrame(
        {
            "first": [None, None, None, "anna", None],
            "last": ["smith", "smith", "smith", "weber", None],
            "email": ["john.smith@x.com", "contact@x.com", "j.s.smith@x.com", "anna.w@x.de", "a@x"],
            "role": [True, False, False, False, False],
        }
    )
    first, last = names_from_mailboxes(frame["first"], frame["last"], frame["email"], frame["role"])
    assert first.tolist()[:3] == [None, None, None]
    assert first.iloc[3] == "anna" and last.iloc[3] == "weber"
    assert first.iloc[4] is None and last.iloc[4] is None

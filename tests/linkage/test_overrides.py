"""Override files: CSV and YAML, validation, one decision per pair."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.linkage import load_overrides
from hygiene_pipeline.linkage.overrides import combined_overrides, master_record_links


def test_csv_and_yaml_files_give_the_same_table(tmp_path: Path) -> None:
    csv = tmp_path / "overrides.csv"
    csv.write_text(
        "Record_Key_Left,record_key_right,rule,note\n"
        "crm:2,crm:1,must_link,same person\n"
        "crm:3,crm:4,CANNOT_LINK,\n",
        encoding="utf-8",
    )
    yaml_file = tmp_path / "overrides.yaml"
    yaml_file.write_text(
        "overrides:\n"
        "  - {record_key_left: 'crm:2', record_key_right: 'crm:1', rule: must_link,"
        " note: same person}\n"
        "  - {record_key_left: 'crm:3', record_key_right: 'crm:4', rule: cannot_link}\n",
        encoding="utf-8",
    )
    from_csv, from_yaml = load_overrides(csv), load_overrides(yaml_file)
    assert from_csv[["record_key_left", "record_key_right", "rule"]].values.tolist() == [
        ["crm:1", "crm:2", "must_link"],
        ["crm:3", "crm:4", "cannot_link"],
    ]
    assert from_yaml[["record_key_left", "record_key_right", "rule"]].equals(
        from_csv[["record_key_left", "record_key_right", "rule"]]
    )


def test_missing_file_means_no_overrides(tmp_path: Path) -> None:
    assert load_overrides(tmp_path / "absent.yaml").empty


def test_a_pair_listed_with_both_rules_is_cannot_link(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("record_key_left,record_key_right,rule\na,b,must_link\nb,a,cannot_link\n")
    assert load_overrides(path)["rule"].tolist() == ["cannot_link"]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("a,,must_link", "row 1: missing record key"),
        ("a,b,merge", "row 1: rule must be one of"),
        ("a,a,must_link", "row 1: a record cannot be paired with itself"),
    ],
)
def test_bad_rows_are_reported_by_number(tmp_path: Path, row: str, problem: str) -> None:
    path = tmp_path / "o.csv"
    path.write_text(f"record_key_left,record_key_right,rule\n{row}\n")
    with pytest.raises(ValueError, match=problem):
        load_overrides(path)


def test_master_record_pointers_become_must_links_a_user_cannot_link_wins() -> None:
    records = pd.DataFrame(
        {
            "record_key": ["sf:1", "sf:2", "sf:3", "sf:4"],
            "master_record_key": [None, "sf:1", "sf:9", "sf:4"],  # 9 absent, 4 points at itself
        }
    )
    links = master_record_links(records)
    assert links[["record_key_left", "record_key_right", "rule"]].values.tolist() == [
        ["sf:2", "sf:1", "must_link"]
    ]
    user = pd.DataFrame(
        {"record_key_left": ["sf:1"], "record_key_right": ["sf:2"], "rule": ["cannot_link"]}
    )
    combined = combined_overrides(links, user)
    assert combined[["record_key_left", "record_key_right", "rule"]].values.tolist() == [
        ["sf:1", "sf:2", "cannot_link"]
    ]
    assert master_record_links(records.drop(columns="master_record_key")).empty

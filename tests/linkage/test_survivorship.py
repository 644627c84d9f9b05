"""Golden records: each field by its rule, flags that hold for the person, provenance."""

from __future__ import annotations

import json

import pandas as pd

from hygiene_pipeline.linkage import FieldRule, SurvivorshipRules, golden_records, survivorship

RULES = SurvivorshipRules(
    record_key="key",
    recency=("updated_at",),
    source_column="source",
    source_priority=("crm", "marketing"),
    completeness_columns=("name", "email", "phone"),
    xref_columns=("source",),
    fields=(
        FieldRule("name", "most_complete"),
        FieldRule("email", "most_recent", valid_if="email_valid", companions=("email_key",)),
        FieldRule("phone", "source_priority"),
        FieldRule("last_seen", "max"),
        FieldRule("do_not_call", "any_true"),
        FieldRule(
            "consent",
            "most_recent",
            ignore_values=("unknown",),
            sticky_values=("opted_out",),
            default="unknown",
        ),
    ),
)


def _members() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": ["m:1", "c:2", "m:3", "c:4"],
            "source": ["marketing", "crm", "marketing", "crm"],
            "name": ["Ann", "Ann Lee", None, "Bob"],
            "email": ["new@x.com", "old@x.com", "bad@", None],
            "email_key": ["new@x.com", "old@x.com", None, None],
            "email_valid": [True, True, False, False],
            "phone": [None, "+2", "+3", None],
            "last_seen": pd.to_datetime(["2024-05-01", "2024-01-01", None, None], utc=True),
            "updated_at": pd.to_datetime(
                ["2024-03-01", "2024-01-01", "2024-06-01", "2024-01-01"], utc=True
            ),
            "do_not_call": [False, True, False, False],
            "consent": ["opted_in", "opted_out", "unknown", "unknown"],
        }
    )


def _assignments(clusters: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cluster": clusters,
            "cluster_size": 0,
            "match_probability": [0.99, 0.98, 0.97, 1.0],
            "merge_probability": [0.97, 0.97, 0.97, 1.0],
            "cluster_flag": None,
        },
        index=pd.Index(["m:1", "c:2", "m:3", "c:4"], name="key"),
    )


def test_each_field_survives_by_its_rule() -> None:
    golden, xref, stats = golden_records(_members(), _assignments([0, 0, 0, 3]), RULES)
    entity = xref.set_index("key")["entity_id"]
    person = golden.set_index("entity_id")
    ann, bob = person.loc[entity["m:1"]], person.loc[entity["c:4"]]
    assert ann["name"] == "Ann Lee"  # the record with the most filled fields
    assert (ann["email"], ann["email_key"]) == ("new@x.com", "new@x.com")  # newest valid one
    assert ann["phone"] == "+2"  # the CRM before the marketing tool
    assert ann["last_seen"] == pd.Timestamp("2024-05-01", tz="UTC")
    assert bool(ann["do_not_call"]) is True  # one record's flag holds for the person
    assert ann["consent"] == "opted_out"  # an opt-out anywhere wins over newer consent
    assert ann["source_count"] == 3
    assert bob["consent"] == "unknown"
    assert pd.isna(bob["email"])
    assert stats["golden_records"] == 2
    assert stats["merged_entities"] == 1


def test_provenance_names_the_record_and_rule_of_each_field() -> None:
    golden, _xref, _ = golden_records(_members(), _assignments([0, 0, 0, 3]), RULES)
    ann = golden.loc[golden["source_count"] == 3].iloc[0]
    provenance = json.loads(ann["provenance"])
    assert provenance["name"] == {"record_key": "c:2", "rule": "most_complete"}
    assert provenance["email"] == {"record_key": "m:1", "rule": "most_recent"}
    assert provenance["phone"] == {"record_key": "c:2", "rule": "source_priority"}
    assert provenance["do_not_call"] == {"record_key": "c:2", "rule": "any_true"}
    bob = json.loads(golden.loc[golden["source_count"] == 1].iloc[0]["provenance"])
    assert "email" not in bob


def test_provenance_built_a_slice_of_entities_at_a_time_is_the_same(monkeypatch) -> None:
    clusters = [0, 1, 0, 3]
    whole, _xref, _ = golden_records(_members(), _assignments(clusters), RULES)
    monkeypatch.setattr(survivorship, "PROVENANCE_ENTITIES", 1)
    sliced, _xref, _ = golden_records(_members(), _assignments(clusters), RULES)
    assert len(sliced) == 3
    assert sliced["provenance"].tolist() == whole["provenance"].tolist()
    names = sorted(json.loads(text)["name"]["record_key"] for text in sliced["provenance"])
    assert names == ["c:2", "c:4", "m:1"]


def test_cross_reference_lists_every_record_with_its_entity() -> None:
    members = _members().sample(frac=1.0, random_state=1)  # row order does not matter
    golden, xref, _ = golden_records(members, _assignments([0, 0, 0, 3]), RULES)
    assert list(xref.columns) == [
        "key", "source", "entity_id", "match_probability", "merge_probability", "cluster_flag"
    ]  # fmt: skip
    assert xref["key"].tolist() == ["m:1", "c:2", "m:3", "c:4"]
    assert xref["source"].tolist() == ["marketing", "crm", "marketing", "crm"]
    assert xref["entity_id"].nunique() == 2
    assert set(xref["entity_id"]) == set(golden["entity_id"])

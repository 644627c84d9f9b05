"""Bounce classification by RFC 3463 class and subject, and each family's effect on a person."""

from __future__ import annotations

import pandas as pd
import pytest

from hygiene_pipeline.scoring.bounces import classify_bounces
from hygiene_pipeline.vocabulary import BOUNCE_CLASSES


def classify(**values: object) -> tuple[str, str]:
    """Class and evidence of one bounce row."""
    row = {"bounce_type": None, "enhanced_status": None, "smtp_code": None, **values}
    frame = pd.DataFrame([row]).astype({"smtp_code": "Int64"})
    result = classify_bounces(frame).iloc[0]
    assert result["bounce_class"] in BOUNCE_CLASSES
    return result["bounce_class"], result["bounce_evidence"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"enhanced_status": "5.1.1", "smtp_code": 550, "bounce_type": "hard"}, "hard"),
        ({"enhanced_status": "5.1.10"}, "hard"),
        ({"enhanced_status": "4.2.2", "smtp_code": 452}, "soft"),
        ({"enhanced_status": "5.2.2", "smtp_code": 552, "bounce_type": "hard"}, "soft"),
        ({"enhanced_status": "4.4.7"}, "soft"),
        ({"enhanced_status": "4.7.1", "bounce_type": "soft"}, "soft"),
        ({"enhanced_status": "5.7.1", "smtp_code": 550, "bounce_type": "hard"}, "block"),
        ({"enhanced_status": "5.6.0"}, "block"),
        ({"enhanced_status": "5.1.8"}, "block"),
        ({"enhanced_status": "5.0.0", "bounce_type": "hard"}, "hard"),
        ({"enhanced_status": "5.0.0"}, "soft"),
        ({"bounce_type": "complaint"}, "complaint"),
        ({"bounce_type": "complaint", "enhanced_status": "5.7.1"}, "complaint"),
    ],
)
def test_enhanced_status_decides_by_class_and_subject(values: dict, expected: str) -> None:
    assert classify(**values)[0] == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"smtp_code": 550}, "hard"),
        ({"smtp_code": 550, "bounce_type": "block"}, "block"),
        ({"smtp_code": 551}, "hard"),
        ({"smtp_code": 552}, "soft"),
        ({"smtp_code": 421}, "soft"),
        ({"smtp_code": 554}, "block"),
        ({"smtp_code": 500, "bounce_type": "hard"}, "hard"),
    ],
)
def test_smtp_code_only(values: dict, expected: str) -> None:
    assert classify(**values)[0] == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("hard", "hard"),
        ("Permanent", "hard"),
        ("soft", "soft"),
        ("Transient", "soft"),
        ("block", "block"),
        ("SpamComplaint", "complaint"),
        (None, "soft"),
    ],
)
def test_type_only(given: str | None, expected: str) -> None:
    assert classify(bounce_type=given)[0] == expected


def test_code_in_diagnostic_is_read_when_the_status_column_is_blank() -> None:
    assert classify(diagnostic="smtp; 550 5.1.1 <x@gmail.com>: user unknown") == ("hard", "5.1.1")
    assert classify(diagnostic="550 5.7.1 rejected by policy", bounce_type="hard")[0] == "block"


def test_evidence_names_what_decided() -> None:
    assert classify(enhanced_status="5.1.1")[1] == "5.1.1"
    assert classify(smtp_code=552)[1] == "smtp 552"
    assert classify(bounce_type="hard")[1] == "type hard"
    assert classify()[1] == "unclassified"


def test_a_batch_is_classified_as_each_of_its_rows_alone() -> None:
    """Repeated bounces are classified once per distinct wording and spread back in order."""
    rows = [
        {"enhanced_status": "5.1.1", "smtp_code": 550, "diagnostic": "user unknown"},
        {"bounce_type": "complaint"},
        {"smtp_code": 552},
        {"diagnostic": "550 5.4.4 host not found"},
        {},
        {"enhanced_status": "4.2.2", "bounce_type": "soft"},
    ]
    order = [3, 0, 0, 5, 1, 4, 2, 0, 4, 3, 1, 5]
    batch = pd.DataFrame([rows[i] for i in order], index=[f"b{i}" for i in range(len(order))])
    alone = pd.concat([classify_bounces(batch.iloc[[i]]) for i in range(len(batch))])
    pd.testing.assert_frame_equal(classify_bounces(batch), alone)


def test_each_family_reaches_the_person(world) -> None:
    w = world()
    w.person("HARD", email="hard@gmail.com", phone=None)
    w.bounce(5, "hard@gmail.com", enhanced_status="5.1.1")
    w.person("SOFT", email="soft@gmail.com", last_activity_days=25, presence_days=25)
    for days in (20, 12, 3):
        w.bounce(days, "soft@gmail.com", enhanced_status="4.2.2")
    w.person("SPREAD", email="spread@gmail.com", last_activity_days=100, presence_days=100)
    for days in (80, 40, 3):
        w.bounce(days, "spread@gmail.com", enhanced_status="4.2.2")
    w.person("BLOCK", email="block@gmail.com", phone=None)
    w.bounce(5, "block@gmail.com", enhanced_status="5.7.1", bounce_type="hard")
    w.person("COMPLAINT", email="complaint@gmail.com")
    w.bounce(5, "complaint@gmail.com", bounce_type="complaint")
    scored = w.scored()

    assert scored.loc["HARD", "status"] == "invalid_contact"
    assert "no usable email: hard bounce 5.1.1" in scored.loc["HARD", "status_reason"]
    assert not scored.loc["SOFT", "is_emailable"]
    assert scored.loc["SOFT", "status"] == "active"
    assert scored.loc["SPREAD", "is_emailable"]
    assert scored.loc["BLOCK", "status"] == "active"
    assert scored.loc["BLOCK", "is_emailable"]
    assert not scored.loc["COMPLAINT", "is_emailable"]
    assert scored.loc["COMPLAINT", "status"] == "active"

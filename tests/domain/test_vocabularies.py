"""Call dispositions and engagement event types: built-in codes and user extensions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hygiene_pipeline.domain.vocabularies import (
    CALL_DISPOSITIONS,
    EVENT_TYPES,
    default_vocabularies,
    load_vocabularies,
)

DIALER_CODES = {
    "NA": "no_answer",
    "N": "no_answer",
    "B": "busy",
    "AB": "busy",
    "DC": "disconnected",
    "ADC": "disconnected",
    "DNC": "do_not_call",
    "DNCL": "do_not_call",
    "NI": "not_interested",
    "A": "voicemail",
    "AA": "voicemail",
    "AM": "voicemail",
    "AL": "voicemail",
    "PM": "voicemail",
    "CALLBK": "callback",
    "CBHOLD": "callback",
    "SALE": "interested",
    "XFER": "connected",
    "PU": "connected",
    "WN": "wrong_number",
    "WRONG": "wrong_number",
    "DROP": "no_answer",
    "LC": "left_company",
}


@pytest.mark.parametrize(("code", "canonical"), sorted(DIALER_CODES.items()))
def test_dialer_codes(code: str, canonical: str) -> None:
    mapped = default_vocabularies().map_dispositions(pd.Series([code, code.lower()]))
    assert mapped.tolist() == [canonical, canonical]


def test_canonical_values_and_spellings_map_to_themselves() -> None:
    vocab = default_vocabularies()
    assert vocab.map_dispositions(pd.Series(CALL_DISPOSITIONS)).tolist() == list(CALL_DISPOSITIONS)
    spelled = vocab.map_dispositions(pd.Series(["No Answer", "no-answer", " Voicemail "]))
    assert spelled.tolist() == ["no_answer", "no_answer", "voicemail"]
    assert vocab.map_event_types(pd.Series(EVENT_TYPES)).tolist() == list(EVENT_TYPES)


def test_unmappable_and_missing_are_none() -> None:
    vocab = default_vocabularies()
    assert vocab.map_dispositions(pd.Series(["ZZTOP", None])).tolist() == [None, None]
    assert vocab.map_event_types(pd.Series(["teleport", None])).tolist() == [None, None]


def test_event_type_aliases() -> None:
    mapped = default_vocabularies().map_event_types(
        pd.Series(["Open", "clicked", "Page View", "unsubscribed", "Form Submission"])
    )
    assert mapped.tolist() == [
        "email_open",
        "email_click",
        "web_visit",
        "unsubscribe",
        "form_submit",
    ]


def test_user_yaml_extends_and_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "vocab.yaml"
    extra.write_text(
        "dispositions:\n  voicemail: [VMX, DROP]\nevent_types:\n  email_open: [mail_seen]\n",
        encoding="utf-8",
    )
    vocab = load_vocabularies(extra)
    assert vocab.map_dispositions(pd.Series(["vmx", "DROP", "NA"])).tolist() == [
        "voicemail",
        "voicemail",
        "no_answer",
    ]
    assert vocab.map_event_types(pd.Series(["MAIL_SEEN"])).tolist() == ["email_open"]


def test_user_yaml_with_an_unknown_target_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown disposition"):
        load_vocabularies({"dispositions": {"teleported": ["TP"]}})


def test_documented_statuses_that_say_nothing_are_ignored_with_their_reason() -> None:
    vocab = default_vocabularies()
    codes = pd.Series(["failed", "Canceled", "Dial Error", "ININ-OUTBOUND-AMBIGUOUS", "NA", "ZZZ"])
    assert vocab.map_dispositions(codes).tolist() == [None, None, None, None, "no_answer", None]
    reasons = vocab.ignored_reasons(codes)
    assert reasons[:4].str.split(":").str[0].tolist() == ["Twilio", "Twilio", "Five9", "Genesys"]
    assert reasons[4:].isna().all()  # a mapped code, and an unknown one (quarantined)
    # no code is both mapped and ignored
    assert not set(vocab.dispositions) & set(vocab.ignored_dispositions)


def test_a_user_file_moves_a_code_between_mapped_and_ignored() -> None:
    vocab = load_vocabularies(
        {"dispositions": {"disconnected": ["failed"], "ignored": {"NA": "our dialer's own NA"}}}
    )
    assert vocab.map_dispositions(pd.Series(["failed", "NA"])).tolist() == ["disconnected", None]
    assert vocab.ignored_reasons(pd.Series(["failed", "NA"])).tolist() == [
        None,
        "our dialer's own NA",
    ]


def test_an_unreadable_user_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"vocabulary file .*absent\.yaml: cannot be read"):
        load_vocabularies(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("dispositions: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.yaml: not valid YAML"):
        load_vocabularies(broken)

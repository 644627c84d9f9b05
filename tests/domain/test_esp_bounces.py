"""ESP export shapes flattened into canonical bounce rows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hygiene_pipeline.domain.esp_bounces import (
    ESP_BOUNCE_COLUMNS,
    EspRecordError,
    as_text,
    esp_bounce_rows,
)


def ses_bounce(bounce_type: str = "Permanent", sub_type: str = "General") -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": [
                {
                    "emailAddress": "jane@example.com",
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                },
                {"emailAddress": "joe@example.com", "action": "failed"},
            ],
            "timestamp": "2024-03-01T10:00:00.000Z",
            "feedbackId": "0102015fd91a6479",
        },
        "mail": {"timestamp": "2024-03-01T09:59:58.000Z", "source": "news@acme.test"},
    }


def only_row(record: dict[str, Any]) -> dict[str, str | None]:
    rows = esp_bounce_rows(record)
    assert rows is not None and len(rows) == 1
    assert list(rows[0]) == ESP_BOUNCE_COLUMNS
    return rows[0]


def test_ses_bounce_gives_one_row_per_recipient() -> None:
    rows = esp_bounce_rows(ses_bounce())
    assert rows is not None
    assert [row["email"] for row in rows] == ["jane@example.com", "joe@example.com"]
    assert rows[0] == {
        "email": "jane@example.com",
        "bounced_at": "2024-03-01T10:00:00.000Z",
        "bounce_type": "hard",
        "smtp_code": "550",
        "enhanced_status": "5.1.1",
        "diagnostic": "smtp; 550 5.1.1 user unknown",
        "provider": "ses",
        "provider_event": "Bounce/Permanent/General",
    }
    assert rows[1]["smtp_code"] is None and rows[1]["bounce_type"] == "hard"


def test_ses_inside_an_sns_envelope() -> None:
    envelope = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-bounces",
        "Message": json.dumps(ses_bounce()),
        "Timestamp": "2024-03-01T10:00:01.000Z",
    }
    rows = esp_bounce_rows(envelope)
    assert rows is not None and len(rows) == 2 and rows[0]["provider"] == "ses"


@pytest.mark.parametrize(
    ("bounce_type", "sub_type", "expected"),
    [
        ("Permanent", "NoEmail", "hard"),
        ("Permanent", "OnAccountSuppressionList", "hard"),
        ("Transient", "MailboxFull", "soft"),
        ("Transient", "ContentRejected", "block"),
        ("Undetermined", "Undetermined", None),
    ],
)
def test_ses_bounce_types(bounce_type: str, sub_type: str, expected: str | None) -> None:
    rows = esp_bounce_rows(ses_bounce(bounce_type, sub_type))
    assert rows is not None and rows[0]["bounce_type"] == expected


def test_ses_complaint_and_event_publishing_shape() -> None:
    complaint = {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": "jane@example.com"}],
            "timestamp": "2024-03-02T08:00:00.000Z",
            "complaintFeedbackType": "abuse",
        },
        "mail": {"timestamp": "2024-03-01T09:59:58.000Z"},
    }
    row = only_row(complaint)
    assert row["bounce_type"] == "complaint"
    assert row["bounced_at"] == "2024-03-02T08:00:00.000Z"
    assert row["provider_event"] == "Complaint/abuse"


def test_ses_non_bounce_notifications_are_refused() -> None:
    delivery = {"notificationType": "Delivery", "mail": {}, "delivery": {}}
    with pytest.raises(EspRecordError, match="not a bounce or complaint: ses Delivery event"):
        esp_bounce_rows(delivery)
    empty = ses_bounce()
    empty["bounce"]["bouncedRecipients"] = []
    with pytest.raises(EspRecordError, match="without recipients"):
        esp_bounce_rows(empty)
    with pytest.raises(EspRecordError, match="Message is not JSON"):
        esp_bounce_rows({"Type": "Notification", "Message": "not json"})


def sendgrid(event: str, **fields: Any) -> dict[str, Any]:
    return {
        "email": "jane@example.com",
        "timestamp": 1513299569,
        "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "event": event,
        "sg_event_id": "sg_event_id",
        "sg_message_id": "sg_message_id",
        **fields,
    }


def test_sendgrid_bounce_with_epoch_timestamp() -> None:
    row = only_row(
        sendgrid("bounce", reason="550 5.1.1 The email account does not exist", status="5.1.1")
    )
    assert row["provider"] == "sendgrid"
    assert row["bounce_type"] == "hard"
    assert row["bounced_at"] == "2017-12-15T00:59:29+00:00"
    assert (row["smtp_code"], row["enhanced_status"]) == ("550", "5.1.1")


@pytest.mark.parametrize(
    ("event", "fields", "expected"),
    [
        ("bounce", {"type": "blocked", "status": "5.7.1"}, "block"),
        ("bounce", {"type": "bounce"}, "hard"),
        ("dropped", {"reason": "Bounced Address"}, "hard"),
        ("dropped", {"reason": "Spam Reporting Address"}, "complaint"),
        ("spamreport", {}, "complaint"),
    ],
)
def test_sendgrid_types(event: str, fields: dict[str, str], expected: str) -> None:
    assert only_row(sendgrid(event, **fields))["bounce_type"] == expected


@pytest.mark.parametrize(
    ("event", "fields"),
    [("delivered", {}), ("open", {}), ("dropped", {"reason": "Unsubscribed Address"})],
)
def test_sendgrid_non_bounces_are_refused(event: str, fields: dict[str, str]) -> None:
    with pytest.raises(EspRecordError, match=f"sendgrid {event} event"):
        esp_bounce_rows(sendgrid(event, **fields))


def mailgun_failed(severity: str = "permanent", reason: str = "bounce") -> dict[str, Any]:
    return {
        "id": "G9Bn5sl1TC6nu79C8C0bwg",
        "timestamp": 1521233195.375624,
        "log-level": "error",
        "event": "failed",
        "severity": severity,
        "reason": reason,
        "recipient": "alice@example.com",
        "delivery-status": {
            "attempt-no": 1,
            "message": "5.1.1 The email account that you tried to reach does not exist",
            "code": 550,
            "enhanced-code": "5.1.1",
            "description": "",
        },
        "message": {"headers": {"message-id": "20130503192659.13651.20287@example.com"}},
    }


def test_mailgun_webhook_and_events_api_item() -> None:
    webhook = {"signature": {"token": "t", "timestamp": "1", "signature": "s"}}
    webhook["event-data"] = mailgun_failed()
    for record in (webhook, mailgun_failed()):
        row = only_row(record)
        assert row["provider"] == "mailgun"
        assert row["email"] == "alice@example.com"
        assert row["bounce_type"] == "hard"
        assert (row["smtp_code"], row["enhanced_status"]) == ("550", "5.1.1")
        assert row["bounced_at"] == "2018-03-16T20:46:35.375624+00:00"
        assert row["provider_event"] == "failed/permanent/bounce"


@pytest.mark.parametrize(
    ("severity", "reason", "expected"),
    [
        ("temporary", "generic", "soft"),
        ("permanent", "suppress-bounce", "hard"),
        ("permanent", "espblock", "block"),
        ("permanent", "suppress-complaint", "complaint"),
        ("permanent", "old", "soft"),
    ],
)
def test_mailgun_failure_classes(severity: str, reason: str, expected: str) -> None:
    assert only_row(mailgun_failed(severity, reason))["bounce_type"] == expected


def test_mailgun_complaint_and_non_bounces() -> None:
    complaint = {"event": "complained", "recipient": "a@example.com", "timestamp": 1521233195}
    assert only_row(complaint)["bounce_type"] == "complaint"
    with pytest.raises(EspRecordError, match="mailgun delivered event"):
        esp_bounce_rows({"event-data": {"event": "delivered", "recipient": "a@example.com"}})
    with pytest.raises(EspRecordError, match="unsubscribed"):
        esp_bounce_rows(mailgun_failed(reason="suppress-unsubscribe"))


def postmark(kind: str = "HardBounce", **fields: Any) -> dict[str, Any]:
    return {
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1,
        "Name": "Hard bounce",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": "john@example.com",
        "From": "sender@example.com",
        "BouncedAt": "2019-11-05T16:33:54.9070259Z",
        "Inactive": True,
        **fields,
    }


def test_postmark_webhook_and_api_item() -> None:
    for record in (postmark(RecordType="Bounce"), postmark()):
        row = only_row(record)
        assert row["provider"] == "postmark"
        assert row["bounce_type"] == "hard"
        assert row["bounced_at"] == "2019-11-05T16:33:54.9070259Z"
        assert (row["smtp_code"], row["enhanced_status"]) == ("550", "5.1.1")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("SoftBounce", "soft"),
        ("Transient", "soft"),
        ("SpamComplaint", "complaint"),
        ("Blocked", "block"),
        ("BadEmailAddress", "hard"),
        ("Unknown", None),
    ],
)
def test_postmark_types(kind: str, expected: str | None) -> None:
    assert only_row(postmark(kind))["bounce_type"] == expected


def test_postmark_non_bounces_are_refused() -> None:
    with pytest.raises(EspRecordError, match="postmark Subscribe event"):
        esp_bounce_rows(postmark("Subscribe"))
    with pytest.raises(EspRecordError, match="postmark Delivery event"):
        esp_bounce_rows({"RecordType": "Delivery", "Recipient": "john@example.com"})


def test_flat_and_unknown_records_are_no_esp_shape() -> None:
    assert esp_bounce_rows({"email": "a@example.com", "bounced_at": "2024-01-01"}) is None
    assert esp_bounce_rows({"msg": {"email": "a@example.com"}}) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("x", "x"),
        (True, "true"),
        (550, "550"),
        (1.5, "1.5"),
        ({"a": "é"}, '{"a": "é"}'),
    ],
)
def test_as_text(value: object, expected: str | None) -> None:
    assert as_text(value) == expected

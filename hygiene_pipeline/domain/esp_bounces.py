"""Flatten the bounce exports of email service providers into canonical `email_bounces` rows.

Recognised shapes, one JSON object each (the reader hands over one line or array element):

- Amazon SES notifications (`notificationType`) and event-publishing records (`eventType`) of
  type `Bounce` or `Complaint`, bare or wrapped in an SNS envelope whose `Message` is the
  notification as a JSON string. One notification yields one row per recipient. The event time
  is the bounce's (complaint's) own `timestamp`, else the SNS envelope's `Timestamp` (when SNS
  published it, moments after the event), else the time the message was sent.
- SendGrid event webhook events: `bounce` (`type` `bounce` = hard, `blocked` = block),
  `dropped` for a previously bounced or invalid address (hard) or a spam reporter
  (complaint), and `spamreport` (complaint).
- Mailgun events (events API items, or webhook payloads with `event-data`): `failed` by
  `severity` (permanent = hard, temporary = soft; `reason` `espblock` = block,
  `suppress-complaint` = complaint, `old` = soft) and `complained`. Mailgun's legacy webhooks
  post flat form fields instead (`event`, `recipient`, `code`, `error`, `reason`,
  `description`, `timestamp`): `bounced` is a hard bounce, `dropped` is classed by its `reason`
  (`hardfail` and `suppress-bounce` = hard, `maxfails` and `old` = soft, `espblock` = block,
  `suppress-complaint` = complaint).
- Postmark bounce records (bounce webhook with `RecordType`, or bounces API items) by `Type`
  (`HardBounce`, `SoftBounce`, `SpamComplaint`, `Blocked`, ...).

Canonical columns: `email`, `bounced_at` (ISO 8601; epoch seconds become UTC), `bounce_type`
(`hard`/`soft`/`block`/`complaint`, `None` when the provider leaves it undetermined),
`smtp_code`, `enhanced_status` (taken from the diagnostic text when the provider has no field
for it), `diagnostic`, `provider` (`ses`, `sendgrid`, `mailgun`, `postmark`) and
`provider_event`, the provider's own classification (e.g. `Bounce/Permanent/General`).
Events of a recognised provider that are no bounce or complaint (deliveries, opens, ...) raise
`EspRecordError` so the reader can quarantine them with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

ESP_BOUNCE_COLUMNS: list[str] = [
    "email",
    "bounced_at",
    "bounce_type",
    "smtp_code",
    "enhanced_status",
    "diagnostic",
    "provider",
    "provider_event",
]
BounceRow = dict[str, str | None]

SMTP_CODE = re.compile(r"(?<![\d.])([245]\d\d)(?=[\s-])")
ENHANCED_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")

SES_BOUNCE_TYPES = {"Permanent": "hard", "Transient": "soft", "Undetermined": None}
SES_BLOCK_SUBTYPES = frozenset({"ContentRejected", "AttachmentRejected"})
SENDGRID_DROP_REASONS = {
    "bounced address": "hard",
    "invalid": "hard",
    "spam reporting address": "complaint",
}
MAILGUN_FAILED_REASONS = {"espblock": "block", "suppress-complaint": "complaint", "old": "soft"}
MAILGUN_SEVERITIES = {"permanent": "hard", "temporary": "soft"}
MAILGUN_LEGACY_DROP_REASONS: dict[str, str | None] = {
    "hardfail": "hard",
    "suppress-bounce": "hard",
    "maxfails": "soft",
    "old": "soft",
    "espblock": "block",
    "suppress-complaint": "complaint",
}
# Postmark bounce types that are failures of the recipient address; the others (Subscribe,
# AutoResponder, TemplateRenderingFailed, ...) are no bounce. `None`: a bounce of unknown class.
POSTMARK_TYPES: dict[str, str | None] = {
    "HardBounce": "hard",
    "BadEmailAddress": "hard",
    "SoftBounce": "soft",
    "Transient": "soft",
    "DnsError": "soft",
    "SpamComplaint": "complaint",
    "Blocked": "block",
    "DMARCPolicy": "block",
    "SpamNotification": "block",
    "VirusNotification": "block",
    "Unknown": None,
    "ManuallyDeactivated": None,
    "Unconfirmed": None,
}


class EspRecordError(ValueError):
    """A record of a recognised provider that holds no bounce (its message says why)."""


def esp_bounce_rows(record: Mapping[str, Any]) -> list[BounceRow] | None:
    """The canonical rows of one provider record, or `None` when no provider shape matches."""
    envelope_time = None
    if record.get("Type") == "Notification" and isinstance(record.get("Message"), str):
        envelope_time = record.get("Timestamp")
        try:
            record = json.loads(record["Message"])
        except json.JSONDecodeError:
            raise EspRecordError("SNS notification whose Message is not JSON") from None
        if not isinstance(record, dict):
            raise EspRecordError("SNS notification whose Message is not a JSON object")
    if _is_ses(record):
        return _ses_rows(record, envelope_time)
    for recognises, flatten in SHAPES:
        if recognises(record):
            return flatten(record)
    return None


def as_text(value: object) -> str | None:
    """A JSON value as the text a CSV cell would hold (`true`, `550`, nested values as JSON)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def _bounce_row(
    provider: str,
    provider_event: str,
    *,
    email: object,
    bounced_at: object,
    bounce_type: str | None,
    diagnostic: object,
    smtp_code: object = None,
    enhanced_status: object = None,
) -> BounceRow:
    """One canonical row; codes missing from the record are read from the diagnostic text."""
    diagnostic_text = as_text(diagnostic)
    return {
        "email": as_text(email),
        "bounced_at": _timestamp_text(bounced_at),
        "bounce_type": bounce_type,
        "smtp_code": as_text(smtp_code) or _search(SMTP_CODE, diagnostic_text),
        "enhanced_status": as_text(enhanced_status) or _search(ENHANCED_STATUS, diagnostic_text),
        "diagnostic": diagnostic_text,
        "provider": provider,
        "provider_event": provider_event,
    }


def _search(pattern: re.Pattern[str], text: str | None) -> str | None:
    match = pattern.search(text) if text else None
    return match.group(1) if match else None


def _timestamp_text(value: object) -> str | None:
    """Epoch seconds (SendGrid, Mailgun) as ISO 8601 UTC, so one feed has one time format."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            pass  # not epoch seconds: left as given for the standardiser to judge
    return as_text(value)


def _not_a_bounce(provider: str, event: object) -> EspRecordError:
    return EspRecordError(f"not a bounce or complaint: {provider} {event} event")


def _is_ses(record: Mapping[str, Any]) -> bool:
    return isinstance(record.get("mail"), dict) and (
        "notificationType" in record or "eventType" in record
    )


def _ses_rows(record: Mapping[str, Any], envelope_time: object = None) -> list[BounceRow]:
    """Rows of an SES notification; `envelope_time` is its SNS envelope's `Timestamp`."""
    kind = record.get("notificationType") or record.get("eventType")
    fallback_time = envelope_time or record["mail"].get("timestamp")
    if kind == "Bounce":
        bounce = record.get("bounce") or {}
        main_type, sub_type = bounce.get("bounceType"), bounce.get("bounceSubType")
        bounce_type = "block" if sub_type in SES_BLOCK_SUBTYPES else SES_BOUNCE_TYPES.get(main_type)
        rows = [
            _bounce_row(
                "ses",
                f"Bounce/{main_type}/{sub_type}",
                email=recipient.get("emailAddress"),
                bounced_at=bounce.get("timestamp") or fallback_time,
                bounce_type=bounce_type,
                diagnostic=recipient.get("diagnosticCode"),
                enhanced_status=recipient.get("status"),
            )
            for recipient in bounce.get("bouncedRecipients") or []
        ]
    elif kind == "Complaint":
        complaint = record.get("complaint") or {}
        feedback_type = complaint.get("complaintFeedbackType")
        rows = [
            _bounce_row(
                "ses",
                f"Complaint/{feedback_type}" if feedback_type else "Complaint",
                email=recipient.get("emailAddress"),
                bounced_at=complaint.get("timestamp") or fallback_time,
                bounce_type="complaint",
                diagnostic=feedback_type,
            )
            for recipient in complaint.get("complainedRecipients") or []
        ]
    else:
        raise _not_a_bounce("ses", kind)
    if not rows:
        raise EspRecordError(f"ses {kind} notification without recipients")
    return rows


def _is_mailgun(record: Mapping[str, Any]) -> bool:
    return isinstance(record.get("event-data"), dict) or {"event", "recipient"} <= record.keys()


def _mailgun_rows(record: Mapping[str, Any]) -> list[BounceRow]:
    event = record.get("event-data", record)
    kind = event.get("event")
    if kind in ("bounced", "dropped"):
        return _mailgun_legacy_rows(event)
    status = event.get("delivery-status") or {}
    if kind == "complained":
        bounce_type, provider_event = "complaint", "complained"
    elif kind == "failed":
        severity, reason = event.get("severity"), event.get("reason")
        if reason == "suppress-unsubscribe":
            raise EspRecordError("not a bounce or complaint: mailgun failed event (unsubscribed)")
        bounce_type = MAILGUN_FAILED_REASONS.get(reason, MAILGUN_SEVERITIES.get(severity))
        provider_event = f"failed/{severity}/{reason}"
    else:
        raise _not_a_bounce("mailgun", kind)
    return [
        _bounce_row(
            "mailgun",
            provider_event,
            email=event.get("recipient"),
            bounced_at=event.get("timestamp"),
            bounce_type=bounce_type,
            diagnostic=status.get("message") or status.get("description"),
            smtp_code=status.get("code"),
            enhanced_status=status.get("enhanced-code") or status.get("bounce-code"),
        )
    ]


def _mailgun_legacy_rows(event: Mapping[str, Any]) -> list[BounceRow]:
    """A legacy webhook's form fields: `bounced` (hard) or `dropped` (classed by `reason`)."""
    reason = as_text(event.get("reason"))
    if event.get("event") == "bounced":
        bounce_type, provider_event = "hard", "bounced"
    elif reason == "suppress-unsubscribe":
        raise EspRecordError("not a bounce or complaint: mailgun dropped event (unsubscribed)")
    else:
        bounce_type = MAILGUN_LEGACY_DROP_REASONS.get(reason or "")
        provider_event = f"dropped/{reason}" if reason else "dropped"
    return [
        _bounce_row(
            "mailgun",
            provider_event,
            email=event.get("recipient"),
            bounced_at=_epoch_or_text(event.get("timestamp")),
            bounce_type=bounce_type,
            diagnostic=event.get("error") or event.get("description") or event.get("notification"),
            smtp_code=event.get("code"),
        )
    ]


def _epoch_or_text(value: object) -> object:
    """Form fields carry epoch seconds as text (`"1529692199"`); as a number they become UTC."""
    if isinstance(value, str) and re.fullmatch(r"\d{9,10}(\.\d+)?", value.strip()):
        return float(value)
    return value


def _is_sendgrid(record: Mapping[str, Any]) -> bool:
    return {"event", "email"} <= record.keys()


def _sendgrid_rows(record: Mapping[str, Any]) -> list[BounceRow]:
    kind, subtype = record.get("event"), record.get("type")
    if kind == "bounce":
        bounce_type = "block" if subtype == "blocked" else "hard"
    elif kind == "spamreport":
        bounce_type = "complaint"
    elif kind == "dropped" and str(record.get("reason")).lower() in SENDGRID_DROP_REASONS:
        bounce_type = SENDGRID_DROP_REASONS[str(record.get("reason")).lower()]
    else:
        raise _not_a_bounce("sendgrid", kind)
    return [
        _bounce_row(
            "sendgrid",
            f"{kind}/{subtype}" if subtype else str(kind),
            email=record.get("email"),
            bounced_at=record.get("timestamp"),
            bounce_type=bounce_type,
            diagnostic=record.get("reason"),
            enhanced_status=record.get("status"),
        )
    ]


def _is_postmark(record: Mapping[str, Any]) -> bool:
    return "RecordType" in record or {"TypeCode", "Email"} <= record.keys()


def _postmark_rows(record: Mapping[str, Any]) -> list[BounceRow]:
    record_type, kind = record.get("RecordType", "Bounce"), record.get("Type")
    if record_type not in ("Bounce", "SpamComplaint") or kind not in POSTMARK_TYPES:
        raise _not_a_bounce("postmark", kind or record_type)
    return [
        _bounce_row(
            "postmark",
            str(kind),
            email=record.get("Email"),
            bounced_at=record.get("BouncedAt"),
            bounce_type=POSTMARK_TYPES[kind],
            diagnostic=record.get("Details") or record.get("Description"),
        )
    ]


# Most specific first (SES, possibly inside an SNS envelope, is tried before these): a Mailgun
# event has `recipient`, a SendGrid one `email`.
SHAPES: tuple[
    tuple[Callable[[Mapping[str, Any]], bool], Callable[[Mapping[str, Any]], list[BounceRow]]],
    ...,
] = (
    (_is_postmark, _postmark_rows),
    (_is_mailgun, _mailgun_rows),
    (_is_sendgrid, _sendgrid_rows),
)

"""`email_bounces/`: one canonical CSV from the company's own MTA and JSON Lines in the native
export shapes of four email service providers.

- Amazon SES notifications: `notificationType` Bounce/Complaint, `bounce.bounceType`
  Permanent/Transient with `bounceSubType`, `bounce.bouncedRecipients[].emailAddress/status/
  diagnosticCode`, `complaint.complainedRecipients[]`.
- SendGrid event webhook: `event` bounce/dropped/spamreport, `email`, epoch `timestamp`,
  `reason`, `status` ("5.1.1"), `type` bounce/blocked, `bounce_classification`.
- Mailgun events: `event` failed (with `severity` permanent/temporary) or complained,
  `recipient`, epoch `timestamp` with fractions, `delivery-status.code/message/enhanced-code`.
- Postmark bounce webhooks: `RecordType` Bounce/SpamComplaint, `Type` HardBounce/SoftBounce/
  Blocked/SpamComplaint with `TypeCode`, `Email`, `BouncedAt`, `Details`.

Each bounce's class (hard 5.1.1/5.1.10 for a mailbox that is gone, hard 5.1.2/5.4.4 for a domain
that is gone, soft 4.x.x/5.2.2, policy block 5.7.1, complaint, dropped after an earlier bounce)
is stated consistently by every field its provider has. Some rows name the address as the
provider saw it: capitalised, or with the plus tag it was sent to.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.synthetic.bad_rows import (
    malformed_json,
    missing,
    ragged,
    too_long,
    unparseable_date,
)
from hygiene_pipeline.synthetic.columns import (
    assemble,
    group_rows,
    integers_as_text,
    join,
    pick,
    where,
)
from hygiene_pipeline.synthetic.file_io import (
    Written,
    format_times,
    hex_tokens,
    json_text,
    write_csv,
    write_jsonl,
)
from hygiene_pipeline.synthetic.landing_layout import BOUNCE_FILES

PROVIDERS = ("canonical", "ses", "sendgrid", "mailgun", "postmark")
PROVIDER_WEIGHTS = (0.3, 0.2, 0.2, 0.15, 0.15)
CLASSES = ("hard", "dead_domain", "soft", "block", "complaint", "dropped")
PERMANENT = ("hard", "dead_domain")
# (enhanced status, SMTP code, diagnostic text) variants per class.
DETAILS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "hard": (
        ("5.1.1", "550", "550 5.1.1 The email account that you tried to reach does not exist"),
        (
            "5.1.1",
            "550",
            "550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table",
        ),
        (
            "5.1.10",
            "550",
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        ),
    ),
    "dead_domain": (
        (
            "5.1.2",
            "550",
            "550 5.1.2 Host or domain name not found. Name service error: host not found",
        ),
        ("5.4.4", "550", "550 5.4.4 Unable to route: no mail exchanger (MX) for the domain"),
    ),
    "soft": (
        ("4.2.2", "452", "452 4.2.2 The email account that you tried to reach is over quota"),
        ("5.2.2", "552", "552 5.2.2 Mailbox full"),
        ("4.4.1", "421", "421 4.4.1 Connection timed out"),
    ),
    "block": (
        ("5.7.1", "550", "550 5.7.1 Message rejected due to local policy"),
        (
            "5.7.1",
            "554",
            "554 5.7.1 Service unavailable; client host blocked using a DNS blocklist",
        ),
    ),
    "complaint": (("", "", "Recipient reported the message as spam"),),
    "dropped": (("5.0.0", "", "Bounced Address"),),
}
SENDER = "news@marketing.example.com"


_TYPE_WORD = {
    "hard": "hard",
    "dead_domain": "hard",
    "soft": "soft",
    "block": "block",
    "complaint": "complaint",
    "dropped": "hard",
}


def _details(
    rng: np.random.Generator, klass: str, size: int
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(enhanced status, SMTP code, diagnostic) per row, one of the class's variants each."""
    variants = DETAILS[klass]
    chosen = pa.array(rng.integers(0, len(variants), size=size))
    status, code, diagnostic = (
        pa.array(list(column), pa.string()).take(chosen) for column in zip(*variants, strict=True)
    )
    return status, code, diagnostic


def _canonical(rng: np.random.Generator, klass: str, email: pa.Array, ts: np.ndarray) -> pa.Table:
    n = len(email)
    status, code, diagnostic = _details(rng, klass, n)
    blank_type = (rng.random(n) < 0.2) & (klass in ("hard", "dead_domain", "soft"))
    given_type = where(blank_type, pa.scalar(None, pa.string()), _TYPE_WORD[klass])
    empty = pa.scalar(None, pa.string())
    return pa.table(
        {
            "email": email,
            "bounced_at": format_times(ts, "%Y-%m-%d %H:%M:%S", -1),
            "bounce_type": given_type,
            "smtp_code": pc.if_else(pc.equal(code, ""), empty, code),
            "enhanced_status": pc.if_else(pc.equal(status, ""), empty, status),
            "diagnostic": diagnostic,
            "provider": pick(rng, ("postfix", "exchange-online"), n),
        }
    )


def _ses(rng: np.random.Generator, klass: str, email: pa.Array, ts: np.ndarray) -> pa.Array:
    n = len(email)
    address = json_text(email)
    stamp = format_times(ts, "%Y-%m-%dT%H:%M:%S.000Z", -1)
    mail = join(
        ',"mail":{"timestamp":"',
        format_times(ts - 2, "%Y-%m-%dT%H:%M:%S.000Z", -1),
        f'","source":"{SENDER}","messageId":"',
        hex_tokens(rng, n, 16),
        "-",
        hex_tokens(rng, n, 8),
        '-000000","destination":[',
        address,
        "]}}",
    )
    feedback = join(hex_tokens(rng, n, 16), "-", hex_tokens(rng, n, 12), "-000000")
    if klass == "complaint":
        return join(
            '{"notificationType":"Complaint","complaint":{"feedbackId":"',
            feedback,
            '","complaintFeedbackType":"abuse","complainedRecipients":[{"emailAddress":',
            address,
            '}],"timestamp":"',
            stamp,
            '","userAgent":"Mail-Feedback/1.0"}',
            mail,
        )
    status, _, diagnostic = _details(rng, klass, n)
    kind = {
        "hard": "Permanent",
        "dead_domain": "Permanent",
        "soft": "Transient",
        "block": "Transient",
    }[klass]
    sub = {
        "hard": pa.scalar("General"),
        "dead_domain": pa.scalar("General"),
        "block": pa.scalar("ContentRejected"),
        "soft": where(pc.equal(status, "4.4.1"), "General", "MailboxFull"),
    }[klass]
    return join(
        '{"notificationType":"Bounce","bounce":{"feedbackId":"',
        feedback,
        f'","bounceType":"{kind}","bounceSubType":"',
        sub,
        '","bouncedRecipients":[{"emailAddress":',
        address,
        ',"action":"failed","status":"',
        status,
        '","diagnosticCode":"smtp; ',
        diagnostic,
        '"}],"timestamp":"',
        stamp,
        '","reportingMTA":"dsn; a8-30.smtp-out.amazonses.com"}',
        mail,
    )


def _sendgrid(rng: np.random.Generator, klass: str, email: pa.Array, ts: np.ndarray) -> pa.Array:
    n = len(email)
    head = join(
        '{"email":',
        json_text(email),
        ',"timestamp":',
        integers_as_text(ts),
        ',"smtp-id":"<',
        hex_tokens(rng, n, 14),
        '@ismtpd0042p1mdw1.sendgrid.net>","sg_event_id":"',
        hex_tokens(rng, n, 22),
        '","sg_message_id":"',
        hex_tokens(rng, n, 22),
        '"',
    )
    if klass == "complaint":
        return join(head, ',"event":"spamreport"}')
    status, _, diagnostic = _details(rng, klass, n)
    if klass == "dropped":
        return join(head, ',"event":"dropped","reason":"', diagnostic, '","status":"', status, '"}')
    kind = "bounce" if klass in PERMANENT else "blocked"
    classification = {
        "hard": "Invalid Address",
        "dead_domain": "Technical",
        "soft": "Mailbox Unavailable",
        "block": "Reputation",
    }[klass]
    return join(
        head,
        ',"event":"bounce","category":["newsletter"],"reason":"',
        diagnostic,
        '","status":"',
        status,
        f'","type":"{kind}","bounce_classification":"{classification}"}}',
    )


def _mailgun(rng: np.random.Generator, klass: str, email: pa.Array, ts: np.ndarray) -> pa.Array:
    n = len(email)
    stamp = join(
        integers_as_text(ts), ".", integers_as_text(rng.integers(0, 10**6, size=n), width=6)
    )
    domain = pc.list_element(pc.split_pattern(pc.utf8_lower(email), "@", max_splits=1), 1)
    head = join(
        '{"id":"',
        hex_tokens(rng, n, 22),
        '","timestamp":',
        stamp,
        ',"recipient":',
        json_text(email),
    )
    message = join(
        ',"message":{"headers":{"message-id":"',
        integers_as_text(ts),
        ".",
        hex_tokens(rng, n, 16),
        '@mg.marketing.example.com"}}',
    )
    if klass == "complaint":
        return join(head, ',"event":"complained","log-level":"warn"', message, "}")
    status, code, diagnostic = _details(rng, klass, n)
    severity, reason, level = (
        ("temporary", "generic", "warn") if klass == "soft" else ("permanent", "bounce", "error")
    )
    text = pc.utf8_slice_codeunits(diagnostic, 4)
    return join(
        head,
        f',"event":"failed","severity":"{severity}","reason":"{reason}","log-level":"{level}","recipient-domain":"',
        domain,
        '","delivery-status":{"attempt-no":1,"code":',
        code,
        ',"message":"',
        text,
        '","description":"","enhanced-code":"',
        status,
        '","mx-host":"mx.',
        domain,
        '"}',
        message,
        "}",
    )


_HARD_POSTMARK = (
    "Bounce",
    "HardBounce",
    "1",
    "Hard bounce",
    "true",
    "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
)
_POSTMARK_TYPES = {
    "hard": _HARD_POSTMARK,
    "dead_domain": _HARD_POSTMARK,
    "soft": (
        "Bounce",
        "SoftBounce",
        "4096",
        "Soft bounce",
        "false",
        "Unable to temporarily deliver this email. We will retry sending it.",
    ),
    "block": (
        "Bounce",
        "Blocked",
        "100006",
        "ISP block",
        "false",
        "The ISP rejected the message because of the sending server or its content.",
    ),
    "complaint": (
        "SpamComplaint",
        "SpamComplaint",
        "100001",
        "Spam complaint",
        "true",
        "The subscriber explicitly marked this message as spam.",
    ),
}


def _postmark(rng: np.random.Generator, klass: str, email: pa.Array, ts: np.ndarray) -> pa.Array:
    n = len(email)
    record, kind, code, name, inactive, description = _POSTMARK_TYPES[klass]
    _, _, diagnostic = _details(rng, klass, n)
    details = join("smtp;", diagnostic) if klass != "complaint" else diagnostic
    return join(
        f'{{"RecordType":"{record}","ID":',
        integers_as_text(rng.integers(10**9, 4 * 10**9, size=n)),
        f',"Type":"{kind}","TypeCode":{code},"Name":"{name}","Tag":"newsletter","MessageID":"',
        hex_tokens(rng, n, 8),
        "-",
        hex_tokens(rng, n, 4),
        "-",
        hex_tokens(rng, n, 4),
        "-",
        hex_tokens(rng, n, 4),
        "-",
        hex_tokens(rng, n, 12),
        f'","ServerID":23145,"MessageStream":"broadcast","Description":"{description}","Details":',
        json_text(details),
        ',"Email":',
        json_text(email),
        f',"From":"{SENDER}","BouncedAt":"',
        format_times(ts, "%Y-%m-%dT%H:%M:%S.0000000Z", -1),
        f'","DumpAvailable":false,"Inactive":{inactive},"CanActivate":true,',
        '"Subject":"Your monthly product update"}',
    )


_WRITERS = {"ses": _ses, "sendgrid": _sendgrid, "mailgun": _mailgun, "postmark": _postmark}


def _addresses(rng: np.random.Generator, bounces: pd.DataFrame) -> pa.Array:
    """The bounced address as the provider saw it: sometimes capitalised, sometimes with the
    plus tag the message was sent to."""
    address = pa.array(bounces["address"].to_numpy(dtype=object), pa.string())
    n = len(address)
    parts = pc.split_pattern(address, "@", max_splits=1)
    tagged = join(pc.list_element(parts, 0), "+news@", pc.list_element(parts, 1))
    address = where(rng.random(n) < 0.05, tagged, address)
    return where(rng.random(n) < 0.1, pc.utf8_capitalize(address), address)


_TEMPLATE = {
    "email": "archived.contact@northwind-archive.com",
    "bounced_at": "2025-01-15 10:00:00",
    "bounce_type": "hard",
    "smtp_code": "550",
    "enhanced_status": "5.1.1",
    "diagnostic": "550 5.1.1 User unknown",
    "provider": "postfix",
}
_BAD_CSV_ROWS = (
    missing(_TEMPLATE, "email"),
    unparseable_date(_TEMPLATE, "bounced_at", "2025-13-45 25:61:00"),
    ragged(_TEMPLATE, extra=1),
    too_long(_TEMPLATE, "diagnostic", "550 5.1.1 User unknown; "),
)
_MALFORMED_SES = malformed_json('{"notificationType":"Bounce","bounce":{"feedbackId":"0100018d2f')


def write_bounces(folder: Path, rng: np.random.Generator, bounces: pd.DataFrame) -> list[Written]:
    """Write the canonical CSV and the four provider exports of `email_bounces/`."""
    klass = bounces["klass"].to_numpy()
    class_code = pd.Series(klass).map({c: i for i, c in enumerate(CLASSES)}).to_numpy(np.int64)
    provider = rng.choice(len(PROVIDERS), size=len(bounces), p=PROVIDER_WEIGHTS)
    provider = np.where(klass == "dropped", PROVIDERS.index("sendgrid"), provider)
    email = _addresses(rng, bounces)
    ts = bounces["ts"].to_numpy()
    written = []
    for p, name in enumerate(PROVIDERS):
        rows = np.flatnonzero(provider == p)
        blocks = [(CLASSES[k], rows[at]) for k, at in group_rows(class_code[rows])]
        order = [r for _, r in blocks]
        if name == "canonical":
            parts = [_canonical(rng, k, email.take(pa.array(r)), ts[r]) for k, r in blocks]
            parts = parts or [
                _canonical(rng, "hard", pa.array([], pa.string()), np.zeros(0, np.int64))
            ]
            table = pa.concat_tables(parts)
            if order:
                table = table.take(pa.array(np.argsort(np.concatenate(order), kind="stable")))
            written.append(write_csv(folder / BOUNCE_FILES[name], table, "utf-8", _BAD_CSV_ROWS))
        else:
            lines = [_WRITERS[name](rng, k, email.take(pa.array(r)), ts[r]) for k, r in blocks]
            text = assemble(lines, order) if lines else pa.array([], pa.string())
            written.append(
                write_jsonl(
                    folder / BOUNCE_FILES[name], text, (_MALFORMED_SES,) if name == "ses" else ()
                )
            )
    return written

"""What a careful reader can learn from a generated landing folder alone: every call, event,
bounce and do-not-call entry, each traced to the people it can concern (through a contact id, or
a number or mailbox on their records). Independent of the generator's internals and of the
pipeline: plain csv/json parsing and `phonenumbers`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from landing_readers import e164, read_jsonl, read_rows

from hygiene_pipeline.synthetic.call_export import DISPOSITION_CODES

REGIONS = ("US", "GB", "DE", "FR", "CN")
CODE_MEANING = {code: word for word, codes in DISPOSITION_CODES.items() for code in codes}
_STATUS = re.compile(r"\b([245]\.\d\.\d{1,3})\b")


def mailbox(address: str) -> str:
    """The mailbox an address delivers to: trimmed, lower case, plus tag dropped."""
    local, _, domain = address.strip().lower().partition("@")
    return local.split("+", 1)[0] + "@" + domain


@dataclass
class Observed:
    """Every observation with the set of people it can concern."""

    crm: pd.DataFrame
    calls: pd.DataFrame  # at, disposition, contact_id, number, people
    events: pd.DataFrame  # at, event_type, people
    bounces: pd.DataFrame  # at, mailbox, status, people
    dnc: pd.DataFrame  # file, phone, numbers (every E.164 it can denote), people
    number_owners: dict[str, set[str]]
    mailbox_owners: dict[str, set[str]]

    def people_with(self, frame: str, **equals: object) -> set[str]:
        """People concerned by the rows of `frame` whose columns equal the given values."""
        rows = getattr(self, frame)
        for column, value in equals.items():
            rows = rows[rows[column].isin(value if isinstance(value, set | list) else [value])]
        return set().union(*rows["people"]) if len(rows) else set()


def _owners(crm: pd.DataFrame) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    numbers: dict[str, set[str]] = {}
    mailboxes: dict[str, set[str]] = {}
    for row in crm.itertuples():
        for raw in (row.phone, row.mobile_phone):
            number = e164(raw, row.region) if raw else None
            if number:
                numbers.setdefault(number, set()).add(row.person_id)
        if "@" in row.email and "@@" not in row.email:
            mailboxes.setdefault(mailbox(row.email), set()).add(row.person_id)
    return numbers, mailboxes


def _good(rows: list[list[str]], header: list[str], bad: set[int]) -> pd.DataFrame:
    return pd.DataFrame(
        [r for i, r in enumerate(rows, 1) if i not in bad and len(r) == len(header)],
        columns=header,
    )


def _calls(
    landing: Path, bad: dict[str, set[int]], person_of: dict[str, str], numbers: dict
) -> pd.DataFrame:
    frames = []
    for name, fmt in (
        ("vicidial_call_export.csv", "%Y-%m-%d %H:%M:%S"),
        ("dialer_calls_export.csv", "%Y-%m-%dT%H:%M:%SZ"),
    ):
        header, rows = read_rows(landing / "call_logs" / name, "utf-8")
        frame = _good(rows, header, bad.get(name, set()))
        frame["at"] = pd.to_datetime(frame["called_at"], format=fmt, utc=True)
        frame["disposition"] = frame["disposition"].map(lambda d: CODE_MEANING.get(d, d))
        frames.append(frame)
    calls = pd.concat(frames, ignore_index=True)
    calls["number"] = [e164(raw, "US") if raw else None for raw in calls["phone_dialed"]]
    calls["people"] = [
        {person_of[contact]} if contact else numbers.get(number, set())
        for contact, number in zip(calls["contact_id"], calls["number"], strict=True)
    ]
    return calls[["at", "disposition", "contact_id", "number", "people"]]


def _json_lines(path: Path) -> list[dict]:
    out = []
    for line in read_jsonl(path):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def _events(
    landing: Path, bad: dict[str, set[int]], person_of: dict[str, str], mailboxes: dict
) -> pd.DataFrame:
    header, rows = read_rows(landing / "engagement_events" / "web_activity.csv", "utf-8")
    web = _good(rows, header, bad.get("web_activity.csv", set()))
    web = web[web["event_type"] != ""]
    web_rows = [
        (datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), kind, {person_of[c]})
        for at, kind, c in zip(
            web["occurred_at"], web["event_type"], web["contact_id"], strict=True
        )
        if c in person_of
    ]
    email_rows = [
        (
            datetime.fromtimestamp(doc["occurred_at"], UTC),
            doc["event_type"],
            mailboxes.get(mailbox(doc["email"]), set()),
        )
        for doc in _json_lines(landing / "engagement_events" / "email_activity.jsonl")
    ]
    return pd.DataFrame(web_rows + email_rows, columns=["at", "event_type", "people"])


def _bounce_rows(landing: Path, bad: dict[str, set[int]]) -> list[tuple[datetime, str, str]]:
    folder = landing / "email_bounces"
    header, rows = read_rows(folder / "bounces_mta_export.csv", "utf-8")
    mta = _good(rows, header, bad.get("bounces_mta_export.csv", set()))
    out = [
        (datetime.strptime(at, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC), email, status)
        for at, email, status in zip(
            mta["bounced_at"], mta["email"], mta["enhanced_status"], strict=True
        )
        if email
    ]
    for doc in _json_lines(folder / "ses_notifications.jsonl"):
        if doc["notificationType"] == "Bounce":
            recipient = doc["bounce"]["bouncedRecipients"][0]
            at = datetime.fromisoformat(doc["bounce"]["timestamp"].replace("Z", "+00:00"))
            out.append((at, recipient["emailAddress"], recipient["status"]))
    for doc in _json_lines(folder / "sendgrid_events.jsonl"):
        at = datetime.fromtimestamp(doc["timestamp"], UTC)
        out.append((at, doc["email"], doc.get("status", "")))
    for doc in _json_lines(folder / "mailgun_events.jsonl"):
        at = datetime.fromtimestamp(doc["timestamp"], UTC)
        out.append((at, doc["recipient"], doc.get("delivery-status", {}).get("enhanced-code", "")))
    for doc in _json_lines(folder / "postmark_bounces.jsonl"):
        at = datetime.fromisoformat(doc["BouncedAt"][:19] + "+00:00")
        found = _STATUS.search(doc["Details"])
        out.append((at, doc["Email"], found.group(1) if found else ""))
    return out


def _dnc(landing: Path, bad: dict[str, set[int]], numbers: dict) -> pd.DataFrame:
    rows_out = []
    for name in (
        "national_dnc_registry.csv",
        "internal_dnc_requests.csv",
        "regional_dnc_requests.csv",
    ):
        header, rows = read_rows(landing / "dnc_list" / name, "utf-8")
        for row in _good(rows, header, bad.get(name, set())).itertuples():
            if not row.phone:
                continue
            if name.startswith("national"):
                denoted = {e164(row.phone, "US")}
            elif name.startswith("regional"):
                denoted = {e164(row.phone, row.country)}
            else:
                denoted = {e164(row.phone, region) for region in REGIONS}
            denoted.discard(None)
            people = set().union(*(numbers.get(n, set()) for n in denoted)) if denoted else set()
            rows_out.append((name, row.phone, denoted, people))
    return pd.DataFrame(rows_out, columns=["file", "phone", "numbers", "people"])


def observe_landing(landing: Path, crm: pd.DataFrame, bad_rows: pd.DataFrame) -> Observed:
    """Read every feed of a generated landing folder and trace each row to people."""
    bad: dict[str, set[int]] = {}
    for row in bad_rows.itertuples():
        bad.setdefault(row.file, set()).add(int(row.row_number))
    numbers, mailboxes = _owners(crm)
    person_of = dict(zip(crm["contact_id"], crm["person_id"], strict=True))
    bounce_rows = _bounce_rows(landing, bad)
    bounces = pd.DataFrame(
        [
            (at, mailbox(email), status, mailboxes.get(mailbox(email), set()))
            for at, email, status in bounce_rows
        ],
        columns=["at", "mailbox", "status", "people"],
    )
    return Observed(
        crm=crm,
        calls=_calls(landing, bad, person_of, numbers),
        events=_events(landing, bad, person_of, mailboxes),
        bounces=bounces,
        dnc=_dnc(landing, bad, numbers),
        number_owners=numbers,
        mailbox_owners=mailboxes,
    )

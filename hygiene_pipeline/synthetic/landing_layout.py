"""Which files the generator writes into each landing feed folder, and how.

CRM contacts come from three source systems. The Salesforce and HubSpot exports name their
system in a `source_system` column; the legacy CRM only in its file names (`legacy_...`), so
ingest takes the source from the first token of the file stem. The legacy exports use three
encodings: GB18030 (Chinese names in characters), Latin-1 and UTF-8 with a byte-order mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Source(IntEnum):
    """The CRM a contact record comes from (values index `SOURCE_NAMES`)."""

    SALESFORCE = 0
    HUBSPOT = 1
    LEGACY = 2


SOURCE_NAMES: tuple[str, ...] = ("salesforce", "hubspot", "legacy")
SOURCE_WEIGHTS: tuple[float, ...] = (0.5, 0.3, 0.2)


@dataclass(frozen=True)
class CrmFile:
    """One CRM export file: its source, the countries whose contacts it holds and its text form."""

    name: str
    source: Source
    countries: tuple[str, ...]
    encoding: str  # a Python codec; "utf-8-sig" writes a byte-order mark
    local_script_names: bool = False  # Chinese names in characters rather than pinyin
    # How finely the export writes last_activity_at: "day" or "minute".
    activity_precision: str = "day"


CRM_FILES: tuple[CrmFile, ...] = (
    CrmFile("salesforce_contacts_amer.csv", Source.SALESFORCE, ("US",), "utf-8"),
    CrmFile("salesforce_contacts_emea.csv", Source.SALESFORCE, ("GB", "DE", "FR"), "utf-8"),
    CrmFile("salesforce_contacts_apac.csv", Source.SALESFORCE, ("CN",), "utf-8"),
    CrmFile(
        "hubspot_contacts_export.csv",
        Source.HUBSPOT,
        ("US", "GB", "DE", "FR", "CN"),
        "utf-8",
        activity_precision="minute",
    ),
    CrmFile("legacy_crm_contacts_na.csv", Source.LEGACY, ("US",), "utf-8-sig"),
    CrmFile("legacy_crm_contacts_europe.csv", Source.LEGACY, ("GB", "DE", "FR"), "latin-1"),
    CrmFile(
        "legacy_crm_contacts_cn.csv",
        Source.LEGACY,
        ("CN",),
        "gb18030",
        local_script_names=True,
        activity_precision="minute",
    ),
)

BOUNCE_FILES = {
    "canonical": "bounces_mta_export.csv",
    "ses": "ses_notifications.jsonl",
    "sendgrid": "sendgrid_events.jsonl",
    "mailgun": "mailgun_events.jsonl",
    "postmark": "postmark_bounces.jsonl",
}
CALL_FILES = {"codes": "vicidial_call_export.csv", "words": "dialer_calls_export.csv"}
ENGAGEMENT_FILES = {"web": "web_activity.csv", "email": "email_activity.jsonl"}
DNC_FILES = {
    "registry": "national_dnc_registry.csv",
    "internal": "internal_dnc_requests.csv",
    "regional": "regional_dnc_requests.csv",
}

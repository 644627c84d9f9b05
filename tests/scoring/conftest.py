"""A small hand-built CRM for the scoring unit tests: people, their records and their evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pandas as pd
import pytest

from hygiene_pipeline.domain.feed_frames import FeedFrames
from hygiene_pipeline.domain.standardise import standardise_dnc_list
from hygiene_pipeline.linkage.accounts import person_accounts, record_accounts
from hygiene_pipeline.scoring.pipeline import ScoringResult, score_people
from hygiene_pipeline.scoring.settings import ScoringSettings

AS_OF = pd.Timestamp("2026-06-30 15:00", tz="UTC")


def days_ago(days: float) -> pd.Timestamp:
    """A timestamp `days` before the tests' `as_of`."""
    return AS_OF - pd.Timedelta(days=days)


@dataclass
class World:
    """People with one CRM record each (add more with `record`) and their calls, events, bounces.

    Each person gets a distinct valid New York number, a work email and consent by default.
    """

    settings: ScoringSettings = field(default_factory=ScoringSettings)
    golden: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    bounces: list[dict[str, Any]] = field(default_factory=list)
    dnc: list[dict[str, Any]] = field(default_factory=list)
    as_of: pd.Timestamp = AS_OF
    _numbers: Any = field(default_factory=lambda: count(1000))

    def ago(self, days: float) -> pd.Timestamp:
        """A timestamp `days` before `as_of`."""
        return days_ago(days)

    def person(
        self,
        entity_id: str,
        *,
        phone: str | None = "auto",
        mobile: str | None = None,
        email: str | None = "auto",
        company: str | None = None,
        last_activity_days: float | None = 10,
        presence_days: float | None = 10,
        **record: Any,
    ) -> str:
        """Add a person and one CRM record (`contact_id` = entity id); returns the phone.

        The default email is at the company's own domain (the person's own company when none
        is given), so people of one company share an account. `presence_days` plants strong
        presence that long ago: an answered call on the phone (else an email click), outside the
        7-day call window and not an intent signal.
        """
        if phone == "auto":
            phone = f"+1212555{next(self._numbers):04d}"
        company = company or f"{entity_id} Holdings"
        if email == "auto":
            email = f"{entity_id.lower()}@{company.lower().replace(' ', '-')}.com"
        self.golden.append(
            {
                "entity_id": entity_id,
                "email": email,
                "email_key": email,
                "phone_e164": phone,
                "mobile_phone_e164": mobile,
                "company": company,
                "company_key": company.lower(),
            }
        )
        self.record(
            entity_id,
            contact_id=entity_id,
            phone_e164=phone,
            mobile_phone_e164=mobile,
            email=email,
            company=company,
            last_activity_at=None if last_activity_days is None else days_ago(last_activity_days),
            **record,
        )
        if presence_days is not None and phone is not None:
            self.call(presence_days, "connected", contact_id=entity_id, phone=phone)
        elif presence_days is not None:
            self.event(presence_days, "email_click", contact_id=entity_id)
        return phone

    def record(
        self, entity_id: str, *, contact_id: str, source_system: str = "crm", **values: Any
    ) -> None:
        """Add a member record of a person."""
        row = {
            "record_key": f"{source_system}:{contact_id}",
            "contact_id": contact_id,
            "source_system": source_system,
            "entity_id": entity_id,
            "phone_valid": values.get("phone_e164") is not None,
            "mobile_phone_valid": values.get("mobile_phone_e164") is not None,
            "phone_region": "US",
            "mobile_phone_region": "US",
            "consent_status": "opted_in",
            "consent_expires_at": None,
            "do_not_call": False,
            "do_not_email": False,
            "country": "US",
            **values,
        }
        row.setdefault("email_key", row.get("email"))
        email = row.get("email")
        row.setdefault("email_valid", email is not None)
        row.setdefault("email_domain", email.split("@")[1] if email else None)
        row.setdefault("email_is_role", False)
        company = row.get("company")
        row.setdefault("company_key", company.lower() if company else None)
        self.records.append(row)

    def call(
        self,
        days: float,
        disposition: str,
        *,
        contact_id: str | None = None,
        phone: str | None = None,
    ) -> None:
        """A call attempt `days` before as_of (by contact id, dialled number or both)."""
        self.calls.append(
            {
                "call_id": f"call-{len(self.calls)}",
                "contact_id": contact_id,
                "phone_e164": phone,
                "called_at": days_ago(days),
                "disposition": disposition,
            }
        )

    def event(
        self,
        days: float,
        event_type: str,
        *,
        contact_id: str | None = None,
        email: str | None = None,
    ) -> None:
        """An engagement event `days` before as_of."""
        self.events.append(
            {
                "event_id": f"event-{len(self.events)}",
                "contact_id": contact_id,
                "email": email,
                "email_key": email,
                "event_type": event_type,
                "occurred_at": days_ago(days),
            }
        )

    def bounce(self, days: float, email: str, **values: Any) -> None:
        """A bounce `days` before as_of with any of bounce_type/enhanced_status/smtp_code."""
        row = {"bounce_type": None, "enhanced_status": None, "smtp_code": None, **values}
        self.bounces.append(
            {
                "bounce_id": f"bounce-{len(self.bounces)}",
                "email": email,
                "email_key": email,
                "bounced_at": days_ago(days),
                **row,
            }
        )

    def dnc_number(self, phone: str, days: float | None = 100, country: str | None = None) -> None:
        """A DNC list entry as written (E.164 or national form, optional country)."""
        self.dnc.append(
            {
                "phone_raw": phone,
                "country": country,
                "added_at": None if days is None else days_ago(days).isoformat(),
                "source": "internal",
                "source_file": "dnc.csv",
                "row_number": len(self.dnc) + 1,
            }
        )

    def score(
        self,
        as_of: pd.Timestamp | None = None,
        stored: Callable[[str, pd.DataFrame], Any] | None = None,
    ) -> ScoringResult:
        """Score the world (accounts resolved by the linkage wing's rules, DNC entries
        standardised by the domain's). `stored(name, frame)` turns the golden identities, the
        cross-reference, contacts, calls and events into what scoring is handed instead of
        frames (`name` is their feed or table)."""
        stored = stored or (lambda name, frame: frame)
        records = pd.DataFrame(self.records)
        for column in ("last_activity_at", "consent_expires_at", "updated_at", "created_at"):
            if column in records:
                records[column] = pd.to_datetime(records[column], utc=True)
        if "cluster_flag" not in records:
            records["cluster_flag"] = None
        if "merge_probability" not in records:
            records["merge_probability"] = 1.0
        linkage = ["entity_id", "cluster_flag", "merge_probability"]
        xref = records[["record_key", "contact_id", "source_system", *linkage]]
        crm = records.drop(columns=linkage)
        by_record, accounts = record_accounts(crm)
        xref = xref.assign(account_id=xref["record_key"].map(by_record))
        golden = pd.DataFrame(self.golden)
        golden["account_id"] = golden["entity_id"].map(person_accounts(crm, xref, by_record))
        bounces = pd.DataFrame(
            self.bounces,
            columns=[
                "bounce_id",
                "email",
                "email_key",
                "bounced_at",
                "bounce_type",
                "enhanced_status",
                "smtp_code",
                "diagnostic",
            ],
        )
        bounces["smtp_code"] = bounces["smtp_code"].astype("Int64")
        dnc = pd.DataFrame(
            self.dnc,
            columns=["phone_raw", "country", "added_at", "source", "source_file", "row_number"],
        ).rename(columns={"phone_raw": "phone"})
        dnc = standardise_dnc_list(FeedFrames("dnc_list", dnc.astype(object))).accepted
        calls = pd.DataFrame(
            self.calls, columns=["call_id", "contact_id", "phone_e164", "called_at", "disposition"]
        )
        events = pd.DataFrame(
            self.events,
            columns=["event_id", "contact_id", "email", "email_key", "event_type", "occurred_at"],
        )
        return score_people(
            stored("golden_identities", golden),
            stored("contact_xref", xref),
            stored("crm_contacts", crm),
            bounces,
            stored("call_logs", calls),
            stored("engagement_events", events),
            dnc,
            accounts=accounts,
            as_of=self.as_of if as_of is None else as_of,
            settings=self.settings,
        )

    def scored(self, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
        """The scored people indexed by entity_id."""
        return self.score(as_of).contacts.set_index("entity_id")


@pytest.fixture
def world() -> Callable[..., World]:
    """A factory of empty worlds (optionally with settings)."""
    return lambda settings=None: World(settings=settings or ScoringSettings())

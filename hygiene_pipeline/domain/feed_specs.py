"""What each landing feed must contain, from the contract: required and recognised columns.

A required "column" is a group of alternatives: a row satisfies `("phone_dialed", "contact_id")`
when either column has a value. The specs drive the reader's quarantine rules and give empty
feeds their columns, so downstream steps never have to guess a frame's shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from hygiene_pipeline.domain.feed_frames import FEEDS


class FeedError(ValueError):
    """A feed (or its column mapping file) cannot be read at all; the message names the file."""


@dataclass(frozen=True)
class FeedSpec:
    """The contract of one landing feed folder."""

    name: str
    folder_required: bool
    required: tuple[tuple[str, ...], ...]
    optional: tuple[str, ...]
    json_allowed: bool = False
    source_system_from_file_name: bool = False
    unique_within: tuple[str, str] | None = None

    @property
    def columns(self) -> list[str]:
        """Every contract column of the feed, required ones first, each once."""
        names = [name for group in self.required for name in group] + list(self.optional)
        return list(dict.fromkeys(names))


def describe_group(group: tuple[str, ...]) -> str:
    """A required group as users read it: `phone_dialed or contact_id`."""
    return " or ".join(group)


FEED_SPECS: dict[str, FeedSpec] = {
    spec.name: spec
    for spec in (
        FeedSpec(
            name="crm_contacts",
            folder_required=True,
            required=(("contact_id",), ("source_system",)),
            optional=(
                "first_name",
                "last_name",
                "full_name",
                "email",
                "phone",
                "mobile_phone",
                "company",
                "job_title",
                "street",
                "city",
                "state",
                "postal_code",
                "country",
                "created_at",
                "updated_at",
                "last_activity_at",
                "lifecycle_stage",
                "consent_status",
                "consent_source",
                "consent_expires_at",
                "do_not_call",
                "do_not_email",
                "owner",
                # beyond the contract: CRM semantics the exports carry (Salesforce and others)
                "lead_status",
                "home_phone",
                "other_phone",
                "is_deleted",
                "master_record_id",
                "email_bounced",
                "email_bounced_at",
                "email_bounce_reason",
            ),
            source_system_from_file_name=True,
            unique_within=("contact_id", "source_system"),
        ),
        FeedSpec(
            name="email_bounces",
            folder_required=True,
            required=(("email",), ("bounced_at",)),
            optional=(
                "bounce_type",
                "smtp_code",
                "enhanced_status",
                "diagnostic",
                "provider",
                "provider_event",
            ),
            json_allowed=True,
        ),
        FeedSpec(
            name="call_logs",
            folder_required=True,
            # `answered` (a yes/no flag or the time it was answered) stands in for a missing
            # disposition: some dialers (Aircall) record no outcome word for outbound calls
            required=(("phone_dialed", "contact_id"), ("called_at",), ("disposition", "answered")),
            optional=(
                "call_id",
                "duration_seconds",
                "agent_id",
                "campaign",
                "notes",
                "country",
                "phone_country_code",
            ),
        ),
        FeedSpec(
            name="engagement_events",
            folder_required=False,
            required=(("contact_id", "email"), ("event_type",), ("occurred_at",)),
            optional=("source", "url"),
            json_allowed=True,
        ),
        FeedSpec(
            name="dnc_list",
            folder_required=False,
            required=(("phone",),),
            optional=("added_at", "source", "country"),
        ),
    )
}


def feed_spec(feed: str) -> FeedSpec:
    """The spec of `feed`, or a `FeedError` listing the known feeds."""
    try:
        return FEED_SPECS[feed]
    except KeyError:
        raise FeedError(f"unknown feed {feed!r}; known feeds: {', '.join(FEEDS)}") from None

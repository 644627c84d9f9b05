"""Header normalisation and the column mappings that turn CRM export headers into contract names.

Every header is first normalised (`normalise_header`): Unicode NFKC, lower case, and every run
of spaces or punctuation becomes one `_`, so `First Name`, `first_name` and `FIRST-NAME` are all
`first_name`, and `Account.Name` is `account_name` (Chinese headers such as `手机` are kept as
they are). A mapping then renames known export columns per feed (Salesforce `FirstName` ->
`first_name`, HubSpot `hs_lead_status` -> `lead_status`, Twilio `To` -> `phone_dialed`, ...).
Headers no mapping knows keep their normalised name.

Mappings are YAML data, one section per feed, source header -> contract column:

    crm_contacts:
      Account.Name: company
      Custom_Region__c: sales_region
    call_logs:
      Dialled Number: phone_dialed

Both sides are normalised when loaded, so any spelling of a header matches. The built-in
files live in `hygiene_pipeline/domain/mappings/`, one per vendor (`BUILTIN_MAPPING_FILES`, each
naming in a comment the documentation its column names come from) plus `generic.yaml` for common
aliases; no two of them map one header to different columns, so their order does not matter. A
user file in the same format extends them and wins on conflicts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from hygiene_pipeline.domain.feed_frames import FEEDS
from hygiene_pipeline.domain.feed_specs import FeedError

BUILTIN_MAPPING_FILES: tuple[str, ...] = (
    # CRMs
    "salesforce.yaml",
    "hubspot.yaml",
    "dynamics.yaml",
    "zoho.yaml",
    "pipedrive.yaml",
    "chinese_crm.yaml",
    # dialers and call-centre platforms
    "twilio.yaml",
    "five9.yaml",
    "aircall.yaml",
    "genesys.yaml",
    "ringcentral.yaml",
    "vicidial.yaml",
    # common aliases of every kind of export
    "generic.yaml",
)
SEPARATORS = re.compile(r"[\W_]+")


def normalise_header(name: str) -> str:
    """A header with case, spaces and punctuation folded away: `First-Name` -> `first_name`."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return SEPARATORS.sub("_", folded).strip("_")


@dataclass(frozen=True)
class ColumnMappings:
    """Per feed: normalised source header -> contract column name."""

    by_feed: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def target_columns(self, feed: str, headers: Sequence[str]) -> list[str]:
        """The column name each header becomes; a blank header becomes `column_<position>`."""
        renames = self.by_feed.get(feed, {})
        targets = []
        for position, header in enumerate(headers, start=1):
            normalised = normalise_header(header)
            targets.append(renames.get(normalised, normalised) or f"column_{position}")
        return targets

    def extended(self, other: ColumnMappings) -> ColumnMappings:
        """These mappings with `other` on top: its entries win where both name a header."""
        return ColumnMappings(
            {
                feed: {**self.by_feed.get(feed, {}), **other.by_feed.get(feed, {})}
                for feed in FEEDS
                if feed in self.by_feed or feed in other.by_feed
            }
        )


def load_column_mappings(extra_yaml: Path | None = None) -> ColumnMappings:
    """The built-in mappings, extended by the user's YAML file when one is given."""
    mappings = builtin_column_mappings()
    if extra_yaml is None:
        return mappings
    try:
        text = Path(extra_yaml).read_text(encoding="utf-8")
    except OSError as error:
        raise FeedError(
            f"column mapping file {extra_yaml}: cannot be read ({error.strerror})"
        ) from None
    return mappings.extended(parse_column_mappings(text, str(extra_yaml)))


@cache
def builtin_column_mappings() -> ColumnMappings:
    """The vendor and generic alias mappings shipped with the package."""
    folder = resources.files("hygiene_pipeline.domain").joinpath("mappings")
    mappings = ColumnMappings()
    for name in BUILTIN_MAPPING_FILES:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        mappings = mappings.extended(parse_column_mappings(text, name))
    return mappings


def parse_column_mappings(text: str, origin: str) -> ColumnMappings:
    """Mappings from YAML text; `origin` names the file in every error message."""
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise FeedError(f"column mapping file {origin}: not valid YAML ({error})") from None
    if not isinstance(document, dict):
        raise FeedError(f"column mapping file {origin}: expected a section per feed")
    by_feed: dict[str, dict[str, str]] = {}
    for feed, section in document.items():
        if feed not in FEEDS:
            raise FeedError(
                f"column mapping file {origin}: unknown feed {feed!r} "
                f"(known feeds: {', '.join(FEEDS)})"
            )
        if not isinstance(section, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in section.items()
        ):
            raise FeedError(
                f"column mapping file {origin}: section {feed!r} must map header text to "
                "column text (quote headers such as 'yes', 'no' or numbers)"
            )
        by_feed[feed] = {
            normalise_header(source): normalise_header(target) for source, target in section.items()
        }
    return ColumnMappings(by_feed)

"""Hand-written landing folders for runs of several batches into one warehouse: a few people
whose records change between batches the way a CRM's do (a new phone, a new employer, a
deletion in the source, a do-not-call request, a merge and a split decided by hand)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from batch_runs import materialize_all
from dagster import ExecuteInProcessResult

from hygiene_pipeline.definitions import build_definitions
from hygiene_pipeline.defs.resources import (
    BatchClockResource,
    LandingResource,
    LinkageResource,
    WarehouseResource,
)

CRM_COLUMNS = [
    "contact_id", "first_name", "last_name", "email", "phone", "company", "job_title",
    "country", "updated_at", "consent_status", "do_not_call",
]  # fmt: skip
SOURCE_RANKS = {"salesforce": 2, "hubspot": 1}


def person(contact_id, first, last, email, phone, company, updated, dnc="false") -> dict:
    return dict(
        zip(
            CRM_COLUMNS,
            [
                contact_id,
                first,
                last,
                email,
                phone,
                company,
                "Manager",
                "US",
                updated,
                "opted_in",
                dnc,
            ],
            strict=True,
        )
    )


ALICE = person(
    "S1",
    "Alice",
    "Martin",
    "alice@acme-widgets.com",
    "+1 415 555 0101",
    "Acme Widgets",
    "2026-05-01",
)
BOB = person(
    "S2", "Bob", "Stone", "bob@globex-corp.com", "+1 415 555 0102", "Globex Corp", "2026-05-01"
)
CAROL = person(
    "S3", "Carol", "Diaz", "carol@initech-labs.com", "+1 415 555 0103", "Initech Labs", "2026-05-01"
)
FRANK_S = person(
    "S4", "Frank", "Olsen", "frank@hooli-xyz.com", "+1 415 555 0104", "Hooli", "2026-05-01"
)
FRANK_H = person(
    "H4", "Frank", "Olsen", "frank@hooli-xyz.com", "+1 415 555 0104", "Hooli", "2026-04-01"
)
GRACE_S = person(
    "S5", "Grace", "Hopper", "grace@vandelay-imp.com", "+1 415 555 0105", "Vandelay", "2026-05-01"
)
GRACE_H = person(
    "H5", "Grace", "Hopper", "grace@vandelay-imp.com", "+1 415 555 0105", "Vandelay", "2026-04-01"
)
HEIDI_S = person(
    "S6", "Heidi", "Klum", "heidi@wonka-ind.com", "+1 415 555 0106", "Wonka", "2026-05-01"
)
HEIDI_H = person(
    "H6", "Heidi", "Klum-Ray", "hk@oldmail-box.net", "+1 415 555 0116", "", "2026-04-01"
)
IVAN_S = person(
    "S7", "Ivan", "Petrov", "ivan@soylent-co.com", "+1 415 555 0107", "Soylent", "2026-05-01"
)
IVAN_H = person(
    "H7", "Ivan", "Petrov", "ivan@soylent-co.com", "+1 415 555 0107", "Soylent", "2026-04-01"
)
DAN = person(
    "H2", "Dan", "Kim", "dan@umbrella-co.com", "+1 415 555 0109", "Umbrella Co", "2026-04-01"
)

FIRST = {
    "salesforce": [ALICE, BOB, CAROL, FRANK_S, GRACE_S, HEIDI_S, IVAN_S],
    "hubspot": [DAN, FRANK_H, GRACE_H, HEIDI_H, IVAN_H],
    "links": [
        ("salesforce:S4", "hubspot:H4", "must_link"),
        ("salesforce:S5", "hubspot:H5", "must_link"),
        ("salesforce:S7", "hubspot:H7", "must_link"),
    ],
}
SECOND = {
    # Carol deleted in salesforce (a full snapshot); Alice's new phone from salesforce; Bob moved
    # to Initrode; Frank's newer hubspot record brings a new phone (hubspot ranks lower: held);
    # Grace asked hubspot not to be called; Heidi's two records are one person (must-link);
    # Ivan's two records are two people (cannot-link); Dan is not in the hubspot delta.
    "salesforce": [
        {**ALICE, "phone": "+1 415 555 0201", "updated_at": "2026-06-05"},
        {**BOB, "email": "bob@initrode-inc.com", "company": "Initrode", "updated_at": "2026-06-05"},
        FRANK_S,
        GRACE_S,
        HEIDI_S,
        IVAN_S,
    ],
    "hubspot": [
        {**FRANK_H, "phone": "+1 415 555 0204", "updated_at": "2026-06-05"},
        {**GRACE_H, "do_not_call": "true", "updated_at": "2026-06-05"},
        HEIDI_H,
        IVAN_H,
    ],
    "links": [
        ("salesforce:S4", "hubspot:H4", "must_link"),
        ("salesforce:S5", "hubspot:H5", "must_link"),
        ("salesforce:S6", "hubspot:H6", "must_link"),
        ("salesforce:S7", "hubspot:H7", "cannot_link"),
    ],
}
THIRD = {**SECOND, "answered": ["+14155550204"]}
"""The held number answers a call: the change is confirmed."""
AS_OF = {
    "first": "2026-06-01T12:00:00+00:00",
    "second": "2026-06-08T12:00:00+00:00",
    "third": "2026-06-15T12:00:00+00:00",
}


def write_batch(folder: Path, batch: dict, as_of: str) -> tuple[Path, Path]:
    """The landing folder and the overrides file of one batch. Every phone of the first batch
    answered a call a week before each batch (the people are active), the `answered` numbers
    the day before; each `requests` pair (contact id, number) is a `do_not_call` call."""
    landing = folder / "landing"
    for feed in ("crm_contacts", "email_bounces", "call_logs", "engagement_events", "dnc_list"):
        (landing / feed).mkdir(parents=True, exist_ok=True)
    people = []
    for source in ("salesforce", "hubspot"):
        rows = batch[source]
        name = "hubspot_contacts_delta.csv" if source == "hubspot" else "salesforce_contacts.csv"
        with (landing / "crm_contacts" / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, CRM_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        people += rows
    (landing / "email_bounces" / "bounces.csv").write_text("email,bounced_at\n")
    called = (pd_day(as_of, -7),)
    with (landing / "call_logs" / "calls.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone_dialed", "called_at", "disposition", "contact_id"])
        for row in FIRST["salesforce"] + FIRST["hubspot"]:
            writer.writerow([row["phone"], called[0], "connected", ""])
        for phone in batch.get("answered", []):
            writer.writerow([phone, pd_day(as_of, -1), "connected", ""])
        for contact_id, phone in batch.get("requests", []):
            writer.writerow([phone, pd_day(as_of, -2), "do_not_call", contact_id])
    overrides = folder / "overrides.csv"
    with overrides.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_key_left", "record_key_right", "rule", "note"])
        for left, right, rule in batch["links"]:
            writer.writerow([left, right, rule, "decided by hand"])
    return landing, overrides


def pd_day(as_of: str, days: int) -> str:
    """`as_of` moved by `days`, as ISO text."""
    return (pd.Timestamp(as_of) + pd.Timedelta(days=days)).isoformat()


def run_batch(
    folder: Path, batch: dict, as_of: str, url: str, home: Path
) -> ExecuteInProcessResult:
    """Every asset and check of the code location on one batch, into the warehouse at `url`."""
    landing, overrides = write_batch(folder, batch, as_of)
    defs = build_definitions(
        landing=LandingResource(
            landing_dir=str(landing),
            source_modes={"salesforce": "full", "hubspot": "delta"},
            source_ranks=SOURCE_RANKS,
        ),
        warehouse=WarehouseResource(url=url),
        clock=BatchClockResource(as_of=as_of),
        linkage=LinkageResource(overrides_file=str(overrides)),
        home=home,
    )
    return materialize_all(defs)

"""`engagement_events/`: web and meeting activity by CRM contact id (`web_activity.csv`) and
email-marketing activity by address (`email_activity.jsonl`), all with the contract's canonical
`event_type` values. Contact or pricing requests are `form_submit`s on the contact page.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from hygiene_pipeline.synthetic.bad_rows import (
    malformed_json,
    missing,
    ragged,
    too_long,
    unparseable_date,
)
from hygiene_pipeline.synthetic.columns import integers_as_text, join, pick, take
from hygiene_pipeline.synthetic.file_io import (
    Written,
    format_times,
    json_text,
    write_csv,
    write_jsonl,
)
from hygiene_pipeline.synthetic.landing_layout import ENGAGEMENT_FILES
from hygiene_pipeline.synthetic.records import Records

SITE = "https://www.example.com"
_PAGES = {
    "web_visit": (
        "/",
        "/blog/crm-data-quality",
        "/customers",
        "/integrations",
        "/about",
        "/careers",
    ),
    "pricing_page_view": ("/pricing", "/pricing?plan=enterprise"),
    "content_download": (
        "/resources/data-hygiene-guide.pdf",
        "/resources/benchmark-report-2025.pdf",
    ),
    "form_submit": ("/contact", "/contact?topic=pricing", "/webinar/register"),
    "demo_request": ("/demo",),
    "email_click": ("/blog/crm-data-quality?utm_medium=email", "/events?utm_medium=email"),
    "unsubscribe": ("/preferences/unsubscribe",),
}
_SOURCES = {
    "meeting_booked": "calendly",
    "email_open": "marketo",
    "email_click": "marketo",
    "unsubscribe": "marketo",
}


def _urls(rng: np.random.Generator, event_type: np.ndarray) -> pa.Array:
    urls = np.full(len(event_type), None, dtype=object)
    for kind, pages in _PAGES.items():
        rows = np.flatnonzero(event_type == kind)
        urls[rows] = (
            SITE + np.array(pages, dtype=object)[rng.integers(0, len(pages), size=len(rows))]
        )
    meetings = np.flatnonzero(event_type == "meeting_booked")
    urls[meetings] = "https://calendly.com/example-sales/30min"
    return pa.array(urls, pa.string())


def _web(rng: np.random.Generator, records: Records, events: pd.DataFrame) -> pa.Table:
    kind = events["event_type"].to_numpy(dtype=object)
    return pa.table(
        {
            "contact_id": take(records.contact_id, events["record"].to_numpy()),
            "event_type": pa.array(kind, pa.string()),
            "occurred_at": format_times(events["ts"].to_numpy(), "%Y-%m-%dT%H:%M:%SZ", -1),
            "source": pa.array(
                pd.Series(kind).map(_SOURCES).fillna("website").to_numpy(dtype=object), pa.string()
            ),
            "url": _urls(rng, kind),
        }
    )


def _email(rng: np.random.Generator, events: pd.DataFrame) -> pa.Array:
    address = pa.array(events["address"].to_numpy(dtype=object), pa.string())
    kind = events["event_type"].to_numpy(dtype=object)
    url = json_text(_urls(rng, kind))
    source = pick(rng, ("marketo", "hubspot"), len(kind))
    return join(
        '{"email":',
        json_text(address),
        ',"event_type":"',
        pa.array(kind, pa.string()),
        '","occurred_at":',
        integers_as_text(events["ts"].to_numpy()),
        ',"source":"',
        source,
        '","url":',
        url,
        "}",
    )


_TEMPLATE = {
    "contact_id": "L-9999990",
    "event_type": "web_visit",
    "occurred_at": "2025-01-15T10:00:00Z",
    "source": "website",
    "url": SITE + "/",
}
_BAD_WEB_ROWS = (
    missing(_TEMPLATE, "event_type"),
    unparseable_date(_TEMPLATE, "occurred_at", "yesterday-ish"),
    ragged(_TEMPLATE),
    too_long(_TEMPLATE, "url", SITE + "/?q=x"),
)
_MALFORMED_EMAIL_EVENT = malformed_json(
    '{"email": "archived.contact@northwind-archive.com", "event_type": "email_open", '
)


def write_engagement(
    folder: Path, rng: np.random.Generator, records: Records, events: pd.DataFrame
) -> list[Written]:
    """Write both files of `engagement_events/`."""
    by_email = events["record"].to_numpy() < 0
    web = _web(rng, records, events[~by_email])
    email = _email(rng, events[by_email])
    return [
        write_csv(folder / ENGAGEMENT_FILES["web"], web, "utf-8", _BAD_WEB_ROWS),
        write_jsonl(folder / ENGAGEMENT_FILES["email"], email, (_MALFORMED_EMAIL_EVENT,)),
    ]

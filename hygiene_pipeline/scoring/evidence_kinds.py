"""What each kind of evidence means and how much it weighs: the evidence model, in one place.

Why strength matters: CRMs bump `last_activity_at` on any logged outbound touch, mail is "opened"
by security scanners and privacy proxies, and web tracking follows a cookie, not a person, so
such traces say little about whether the person is still there. They are *weak presence*: they
never outweigh departure, closure or dead-channel evidence. *Strong presence* is two-way contact:
answering a call, clicking in a mail, filling a form, booking a meeting. Presence on a *company
channel* (an answered work line, a click from a corporate mailbox) also proves the person is
still at the company, which an answered mobile does not.

Intent is read by behaviour class, as sales teams define it: an *explicit need* (asked for
pricing, a demo or a meeting, submitted a form, said interested or asked for a callback),
*engagement* without one (opened, clicked, visited, downloaded), or a *refusal* (not interested,
unsubscribed, asked not to be called).
"""

from __future__ import annotations

from dataclasses import dataclass

STRONG_PRESENCE_CALLS: tuple[str, ...] = ("connected", "interested", "callback", "not_interested")
"""Call dispositions that prove the person answered on that number."""

STRONG_PRESENCE_EVENTS: tuple[str, ...] = (
    "email_click", "form_submit", "demo_request", "meeting_booked",
)  # fmt: skip
"""Two-way contact the person makes themselves: a click in a mail sent to them, a form, a
meeting."""

WEAK_PRESENCE_EVENTS: tuple[str, ...] = (
    "email_open", "web_visit", "pricing_page_view", "content_download", "unsubscribe",
)  # fmt: skip
"""Traces that machines or other people leave too: opens by scanners and privacy proxies, web
visits tracked by a cookie (a shared machine, a crawler), an unsubscribe (a link, often followed
by a mail gateway)."""

DEAD_NUMBER_CALLS: tuple[str, ...] = ("disconnected", "wrong_number")
DEPARTURE_CALLS: tuple[str, ...] = ("left_company",)
CLOSURE_CALLS: tuple[str, ...] = ("company_closed",)
RELOCATION_CALLS: tuple[str, ...] = ("company_moved",)
DNC_CALLS: tuple[str, ...] = ("do_not_call",)

NEED_SIGNALS: tuple[str, ...] = (
    "pricing_page_view", "demo_request", "meeting_booked", "form_submit", "call_interested",
    "call_callback",
)  # fmt: skip
"""Signals of an explicit need (engagement event types; call dispositions as `call_<name>`)."""

ENGAGEMENT_SIGNALS: tuple[str, ...] = (
    "email_open", "email_click", "web_visit", "content_download",
)  # fmt: skip
"""Signals of engagement without an explicit need."""

REFUSAL_SIGNALS: tuple[str, ...] = ("unsubscribe", "call_not_interested", "call_do_not_call")
"""Signals that the person does not want to buy or be contacted."""


@dataclass(frozen=True)
class EvidenceKind:
    """One row of the evidence table in `docs/scoring_rules.md`."""

    name: str
    strength: str
    effect: str


EVIDENCE_TABLE: tuple[EvidenceKind, ...] = (
    EvidenceKind(
        "answered call", "strong presence", "person there; on a work line: at the company"
    ),
    EvidenceKind(
        "click, visit, pricing view, download, form, demo request, meeting, unsubscribe",
        "strong presence",
        "person there; from a corporate mailbox: at the company",
    ),
    EvidenceKind(
        "CRM last_activity_at / updated_at", "weak presence", "staleness only when configured"
    ),
    EvidenceKind("call left_company", "departure", "left_company unless later company presence"),
    EvidenceKind(
        "hard bounce 5.1.1/5.2.1 on a corporate mailbox, domain alive",
        "departure",
        "left_company unless later company presence; the address is dead",
    ),
    EvidenceKind(
        "call company_closed (anyone at the account)",
        "closure",
        "company_closed for the account unless later company presence there",
    ),
    EvidenceKind(
        "dead domain (5.1.2, 5.1.10, 5.4.4) and a dead work line at the account",
        "closure",
        "company_closed for the account unless later company presence there",
    ),
    EvidenceKind(
        "call company_moved (anyone at the account)",
        "relocation",
        "company_relocated until a newer record shows a new address or phone",
    ),
    EvidenceKind(
        "call disconnected / wrong_number", "dead channel", "the number, until answered again"
    ),
    EvidenceKind(
        "hard bounce on a mailbox", "dead channel", "the address, until a click or form from it"
    ),
    EvidenceKind("hard bounce on a free-mail address", "dead channel", "only that address"),
)

"""Suppression events: which phone numbers and email addresses must not be used, why, since when.

One row per (`channel`, `value`, `entity_id`, `reason`) with the earliest `since` (NULL when the
source has no date, e.g. a CRM flag), a short `detail`, and its `scope`: `channel` when the
number or address itself must not be used by anyone (a DNC entry, a do-not-call request made on
that number, a dead number, a hard bounce, a complaint), `person` when the person must not be
contacted on it (their flag, opt-out, unsubscribe, their request made elsewhere): a colleague who
shares a switchboard with someone who opted out may still be called there. The published
`suppression_list` (one row per channel key) is built from these by the warehouse's SQL model.

Reasons (`vocabulary.EMAIL_SUPPRESSION_REASONS`, `PHONE_SUPPRESSION_REASONS`). Person-level
requests (unsubscribe, flags, opt-out, a do-not-call request) cover every number or address of the
person's member records; a do-not-call request also covers the number it was made on for whoever
shares it, unless it was made by a named contact on a company switchboard (`call_requests`); a
DNC entry stays listed without a person when no one in the CRM has that number.
A request remembered from a person whose records left their sources (`standing_requests`: their
do-not-call flag or request) stays, for that person and, on the same number, for whoever holds it
now: a request is permanent.

Table created: `suppression_events`.
"""

from __future__ import annotations

from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.workspace import Workspace

STANDING_DETAIL = "made by a person no longer in their sources"


def suppression_events(ws: Workspace, settings: ScoringSettings) -> None:
    """Create `suppression_events` from the evidence and compliance tables."""
    soft_detail = (
        f"{int(settings.soft_bounces_to_suppress)} soft bounces within "
        f"{int(settings.soft_bounce_window_days)} days"
    )
    ws.create(
        "suppression_events",
        f"""
        WITH addresses AS (SELECT entity_id, email_key, email FROM person_mailboxes),
        numbers AS (SELECT entity_id, phone_e164 FROM person_numbers),
        member AS (
            SELECT entity_id, bool_or(do_not_email) AS dne, bool_or(do_not_call) AS dnc,
                   bool_or(consent_status = 'opted_out') AS opted_out
            FROM members GROUP BY entity_id
        ),
        unsubscribed AS (
            SELECT entity_id, min(occurred_at) AS since FROM event_facts
            WHERE event_type = 'unsubscribe' AND entity_id IS NOT NULL GROUP BY entity_id
        ),
        requests AS (SELECT entity_id, phone_e164, scope, called_at FROM call_requests),
        rows AS (
            SELECT 'email' AS channel, a.email AS value, a.entity_id, 'hard_bounce' AS reason,
                   ms.hard_at AS since, ms.hard_evidence AS detail, 'channel' AS scope
            FROM addresses a JOIN mailbox_states ms USING (email_key) WHERE ms.hard_at IS NOT NULL
            UNION ALL
            SELECT 'email', a.email, a.entity_id, 'dead_domain', dd.dead_at, dd.how, 'channel'
            FROM addresses a JOIN dead_domains dd ON dd.domain = split_part(a.email_key, '@', 2)
            UNION ALL
            SELECT 'email', a.email, a.entity_id, 'soft_bounces', ms.soft_since, '{soft_detail}',
                   'channel'
            FROM addresses a JOIN mailbox_states ms USING (email_key)
            WHERE ms.soft_since IS NOT NULL
            UNION ALL
            SELECT 'email', a.email, a.entity_id, 'complaint', ms.complaint_at, NULL, 'channel'
            FROM addresses a JOIN mailbox_states ms USING (email_key)
            WHERE ms.complaint_at IS NOT NULL
            UNION ALL
            SELECT 'email', a.email, a.entity_id, 'unsubscribe', u.since, NULL, 'person'
            FROM addresses a JOIN unsubscribed u USING (entity_id)
            UNION ALL
            SELECT 'email', a.email, a.entity_id, 'do_not_email', NULL, NULL, 'person'
            FROM addresses a JOIN member m USING (entity_id) WHERE m.dne
            UNION ALL
            SELECT 'email', a.email, a.entity_id, 'opted_out', NULL, NULL, 'person'
            FROM addresses a JOIN member m USING (entity_id) WHERE m.opted_out
            UNION ALL
            SELECT 'phone', d.phone_e164, n.entity_id, 'dnc_list', d.added_at,
                   coalesce(d.source || ', ', '') || d.read_as, 'channel'
            FROM dnc_numbers d LEFT JOIN numbers n USING (phone_e164)
            UNION ALL
            SELECT 'phone', r.phone_e164, n.entity_id, 'do_not_call_request', r.called_at, NULL,
                   'channel'
            FROM requests r LEFT JOIN numbers n USING (phone_e164) WHERE r.scope = 'channel'
            UNION ALL
            SELECT 'phone', n.phone_e164, n.entity_id, 'do_not_call_request', h.called_at, NULL,
                   'person'
            FROM request_holders h JOIN numbers n USING (entity_id)
            UNION ALL
            SELECT 'phone', n.phone_e164, n.entity_id, 'do_not_call_flag', NULL, NULL, 'person'
            FROM numbers n JOIN member m USING (entity_id) WHERE m.dnc
            UNION ALL
            SELECT 'phone', s.phone_e164, s.entity_id, 'do_not_call_request', s.since,
                   '{STANDING_DETAIL}', CASE WHEN s.binds_all THEN 'channel' ELSE 'person' END
            FROM standing_bindings s
            UNION ALL
            SELECT 'phone', n.phone_e164, n.entity_id, 'do_not_call_request', s.since,
                   '{STANDING_DETAIL}', 'channel'
            FROM standing_bindings s JOIN numbers n USING (phone_e164) WHERE s.binds_all
            UNION ALL
            SELECT 'phone', n.phone_e164, n.entity_id, dn.how, dn.dead_at, NULL, 'channel'
            FROM numbers n JOIN dead_numbers dn USING (phone_e164)
            UNION ALL
            SELECT 'phone', n.phone_e164, n.entity_id, 'opted_out', NULL, NULL, 'person'
            FROM numbers n JOIN member m USING (entity_id) WHERE m.opted_out
        )
        SELECT channel, value, entity_id, reason,
               min(since) AS since, arg_min(detail, coalesce(since, 'infinity'::TIMESTAMPTZ))
                   AS detail,
               CASE WHEN bool_or(scope = 'channel') THEN 'channel' ELSE 'person' END AS scope
        FROM rows WHERE value IS NOT NULL
        GROUP BY channel, value, entity_id, reason
        ORDER BY channel, value, entity_id NULLS FIRST, reason
        """,
    )

"""Status per person from the contract vocabulary, its reason, and staleness.

Precedence (`vocabulary.STATUSES`), the first that holds wins:

1. `ghost`: every record of the person is a test, placeholder or junk record.
2. `company_closed`: the person's account is closed (`account_status`).
3. `left_company`: departure evidence about the person's current account - a `left_company`
   call, or a hard "user unknown" bounce (5.1.1, 5.2.1) on their corporate mailbox while the
   domain still takes mail - not followed by strong presence of the person on a company channel
   (an answered work line, a click from a corporate mailbox). An answered mobile, a CRM activity
   bump or an email open say nothing about the employer, so they never cancel a departure.
4. `company_relocated`: the account moved and none of the person's records updated since shows
   a new address or work line.
5. `invalid_contact`: no usable channel (every number dead or invalid, every mailbox
   hard-bounced, invalid or at a dead domain).
6. `stale_inactive`: no strong presence for `dormant_after_days` (six months).
7. `active`: otherwise.

`staleness_score` is 0 for strong presence today, rising linearly to 100 at
`staleness_full_factor x dormant_after_days`, and at least `negative_status_staleness_floor`
for statuses 1-5.

Tables created: `departures` (per person and account), `channel_state`, `person_status`.
"""

from __future__ import annotations

from hygiene_pipeline.scoring.evidence_kinds import DEPARTURE_CALLS
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.workspace import Workspace, sql_text_list
from hygiene_pipeline.vocabulary import STATUSES


def _departures(ws: Workspace) -> None:
    """Departure evidence per person and the account it is about (current or former)."""
    ws.create(
        "departure_evidence",
        f"""
        SELECT cf.entity_id, cf.account_id, cf.called_at AS seen_at,
               'call disposition left_company on ' || strftime(cf.called_at, '%Y-%m-%d') AS label
        FROM call_facts cf
        WHERE cf.entity_id IS NOT NULL AND cf.disposition IN {sql_text_list(DEPARTURE_CALLS)}
        UNION ALL
        SELECT pm.entity_id, pm.account_id, ms.last_hard_at,
               'hard bounce ' || ms.hard_evidence || ' on the corporate mailbox on '
               || strftime(ms.last_hard_at, '%Y-%m-%d') || ' while the domain takes mail'
        FROM person_mailboxes pm JOIN mailbox_states ms USING (email_key)
        WHERE ms.hard_at IS NOT NULL AND ms.hard_scope = 'mailbox'
          AND pm.corporate_domain IS NOT NULL AND NOT pm.role
          AND NOT EXISTS (SELECT 1 FROM dead_domains d WHERE d.domain = pm.corporate_domain)
        """,
    )
    ws.create(
        "departures",
        """
        WITH latest AS (
            SELECT entity_id, account_id, max(seen_at) AS seen_at,
                   arg_max(label, tie_broken(seen_at, label)) AS label
            FROM departure_evidence GROUP BY entity_id, account_id
        ),
        dead_line AS (
            SELECT pn.entity_id, max(dn.dead_at) AS dead_at
            FROM person_numbers pn JOIN dead_numbers dn USING (phone_e164)
            WHERE pn.work_line GROUP BY pn.entity_id
        ),
        company_presence AS (
            SELECT entity_id, account_id, max(seen_at) AS seen_at FROM presence
            WHERE strength = 'strong' AND company_channel GROUP BY entity_id, account_id
        )
        SELECT l.entity_id, l.account_id, l.seen_at,
               l.label || coalesce('; work line dead since '
                                   || strftime(d.dead_at, '%Y-%m-%d'), '') AS label,
               (l.account_id IS NULL OR p.account_id IS NULL OR l.account_id = p.account_id)
                   AS current_account
        FROM latest l
        JOIN people p USING (entity_id)
        LEFT JOIN company_presence cp
               ON cp.entity_id = l.entity_id
              AND cp.account_id IS NOT DISTINCT FROM l.account_id
        LEFT JOIN dead_line d ON d.entity_id = l.entity_id
        WHERE cp.seen_at IS NULL OR cp.seen_at <= l.seen_at
        """,
    )


def _channels(ws: Workspace) -> None:
    """Whether any number or mailbox of the person still works, and what killed the rest."""
    ws.create(
        "channel_state",
        """
        WITH numbers AS (
            SELECT pn.entity_id,
                   bool_or(pn.valid AND dn.phone_e164 IS NULL) AS usable,
                   count(*) AS total,
                   max(dn.dead_at) AS lost_at,
                   arg_max(dn.how, tie_broken(dn.dead_at, dn.how)) AS how
            FROM person_numbers pn LEFT JOIN dead_numbers dn USING (phone_e164)
            GROUP BY pn.entity_id
        ),
        boxes AS (
            SELECT pm.entity_id, pm.email_key, pm.valid,
                   coalesce(ms.hard_at, dd.dead_at) AS lost_at,
                   CASE WHEN ms.hard_at IS NOT NULL THEN 'hard bounce ' || ms.hard_evidence
                        WHEN dd.dead_at IS NOT NULL THEN 'domain dead (' || dd.how || ')'
                   END AS how
            FROM person_mailboxes pm
            LEFT JOIN mailbox_states ms USING (email_key)
            LEFT JOIN dead_domains dd ON dd.domain = split_part(pm.email_key, '@', 2)
        ),
        mail AS (
            SELECT entity_id, bool_or(valid AND lost_at IS NULL) AS usable, count(*) AS total,
                   max(lost_at) AS lost_at, arg_max(how, tie_broken(lost_at, how)) AS how
            FROM boxes GROUP BY entity_id
        )
        SELECT p.entity_id,
               coalesce(n.usable, false) AS phone_usable,
               coalesce(m.usable, false) AS email_usable,
               CASE WHEN n.usable THEN NULL
                    WHEN n.total IS NULL THEN 'no phone number'
                    WHEN n.lost_at IS NOT NULL THEN 'no usable phone: ' || n.how || ' on '
                         || strftime(n.lost_at, '%Y-%m-%d')
                         || CASE WHEN n.total > 1 THEN ' (' || n.total || ' numbers)' ELSE '' END
                    ELSE 'no usable phone: number not valid' END AS phone_problem,
               CASE WHEN m.usable THEN NULL
                    WHEN m.total IS NULL AND p.email IS NOT NULL THEN 'email address not valid'
                    WHEN m.total IS NULL THEN 'no email address'
                    WHEN m.lost_at IS NOT NULL THEN 'no usable email: ' || m.how || ' on '
                         || strftime(m.lost_at, '%Y-%m-%d')
                    ELSE 'no usable email: address not valid' END AS email_problem
        FROM people p
        LEFT JOIN numbers n USING (entity_id)
        LEFT JOIN mail m USING (entity_id)
        """,
    )


def person_status(ws: Workspace, settings: ScoringSettings) -> None:
    """Create `person_status`: `status`, `status_reason`, `staleness_score`,
    `last_presence_at` per person (needs the evidence and `account_status` tables)."""
    _departures(ws)
    _channels(ws)
    dormant = int(settings.dormant_after_days)
    fresh_at = "pp.any_at" if settings.weak_presence_keeps_fresh else "pp.strong_at"
    fresh_label = "pp.any_label" if settings.weak_presence_keeps_fresh else "pp.strong_label"
    horizon = float(settings.staleness_full_factor) * dormant
    floor = float(settings.negative_status_staleness_floor)
    negative = sql_text_list(STATUSES[: STATUSES.index("invalid_contact") + 1])
    ws.create(
        "person_status",
        f"""
        WITH facts AS (
            SELECT p.entity_id, coalesce(g.is_ghost, false) AS is_ghost, g.ghost_reason,
                   a.status AS account_status, a.status_reason AS account_reason,
                   mv.seen_at AS moved_at, mv.label AS move_reason,
                   u.entity_id IS NOT NULL AS up_to_date,
                   d.label AS departure,
                   c.phone_usable OR c.email_usable AS reachable,
                   c.phone_problem, c.email_problem,
                   {fresh_at} AS fresh_at, {fresh_label} AS fresh_label,
                   pp.any_at, pp.any_label,
                   elapsed_seconds({fresh_at}, $as_of) / 86400.0 AS days
            FROM people p
            LEFT JOIN person_ghosts g USING (entity_id)
            LEFT JOIN account_status a USING (account_id)
            LEFT JOIN relocation_evidence mv USING (account_id)
            LEFT JOIN moved_up_to_date u ON u.entity_id = p.entity_id
                                        AND u.account_id = p.account_id
            LEFT JOIN departures d ON d.entity_id = p.entity_id AND d.current_account
            LEFT JOIN person_presence pp ON pp.entity_id = p.entity_id
            LEFT JOIN channel_state c ON c.entity_id = p.entity_id
        ),
        decided AS (
            SELECT *,
                   CASE WHEN is_ghost THEN 'ghost'
                        WHEN account_status = 'closed' THEN 'company_closed'
                        WHEN departure IS NOT NULL THEN 'left_company'
                        WHEN moved_at IS NOT NULL AND NOT up_to_date THEN 'company_relocated'
                        WHEN NOT coalesce(reachable, false) THEN 'invalid_contact'
                        WHEN days IS NULL OR days > {dormant} THEN 'stale_inactive'
                        ELSE 'active' END AS status
            FROM facts
        )
        SELECT entity_id, status,
               status || ': ' || CASE status
                   WHEN 'ghost' THEN ghost_reason
                   WHEN 'company_closed' THEN 'the account is ' || account_reason
                   WHEN 'left_company' THEN departure
                   WHEN 'company_relocated' THEN 'the account moved: ' || move_reason
                   WHEN 'invalid_contact' THEN coalesce(phone_problem, '') || '; '
                                               || coalesce(email_problem, '')
                   WHEN 'stale_inactive' THEN CASE
                       WHEN fresh_at IS NULL THEN 'no strong presence'
                       ELSE 'last strong presence ' || fresh_label || ' on '
                            || strftime(fresh_at, '%Y-%m-%d') || ', ' || round(days)::BIGINT
                            || ' days before as_of' END
                        || ' (dormant after {dormant} days)'
                        || CASE WHEN any_at > coalesce(fresh_at, '-infinity'::TIMESTAMPTZ)
                                THEN '; since then weak presence only (' || any_label || ' on '
                                     || strftime(any_at, '%Y-%m-%d') || ')'
                                ELSE '' END
                   ELSE 'last strong presence ' || fresh_label || ' on '
                        || strftime(fresh_at, '%Y-%m-%d') END AS status_reason,
               round(CASE WHEN status IN {negative}
                          THEN greatest(least(coalesce(days, {horizon}) / {horizon} * 100, 100),
                                        {floor})
                          ELSE greatest(least(coalesce(days, {horizon}) / {horizon} * 100, 100),
                                        0) END, 1) AS staleness_score,
               fresh_at AS last_presence_at
        FROM decided
        """,
    )

"""Account status: whether a company is active, relocated or closed, from its people's evidence.

Company news spreads to every person of the account, and only there (accounts are resolved by
mail domain first, so two companies that share a name do not share news).

- `closed`: a `company_closed` call about the account, or a dead mail domain (every domain of the
  account answers host unknown / null MX / no route) together with a dead work line of the
  account; unless someone at the account showed strong presence on a company channel (an
  answered work line, a click from a corporate mailbox) after that evidence.
- `relocated`: a `company_moved` call about the account (one colleague's report is enough).
  Each person's records are out of date until one of them, updated after the first report, shows
  an address other than the office the CRM knew (the addresses of records not updated since the
  report, else the address most records show), or a new work line (not a mobile): a company line
  colleagues share that no earlier record had, or their own line changed between their older and
  newer records (a direct line seen once says nothing about whether it is new)
  (`moved_up_to_date`); the account stays relocated until everyone's are. Presence does not
  resolve a move: a person answering says nothing about where the office is.
- `active`: otherwise.

Tables created: `account_status` (`account_id`, `status`, `status_reason`, `status_since`),
`account_moves`, `moved_up_to_date` (people of a moved account whose records are up to date).
"""

from __future__ import annotations

from hygiene_pipeline.scoring.evidence_kinds import CLOSURE_CALLS, RELOCATION_CALLS
from hygiene_pipeline.scoring.workspace import Workspace, sql_text_list


def _closure(ws: Workspace) -> None:
    ws.create(
        "closure_evidence",
        f"""
        WITH by_call AS (
            SELECT account_id, max(called_at) AS seen_at,
                   'call disposition company_closed on ' || strftime(max(called_at), '%Y-%m-%d')
                   || ' (' || count(*) || ' call(s))' AS label
            FROM call_facts
            WHERE disposition IN {sql_text_list(CLOSURE_CALLS)} AND account_id IS NOT NULL
            GROUP BY account_id
        ),
        domains AS (
            SELECT account_id, count(*) AS domains, count(dd.domain) AS dead,
                   max(dd.dead_at) AS dead_at,
                   arg_max(dd.how, tie_broken(dd.dead_at, dd.how)) AS how
            FROM account_domains ad LEFT JOIN dead_domains dd USING (domain)
            GROUP BY account_id
        ),
        lines AS (
            SELECT an.account_id, count(*) AS lines, max(dn.dead_at) AS dead_at
            FROM account_numbers an JOIN dead_numbers dn USING (phone_e164)
            GROUP BY an.account_id
        ),
        by_channels AS (
            SELECT d.account_id, greatest(d.dead_at, l.dead_at) AS seen_at,
                   'mail domain dead (' || d.how || ') since ' || strftime(d.dead_at, '%Y-%m-%d')
                   || ' and ' || l.lines || ' dead work line(s)' AS label
            FROM domains d JOIN lines l USING (account_id)
            WHERE d.dead = d.domains
        ),
        evidence AS (SELECT * FROM by_call UNION ALL SELECT * FROM by_channels),
        latest AS (
            SELECT account_id, max(seen_at) AS seen_at,
                   arg_max(label, tie_broken(seen_at, label)) AS label
            FROM evidence GROUP BY account_id
        ),
        presence_at AS (
            SELECT account_id, max(seen_at) AS seen_at FROM presence
            WHERE strength = 'strong' AND company_channel AND account_id IS NOT NULL
            GROUP BY account_id
        )
        SELECT l.* FROM latest l LEFT JOIN presence_at p USING (account_id)
        WHERE p.seen_at IS NULL OR p.seen_at <= l.seen_at
        """,
    )


def _relocation(ws: Workspace) -> None:
    ws.create(
        "account_moves",
        f"""
        SELECT account_id, min(called_at) AS seen_at, count(*) AS reports
        FROM call_facts
        WHERE disposition IN {sql_text_list(RELOCATION_CALLS)} AND account_id IS NOT NULL
        GROUP BY account_id
        """,
    )
    ws.create(
        "moved_up_to_date",
        """
        WITH facts AS (
            SELECT r.account_id, r.entity_id, r.record_key,
                   coalesce(r.updated_at, r.created_at, '-infinity'::TIMESTAMPTZ) AS recency,
                   nullif(coalesce(r.postal_code_key, '') || '|'
                          || coalesce(lower(trim(r.street)), ''), '|') AS address
            FROM members r JOIN account_moves m USING (account_id)
        ),
        lines AS (
            SELECT f.account_id, f.entity_id, f.recency, n.phone_e164
            FROM facts f JOIN record_numbers n USING (record_key)
            WHERE n.line = 'work' AND coalesce(n.type, '') <> 'mobile'
        ),
        known_addresses AS (
            -- the office the CRM knew: addresses of records not updated since the first report,
            -- else (every record was touched since) the address most records show, on a tie the
            -- one the oldest record shows (the same answer on every run)
            SELECT f.account_id, f.address FROM facts f JOIN account_moves m USING (account_id)
            WHERE f.recency <= m.seen_at AND f.address IS NOT NULL
            UNION
            SELECT account_id, first(address ORDER BY records DESC, oldest, address)
            FROM (
                SELECT account_id, address, count(*) AS records, min(recency) AS oldest
                FROM facts
                WHERE address IS NOT NULL AND account_id NOT IN (
                    SELECT f.account_id FROM facts f JOIN account_moves m USING (account_id)
                    WHERE f.recency <= m.seen_at AND f.address IS NOT NULL)
                GROUP BY account_id, address
            )
            GROUP BY account_id
        ),
        new_address AS (
            SELECT f.entity_id, f.account_id FROM facts f JOIN account_moves m USING (account_id)
            WHERE f.recency > m.seen_at AND f.address IS NOT NULL
              AND NOT EXISTS (
                  SELECT 1 FROM known_addresses k
                  WHERE k.account_id = f.account_id AND k.address = f.address)
        ),
        shared_lines AS (
            SELECT account_id, phone_e164 FROM lines
            GROUP BY account_id, phone_e164 HAVING count(DISTINCT entity_id) > 1
        ),
        new_phone AS (
            -- a company line colleagues share that no record had before the report, or the
            -- person's own line changed between their older and newer records: a direct line
            -- seen once says nothing about whether it is new
            SELECT l.entity_id, l.account_id FROM lines l JOIN account_moves m USING (account_id)
            WHERE l.recency > m.seen_at
              AND ((l.account_id, l.phone_e164) IN (SELECT (account_id, phone_e164)
                                                    FROM shared_lines)
                   AND NOT EXISTS (
                       SELECT 1 FROM lines g
                       WHERE g.account_id = l.account_id AND g.recency <= m.seen_at
                         AND g.phone_e164 = l.phone_e164)
                   OR EXISTS (
                       SELECT 1 FROM lines o
                       WHERE o.entity_id = l.entity_id AND o.account_id = l.account_id
                         AND o.recency <= m.seen_at AND o.phone_e164 <> l.phone_e164))
        )
        SELECT DISTINCT entity_id, account_id FROM new_address
        UNION
        SELECT DISTINCT entity_id, account_id FROM new_phone
        """,
    )
    ws.create(
        "relocation_evidence",
        """
        WITH people AS (
            SELECT p.account_id, count(*) AS people, count(u.entity_id) AS up_to_date
            FROM people p JOIN account_moves m USING (account_id)
            LEFT JOIN moved_up_to_date u USING (entity_id, account_id)
            GROUP BY p.account_id
        )
        SELECT m.account_id, m.seen_at,
               'call disposition company_moved on ' || strftime(m.seen_at, '%Y-%m-%d') || ' ('
               || m.reports || ' report(s)); ' || coalesce(p.up_to_date, 0) || ' of '
               || coalesce(p.people, 0) || ' people''s records show a newer address or phone'
               AS label,
               coalesce(p.up_to_date = p.people, false) AS all_up_to_date
        FROM account_moves m LEFT JOIN people p USING (account_id)
        """,
    )


def account_status(ws: Workspace) -> None:
    """Create `account_status` for every account with people or evidence."""
    _closure(ws)
    _relocation(ws)
    ws.create(
        "account_status",
        """
        WITH accounts AS (
            SELECT DISTINCT account_id FROM members WHERE account_id IS NOT NULL
        )
        SELECT a.account_id,
               CASE WHEN c.account_id IS NOT NULL THEN 'closed'
                    WHEN r.account_id IS NOT NULL AND NOT r.all_up_to_date THEN 'relocated'
                    ELSE 'active' END AS status,
               CASE WHEN c.account_id IS NOT NULL THEN 'closed: ' || c.label
                    WHEN r.account_id IS NOT NULL THEN
                        CASE WHEN r.all_up_to_date THEN 'active: ' ELSE 'relocated: ' END
                        || r.label
                    ELSE 'active: no closure or move reported' END AS status_reason,
               coalesce(c.seen_at, r.seen_at) AS status_since
        FROM accounts a
        LEFT JOIN closure_evidence c USING (account_id)
        LEFT JOIN relocation_evidence r USING (account_id)
        """,
    )

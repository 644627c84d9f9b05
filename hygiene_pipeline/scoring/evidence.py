"""Evidence per person, number, mailbox and account: who each call, event and bounce is about.

How a call or event reaches a person (`entity_id`):

- A row with a `contact_id` is matched through the cross-reference. Contact ids are unique only
  within a source system and the call/event feeds do not say which system, so one id may name
  records of several people: then the person whose numbers (calls) or mailboxes (events) include
  the row's number/address wins; when none or several do, the row is left unattributed
  (`ambiguous`) rather than guessed.
- A row without a known `contact_id` is matched by its number or mailbox, but only when exactly
  one person has it: a switchboard or a shared role mailbox says nothing about any one colleague.
- A call without a dialled number is taken to be on its record's work phone (else mobile).

Each call and event also gets the account it is about (the record's account when it came by
contact id, else the account whose work line the number is, else the person's account) and
whether it happened on a *company channel* (a work line of that account, or a corporate mailbox).

Tables created: `members` (the input's `records`, renamed), `person_numbers`, `account_numbers`,
`person_mailboxes`, `account_domains`, `call_facts`, `event_facts`, `presence`, `person_presence`,
`dead_numbers`, `dead_domains`, `mailbox_states`.
"""

from __future__ import annotations

from hygiene_pipeline.scoring.evidence_kinds import (
    DEAD_NUMBER_CALLS,
    STRONG_PRESENCE_CALLS,
    STRONG_PRESENCE_EVENTS,
    WEAK_PRESENCE_EVENTS,
)
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.workspace import Workspace, sql_text_list

ANSWERED = sql_text_list(STRONG_PRESENCE_CALLS)
DEAD = sql_text_list(DEAD_NUMBER_CALLS)


def _owners(ws: Workspace) -> None:
    """Who has which number and mailbox, and which numbers and domains are an account's."""
    ws.rename("records", "members")
    ws.create(
        "person_numbers",
        """
        SELECT n.phone_e164, r.entity_id,
               bool_or(n.valid) AS valid, min(n.type) AS type, min(n.region) AS region,
               bool_or(n.line = 'work' AND coalesce(n.type, '') <> 'mobile') AS work_line
        FROM record_numbers n JOIN members r USING (record_key)
        GROUP BY n.phone_e164, r.entity_id
        """,
    )
    ws.create(
        "account_numbers",
        """
        SELECT DISTINCT r.account_id, n.phone_e164
        FROM record_numbers n JOIN members r USING (record_key)
        WHERE n.line = 'work' AND n.valid AND coalesce(n.type, '') <> 'mobile'
          AND r.account_id IS NOT NULL
        """,
    )
    ws.create(
        "person_mailboxes",
        """
        SELECT email_key, entity_id, min(email) AS email, bool_or(email_valid) AS valid,
               max(corporate_domain) AS corporate_domain, bool_or(email_is_role) AS role,
               min(account_id) FILTER (WHERE corporate_domain IS NOT NULL) AS account_id
        FROM members WHERE email_key IS NOT NULL
        GROUP BY email_key, entity_id
        """,
    )
    ws.create(
        "account_domains",
        """
        SELECT DISTINCT account_id, corporate_domain AS domain
        FROM members WHERE account_id IS NOT NULL AND corporate_domain IS NOT NULL
        """,
    )


def _attribute(ws: Workspace, feed: str, key: str, owners: str) -> None:
    """`<feed>_who`: row_id -> entity_id, record_key, via (contact id first, else sole owner)."""
    ws.create(
        f"{feed}_who",
        f"""
        WITH ids AS (
            SELECT contact_id, entity_id, min(record_key) AS record_key
            FROM members WHERE contact_id IS NOT NULL GROUP BY contact_id, entity_id
        ),
        candidates AS (
            SELECT f.row_id, f.{key} AS key, i.entity_id, i.record_key,
                   count(*) OVER (PARTITION BY f.row_id) AS people
            FROM {feed} f JOIN ids i USING (contact_id)
        ),
        by_id AS (
            SELECT row_id, entity_id, record_key FROM candidates WHERE people = 1
            UNION ALL
            SELECT c.row_id, c.entity_id, c.record_key
            FROM candidates c JOIN {owners} o ON o.{key} = c.key AND o.entity_id = c.entity_id
            WHERE c.people > 1
            QUALIFY count(*) OVER (PARTITION BY c.row_id) = 1
        ),
        named AS (SELECT DISTINCT row_id FROM candidates),
        owners AS (
            SELECT {key}, min(entity_id) AS entity_id, count(*) AS owners FROM {owners}
            GROUP BY {key}
        )
        SELECT f.row_id,
               coalesce(b.entity_id,
                        CASE WHEN n.row_id IS NULL AND o.owners = 1 THEN o.entity_id END)
                   AS entity_id,
               b.record_key,
               CASE WHEN b.row_id IS NOT NULL THEN 'contact_id'
                    WHEN n.row_id IS NOT NULL THEN 'ambiguous'
                    WHEN o.owners = 1 THEN '{key}'
                    WHEN o.owners > 1 THEN 'ambiguous'
                    ELSE 'unmatched' END AS via
        FROM {feed} f
        LEFT JOIN by_id b USING (row_id)
        LEFT JOIN named n USING (row_id)
        LEFT JOIN owners o ON o.{key} = f.{key}
        """,
    )


def _calls(ws: Workspace) -> None:
    _attribute(ws, "calls", "phone_e164", "person_numbers")
    ws.create(
        "call_facts",
        """
        WITH record_number AS (
            SELECT record_key,
                   arg_min(phone_e164, CASE line WHEN 'work' THEN 0 ELSE 1 END) AS phone_e164
            FROM record_numbers WHERE line IN ('work', 'mobile') GROUP BY record_key
        ),
        number_account AS (
            SELECT phone_e164, min(account_id) AS account_id FROM account_numbers
            GROUP BY phone_e164 HAVING count(*) = 1
        ),
        facts AS (
            SELECT c.row_id, c.call_id, w.entity_id, w.record_key, w.via,
                   coalesce(c.phone_e164, rn.phone_e164) AS phone_e164,
                   c.phone_e164 IS NOT NULL AS dialled, c.called_at, c.disposition
            FROM calls c JOIN calls_who w USING (row_id)
            LEFT JOIN record_number rn ON rn.record_key = w.record_key
        )
        SELECT f.*,
               coalesce(r.account_id, na.account_id, p.account_id) AS account_id,
               an.phone_e164 IS NOT NULL AS company_channel
        FROM facts f
        LEFT JOIN members r ON r.record_key = f.record_key
        LEFT JOIN number_account na ON na.phone_e164 = f.phone_e164
        LEFT JOIN people p ON p.entity_id = f.entity_id
        LEFT JOIN account_numbers an
               ON an.phone_e164 = f.phone_e164
              AND an.account_id = coalesce(r.account_id, na.account_id, p.account_id)
        """,
    )


def _events(ws: Workspace) -> None:
    _attribute(ws, "events", "email_key", "person_mailboxes")
    ws.create(
        "event_facts",
        """
        SELECT e.row_id, e.event_id, w.entity_id, w.record_key, w.via, e.email_key,
               e.event_type, e.occurred_at,
               coalesce(r.account_id, pm.account_id, p.account_id) AS account_id,
               coalesce(pm.corporate_domain IS NOT NULL, false) AS company_channel
        FROM events e JOIN events_who w USING (row_id)
        LEFT JOIN members r ON r.record_key = w.record_key
        LEFT JOIN person_mailboxes pm
               ON pm.email_key = e.email_key AND pm.entity_id = w.entity_id
        LEFT JOIN people p ON p.entity_id = w.entity_id
        """,
    )


def _presence(ws: Workspace) -> None:
    """Every trace of the person being there, with its strength and channel."""
    ws.create(
        "presence",
        f"""
        SELECT entity_id, account_id, called_at AS seen_at, 'strong' AS strength,
               'answered call (' || disposition || ')' AS label, company_channel,
               phone_e164 AS number, NULL::VARCHAR AS email_key
        FROM call_facts
        WHERE entity_id IS NOT NULL AND disposition IN {ANSWERED}
        UNION ALL
        SELECT entity_id, account_id, occurred_at,
               CASE WHEN event_type IN {sql_text_list(WEAK_PRESENCE_EVENTS)}
                    THEN 'weak' ELSE 'strong' END,
               event_type, company_channel, NULL, email_key
        FROM event_facts
        WHERE entity_id IS NOT NULL
          AND event_type IN {sql_text_list(STRONG_PRESENCE_EVENTS + WEAK_PRESENCE_EVENTS)}
        UNION ALL
        SELECT entity_id, account_id, last_activity_at, 'weak', 'CRM activity', false, NULL, NULL
        FROM members WHERE last_activity_at IS NOT NULL
        UNION ALL
        SELECT entity_id, account_id, updated_at, 'weak', 'CRM update', false, NULL, NULL
        FROM members WHERE updated_at IS NOT NULL
        """,
    )
    ws.create(
        "person_presence",
        """
        SELECT entity_id,
               max(seen_at) FILTER (WHERE strength = 'strong') AS strong_at,
               arg_max(label, tie_broken(seen_at, label)) FILTER (WHERE strength = 'strong')
                   AS strong_label,
               max(seen_at) AS any_at,
               arg_max(label, tie_broken(seen_at, label)) AS any_label,
               max(seen_at) FILTER (WHERE strength = 'strong' AND company_channel) AS company_at
        FROM presence GROUP BY entity_id
        """,
    )


def _channels(ws: Workspace, settings: ScoringSettings) -> None:
    """Dead numbers, dead domains and the bounce state of every mailbox."""
    ws.create(
        "dead_numbers",
        f"""
        WITH dead AS (
            SELECT phone_e164, max(called_at) AS dead_at,
                   arg_max(disposition, tie_broken(called_at, disposition)) AS how
            FROM call_facts WHERE disposition IN {DEAD} AND phone_e164 IS NOT NULL
            GROUP BY phone_e164
        ),
        answered AS (
            SELECT phone_e164, max(called_at) AS seen_at FROM call_facts
            WHERE disposition IN {ANSWERED} GROUP BY phone_e164
        )
        SELECT d.* FROM dead d LEFT JOIN answered a USING (phone_e164)
        WHERE a.seen_at IS NULL OR a.seen_at <= d.dead_at
        """,
    )
    ws.create(
        "dead_domains",
        """
        WITH dead AS (
            SELECT email_domain AS domain, max(bounced_at) AS dead_at,
                   arg_max(bounce_evidence, tie_broken(bounced_at, bounce_evidence)) AS how
            FROM bounces WHERE bounce_class = 'hard' AND bounce_scope = 'domain'
            GROUP BY email_domain
        ),
        alive AS (
            SELECT email_domain AS domain, max(bounced_at) AS seen_at FROM bounces
            WHERE bounce_scope = 'mailbox' GROUP BY email_domain
            UNION ALL
            SELECT pm.corporate_domain, max(e.occurred_at) FROM event_facts e
            JOIN person_mailboxes pm ON pm.email_key = e.email_key AND pm.entity_id = e.entity_id
            WHERE e.event_type <> 'email_open' AND pm.corporate_domain IS NOT NULL
            GROUP BY pm.corporate_domain
        )
        SELECT d.* FROM dead d
        WHERE NOT EXISTS (SELECT 1 FROM alive a WHERE a.domain = d.domain AND a.seen_at > d.dead_at)
        """,
    )
    window = f"INTERVAL {int(settings.soft_bounce_window_days)} DAY"
    ws.create(
        "mailbox_states",
        f"""
        WITH revived AS (
            SELECT email_key, max(occurred_at) AS seen_at FROM event_facts
            WHERE event_type <> 'email_open' AND email_key IS NOT NULL GROUP BY email_key
        ),
        current AS (
            SELECT b.* FROM bounces b LEFT JOIN revived r USING (email_key)
            WHERE r.seen_at IS NULL OR b.bounced_at >= r.seen_at
        ),
        hard AS (
            SELECT email_key, bounced_at, bounce_evidence, bounce_scope,
                   row_number() OVER (PARTITION BY email_key ORDER BY bounced_at) AS nth
            FROM current WHERE bounce_class = 'hard'
        ),
        soft AS (
            SELECT email_key, bounced_at,
                   lag(bounced_at, {int(settings.soft_bounces_to_suppress) - 1})
                       OVER (PARTITION BY email_key ORDER BY bounced_at) AS run_start
            FROM current WHERE bounce_class = 'soft'
        ),
        states AS (
            SELECT email_key,
                   min(bounced_at) FILTER (
                       WHERE nth = {int(settings.hard_bounces_to_suppress)}) AS hard_at,
                   arg_min(bounce_evidence, tie_broken(bounced_at, bounce_evidence)) FILTER (
                       WHERE nth = {int(settings.hard_bounces_to_suppress)}) AS hard_evidence,
                   arg_max(bounce_scope, tie_broken(bounced_at, bounce_scope)) AS hard_scope,
                   max(bounced_at) AS last_hard_at,
                   NULL::TIMESTAMPTZ AS soft_since, NULL::TIMESTAMPTZ AS complaint_at
            FROM hard GROUP BY email_key
            UNION ALL
            SELECT email_key, NULL, NULL, NULL, NULL, min(bounced_at), NULL
            FROM soft WHERE run_start IS NOT NULL AND bounced_at - run_start <= {window}
            GROUP BY email_key
            UNION ALL
            SELECT email_key, NULL, NULL, NULL, NULL, NULL, min(bounced_at)
            FROM bounces WHERE bounce_class = 'complaint' GROUP BY email_key
        )
        SELECT email_key, max(hard_at) AS hard_at, max(hard_evidence) AS hard_evidence,
               max(hard_scope) AS hard_scope, max(last_hard_at) AS last_hard_at,
               max(soft_since) AS soft_since, max(complaint_at) AS complaint_at
        FROM states GROUP BY email_key
        """,
    )


def gather_evidence(ws: Workspace, settings: ScoringSettings) -> dict[str, int]:
    """Create the evidence tables; returns how calls and events were attributed."""
    _owners(ws)
    _calls(ws)
    _events(ws)
    stats = ws.frame(
        """
        SELECT 'calls_' || via AS name, count(*) AS n FROM calls_who GROUP BY via
        UNION ALL SELECT 'events_' || via, count(*) FROM events_who GROUP BY via
        """
    )
    # in the call and event facts now; the largest tables so far, let go before the presence
    ws.drop("calls", "events", "calls_who", "events_who")
    _presence(ws)
    _channels(ws, settings)
    return {str(row.name): int(row.n) for row in stats.itertuples()}

"""May we contact this person, on which number, and who is dialled first: decided once, here.

- Do-not-call (`is_dnc`, `dnc_reason`): a number of any member record denoted by a DNC entry (in
  whatever form it was written, see `dnc`), a `do_not_call` call outcome for the person, or
  `do_not_call` on any member record. A request is permanent, and it also blocks the number it
  was made on for everyone who shares it, also once the records of the person who made it left
  their sources (`standing_requests`); a named contact's request on a company switchboard binds
  that person, not the switchboard (`call_requests`); a request on a personal line (a mobile, a
  home line) is the request of everyone whose record holds it.
- Consent (`consent_valid`): no member record `opted_out`, no unsubscribe (it withdraws
  marketing consent, and the CRM field is often not updated), one `opted_in` whose
  `consent_expires_at` is empty or after `as_of`, and no record saying `expired` unless an
  `opted_in` record shows a renewal (an expiry still ahead): sources that disagree on consent
  do not make it valid.
- Frequency cap: calls attributed to the person on the UTC day of `as_of` (`calls_today`) and
  in the 7 days up to it (`calls_7d`), against `max_calls_per_day` / `max_calls_per_7_days`.
- `dial_phone_e164`: the golden phone, else the golden mobile, else another number of a member
  record, that is valid, not dead, not blocked, and covered by the consent: on a record of an
  opted-in record's identity island (see below; consent lent by a record with nothing personal
  in common may be another person's, merged by mistake), or a number on which the dialler
  reached a record of that island (an answered call by its contact id): verifiably theirs; or a
  company switchboard the person carries (`switchboards`), where reception puts the call
  through to the person asked for, whichever island the consent is on.
- `refusal_holds`: a person who may be the same as someone who asked not to be called or withdrew
  consent (one account, one company name or a number only the two carry, and names that may be one
  person's, see `namesakes`, or one full name where one has no account; a personal mailbox or
  number in common; or the dialler reached one's contact on a number only the other has) is not
  dialled either: linkage may have kept one person apart.
- `is_callable`: a dial phone, not do-not-call, consent valid.
- `linkage_review_hold`: a merge to review before it lends anyone consent: the person's records
  form several identity islands (records connected through a shared personal mailbox or personal
  number: a mobile, home or other line, or a direct line, a work number no other person has, unless
  records whose names cannot be one person's carry it: `disputed_numbers`; a switchboard identifies
  nobody, nor does the number of a record without a name), one island has no valid opt-in of its
  own, and the cluster is flagged (split/oversized) with `hold_flagged_clusters`, or the merge is
  held together by a link below `min_dial_match_probability` (`merge_probability`, the weakest link
  of the cluster's strongest spanning tree: two islands joined by one weak pair are a weak merge
  even when every record has a strong link inside its own island), or two islands each have a
  direct line of their own (one person seldom has two desks; two namesakes do), or two islands
  each with a line of its own (a direct line, a mobile) name no job in common. One island is one
  person by what identifies them; consent on every island is nobody's borrowed consent.
- `is_emailable`: the golden mailbox works (not hard-bounced, domain alive), is not
  soft-suppressed, no complaint, no unsubscribe, no `do_not_email`, no member `opted_out`, and
  the person is not a ghost.
- `on_dial_list` / `dial_block_reason` / `priority_rank`: on the list when `status = 'active'`,
  callable, under the cap and not held; ordered by tier (high first), intent score
  (descending), fewest calls in the last 7 days, then `entity_id`. The published `dial_list`
  is this selection; nothing else decides it.

Tables created: `switchboards`, `call_requests`, `request_holders`, `standing_bindings`,
`disputed_numbers`, `blocked_numbers`, `person_compliance`, `refusal_holds`, `dial_decision`; and,
dropped once `person_compliance` is made, `sole_numbers`, `record_ids`, `island_ids`,
`record_islands`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hygiene_pipeline.linkage.mailbox_names import names_from_mailboxes
from hygiene_pipeline.linkage.romanise import romanised
from hygiene_pipeline.scoring.evidence_kinds import DNC_CALLS, STRONG_PRESENCE_CALLS
from hygiene_pipeline.scoring.namesakes import may_be_one_person, names_agree, names_conflict
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.workspace import Workspace, sql_text_list
from hygiene_pipeline.vocabulary import INTENT_TIERS

VALID_OPT_IN = (
    "consent_status = 'opted_in' AND (consent_expires_at IS NULL OR consent_expires_at > $as_of)"
)
"""SQL over a CRM record: it opted in and the consent has not expired at the batch's `as_of`."""

PERSONAL_LINE = "(n.line <> 'work' OR n.type = 'mobile')"
"""SQL over `record_numbers n`: a line of the record's own, a mobile, home or other line (a work
number may be a company's switchboard)."""

DNC = sql_text_list(DNC_CALLS)
ANSWERED = sql_text_list(STRONG_PRESENCE_CALLS)


def call_requests(ws: Workspace) -> None:
    """Create `call_requests`: each `do_not_call` call outcome with whom it binds (`scope`),
    `request_holders`: the people each request is the request of (the contact it was logged
    against; everyone whose record holds the personal line it was made on), and
    `standing_bindings`: each remembered request with whether it binds everyone (`binds_all`).

    A request binds the number it was made on for everyone (`channel`), except on a company
    switchboard (a work line that several people of one account carry) when the call
    names the contact who asked: that request is the person's, and the colleagues reached through
    the same switchboard may still be called. A request on a call that dialled no number binds
    the person only. A request nobody can be named for blocks the switchboard for everyone.
    A remembered request (`standing_requests`) that bound only its maker keeps doing so on a
    line of the maker's company (`account_numbers`), also once the maker's records are gone and
    the line looks like a colleague's own; anywhere else it binds the number for whoever holds
    it now (a reassigned number, a mobile).
    """
    ws.create(
        "switchboards",
        """
        SELECT DISTINCT an.phone_e164 FROM account_numbers an
        JOIN person_numbers pn USING (phone_e164)
        JOIN people p ON p.entity_id = pn.entity_id AND p.account_id = an.account_id
        GROUP BY an.account_id, an.phone_e164 HAVING count(DISTINCT pn.entity_id) > 1
        """,
    )
    ws.create(
        "call_requests",
        f"""
        SELECT cf.phone_e164, cf.entity_id, cf.called_at,
               CASE WHEN cf.dialled AND NOT (cf.via = 'contact_id' AND s.phone_e164 IS NOT NULL)
                    THEN 'channel' ELSE 'person' END AS scope
        FROM call_facts cf LEFT JOIN switchboards s USING (phone_e164)
        WHERE cf.disposition IN {DNC}
        """,
    )
    ws.create(
        "request_holders",
        f"""
        SELECT entity_id, called_at FROM call_requests WHERE entity_id IS NOT NULL
        UNION
        -- a request made on a personal line (a mobile, a home line) is its holder's, whoever
        -- the call was logged against, unless the line went dead or changed hands after it
        SELECT m.entity_id, cr.called_at
        FROM call_requests cr JOIN record_numbers n USING (phone_e164)
        JOIN members m USING (record_key)
        WHERE cr.scope = 'channel' AND {PERSONAL_LINE}
          AND NOT EXISTS (
              SELECT 1 FROM dead_numbers dn
              WHERE dn.phone_e164 = cr.phone_e164 AND dn.dead_at > cr.called_at
          )
        """,
    )
    ws.create(
        "standing_bindings",
        """
        SELECT s.*, s.scope = 'channel' OR an.phone_e164 IS NULL AS binds_all
        FROM standing_requests s
        LEFT JOIN account_numbers an
               ON an.phone_e164 = s.phone_e164 AND an.account_id = s.account_id
        """,
    )


def disputed_numbers(ws: Workspace) -> None:
    """Create `disputed_numbers`: numbers that only one person's records carry, on records whose
    names cannot be one person's (`namesakes.names_conflict`). A wrong merge of two colleagues
    makes their switchboard look like a direct line; such a number identifies nobody."""
    holders = ws.frame(
        """
        WITH sole AS (
            SELECT phone_e164 FROM person_numbers GROUP BY phone_e164 HAVING count(*) = 1
        ),
        named AS (
            SELECT DISTINCT n.phone_e164, m.first_name_norm AS first, m.last_name_norm AS last
            FROM record_numbers n JOIN sole USING (phone_e164) JOIN members m USING (record_key)
            WHERE m.first_name_norm IS NOT NULL OR m.last_name_norm IS NOT NULL
        )
        SELECT a.phone_e164, a.first, a.last, b.first AS other_first, b.last AS other_last
        FROM named a JOIN named b USING (phone_e164)
        WHERE a.first IS DISTINCT FROM b.first OR a.last IS DISTINCT FROM b.last
        """
    )
    conflict = names_conflict(
        holders["first"], holders["other_first"], holders["last"], holders["other_last"]
    )
    ws.load("disputed_numbers", holders.loc[conflict, ["phone_e164"]].drop_duplicates())


def record_islands(ws: Workspace) -> None:
    """Create `sole_numbers` (numbers no other person has, unless records of two names carry
    them: `disputed_numbers`) and `record_islands`: each record's identity island, named by its
    least record key. An island is the records of one person connected through a personal
    identifier: a personal mailbox, or a number that is not the company's (a mobile, home or
    other line, or a sole number) on a record with a name (a record without one cannot say whose
    its number is); any other record is an island alone.

    Islands are the connected components of the graph of records and the identifiers they hold
    (scipy), which grows with the records, not with the pairs of records sharing an identifier.
    """
    ws.create(
        "sole_numbers",
        """
        SELECT n.record_key, n.phone_e164, n.line, n.type FROM record_numbers n
        JOIN (SELECT phone_e164 FROM person_numbers GROUP BY phone_e164 HAVING count(*) = 1)
            USING (phone_e164)
        ANTI JOIN disputed_numbers USING (phone_e164)
        """,
    )
    ws.create(
        "record_ids",
        "SELECT record_key, entity_id, row_number() OVER (ORDER BY record_key) - 1 AS rid "
        "FROM members",
    )
    held = ws.arrays(
        """
        WITH named AS (
            SELECT record_key FROM members
            WHERE first_name_norm IS NOT NULL OR last_name_norm IS NOT NULL
        ),
        personal AS (
            SELECT record_key, email_key AS identifier FROM members
            WHERE email_key IS NOT NULL AND NOT email_is_role
            UNION
            SELECT record_key, phone_e164 FROM record_numbers SEMI JOIN named USING (record_key)
            WHERE line <> 'work' OR type = 'mobile'
            UNION
            SELECT record_key, phone_e164 FROM sole_numbers SEMI JOIN named USING (record_key)
        )
        SELECT i.rid, dense_rank() OVER (ORDER BY i.entity_id, p.identifier) - 1 AS identifier
        FROM personal p JOIN record_ids i USING (record_key)
        """
    )
    records = ws.count("record_ids")
    rids = np.asarray(held["rid"], dtype=np.int64)
    identifiers = records + np.asarray(held["identifier"], dtype=np.int64)
    nodes = int(identifiers.max()) + 1 if len(identifiers) else records
    graph = coo_matrix((np.ones(len(rids), dtype=np.int8), (rids, identifiers)), (nodes, nodes))
    _, component = connected_components(graph, directed=False)
    component = component[:records]
    least = pd.Series(np.arange(records)).groupby(component).transform("min").to_numpy()
    ws.load("island_ids", pd.DataFrame({"rid": np.arange(records), "island_rid": least}))
    ws.create(
        "record_islands",
        """
        SELECT i.record_key, o.record_key AS island
        FROM record_ids i JOIN island_ids x USING (rid) JOIN record_ids o ON o.rid = x.island_rid
        """,
    )
    ws.drop("record_ids", "island_ids")  # now in record_islands


def person_compliance(ws: Workspace, settings: ScoringSettings) -> None:
    """Create `blocked_numbers` and `person_compliance` (needs the evidence tables)."""
    call_requests(ws)
    disputed_numbers(ws)
    record_islands(ws)
    ws.create(
        "blocked_numbers",
        """
        SELECT phone_e164, min(added_at) AS since, 'dnc_list' AS reason FROM dnc_numbers
        WHERE phone_e164 IS NOT NULL GROUP BY phone_e164
        UNION ALL
        SELECT phone_e164, min(called_at), 'do_not_call_request' FROM call_requests
        WHERE scope = 'channel' GROUP BY phone_e164
        UNION ALL
        SELECT phone_e164, min(since), 'do_not_call_request' FROM standing_bindings
        WHERE phone_e164 IS NOT NULL AND binds_all GROUP BY phone_e164
        """,
    )
    hold_flagged = "true" if settings.hold_flagged_clusters else "false"
    ws.create(
        "person_compliance",
        f"""
        WITH listed AS (
            SELECT pn.entity_id, min(d.added_at) AS since, count(*) AS n
            FROM person_numbers pn JOIN dnc_numbers d USING (phone_e164)
            GROUP BY pn.entity_id
        ),
        requested AS (
            SELECT entity_id, min(called_at) AS seen_at FROM request_holders GROUP BY entity_id
        ),
        member AS (
            SELECT entity_id, bool_or(do_not_call) AS dnc_flag,
                   bool_or(do_not_email) AS dne_flag,
                   bool_or(consent_status = 'opted_out') AS opted_out,
                   bool_or({VALID_OPT_IN}) AS opted_in,
                   -- a record saying consent expired stands unless an opt-in shows a renewal:
                   -- an expiry date still ahead
                   bool_or(consent_status = 'expired') AND NOT coalesce(bool_or(
                       consent_status = 'opted_in' AND consent_expires_at > $as_of), false)
                       AS lapsed,
                   count(cluster_flag) AS flagged, min(merge_probability) AS weakest
            FROM members GROUP BY entity_id
        ),
        own_lines AS (
            -- numbers no other person has: direct lines (work numbers that are not mobiles) and
            -- mobile, home or other lines
            SELECT record_key, bool_or(line = 'work' AND coalesce(type, '') <> 'mobile') AS desk
            FROM sole_numbers GROUP BY record_key
        ),
        lined_titles AS (
            -- the jobs named on each island that has a line of its own
            SELECT DISTINCT m.entity_id, r.island, lower(trim(t.job_title)) AS title
            FROM members m JOIN record_islands r USING (record_key)
            SEMI JOIN own_lines USING (record_key)
            JOIN record_islands rt ON rt.island = r.island
            JOIN members t ON t.record_key = rt.record_key
            WHERE nullif(trim(t.job_title), '') IS NOT NULL
        ),
        other_jobs AS (
            -- two such islands naming no job in common: two people, or one person in two jobs
            SELECT entity_id FROM (
                SELECT a.entity_id, a.island, b.island AS other, bool_or(a.title = b.title) AS same
                FROM lined_titles a JOIN lined_titles b
                  ON b.entity_id = a.entity_id AND b.island > a.island
                GROUP BY ALL
            ) WHERE NOT same GROUP BY entity_id
        ),
        islands AS (
            SELECT m.entity_id, count(DISTINCT r.island) AS islands,
                   count(DISTINCT r.island) FILTER (WHERE {VALID_OPT_IN}) AS consenting_islands,
                   count(DISTINCT r.island) FILTER (WHERE o.desk)
                       AS desk_islands
            FROM members m JOIN record_islands r USING (record_key)
            LEFT JOIN own_lines o USING (record_key)
            GROUP BY m.entity_id
        ),
        counts AS (
            SELECT entity_id,
                   count(*) FILTER (WHERE called_at >= date_trunc('day', $as_of)) AS today,
                   count(*) FILTER (WHERE called_at > $as_of - INTERVAL 7 DAY) AS week
            FROM call_facts WHERE entity_id IS NOT NULL GROUP BY entity_id
        ),
        candidates AS (
            SELECT entity_id, phone_e164, 0 AS preference FROM people WHERE phone_e164 IS NOT NULL
            UNION ALL
            SELECT entity_id, mobile_phone_e164, 1 FROM people
            WHERE mobile_phone_e164 IS NOT NULL
            UNION ALL
            SELECT entity_id, phone_e164, 2 FROM person_numbers
        ),
        opted AS (
            SELECT entity_id, record_key, email_key FROM members WHERE {VALID_OPT_IN}
        ),
        consented AS (
            -- numbers of the records on an opted-in record's island (records sharing a personal
            -- mailbox or number with it): consent lent across islands, by records with nothing
            -- personal in common, may be another person's (a wrong merge)
            SELECT m.entity_id, n.phone_e164
            FROM opted o JOIN record_islands ro ON ro.record_key = o.record_key
            JOIN record_islands rm ON rm.island = ro.island
            JOIN members m ON m.record_key = rm.record_key
            JOIN record_numbers n ON n.record_key = rm.record_key
            UNION
            -- a number on which the dialler reached a record of that island: verifiably theirs
            SELECT cf.entity_id, cf.phone_e164
            FROM opted o JOIN record_islands ro ON ro.record_key = o.record_key
            JOIN record_islands rm ON rm.island = ro.island
            JOIN call_facts cf ON cf.record_key = rm.record_key
            WHERE cf.via = 'contact_id' AND cf.dialled AND cf.disposition IN {ANSWERED}
            UNION
            -- a company switchboard the person carries: reception puts the call through to the
            -- person asked for, whichever island the consent is on
            SELECT pn.entity_id, pn.phone_e164
            FROM person_numbers pn SEMI JOIN switchboards USING (phone_e164)
            WHERE pn.entity_id IN (SELECT entity_id FROM opted)
        ),
        usable AS (
            SELECT pn.entity_id, pn.phone_e164 FROM person_numbers pn
            ANTI JOIN dead_numbers dn USING (phone_e164)
            ANTI JOIN blocked_numbers bn USING (phone_e164)
            WHERE pn.valid
        ),
        working AS (
            SELECT c.entity_id, c.phone_e164, c.preference
            FROM candidates c
            SEMI JOIN usable u USING (entity_id, phone_e164)
            SEMI JOIN consented co USING (entity_id, phone_e164)
        ),
        dial AS (
            SELECT entity_id, first(phone_e164 ORDER BY preference, phone_e164) AS phone
            FROM working GROUP BY entity_id
        ),
        reachable AS (SELECT DISTINCT entity_id FROM usable),
        unsubscribed AS (
            SELECT DISTINCT entity_id FROM event_facts WHERE event_type = 'unsubscribe'
        ),
        golden_box AS (
            SELECT p.entity_id,
                   pm.valid AND ms.hard_at IS NULL AND dd.domain IS NULL AS usable,
                   ms.soft_since, ms.complaint_at
            FROM people p
            JOIN person_mailboxes pm ON pm.entity_id = p.entity_id AND pm.email_key = p.email_key
            LEFT JOIN mailbox_states ms ON ms.email_key = p.email_key
            LEFT JOIN dead_domains dd ON dd.domain = split_part(p.email_key, '@', 2)
        )
        SELECT p.entity_id,
               (l.entity_id IS NOT NULL OR r.seen_at IS NOT NULL OR coalesce(m.dnc_flag, false))
                   AS is_dnc,
               nullif(concat_ws('; ',
                   CASE WHEN l.entity_id IS NOT NULL THEN 'DNC list'
                        || coalesce(' since ' || strftime(l.since, '%Y-%m-%d'), '') END,
                   CASE WHEN r.seen_at IS NOT NULL THEN 'do_not_call request on '
                        || strftime(r.seen_at, '%Y-%m-%d') END,
                   CASE WHEN m.dnc_flag THEN 'do_not_call flag on a CRM record' END), '')
                   AS dnc_reason,
               coalesce(m.opted_in AND NOT m.opted_out AND NOT m.lapsed, false)
                   AND u.entity_id IS NULL AS consent_valid,
               coalesce(k.today, 0) AS calls_today,
               coalesce(k.week, 0) AS calls_7d,
               coalesce(k.today, 0) < {int(settings.max_calls_per_day)}
                   AND coalesce(k.week, 0) < {int(settings.max_calls_per_7_days)}
                   AS under_call_cap,
               d.phone AS dial_phone_e164,
               d.phone IS NULL AND rc.entity_id IS NOT NULL AS consent_elsewhere,
               coalesce(m.opted_out, false) OR u.entity_id IS NOT NULL AS withdrew_consent,
               coalesce(il.islands, 1) > 1 AND il.consenting_islands < il.islands
                   AND (({hold_flagged} AND coalesce(m.flagged, 0) > 0)
                        OR coalesce(m.weakest, 1.0) < {float(settings.min_dial_match_probability)}
                        OR il.desk_islands > 1
                        OR oj.entity_id IS NOT NULL)
                   AS linkage_review_hold,
               coalesce(g.usable AND g.soft_since IS NULL AND g.complaint_at IS NULL, false)
                   AND u.entity_id IS NULL
                   AND NOT coalesce(m.dne_flag, false) AND NOT coalesce(m.opted_out, false)
                   AND NOT coalesce(gh.is_ghost, false)
                   AS is_emailable
        FROM people p
        LEFT JOIN listed l USING (entity_id)
        LEFT JOIN requested r USING (entity_id)
        LEFT JOIN member m USING (entity_id)
        LEFT JOIN counts k USING (entity_id)
        LEFT JOIN dial d USING (entity_id)
        LEFT JOIN reachable rc USING (entity_id)
        LEFT JOIN unsubscribed u USING (entity_id)
        LEFT JOIN golden_box g USING (entity_id)
        LEFT JOIN person_ghosts gh USING (entity_id)
        LEFT JOIN islands il USING (entity_id)
        LEFT JOIN other_jobs oj USING (entity_id)
        """,
    )
    ws.drop("record_islands", "sole_numbers")  # read by nothing after this


def refusal_holds(ws: Workspace) -> None:
    """Create `refusal_holds`: people who may be the same person as someone who asked not to be
    called or withdrew consent, though linkage kept them apart.

    A person split across two entities (a typo in the name, records with nothing in common but
    the name) must not be called on one half after refusing on the other. Likely halves: one
    account, or one company name under two accounts (the account itself may be split), or a
    number only the two of them carry (a desk line both halves keep looks like a switchboard), and
    names that may be one person's (`namesakes.may_be_one_person`), or the same full name where
    one half has no account; a personal mailbox or personal number (a mobile, a home line) in
    common; or the dialler calling one entity's contact on a number that only one other entity
    has.
    """
    ws.create(
        "refusing",
        """
        SELECT entity_id, CASE WHEN is_dnc THEN 'asked not to be called'
                               ELSE 'withdrew consent' END AS why
        FROM person_compliance WHERE is_dnc OR withdrew_consent
        """,
    )
    _member_names(ws)
    namesakes = ws.frame(
        """
        WITH parts AS (
            SELECT entity_id, count(first) AS firsts, count(last) AS lasts
            FROM member_names GROUP BY entity_id
        ),
        named AS (
            -- each record's name; a part missing on it counts only when no record has it
            SELECT DISTINCT m.entity_id, m.account_id, m.company_key, m.first, m.last
            FROM member_names m JOIN parts USING (entity_id)
            WHERE (m.first IS NOT NULL OR parts.firsts = 0)
              AND (m.last IS NOT NULL OR parts.lasts = 0)
              AND (m.first IS NOT NULL OR m.last IS NOT NULL)
        )
        SELECT b.entity_id, a.entity_id AS other, r.why,
               a.first AS other_first, b.first, a.last AS other_last, b.last
        FROM refusing r
        JOIN named a USING (entity_id)
        JOIN named b ON b.account_id = a.account_id AND b.entity_id <> a.entity_id
        WHERE a.last IS NULL OR b.last IS NULL OR left(a.last, 1) = left(b.last, 1)
        UNION
        -- one company name, two accounts: the account itself may be split
        SELECT b.entity_id, a.entity_id, r.why, a.first, b.first, a.last, b.last
        FROM refusing r
        JOIN named a USING (entity_id)
        JOIN named b ON b.company_key = a.company_key AND b.entity_id <> a.entity_id
        WHERE b.account_id IS DISTINCT FROM a.account_id
          AND (a.last IS NULL OR b.last IS NULL OR left(a.last, 1) = left(b.last, 1))
        UNION
        SELECT b.entity_id, a.entity_id, r.why, a.first, b.first, a.last, b.last
        FROM refusing r
        JOIN named a USING (entity_id)
        JOIN named b ON b.first = a.first AND b.last = a.last AND b.entity_id <> a.entity_id
        WHERE a.account_id IS NULL OR b.account_id IS NULL
        """
    )
    on_one_line = ws.frame(
        """
        -- the one other person on a number only two people carry, one of whom refused: a
        -- person split in two often keeps one desk line on both halves, which looks like a
        -- switchboard of two colleagues (a switchboard many share is how colleagues look)
        WITH two_holders AS (
            SELECT phone_e164 FROM person_numbers GROUP BY phone_e164 HAVING count(*) = 2
        )
        SELECT DISTINCT b.entity_id, r.entity_id AS other, r.why,
               ma.first_name_norm AS other_first, mb.first_name_norm AS first,
               ma.last_name_norm AS other_last, mb.last_name_norm AS last
        FROM refusing r
        JOIN person_numbers a USING (entity_id)
        SEMI JOIN two_holders USING (phone_e164)
        JOIN person_numbers b ON b.phone_e164 = a.phone_e164 AND b.entity_id <> a.entity_id
        JOIN members ma ON ma.entity_id = a.entity_id
        JOIN members mb ON mb.entity_id = b.entity_id
        WHERE ma.first_name_norm IS NOT NULL AND ma.last_name_norm IS NOT NULL
          AND mb.first_name_norm IS NOT NULL AND mb.last_name_norm IS NOT NULL
        """
    )
    held = [
        frame.loc[agree(frame["first"], frame["other_first"], frame["last"], frame["other_last"])]
        for frame, agree in ((namesakes, names_agree), (on_one_line, may_be_one_person))
    ]
    ws.load("by_name", pd.concat(held, ignore_index=True)[["entity_id", "other", "why"]])
    ws.create(
        "refusal_holds",
        f"""
        WITH owners AS (
            SELECT phone_e164, min(entity_id) AS entity_id FROM person_numbers
            GROUP BY phone_e164 HAVING count(*) = 1
        ),
        personal AS (
            SELECT entity_id, email_key AS identifier FROM members
            WHERE email_key IS NOT NULL AND NOT email_is_role
            UNION
            SELECT m.entity_id, n.phone_e164 FROM members m JOIN record_numbers n USING (record_key)
            WHERE {PERSONAL_LINE}
        ),
        by_identifier AS (
            SELECT b.entity_id, a.entity_id AS other, r.why
            FROM refusing r JOIN personal a USING (entity_id)
            JOIN personal b ON b.identifier = a.identifier AND b.entity_id <> a.entity_id
        ),
        by_dialler AS (
            SELECT o.entity_id, cf.entity_id AS other, r.why
            FROM call_facts cf
            JOIN refusing r ON r.entity_id = cf.entity_id
            JOIN owners o ON o.phone_e164 = cf.phone_e164
            WHERE cf.via = 'contact_id' AND cf.dialled AND o.entity_id <> cf.entity_id
            UNION ALL
            SELECT cf.entity_id, o.entity_id, r.why
            FROM call_facts cf
            JOIN owners o ON o.phone_e164 = cf.phone_e164
            JOIN refusing r ON r.entity_id = o.entity_id
            WHERE cf.via = 'contact_id' AND cf.dialled AND o.entity_id <> cf.entity_id
        )
        SELECT entity_id, 'may be the same person as ' || min(other) || ', who ' || min(why)
                   AS hold_reason
        FROM (SELECT * FROM by_name UNION ALL SELECT * FROM by_identifier
              UNION ALL SELECT * FROM by_dialler)
        GROUP BY entity_id
        """,
    )


def _member_names(ws: Workspace) -> None:
    """Create `member_names`: the names of the records that may meet a refusing person (of an
    account or a company name where someone refused, or of no account), in pinyin where written
    in Han characters (唐 and Tang start alike), a missing first name or surname read from the
    record's own mailbox (`linkage.mailbox_names`): `None Sharp` at `victor.sharp@` is Victor,
    not every Sharp of the account."""
    names = ws.frame(
        """
        SELECT m.entity_id, p.account_id, m.company_key, m.first_name_norm AS first,
               m.last_name_norm AS last, m.email_key, m.email_is_role
        FROM members m JOIN people p USING (entity_id)
        WHERE p.account_id IS NULL
           OR p.account_id IN (SELECT r.account_id FROM refusing JOIN people r USING (entity_id))
           OR m.company_key IN (SELECT r.company_key FROM refusing JOIN members r USING (entity_id))
        """
    )
    first, last = names_from_mailboxes(
        romanised(names["first"]),
        romanised(names["last"]),
        names["email_key"],
        names["email_is_role"],
    )
    ws.load(
        "member_names",
        names.assign(first=first, last=last)[
            ["entity_id", "account_id", "company_key", "first", "last"]
        ],
    )


def dial_decision(ws: Workspace) -> None:
    """Create `dial_decision`: `is_callable`, `on_dial_list`, `dial_block_reason`,
    `priority_rank` per person (needs `person_status`, `person_intent`, `person_compliance`)."""
    tier_order = " ".join(f"WHEN '{tier}' THEN {rank}" for rank, tier in enumerate(INTENT_TIERS))
    ws.create(
        "dial_decision",
        f"""
        WITH facts AS (
            SELECT c.entity_id, s.status, i.intent_tier, i.intent_score, c.calls_7d,
                   c.dial_phone_e164 IS NOT NULL AND NOT c.is_dnc AND c.consent_valid
                       AS is_callable,
                   CASE WHEN s.status <> 'active' THEN 'status ' || s.status
                        WHEN c.is_dnc THEN 'do not call: ' || c.dnc_reason
                        WHEN NOT c.consent_valid THEN 'no valid consent'
                        WHEN h.entity_id IS NOT NULL THEN h.hold_reason
                        WHEN c.consent_elsewhere
                            THEN 'consent is on another record than any working number'
                        WHEN c.dial_phone_e164 IS NULL THEN 'no working number that may be dialled'
                        WHEN NOT c.under_call_cap THEN 'contact-frequency cap reached'
                        WHEN c.linkage_review_hold THEN 'merge under review'
                   END AS dial_block_reason
            FROM person_compliance c
            JOIN person_status s USING (entity_id)
            JOIN person_intent i USING (entity_id)
            LEFT JOIN refusal_holds h USING (entity_id)
        )
        SELECT entity_id, is_callable, dial_block_reason IS NULL AS on_dial_list,
               dial_block_reason,
               CASE WHEN dial_block_reason IS NULL THEN row_number() OVER (
                   PARTITION BY dial_block_reason IS NULL
                   ORDER BY CASE intent_tier {tier_order} ELSE 9 END, intent_score DESC,
                            calls_7d, entity_id) END AS priority_rank
        FROM facts
        """,
    )

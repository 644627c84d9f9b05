{{ config(materialized='table') }}
-- One row per account (a resolved company, `curated.accounts`): how many people the CRM holds
-- there, how many left, how stale they are, whether the company moved or closed, how interested
-- its people are and how many can be called. People removed from their sources are counted apart
-- (removed_people), and job changes (curated.job_changes) count as departures from the old account.
WITH job_departures AS (
    SELECT old_account_id AS account_id, COUNT(DISTINCT entity_id) AS job_change_departures
    FROM {{ source('curated', 'job_changes') }}
    GROUP BY old_account_id
),
known_accounts AS (
    SELECT account_id, name, domains, country, city, status, status_reason, departures
    FROM {{ source('curated', 'accounts') }}
    UNION ALL
    -- an account whose last person left for another company has no record in the batch: it is
    -- kept here, with the company name the person left
    SELECT old_account_id, MAX(old_company), NULL, NULL, NULL, NULL,
        'no record of the account in this batch', 0
    FROM {{ source('curated', 'job_changes') }} AS moves
    WHERE NOT EXISTS (
        SELECT 1 FROM {{ source('curated', 'accounts') }} AS a
        WHERE a.account_id = moves.old_account_id
    )
    GROUP BY old_account_id
),
removed AS (
    SELECT account_id, COUNT(*) AS removed_people
    FROM {{ source('curated', 'contacts_golden') }}
    WHERE account_id IS NOT NULL AND NOT in_source
    GROUP BY account_id
),
per_account AS (
    SELECT
        account_id,
        COUNT(*) AS people,
        COUNT(*) FILTER (WHERE status = 'active') AS active_people,
        COUNT(*) FILTER (WHERE status = 'stale_inactive') AS stale_people,
        COUNT(*) FILTER (WHERE status = 'left_company') AS left_company_people,
        COUNT(*) FILTER (WHERE status = 'invalid_contact') AS invalid_contact_people,
        CAST(AVG(staleness_score) AS DOUBLE PRECISION) AS avg_staleness_score,
        COUNT(*) FILTER (WHERE intent_tier = 'high') AS high_intent_people,
        COUNT(*) FILTER (WHERE intent_tier = 'medium') AS medium_intent_people,
        COUNT(*) FILTER (WHERE intent_tier = 'low') AS low_intent_people,
        CAST(AVG(intent_score) AS DOUBLE PRECISION) AS avg_intent_score,
        CAST(MAX(intent_score) AS DOUBLE PRECISION) AS max_intent_score,
        COUNT(*) FILTER (WHERE is_callable) AS callable_people,
        COUNT(*) FILTER (WHERE on_dial_list) AS dial_list_people,
        MAX(last_presence_at) AS last_presence_at
    FROM {{ source('curated', 'contacts_golden') }}
    WHERE account_id IS NOT NULL AND in_source
    GROUP BY account_id
)
SELECT
    accounts.account_id,
    accounts.name AS company,
    accounts.domains,
    accounts.country,
    accounts.city,
    accounts.status AS account_status,
    accounts.status_reason AS account_status_reason,
    COALESCE(per_account.people, 0) AS people,
    COALESCE(per_account.active_people, 0) AS active_people,
    COALESCE(per_account.stale_people, 0) AS stale_people,
    COALESCE(per_account.left_company_people, 0) AS left_company_people,
    accounts.departures,
    COALESCE(job_departures.job_change_departures, 0) AS job_change_departures,
    COALESCE(removed.removed_people, 0) AS removed_people,
    COALESCE(per_account.invalid_contact_people, 0) AS invalid_contact_people,
    CAST(per_account.active_people AS DOUBLE PRECISION) / NULLIF(per_account.people, 0)
        AS active_share,
    CAST(per_account.stale_people AS DOUBLE PRECISION) / NULLIF(per_account.people, 0)
        AS stale_share,
    per_account.avg_staleness_score,
    COALESCE(per_account.high_intent_people, 0) AS high_intent_people,
    COALESCE(per_account.medium_intent_people, 0) AS medium_intent_people,
    COALESCE(per_account.low_intent_people, 0) AS low_intent_people,
    per_account.avg_intent_score,
    per_account.max_intent_score,
    COALESCE(per_account.callable_people, 0) AS callable_people,
    CAST(per_account.callable_people AS DOUBLE PRECISION) / NULLIF(per_account.people, 0)
        AS callable_share,
    COALESCE(per_account.dial_list_people, 0) AS dial_list_people,
    per_account.last_presence_at,
    CASE
        WHEN accounts.status = 'closed' THEN 'closed'
        WHEN accounts.status = 'relocated' THEN 'relocated'
        WHEN COALESCE(per_account.left_company_people, 0) + accounts.departures
            + COALESCE(job_departures.job_change_departures, 0) > 0
            AND COALESCE(per_account.active_people, 0) = 0 THEN 'contact_lost'
        WHEN per_account.people IS NULL THEN 'no_people'
        WHEN CAST(per_account.active_people AS DOUBLE PRECISION) / per_account.people < 0.5
            THEN 'at_risk'
        ELSE 'healthy'
    END AS health
FROM known_accounts AS accounts
LEFT JOIN per_account ON per_account.account_id = accounts.account_id
LEFT JOIN job_departures ON job_departures.account_id = accounts.account_id
LEFT JOIN removed ON removed.account_id = accounts.account_id

{{ config(materialized='table') }}
-- One row per company (`company_key`): how many people the CRM holds there, how stale they are,
-- whether the company moved or closed, how interested its people are and how many can be called.
WITH people AS (
    SELECT
        golden.*,
        dial_list.entity_id IS NOT NULL AS on_dial_list
    FROM {{ source('curated', 'contacts_golden') }} AS golden
    LEFT JOIN {{ ref('dial_list') }} AS dial_list ON dial_list.entity_id = golden.entity_id
    WHERE golden.company_key IS NOT NULL AND golden.company_key <> ''
),
per_company AS (
    SELECT
        company_key,
        MIN(company) AS company,
        COUNT(*) AS people,
        COUNT(*) FILTER (WHERE status = 'active') AS active_people,
        COUNT(*) FILTER (WHERE status = 'stale_inactive') AS stale_people,
        COUNT(*) FILTER (WHERE status = 'left_company') AS left_company_people,
        COUNT(*) FILTER (WHERE status = 'company_relocated') AS relocated_people,
        COUNT(*) FILTER (WHERE status = 'company_closed') AS closed_people,
        COUNT(*) FILTER (WHERE status = 'invalid_contact') AS invalid_contact_people,
        CAST(AVG(staleness_score) AS DOUBLE PRECISION) AS avg_staleness_score,
        COUNT(*) FILTER (WHERE intent_tier = 'high') AS high_intent_people,
        COUNT(*) FILTER (WHERE intent_tier = 'medium') AS medium_intent_people,
        COUNT(*) FILTER (WHERE intent_tier = 'low') AS low_intent_people,
        CAST(AVG(intent_score) AS DOUBLE PRECISION) AS avg_intent_score,
        CAST(MAX(intent_score) AS DOUBLE PRECISION) AS max_intent_score,
        COUNT(*) FILTER (WHERE is_callable) AS callable_people,
        COUNT(*) FILTER (WHERE on_dial_list) AS dial_list_people,
        MAX(last_activity_at) AS last_activity_at
    FROM people
    GROUP BY company_key
)
SELECT
    company_key,
    company,
    people,
    active_people,
    stale_people,
    left_company_people,
    relocated_people,
    closed_people,
    invalid_contact_people,
    CAST(active_people AS DOUBLE PRECISION) / people AS active_share,
    CAST(stale_people AS DOUBLE PRECISION) / people AS stale_share,
    avg_staleness_score,
    relocated_people > 0 AS relocation_signal,
    closed_people > 0 AS closure_signal,
    high_intent_people,
    medium_intent_people,
    low_intent_people,
    avg_intent_score,
    max_intent_score,
    callable_people,
    CAST(callable_people AS DOUBLE PRECISION) / people AS callable_share,
    dial_list_people,
    last_activity_at,
    CASE
        WHEN closed_people > 0 THEN 'closed'
        WHEN relocated_people > 0 THEN 'relocated'
        WHEN CAST(active_people AS DOUBLE PRECISION) / people < 0.5 THEN 'at_risk'
        ELSE 'healthy'
    END AS health
FROM per_company

{{ config(materialized='table') }}
-- One row per channel key (a phone number or an email address) that must not be used, from the
-- suppression events scoring decided (reasons in hygiene_pipeline/vocabulary.py: hard_bounce,
-- dead_domain, soft_bounces, complaint, unsubscribe, do_not_email, opted_out, dnc_list,
-- do_not_call_request, do_not_call_flag, disconnected, wrong_number). The earliest dated
-- suppression of a key names its person, reason and date; `reasons` lists every reason found;
-- `scope` is `channel` when the key must not be used by anyone, `person` when only by the people
-- named in its suppression events (a colleague's opt-out on a shared switchboard).
WITH candidates AS (
    SELECT channel, value, entity_id, reason, since, detail, scope
    FROM {{ source('curated', 'suppression_events') }}
),
keyed AS (
    SELECT
        channel,
        CASE WHEN channel = 'email' THEN LOWER(TRIM(value)) ELSE TRIM(value) END AS value,
        entity_id,
        reason,
        CAST(since AS TIMESTAMP WITH TIME ZONE) AS since,
        CAST(detail AS TEXT) AS detail,
        scope
    FROM candidates
    WHERE channel IN ('phone', 'email') AND value IS NOT NULL AND TRIM(value) <> ''
),
ranked AS (
    SELECT
        keyed.*,
        ROW_NUMBER() OVER (
            PARTITION BY channel, value ORDER BY since NULLS LAST, reason, entity_id NULLS LAST
        ) AS earliest
    FROM keyed
),
per_key AS (
    SELECT
        channel,
        value,
        COUNT(DISTINCT entity_id) AS entity_count,
        STRING_AGG(DISTINCT reason, '; ' ORDER BY reason) AS reasons,
        CASE WHEN BOOL_OR(scope = 'channel') THEN 'channel' ELSE 'person' END AS scope
    FROM keyed
    GROUP BY channel, value
)
SELECT
    ranked.channel,
    ranked.value,
    ranked.entity_id,
    ranked.reason,
    ranked.since,
    ranked.detail,
    per_key.reasons,
    per_key.entity_count,
    per_key.scope
FROM ranked
JOIN per_key ON per_key.channel = ranked.channel AND per_key.value = ranked.value
WHERE ranked.earliest = 1

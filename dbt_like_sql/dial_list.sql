{{ config(materialized='table') }}
-- Who to call next, in order. The decision is made once, by scoring (`on_dial_list`,
-- `priority_rank` on contacts_golden: active, callable, under the contact-frequency cap, merge not
-- under review); this model only publishes it with the columns a dialler needs. The blocking
-- check `dial_list_compliance` re-derives the rules from the raw evidence, independently.
SELECT
    entity_id,
    dial_phone_e164 AS phone_e164,
    intent_tier,
    intent_score,
    calls_today,
    calls_7d,
    priority_rank,
    first_name,
    last_name,
    company,
    job_title,
    country,
    phone_timezone,
    call_window_start_utc,
    call_window_end_utc
FROM {{ source('curated', 'contacts_golden') }}
WHERE on_dial_list

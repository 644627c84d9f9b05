{{ config(materialized='table') }}
-- Who to call next: active people who may be called (`is_callable`: a working number, no
-- do-not-call signal, valid consent), are under the contact-frequency cap (`under_call_cap`) and
-- whose merge needs no review (`linkage_review_hold`), best prospects first. As a second line of defence nobody is listed on a number that is on the
-- suppression events, nor while any do-not-call or opt-out suppression names them; a number
-- that merely died (disconnected, wrong_number) does not block the person's other number.
WITH blocked_numbers AS (
    SELECT DISTINCT value
    FROM {{ source('curated', 'suppression_events') }}
    WHERE channel = 'phone'
),
blocked_people AS (
    SELECT DISTINCT entity_id
    FROM {{ source('curated', 'suppression_events') }}
    WHERE channel = 'phone'
      AND entity_id IS NOT NULL
      AND reason NOT IN ('disconnected', 'wrong_number')
),
dialable AS (
    SELECT golden.*
    FROM {{ source('curated', 'contacts_golden') }} AS golden
    WHERE golden.status = 'active'
      AND golden.is_callable
      AND golden.under_call_cap
      AND NOT golden.linkage_review_hold
      AND golden.dial_phone_e164 IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM blocked_numbers WHERE blocked_numbers.value = golden.dial_phone_e164
      )
      AND NOT EXISTS (
          SELECT 1 FROM blocked_people WHERE blocked_people.entity_id = golden.entity_id
      )
)
SELECT
    entity_id,
    dial_phone_e164 AS phone_e164,
    intent_tier,
    intent_score,
    calls_today,
    calls_7d,
    ROW_NUMBER() OVER (
        ORDER BY
            CASE intent_tier WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END,
            intent_score DESC NULLS LAST,
            calls_7d,
            entity_id
    ) AS priority_rank,
    first_name,
    last_name,
    company,
    job_title,
    country,
    phone_timezone
FROM dialable

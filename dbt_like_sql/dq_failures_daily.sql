{{ config(materialized='view') }}
-- Data-quality evaluations and failures per UTC day and check: the time series behind
-- `dq_summary`, kept as a view so it always reflects every evaluation recorded so far.
SELECT
    CAST(checked_at AT TIME ZONE 'UTC' AS DATE) AS check_date,
    asset,
    check_name,
    COUNT(*) AS evaluations,
    COUNT(*) FILTER (WHERE NOT passed) AS failures,
    CAST(COALESCE(SUM(failed_count) FILTER (WHERE NOT passed), 0) AS BIGINT) AS failed_rows
FROM {{ source('curated', 'dq_check_results') }}
GROUP BY CAST(checked_at AT TIME ZONE 'UTC' AS DATE), asset, check_name

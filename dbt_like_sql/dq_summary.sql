{{ config(materialized='view') }}
-- One row per asset and check: its latest outcome, and how often it failed over time (counted in
-- days up to the newest day any check ran, so the figures do not drift with the wall clock).
WITH ranked AS (
    SELECT
        results.*,
        ROW_NUMBER() OVER (
            PARTITION BY asset, check_name ORDER BY checked_at DESC, run_id DESC
        ) AS recency
    FROM {{ source('curated', 'dq_check_results') }} AS results
),
latest AS (
    SELECT
        asset,
        check_name,
        run_id AS latest_run_id,
        checked_at AS latest_checked_at,
        passed AS latest_passed,
        severity AS latest_severity,
        failed_count AS latest_failed_count,
        details AS latest_details
    FROM ranked
    WHERE recency = 1
),
newest AS (
    SELECT MAX(check_date) AS newest_date FROM {{ ref('dq_failures_daily') }}
),
over_time AS (
    SELECT
        daily.asset,
        daily.check_name,
        CAST(SUM(daily.evaluations) AS BIGINT) AS evaluations,
        CAST(SUM(daily.failures) AS BIGINT) AS failures,
        COUNT(*) FILTER (WHERE daily.failures > 0) AS failing_days,
        COUNT(*) FILTER (
            WHERE daily.failures > 0 AND daily.check_date > newest.newest_date - 7
        ) AS failing_days_last_7,
        COUNT(*) FILTER (
            WHERE daily.failures > 0 AND daily.check_date > newest.newest_date - 30
        ) AS failing_days_last_30,
        MIN(daily.check_date) FILTER (WHERE daily.failures > 0) AS first_failure_date,
        MAX(daily.check_date) FILTER (WHERE daily.failures > 0) AS last_failure_date
    FROM {{ ref('dq_failures_daily') }} AS daily
    CROSS JOIN newest
    GROUP BY daily.asset, daily.check_name
)
SELECT
    latest.asset,
    latest.check_name,
    CASE WHEN latest.latest_passed THEN 'pass' ELSE 'fail' END AS latest_outcome,
    latest.latest_passed,
    latest.latest_severity,
    latest.latest_failed_count,
    latest.latest_checked_at,
    latest.latest_run_id,
    latest.latest_details,
    over_time.evaluations,
    over_time.failures,
    CAST(over_time.failures AS DOUBLE PRECISION) / over_time.evaluations AS failure_rate,
    over_time.failing_days,
    over_time.failing_days_last_7,
    over_time.failing_days_last_30,
    over_time.first_failure_date,
    over_time.last_failure_date
FROM latest
JOIN over_time ON over_time.asset = latest.asset AND over_time.check_name = latest.check_name

{{ config(materialized='view') }}
-- One row per data-quality measure: its value in the latest run, the previous run's, the change,
-- whether that change is an improvement (by the measure's better direction), and its range over
-- every run so far. For dashboards; the history is curated.dq_scorecard.
WITH ranked AS (
    SELECT
        card.*,
        ROW_NUMBER() OVER (
            PARTITION BY measure ORDER BY measured_at DESC, run_id DESC
        ) AS recency
    FROM {{ source('curated', 'dq_scorecard') }} AS card
),
over_time AS (
    SELECT
        measure,
        COUNT(*) AS runs,
        MIN(value) AS lowest_value,
        MAX(value) AS highest_value,
        MIN(measured_at) AS first_measured_at
    FROM {{ source('curated', 'dq_scorecard') }}
    GROUP BY measure
)
SELECT
    latest.measure,
    latest.value,
    latest.previous_value,
    latest.change,
    latest.better_when,
    CASE
        WHEN latest.previous_value IS NULL THEN 'first run'
        WHEN latest.change = 0 THEN 'unchanged'
        WHEN (latest.change > 0) = (latest.better_when = 'higher') THEN 'improved'
        ELSE 'worsened'
    END AS trend,
    latest.run_id AS latest_run_id,
    latest.measured_at AS latest_measured_at,
    latest.as_of AS latest_as_of,
    over_time.runs,
    over_time.lowest_value,
    over_time.highest_value,
    over_time.first_measured_at
FROM ranked AS latest
JOIN over_time ON over_time.measure = latest.measure
WHERE latest.recency = 1

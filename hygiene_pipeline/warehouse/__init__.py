"""The SQL warehouse (embedded DuckDB or PostgreSQL): everything the pipeline writes and BI reads.

- `engine.Warehouse`: one handle per URL with the `staging` and `curated` schemas; bulk
  `replace_table` (atomic) / `append_rows`, `read_table` / `read_sql` with the pipeline's dtypes.
- `status_history.apply_status_history`: status spells in `curated.contact_status_history`.
- `sql_models`: the dbt-style models in `dbt_like_sql/`, rendered, validated and built.
- `bi_access.grant_bi_access`: masked views, read-only BI roles and table comments.
- `run_scope`: the schemas one run writes to before it is published.
- `publish_run.publish_run`: a run's tables swapped in over the published ones, one transaction.

No Dagster here: the Dagster layer (`hygiene_pipeline.defs`) passes plain values in.
"""

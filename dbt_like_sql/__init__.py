"""SQL models and schema.yml, installed as package data of `hygiene_pipeline.dbt_like_sql`."""

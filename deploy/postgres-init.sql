-- Run once by the postgres image when its data volume is new: the warehouse gets a database of
-- its own beside Dagster's (POSTGRES_DB, dagster).
CREATE DATABASE warehouse;

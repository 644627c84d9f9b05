"""Keeps a CRM clean batch after batch: the domain wings and the Dagster layer over them."""

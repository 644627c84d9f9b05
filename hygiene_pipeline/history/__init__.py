"""What the warehouse remembers across batches: people kept after they leave their sources,
field-level changes, job changes, sensitive changes held for confirmation, entity lineage and
follow-up tasks.

Pure functions over this run's frames and the previously published curated tables; the Dagster
layer (`defs/history_assets.py`, `defs/follow_up_assets.py`) reads and writes them."""

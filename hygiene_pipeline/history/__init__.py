"""What the warehouse remembers across batches: people kept after they leave their sources,
field-level changes, job changes, sensitive changes held for confirmation and entity lineage.

Pure functions over this run's frames and the previously published curated tables; the Dagster
layer (`defs/history_assets.py`) reads and writes them."""

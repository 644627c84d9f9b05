"""What the warehouse remembers across batches."""

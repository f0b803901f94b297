"""One module per area; each exposes `QUERIES`, `MUTATIONS` and `SUBSCRIPTIONS` (tuples of Strawberry types)."""

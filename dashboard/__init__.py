"""Open Model Landscape: the read side (queries, filters, charts, downloads)."""

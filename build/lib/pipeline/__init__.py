"""Open Model Landscape: the write side (ingest, transform, publish)."""

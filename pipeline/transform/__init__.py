"""Pure, per-record transforms: licences, parameter counts, lineage, countries, accessibility, text.

Nothing in this package does I/O or keeps state between calls; every function is safe to call
once per record on millions of Hub records.
"""

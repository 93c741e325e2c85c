"""Pure, per-record transforms: licences, parameter counts, lineage, countries, accessibility, text.

Nothing in this package does I/O: what a function needs (a registry's rows, a record) is passed
in. The only state kept between calls is caches of pure results (``functools.lru_cache`` on
repeated labels and names), so every function is safe to call once per record on millions of
Hub records. What works on whole tables (roots of the model tree, attribution) is SQL, in
:mod:`pipeline.model_tree` and :mod:`pipeline.derive`.
"""

"""The curated registry (organisations, parents, distillation datasets): committed CSV files.

They live here, where people look for data, and ship inside the installed package as
``pipeline.curated`` (see ``pyproject.toml``), read with ``importlib.resources`` by
:mod:`pipeline.registry`. No code lives here.
"""

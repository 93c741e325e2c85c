"""The read side's named queries: every SQL statement the dashboard runs lives in this package.

One module per page topic. Each query is a plain function ``(con, …) -> pandas.DataFrame`` over
a read-only DuckDB connection: values are bound parameters (filters go through
:mod:`pipeline.datasets`), identifiers are constants. They know nothing of Streamlit, so the
benchmarks and tests call them directly; pages call them through :func:`dashboard.data.run`,
which caches results per published database version.
"""

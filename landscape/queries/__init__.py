"""The read side's named queries: every SQL statement the dashboard runs lives in this package.

One module per page topic. Each query is a plain function ``(con, …) -> pandas.DataFrame`` over
a read-only DuckDB connection: values are bound parameters (the global filters through
:func:`landscape.filters.condition`), identifiers are constants. They know nothing of
Streamlit, so the benchmarks and tests call them directly; pages call them through
:func:`dashboard.data.run`, which caches results per published database version.

A query that applies the global filters says on which tables, with :func:`filtered_on`: a page's
caption of the filters that do not apply to it is computed from the queries it ran, never typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pipeline.derive import KIND_BUCKETS

F = TypeVar("F", bound=Callable)

OTHER = "Other"  # the bucket of the countries (or organisations) beyond a chart's top ones: never an ISO code
# The buckets a chart by country shows for models with no country (models.uploader_bucket and
# origin_bucket): by the uploader's kind, and '' for what nobody has classified. Never folded into
# Other, never ranked among the countries.
NOT_COUNTRIES = ("", *KIND_BUCKETS.values())
NOT_COUNTRIES_SQL = "(" + ", ".join(f"'{bucket}'" for bucket in NOT_COUNTRIES) + ")"


def filtered_on(*tables: str, table_argument: int | None = None) -> Callable[[F], F]:
    """Mark a query as applying the global filters to ``tables`` (or, with ``table_argument``, to
    the table named by that positional argument after the connection, as the Explorer's do).

    >>> @filtered_on("releases")
    ... def releases_by_year(con, filters): ...
    >>> filtered_tables(releases_by_year, ())
    ('releases',)
    """
    def mark(query: F) -> F:
        query.filtered_on = (tables, table_argument)  # type: ignore[attr-defined]
        return query
    return mark


def filtered_tables(query: Callable, args: tuple) -> tuple[str, ...]:
    """The tables whose filters ``query(con, *args)`` applies (none for an unmarked query)."""
    tables, argument = getattr(query, "filtered_on", ((), None))
    return (*tables, args[argument]) if argument is not None else tables

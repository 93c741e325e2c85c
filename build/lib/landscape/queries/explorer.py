"""The Explorer's queries: the export datasets, paged and sorted in the database.

The rows are exactly those of ``python -m pipeline export`` (same SELECT, columns and filter
SQL, from :func:`landscape.datasets.dataset_query`); only the ORDER BY is swapped for the
chosen sort, and LIMIT/OFFSET are added as bound values, so a page never carries more than
:data:`PAGE_SIZE` rows to the browser however large the table is.

A sort is named ``"<column>:<direction>"`` (``"likes:desc"``). It is looked up in
:data:`SORTS`, whose ORDER BY clauses are built once from the contract column lists; text
from a link or a widget is only ever a dictionary key, never part of the SQL.

Example::

    >>> page_rows(con, "models", Filters(country=("CN",)), "likes:desc", 2)   # doctest: +SKIP
    (rows 101–200 of the Chinese-attributed Hub models, most liked first)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from landscape.datasets import MODEL_EXPORT_COLUMNS, RELEASE_EXPORT_COLUMNS, dataset_query, export_dataset
from landscape.filters import Filters
from landscape.queries import filtered_on
from pipeline.config import Settings

PAGE_SIZE = 100
TABLES = ("models", "releases")
DIRECTIONS = ("asc", "desc")
# Which contract columns each table offers (and may be sorted by).
COLUMNS: dict[str, tuple[str, ...]] = {"models": MODEL_EXPORT_COLUMNS, "releases": RELEASE_EXPORT_COLUMNS}
# A unique, non-null order after the chosen column, so that pages neither repeat nor skip rows
# on ties, and so that the reversed order is exactly the order read backwards.
_TIEBREAK = {"models": ("model_id",), "releases": ("model", "release_id")}
# The datasets' own default order, as a sort name (the export sorts the same way).
DEFAULT_SORT = {"models": "downloads_30d:desc", "releases": "publication_date:desc"}


def _order_by(table: str, column: str, direction: str, backwards: bool = False) -> str:
    # Missing values go last: a reader sorting by size wants the sizes first, not 2,000 blank rows.
    descending = (direction == "desc") != backwards
    keys = [f"{column} {'DESC' if descending else 'ASC'} NULLS {'FIRST' if backwards else 'LAST'}"]
    keys += [f"{key} {'DESC' if backwards else 'ASC'}" for key in _TIEBREAK[table]]
    return ", ".join(keys)


# Sort name → ORDER BY clause (and the same order read from the end), from constants only.
SORTS: dict[str, dict[str, str]] = {
    table: {f"{c}:{d}": _order_by(table, c, d) for c in columns for d in DIRECTIONS}
    for table, columns in COLUMNS.items()
}
_BACKWARDS: dict[str, dict[str, str]] = {
    table: {f"{c}:{d}": _order_by(table, c, d, backwards=True) for c in columns for d in DIRECTIONS}
    for table, columns in COLUMNS.items()
}


def sort_options(table: str) -> list[str]:
    """The sort names ``table`` offers, in column order (ascending before descending)."""
    return list(SORTS[_table(table)])


def applicable_filters(table: str, filters: Filters) -> Filters:
    """``filters`` without those that do not apply to ``table`` (licence family and task for releases)."""
    return filters.only([_table(table)])


def _table(table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose from {', '.join(TABLES)}")
    return table


def _unordered(table: str, filters: Filters) -> tuple[str, list]:
    """The export's ``SELECT … FROM … WHERE …`` for ``table``, without its ORDER BY."""
    return dataset_query(_table(table), applicable_filters(table, filters), ordered=False)


@filtered_on(table_argument=0)
def row_count(con: duckdb.DuckDBPyConnection, table: str, filters: Filters) -> pd.DataFrame:
    """One row, one column ``rows``: how many rows of ``table`` the filters keep."""
    head, params = _unordered(table, filters)
    return con.execute(f"SELECT count(*) AS rows FROM ({head}) AS d", params).df()  # noqa: S608


@filtered_on(table_argument=0)
def page_rows(con: duckdb.DuckDBPyConnection, table: str, filters: Filters, sort: str, page: int,
              total: int | None = None, page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """Page ``page`` (1-based) of ``table`` under ``filters``, sorted by ``sort``: the export's columns.

    ``total``, the filtered row count when the caller has it, lets a page past the middle be
    read from the end in the reversed order: a short sort instead of one over every row before
    it. Raises ``ValueError`` for a sort the table does not offer or a page below 1.
    """
    order = SORTS[_table(table)].get(sort)
    if order is None:
        raise ValueError(f"unknown sort {sort!r} for {table}")
    if page < 1 or page_size < 1:
        raise ValueError("page and page size start at 1")
    head, params = _unordered(table, filters)
    offset = (page - 1) * page_size
    if total is not None and offset < total and total - offset - page_size < offset:
        end = min(offset + page_size, total)
        rows = con.execute(f"{head} ORDER BY {_BACKWARDS[table][sort]} LIMIT ? OFFSET ?",  # noqa: S608
                           [*params, end - offset, total - end]).df()
        return rows.iloc[::-1].reset_index(drop=True)
    return con.execute(f"{head} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608 - constants only
                       [*params, page_size, offset]).df()


def export_file(settings: Settings, table: str, fmt: str, filters: Filters) -> bytes:
    """The whole filtered dataset as a file's bytes, written by :func:`landscape.datasets.export_dataset`.

    The same writer as ``python -m pipeline export`` (CSV with formula cells neutralised, or
    Parquet), into a temporary folder that is removed afterwards.
    """
    filters = applicable_filters(table, filters)
    with tempfile.TemporaryDirectory(prefix="explorer-export-") as folder:
        path, _ = export_dataset(settings, _table(table), fmt, Path(folder) / f"{table}.{fmt}", filters)
        return path.read_bytes()

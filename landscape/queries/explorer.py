"""The Explorer's queries: the export datasets, paged and sorted in the database.

The rows are exactly those of ``python -m pipeline export`` (same SELECT, columns and filter
SQL, from :func:`landscape.datasets.dataset_query`); only the ORDER BY is swapped for the
chosen sort, and the paging is added with bound values, so a page never carries more than
:data:`PAGE_SIZE` rows to the browser however large the table is.

A sort is named ``"<column>:<direction>"`` (``"likes:desc"``). It is looked up in
:data:`SORTS`, whose ORDER BY clauses are built once from the contract column lists; text
from a link or a widget is only ever a dictionary key, never part of the SQL.

Paging the Hub models (millions of rows) is done by keyset where it can be: a
:class:`Bookmark` holds the sort value and model id of a shown page's first and last rows, and
the next page is the rows after the last one in the sort (``WHERE downloads_30d <= ? AND
(downloads_30d < ? OR model_id > ?)``, a range the scan filters on before it reads the other
columns), the previous page the rows before the first one, read in the reversed order. An
OFFSET instead makes the database sort every row before the page, at every click: half a
million rows for page 5,000. The table is in no useful physical order, so a page's rows lie all
over it: each block's read is first bounded by a narrow query (only the sort column, or the
model id within a long run of ties) for the value 100 rows on, so that the wide read of all
the exported columns considers about a page of rows instead of every row ahead. The first page and the last (read from the end) need no
bookmark; a jump to any other page still counts its way there, from whichever end is nearer.
The empty values of the sort column come last, in model id order: a block of their own, which
the keyset walks on the model id alone. Releases (a few thousand rows, whose tiebreak
``release_id`` is not among the exported columns) are always paged by OFFSET.

Example::

    >>> page_rows(con, "models", Filters(country=("CN",)), "likes:desc", 2)   # doctest: +SKIP
    (rows 101–200 of the Chinese-attributed Hub models, most liked first)
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from landscape.datasets import MODEL_EXPORT_COLUMNS, RELEASE_EXPORT_COLUMNS, dataset_query, export_dataset
from landscape.filters import Filters
from landscape.queries import facts, filtered_on
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
# Tables paged by keyset: a bookmark is read off the page's own rows, so the tiebreak must be
# one of the exported columns (releases' release_id is not; releases are few, and counted).
KEYSET_TABLES = tuple(t for t in TABLES if len(_TIEBREAK[t]) == 1 and _TIEBREAK[t][0] in COLUMNS[t])


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


def _sort(table: str, sort: str) -> str:
    """``sort`` when ``table`` offers it (so its column is a constant of ours), else ValueError."""
    if sort not in SORTS[_table(table)]:
        raise ValueError(f"unknown sort {sort!r} for {table}")
    return sort


def _unordered(table: str, filters: Filters) -> tuple[str, list]:
    """The export's ``SELECT … FROM … WHERE …`` for ``table``, without its ORDER BY."""
    return dataset_query(_table(table), applicable_filters(table, filters), ordered=False)


@filtered_on(table_argument=0)
def row_count(con: duckdb.DuckDBPyConnection, table: str, filters: Filters) -> pd.DataFrame:
    """One row, one column ``rows``: how many rows of ``table`` the filters keep.

    Hub models are counted from the models' rollup when it can express the filters (the sum of
    its rows' counts: exact, and thousands of rows read instead of millions), else row by row.
    """
    if _table(table) == "models":
        rows = facts.models(applicable_filters(table, filters))
        return con.execute(f"SELECT coalesce(sum(models), 0)::BIGINT AS rows FROM {rows.relation}",  # noqa: S608
                           rows.params).df()
    head, params = _unordered(table, filters)
    return con.execute(f"SELECT count(*) AS rows FROM ({head}) AS d", params).df()  # noqa: S608


class Bookmark(NamedTuple):
    """Where a shown page sits in its sort: its number, and the keys (sort value, then model id)
    of its first and last rows, as Python values (None for an empty sort value).

    Only hashable plain values, so a cached query can take it as an argument.
    """

    page: int
    first: tuple
    last: tuple


def bookmark(table: str, sort: str, page: int, rows: pd.DataFrame) -> Bookmark | None:
    """The bookmark of page ``page`` of ``table`` sorted by ``sort``, showing ``rows`` (as
    :func:`page_rows` returned them); None when the table is not paged by keyset or ``rows`` is empty.

    Give it to :func:`page_rows` as ``near`` to read the page after or before this one by keyset.
    """
    if _table(table) not in KEYSET_TABLES or rows.empty:
        return None
    columns = (_sort(table, sort).split(":")[0], *_TIEBREAK[table])
    return Bookmark(page, _key(rows.iloc[0], columns), _key(rows.iloc[-1], columns))


def _key(row: pd.Series, columns: tuple[str, ...]) -> tuple:
    return tuple(_plain(row[column]) for column in columns)


def _plain(value: Any) -> Any:
    """A frame's cell as a parameter DuckDB compares equal to the stored value: None for missing,
    Python's own types for numpy scalars and pandas timestamps (microseconds, like DuckDB's)."""
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


@dataclass(frozen=True)
class _Edge:
    """A narrow query for the far edge of a page in one block, and the band it bounds the page to.

    The page's own query reads every column of each row it considers; on a table in no useful
    physical order a page's rows lie all over it, and reading every column of every row ahead
    of the cursor costs most of the time. The edge reads only ``column`` (and the filters'
    columns): the value ``n`` rows ahead, in ``order``, among the rows ``where`` keeps; the page
    is then the rows ahead of the cursor within ``band`` (its last ``?`` is the edge).
    """

    column: str
    order: str
    where: str
    params: list
    band: str
    band_params: list


@dataclass(frozen=True)
class _Block:
    """The rows of one block ahead of a cursor: ``WHERE`` and ``ORDER BY`` SQL, and the edges to
    try in turn to bound the page's read (the first found is used)."""

    where: str
    params: list
    order: str
    edges: tuple[_Edge, ...]


@dataclass(frozen=True)
class _Keyset:
    """One sort of a keyset table, as the keyset reads it: ``column`` (empty values last), then
    the unique, non-null ``tiebreak`` ascending.

    The order is two blocks: the rows with a value, by value then tiebreak; then the rows
    without, by tiebreak alone. A cursor is a row's key ``(value, tiebreak)`` (value None: a row
    of the second block); None is the start of the order (walking forwards) or its end
    (walking backwards).
    """

    column: str
    descending: bool
    tiebreak: str

    def blocks(self, cursor: tuple | None, forwards: bool, tied: bool = False) -> Iterator[_Block]:
        """Each block of rows strictly after (``forwards``) or before the cursor, in the order a
        walk meets them. ``tied``: the cursor is likely inside a long run of one value."""
        in_empty = cursor is not None and cursor[0] is None
        if forwards:
            if not in_empty:
                yield self._valued(cursor, forwards, tied)
            yield self._empty(cursor if in_empty else None, forwards)
        else:
            if cursor is None or in_empty:
                yield self._empty(cursor, forwards)
            yield self._valued(None if in_empty else cursor, forwards, tied)

    def _valued(self, cursor: tuple | None, forwards: bool, tied: bool) -> _Block:
        # Walking the sort's own way or against it; "ahead" is the way the walk goes.
        descending = self.descending == forwards
        column, tiebreak = self.column, self.tiebreak
        ahead, behind = ("<", ">") if descending else (">", "<")
        tie_ahead, tie_behind = (">", "<") if forwards else ("<", ">")
        by_value = f"{column} {'DESC' if descending else 'ASC'}"
        by_tiebreak = f"{tiebreak} {'ASC' if forwards else 'DESC'}"
        order = f"ORDER BY {by_value}, {by_tiebreak}"
        if cursor is None:
            whole = f"{column} IS NOT NULL"
            return _Block(whole, [], order, (_Edge(column, by_value, whole, [], f"{column} {behind}= ?", []),))
        value, key = cursor
        # A run of equal values: the edge is the tiebreak n rows on within the run, if it goes that far.
        run = _Edge(tiebreak, by_tiebreak, f"{column} = ? AND {tiebreak} {tie_ahead} ?", [value, key],
                    f"{column} = ? AND {tiebreak} {tie_behind}= ?", [value])
        # Else the n-th value strictly ahead: the page's rows are the cursor's ties and values up to it.
        values = _Edge(column, by_value, f"{column} {ahead} ?", [value], f"{column} {behind}= ?", [])
        # The first conjunct is a plain range, which the scan applies before reading the rest of
        # the row; the second, on ties, only decides among the rows of the cursor's value.
        return _Block(f"{column} {ahead}= ? AND ({column} {ahead} ? OR {tiebreak} {tie_ahead} ?)",
                      [value, value, key], order, (run, values) if tied else (values,))

    def _empty(self, cursor: tuple | None, forwards: bool) -> _Block:
        tie_ahead, tie_behind = (">", "<") if forwards else ("<", ">")
        by_tiebreak = f"{self.tiebreak} {'ASC' if forwards else 'DESC'}"
        where, params = f"{self.column} IS NULL", []
        if cursor is not None:
            where, params = f"{where} AND {self.tiebreak} {tie_ahead} ?", [cursor[1]]
        edge = _Edge(self.tiebreak, by_tiebreak, where, params, f"{self.tiebreak} {tie_behind}= ?", [])
        return _Block(where, params, f"ORDER BY {by_tiebreak}", (edge,))


def _keyset(table: str, sort: str) -> _Keyset:
    column, direction = sort.split(":")
    return _Keyset(column, direction == "desc", _TIEBREAK[table][0])


@dataclass(frozen=True)
class _Step:
    """How to read a page by keyset: ``rows`` rows after (``forwards``) or before ``cursor``;
    ``tied`` when the bookmarked page was one run of equal values (this one likely continues it)."""

    cursor: tuple | None
    forwards: bool
    rows: int
    tied: bool = False


def _step(page: int, total: int | None, page_size: int, near: Bookmark | None) -> _Step | None:
    """The keyset read of page ``page``, or None when only counting reaches it (a jump)."""
    if near is not None and near.page in (page - 1, page + 1):
        tied = near.first[0] == near.last[0]
        if near.page == page - 1:
            return _Step(near.last, True, page_size, tied)
        return _Step(near.first, False, page_size, tied)
    if page == 1:
        return _Step(None, True, page_size)
    if total and page == -(-total // page_size):  # the last page: its rows, read from the end
        return _Step(None, False, total - (page - 1) * page_size)
    return None


@filtered_on(table_argument=0)
def page_rows(con: duckdb.DuckDBPyConnection, table: str, filters: Filters, sort: str, page: int,
              total: int | None = None, page_size: int = PAGE_SIZE, near: Bookmark | None = None) -> pd.DataFrame:
    """Page ``page`` (1-based) of ``table`` under ``filters``, sorted by ``sort``: the export's columns.

    ``near``, the :func:`bookmark` of the page shown before, reads the next or previous page by
    keyset. ``total``, the filtered row count when the caller has it, reads the last page from
    the end, and lets a jump past the middle be counted from the end. The rows are the same
    whichever way the page is read. Raises ``ValueError`` for a sort the table does not offer
    or a page below 1.
    """
    _sort(table, sort)
    if page < 1 or page_size < 1:
        raise ValueError("page and page size start at 1")
    head, params = _unordered(table, filters)
    step = _step(page, total, page_size, near) if table in KEYSET_TABLES else None
    if step is not None:
        return _walk(con, head, params, _keyset(table, sort), step)
    return _counted(con, head, params, table, sort, page, total, page_size)


def _walk(con: duckdb.DuckDBPyConnection, head: str, params: list, keyset: _Keyset, step: _Step) -> pd.DataFrame:
    """``step.rows`` rows from the cursor on, block by block (the empty values' block is only
    read when the valued rows run out), in the sort's order."""
    parts: list[pd.DataFrame] = []
    wanted = step.rows
    for block in keyset.blocks(step.cursor, step.forwards, step.tied):
        where, bound = _banded(con, head, params, block, wanted)
        part = con.execute(f"SELECT * FROM ({head}) AS d WHERE {where} {block.order} LIMIT ?",  # noqa: S608
                           [*params, *bound, wanted]).df()
        parts.append(part)
        wanted -= len(part)
        if wanted <= 0:
            break
    kept = [part for part in parts if not part.empty] or parts[:1]
    rows = pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0]
    return rows if step.forwards else rows.iloc[::-1].reset_index(drop=True)


def _banded(con: duckdb.DuckDBPyConnection, head: str, params: list, block: _Block, wanted: int) -> tuple[str, list]:
    """The block's condition, bounded by the first of its edges that lies ``wanted`` rows ahead."""
    for edge in block.edges:
        found = con.execute(f"SELECT {edge.column} FROM ({head}) AS d WHERE {edge.where} "  # noqa: S608 - constants
                            f"ORDER BY {edge.order} LIMIT 1 OFFSET ?", [*params, *edge.params, wanted - 1]).fetchall()
        if found:
            return f"{block.where} AND {edge.band}", [*block.params, *edge.band_params, found[0][0]]
    return block.where, block.params


def _counted(con: duckdb.DuckDBPyConnection, head: str, params: list, table: str, sort: str, page: int,
             total: int | None, page_size: int) -> pd.DataFrame:
    """Page ``page`` by OFFSET: a page past the middle (when ``total`` is known) is read from the
    end in the reversed order, a short sort instead of one over every row before it."""
    offset = (page - 1) * page_size
    if total is not None and offset < total and total - offset - page_size < offset:
        end = min(offset + page_size, total)
        rows = con.execute(f"{head} ORDER BY {_BACKWARDS[table][sort]} LIMIT ? OFFSET ?",  # noqa: S608
                           [*params, end - offset, total - end]).df()
        return rows.iloc[::-1].reset_index(drop=True)
    return con.execute(f"{head} ORDER BY {SORTS[table][sort]} LIMIT ? OFFSET ?",  # noqa: S608 - constants only
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

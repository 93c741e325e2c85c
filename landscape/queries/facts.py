"""Where a query reads the Hub models from: a rollup written at publish time, or ``models`` itself.

A page's query over the Hub models names its relation with :func:`models`, :func:`derivatives`,
:func:`snapshots` or :func:`uploaders` and sums its columns: ``sum(models)`` counts models, ``sum(downloads_30d)``
sums downloads, whatever the relation is. When the rollup can express the filters exactly, the
relation is the rollup's rows that the filters keep (thousands of rows); otherwise it is the
same columns computed row by row from ``models`` under the filters (each model a row with
``models = 1``). Both come from one description of the columns (:mod:`pipeline.rollups`), so
one SQL text gives the same answer on either path; the tests compare the two for every page's
queries.

Two relations are rows, not sums: :func:`family_roots` and :func:`distilled`, narrow copies of a
few rows of ``models`` that keep each model's own values, so any filter reads them.

The history's rollups and ``model_rollup`` have coarser copies without the dimensions only some
filters read (the organisation, the task, the creation month:
:data:`pipeline.rollups.COARSE_LEVELS`); a query over the history, or over the models with
``coarse=True``, reads the smallest copy that keeps every column its filters compare.

What a rollup cannot express: a parameter bound that is not one of the breaks
(:data:`pipeline.rollups.SIZE_BREAKS`: the sliders' steps always are; ``--params-min 6e9`` is
not), and a date range that does not start on the first of a month and end on the last day of
one (the year slider's always do). Those read ``models``, correctly and more slowly.

Example::

    >>> f = models(Filters(country=("CN",)))
    >>> f.rolled, f.relation.startswith("(SELECT * FROM model_rollup")
    (True, True)
    >>> models(Filters(size=(6e9, None))).rolled
    False
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from landscape.filters import BY_KEY, Filters, RangeFilter, condition
from pipeline.rollups import (
    COARSE_LEVELS,
    DERIVATIVE_DIMENSIONS,
    DERIVATIVE_MEASURES,
    DERIVATIVES,
    FAMILY_SNAPSHOT_DIMENSIONS,
    FAMILY_SNAPSHOTS_JOINED,
    GAIN_DIMENSIONS,
    GAIN_MEASURES,
    GAINS_JOINED,
    MODEL_DIMENSIONS,
    MODEL_MEASURES,
    SNAPSHOT_DIMENSIONS,
    SNAPSHOT_MEASURES,
    SNAPSHOTS_JOINED,
    UPLOADER_DIMENSIONS,
    UPLOADER_MEASURES,
    row_columns,
    row_table_select,
    size_bucket_at,
)

_use_rollups: ContextVar[bool] = ContextVar("use_rollups", default=True)


@contextmanager
def base_tables() -> Iterator[None]:
    """Within this block every query reads ``models`` row by row, never a rollup: what the tests
    compare the rollups' answers with, and what the benchmark times as the slow way."""
    token = _use_rollups.set(False)
    try:
        yield
    finally:
        _use_rollups.reset(token)


@dataclass(frozen=True)
class Facts:
    """A relation to read in a FROM clause (``relation``, a parenthesised SELECT) and its bound values."""

    relation: str
    params: list
    rolled: bool   # True: a rollup's rows; False: one row per model


def rollup_condition(filters: Filters) -> tuple[str, list] | None:
    """The filters as a condition on a rollup's columns, or None when a rollup cannot answer them."""
    clauses: list[str] = []
    params: list = []
    for key, value in filters.active().items():
        spec = BY_KEY[key]
        if isinstance(spec, RangeFilter):
            translated = _size(value) if key == "size" else _months(value) if key == "years" else None
            if translated is None:
                return None
            clauses += translated[0]
            params += translated[1]
        else:
            where, bound = condition(Filters(**{key: value}), "models")
            clauses.append(where)
            params += bound
    return " AND ".join(clauses) or "true", params


def _size(value: tuple) -> tuple[list[str], list] | None:
    low, high = value
    clauses, params = [], []
    for bound, op in ((low, ">="), (high, "<=")):
        if bound is not None:
            bucket = size_bucket_at(float(bound))
            if bucket is None:
                return None
            clauses.append(f"size_bucket {op} ?")
            params.append(bucket)
    return clauses, params


def _months(value: tuple) -> tuple[list[str], list] | None:
    low, high = value
    if (low is not None and low.day != 1) or (high is not None and (high + timedelta(days=1)).day != 1):
        return None
    clauses, params = [], []
    if low is not None:
        clauses.append("created_month >= ?")
        params.append(low)
    if high is not None:
        clauses.append("created_month <= ?")
        params.append(date(high.year, high.month, 1))
    return clauses, params



# The rollup columns each range filter compares (rollup_condition's classes); a values filter's
# are those its condition for ``models`` names.
_RANGE_COLUMNS = {"size": "size_bucket", "years": "created_month"}


def filter_columns(filters: Filters) -> set[str]:
    """The rollup columns the active filters compare."""
    columns: set[str] = set()
    for key in filters.active():
        spec = BY_KEY[key]
        columns.update({_RANGE_COLUMNS[key]} if isinstance(spec, RangeFilter)
                       else re.findall(r"\{p\}(\w+)", spec.sql["models"]))
    return columns


def _smallest(rollup: str, filters: Filters) -> str:
    """The smallest copy of ``rollup`` (pipeline.rollups.COARSE_LEVELS, coarsest first) that keeps
    every column the filters compare; the rollup itself when none does."""
    read = filter_columns(filters)
    for level, left_out in reversed(COARSE_LEVELS.items()):
        if not read & left_out:
            return f"{rollup}_{level}"
    return rollup


def _facts(filters: Filters, rollup: str, dimensions: Mapping[str, str], measures: Mapping[str, tuple[str, str]],
           base: str, prefix: str, extra: str = "", allowed: bool = True, coarse: bool = False) -> Facts:
    translated = rollup_condition(filters) if allowed and _use_rollups.get() else None
    if translated is not None:
        where, params = translated
        table = _smallest(rollup, filters) if coarse else rollup
        return Facts(f"(SELECT * FROM {table} WHERE {where})", params, True)  # noqa: S608 - constants
    where, params = condition(filters, "models", alias=prefix.rstrip("."))
    return Facts(f"(SELECT {row_columns(dimensions, measures, prefix)} FROM {base} "  # noqa: S608
                 f"WHERE {where}{extra})", params, False)


def models(filters: Filters, coarse: bool = False) -> Facts:
    """Every model under ``filters``: the columns of ``model_rollup``. ``coarse=True`` from a
    query that reads none of the columns the rollup's coarser copies leave out (the organisation,
    its parent, the task, the creation month) lets it read a copy (a query that did read one of
    those columns would fail there, loudly, for want of the column)."""
    return _facts(filters, "model_rollup", MODEL_DIMENSIONS, MODEL_MEASURES, "models", "", coarse=coarse)


def derivatives(filters: Filters) -> Facts:
    """The derivatives (depth > 0) under ``filters``: the columns of ``derivative_rollup``."""
    return _facts(filters, "derivative_rollup", DERIVATIVE_DIMENSIONS, DERIVATIVE_MEASURES, "models", "",
                  extra=f" AND {DERIVATIVES.format(p='')}")


def snapshots(filters: Filters) -> Facts:
    """The adoption snapshots of the models under ``filters`` (the model's attribution as today for the
    filters, the snapshot's for its buckets): the columns of ``snapshot_rollup``."""
    return _facts(filters, "snapshot_rollup", SNAPSHOT_DIMENSIONS, SNAPSHOT_MEASURES, SNAPSHOTS_JOINED, "m.",
                  coarse=True)


def family_snapshots(filters: Filters) -> Facts:
    """The adoption snapshots of the models under ``filters`` that belong to a family with
    derivatives, with their family: the columns of ``family_snapshot_rollup``."""
    return _facts(filters, "family_snapshot_rollup", FAMILY_SNAPSHOT_DIMENSIONS, SNAPSHOT_MEASURES,
                  FAMILY_SNAPSHOTS_JOINED, "m.")


def gains(filters: Filters) -> Facts:
    """What the all-time totals of the models under ``filters`` gained at each snapshot, by the
    latest start date a cumulative count includes it from (pipeline.rollups.GAINS): the columns
    of ``gain_rollup``."""
    return _facts(filters, "gain_rollup", GAIN_DIMENSIONS, GAIN_MEASURES, GAINS_JOINED, "m.", coarse=True)


def uploaders(filters: Filters, partial: bool = True) -> Facts:
    """The models under ``filters`` by uploading account: the columns of ``uploader_rollup``.

    The rollup keeps only some accounts (every attributed one, and the most downloaded others): a
    ranking read from it is exact when its last entry beats :func:`uploaders_left_out`. With
    ``partial=False`` (a ranking that cannot check that), every account, from ``models``.
    """
    return _facts(filters, "uploader_rollup", UPLOADER_DIMENSIONS, UPLOADER_MEASURES, "models", "",
                  allowed=partial)


def _rows(filters: Filters, table: str) -> Facts:
    """The rows of one of the narrow row tables (pipeline.rollups.ROW_TABLES) that ``filters`` keep:
    they hold each model's own values, so the filters apply as written for ``models``, always.
    Row by row, without who owns each teacher: only the organisation page reads that, from the
    table by name (the join it takes would make the slow way slower than it ever was)."""
    if _use_rollups.get():
        where, params = condition(filters, "models")
        return Facts(f"(SELECT * FROM {table} WHERE {where})", params, True)  # noqa: S608 - constants
    where, params = condition(filters, "models", alias="m")
    return Facts(f"({row_table_select(table, where, joined=False)})", params, False)


def family_roots(filters: Filters) -> Facts:
    """The models heading a family with derivatives, under ``filters``: the columns of ``family_roots``."""
    return _rows(filters, "family_roots")


def distilled(filters: Filters) -> Facts:
    """The models tracked as distilled (or naming a teacher) under ``filters``: the columns of
    ``distilled_rows``."""
    return _rows(filters, "distilled_rows")


def uploaders_left_out(con: duckdb.DuckDBPyConnection, filters: Filters, column: str) -> int | None:
    """At least the largest total of ``column`` (``downloads_30d`` or ``downloads_all_time``) that
    an account ``uploader_rollup`` leaves out has under ``filters``: None when it leaves out none.

    The bound is the largest total of such an account; under a country filter, the sum over the
    (country, origin country) cells the filter keeps of each cell's largest, when smaller.
    """
    if column not in ("downloads_30d", "downloads_all_time"):
        raise ValueError(f"no left-out total of {column!r}")
    (overall,), = con.execute(
        f"SELECT max({column}) FROM uploader_rollup_rest WHERE scope = 'all'").fetchall()  # noqa: S608 - checked
    if overall is None or not filters["country"]:
        return overall
    where, params = condition(Filters(country=filters["country"]), "models")
    (cells,), = con.execute(f"SELECT coalesce(sum({column}), 0) FROM uploader_rollup_rest "  # noqa: S608
                            f"WHERE scope = 'cell' AND {where}", params).fetchall()
    return min(overall, cells)

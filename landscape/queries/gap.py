"""The capability gap on the published database: its inputs, the analysis, and the gap exports.

Shared by the capability-gap page, the overview's gap claim and ``python -m pipeline export
--dataset gap-summary|gap|benchmarks``, so they give the same figures. The method itself (pure
functions over scored models) is :mod:`landscape.analysis.gap`; this module reads the scores and
runs it, and :func:`analysis` and :func:`summary` give the page cacheable results.

Options:

- ``open_definition``: ``all`` (open weights under any licence) or ``unrestricted`` (Epoch's
  "Open weights (unrestricted)"; for Arena models, a permissive licence). Models that are open
  but not unrestricted then take part in neither group.
- ``split``: ``all`` (every country, or the ``countries`` given for both groups), ``CN-US``
  (open models from China against closed models from the United States) or ``US-US``.
- ``min_benchmarks``: for the ECI, keep models scored on at least that many of the archive's
  benchmarks (a score resting on few benchmarks is less certain).

Example::

    >>> points = benchmark_points(con, GapOptions("eci"))          # doctest: +SKIP
    >>> summarize(points, date(2023, 1, 1), date(2025, 10, 31)).lag_months_mean
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from landscape.analysis.gap import (
    GapSummary,
    TrendGap,
    frontier_series,
    lag_table,
    summarize,
    trend_gap,
)
from landscape.queries import filtered_on
from pipeline.transform.accessibility import is_unrestricted_open
from pipeline.transform.licenses import normalize_license

OPEN_DEFINITIONS = ("all", "unrestricted")
SPLITS = {"all": (None, None), "CN-US": ("CN", "US"), "US-US": ("US", "US")}
MIN_POINTS = 3  # a benchmark needs this many open and closed scored models to be analysed

SUMMARY_COLUMNS = ("source", "benchmark", "open_definition", "window_start", "window_end", "lag_months_mean",
                   "lag_months_median", "lag_ci_low", "lag_ci_high", "points", "censored", "vertical_gap_latest")
SERIES_COLUMNS = ("source", "benchmark", "date", "open_frontier", "closed_frontier", "vertical_gap", "lag_months")
BENCHMARK_COLUMNS = ("source", "benchmark", "model", "display_name", "organization", "country", "countries",
                     "release_date", "score", "score_low", "score_high", "stderr", "accessibility",
                     "accessibility_group", "accessibility_from", "release_model")


@dataclass(frozen=True)
class GapOptions:
    benchmark: str = "eci"
    open_definition: str = "all"
    split: str = "all"
    countries: tuple[str, ...] = ()
    min_benchmarks: int = 0

    def __post_init__(self) -> None:
        if self.open_definition not in OPEN_DEFINITIONS:
            raise ValueError(f"open_definition must be one of {OPEN_DEFINITIONS}")
        if self.split not in SPLITS:
            raise ValueError(f"split must be one of {tuple(SPLITS)}")


def available_benchmarks(con: duckdb.DuckDBPyConnection, min_points: int = MIN_POINTS) -> pd.DataFrame:
    """Benchmarks with at least ``min_points`` dated open and closed scores, best covered first."""
    return con.execute("""
        SELECT source, benchmark,
               count(*) FILTER (WHERE accessibility_group = 'open') AS open_models,
               count(*) FILTER (WHERE accessibility_group = 'closed') AS closed_models,
               min(release_date) AS first_release, max(release_date) AS last_release
        FROM benchmark_scores WHERE release_date IS NOT NULL
        GROUP BY source, benchmark
        HAVING open_models >= ? AND closed_models >= ?
        ORDER BY CASE source WHEN 'eci' THEN 0 WHEN 'arena' THEN 1 ELSE 2 END, open_models + closed_models DESC,
                 benchmark
    """, [min_points, min_points]).df()


def _unrestricted_arena(licence: object) -> bool:
    return isinstance(licence, str) and normalize_license(licence)[1] == "permissive"


def benchmark_points(con: duckdb.DuckDBPyConnection, options: GapOptions) -> pd.DataFrame:
    """The scored models of one benchmark, each in the ``open`` or ``closed`` group (see options)."""
    frame = con.execute("""
        SELECT source, benchmark, model, display_name, organization, country, countries,
               release_date AS date, score, coalesce(score_low, score) AS score_low,
               coalesce(score_high, score) AS score_high, accessibility, accessibility_group, license,
               benchmark_count
        FROM benchmark_scores
        WHERE benchmark = ? AND release_date IS NOT NULL AND accessibility_group IN ('open', 'closed')
          AND (benchmark_count IS NULL OR benchmark_count >= ?)
        ORDER BY release_date, model
    """, [options.benchmark, options.min_benchmarks]).df()
    if frame.empty:
        return frame.assign(group=pd.Series(dtype=str))
    frame["group"] = frame["accessibility_group"]
    if options.open_definition == "unrestricted":
        unrestricted = frame["accessibility"].map(is_unrestricted_open) | (
            frame["accessibility"].isna() & frame["license"].map(_unrestricted_arena))
        frame = frame[(frame["group"] == "closed") | unrestricted].copy()
    open_country, closed_country = SPLITS[options.split]
    if open_country or options.countries:
        # a model counts for a country if any of its organisations is there (Epoch's rule)
        open_want = (open_country,) if open_country else options.countries
        closed_want = (closed_country,) if closed_country else options.countries
        keep = [codes is not None and any(c in (open_want if g == "open" else closed_want) for c in list(codes))
                for codes, g in zip(frame["countries"], frame["group"], strict=True)]
        frame = frame[keep].copy()
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.reset_index(drop=True)


def source_of(con: duckdb.DuckDBPyConnection, benchmark: str) -> str:
    row = con.execute("SELECT any_value(source) FROM benchmark_scores WHERE benchmark = ?", [benchmark]).fetchone()
    return row[0] if row and row[0] else ""


def summary_rows(con: duckdb.DuckDBPyConnection, benchmarks: list[str] | None = None,
                 start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """``gap-summary``: one row per benchmark and open definition (default: every analysable benchmark)."""
    names = benchmarks if benchmarks is not None else list(available_benchmarks(con)["benchmark"])
    rows = []
    for name in names:
        for definition in OPEN_DEFINITIONS:
            points = benchmark_points(con, GapOptions(name, definition))
            summary = summarize(points, start, end)
            rows.append({"source": source_of(con, name), "benchmark": name, "open_definition": definition,
                         **{k: v for k, v in summary.as_dict().items() if k in SUMMARY_COLUMNS}})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def series_rows(con: duckdb.DuckDBPyConnection, benchmarks: list[str] | None = None,
                start: date | None = None, end: date | None = None, open_definition: str = "all") -> pd.DataFrame:
    """``gap``: the frontier series of each benchmark (dates inside the window)."""
    names = benchmarks if benchmarks is not None else list(available_benchmarks(con)["benchmark"])
    parts = []
    for name in names:
        series = frontier_series(benchmark_points(con, GapOptions(name, open_definition)))
        if start is not None:
            series = series[series["date"] >= pd.Timestamp(start)]
        if end is not None:
            series = series[series["date"] <= pd.Timestamp(end)]
        parts.append(series.assign(source=source_of(con, name), benchmark=name))
    if not parts:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["date"] = pd.to_datetime(out["date"]).dt.date
    return out[list(SERIES_COLUMNS)]


def benchmark_rows(con: duckdb.DuckDBPyConnection, benchmarks: list[str] | None = None,
                   start: date | None = None, end: date | None = None,
                   countries: tuple[str, ...] = ()) -> pd.DataFrame:
    """``benchmarks``: every score with its accessibility group and country."""
    clauses, params = ["true"], []
    if benchmarks:
        clauses.append("list_contains(?::VARCHAR[], benchmark)")
        params.append(benchmarks)
    if start is not None:
        clauses.append("release_date >= ?")
        params.append(start)
    if end is not None:
        clauses.append("release_date <= ?")
        params.append(end)
    if countries:
        clauses.append("list_has_any(countries, ?::VARCHAR[])")
        params.append(list(countries))
    columns = ", ".join("array_to_string(countries, ',') AS countries" if c == "countries" else c
                        for c in BENCHMARK_COLUMNS)
    return con.execute(f"SELECT {columns} FROM benchmark_scores WHERE {' AND '.join(clauses)} "  # noqa: S608
                       "ORDER BY benchmark, release_date NULLS LAST, model", params).df()


@dataclass(frozen=True)
class GapView:
    """Everything the capability-gap page shows for one benchmark, options and window."""

    points: pd.DataFrame
    summary: GapSummary
    trend: TrendGap
    series: pd.DataFrame
    lags: pd.DataFrame


def benchmarks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Benchmarks with enough dated open and closed scores (ECI first, then the Arena)."""
    return available_benchmarks(con)


@filtered_on("benchmark_scores")  # the sidebar's countries, in the "every country" split
def points(con: duckdb.DuckDBPyConnection, benchmark: str, open_definition: str, split: str,
           countries: tuple[str, ...], min_benchmarks: int) -> pd.DataFrame:
    """The scored models of ``benchmark`` in the open and closed groups under the page's options."""
    return benchmark_points(con, GapOptions(benchmark, open_definition, split, countries, min_benchmarks))


@filtered_on("benchmark_scores")
def analysis(con: duckdb.DuckDBPyConnection, benchmark: str, open_definition: str, split: str,
             countries: tuple[str, ...], min_benchmarks: int, start: date, end: date) -> GapView:
    """The whole analysis of one benchmark over the window ``start``–``end`` (a cacheable unit)."""
    scored = points(con, benchmark, open_definition, split, countries, min_benchmarks)
    return GapView(scored, summarize(scored, start, end), trend_gap(scored, start, end), frontier_series(scored),
                   lag_table(scored))


@filtered_on("benchmark_scores")
def summary(con: duckdb.DuckDBPyConnection, benchmark: str, start: date, end: date) -> GapSummary:
    """The record-by-record summary of ``benchmark`` (every country, all open weights) over a window."""
    return summarize(points(con, benchmark, "all", "all", (), 0), start, end)

"""Adoption over time, from ``model_snapshots`` (each run's own snapshot and the hub-stats backfill).

Every series is per snapshot date. Filters select models by their current attributes (a join
with ``models``); the snapshot's own attribution (its buckets, as of that day) splits them by
country. The 30-day counts are summed as recorded; all-time totals, which the Hub sometimes
lowers from one day to the next, are clamped to each model's running maximum before they are
summed or differenced. Dates with no snapshot are simply absent: the charts draw them as gaps
(:func:`with_gaps`), never interpolated.

Example::

    >>> by_country(con, Filters(), "origin")                      # doctest: +SKIP
       snapshot_date country  downloads  models
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from landscape.filters import Filters
from landscape.queries import NOT_COUNTRIES_SQL, OTHER, facts, filtered_on
from landscape.queries.coverage import BASES

# Europe for the share chart: the EU, the EEA, the United Kingdom and Switzerland.
EUROPE = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
          "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "GB", "CH")
REGIONS = ("China", "United States", "Europe", "Rest of the world", "No country")
# Two snapshots further apart than this have a gap between them: a week late in the weekly part
# of the history, a month late in the monthly part (see pipeline/sources/history.py).
GAP_DAYS = {"weekly": 10, "monthly": 40}


@filtered_on("models")
def by_country(con: duckdb.DuckDBPyConnection, filters: Filters, basis: str = "origin",
               top: int = 6) -> pd.DataFrame:
    """30-day downloads per snapshot date by origin or uploader country: the ``top`` countries on
    the latest date, then Other, then the buckets with no country. Columns ``snapshot_date``,
    ``country``, ``downloads``, ``models``."""
    bucket = BASES[basis]
    rows = facts.snapshots(filters)
    return con.execute(f"""
        WITH agg AS (SELECT snapshot_date, coalesce({bucket}, '') AS c, sum(downloads_30d) AS downloads,
                            sum(models) AS models
                     FROM {rows.relation} GROUP BY 1, 2),
        top AS (SELECT c FROM agg WHERE snapshot_date = (SELECT max(snapshot_date) FROM agg)
                AND c NOT IN {NOT_COUNTRIES_SQL} ORDER BY downloads DESC, c LIMIT ?)
        SELECT snapshot_date, CASE WHEN c IN {NOT_COUNTRIES_SQL} OR c IN (SELECT c FROM top) THEN c
                                   ELSE '{OTHER}' END AS country,
               coalesce(sum(downloads), 0)::BIGINT AS downloads, sum(models)::BIGINT AS models
        FROM agg GROUP BY 1, 2 ORDER BY 1, 2
    """, [*rows.params, top]).df()  # noqa: S608 - constants and bound values


def _region(bucket: str) -> str:
    europe = ", ".join(f"'{c}'" for c in EUROPE)
    return (f"CASE WHEN {bucket} = 'CN' THEN 'China' WHEN {bucket} = 'US' THEN 'United States' "
            f"WHEN {bucket} IN ({europe}) THEN 'Europe' WHEN coalesce({bucket}, '') IN {NOT_COUNTRIES_SQL} "
            "THEN 'No country' ELSE 'Rest of the world' END")


@filtered_on("models")
def region_shares(con: duckdb.DuckDBPyConnection, filters: Filters, basis: str = "origin") -> pd.DataFrame:
    """Each snapshot date's 30-day downloads split into China, the United States, Europe, the rest
    and no country, as shares of the day's total. Columns ``snapshot_date``, ``region``,
    ``downloads``, ``share_pct``."""
    rows = facts.snapshots(filters)
    # summed by country bucket first, then the buckets (a few hundred) named by region: the region's
    # CASE runs once per bucket and date, not once per row
    return con.execute(f"""
        WITH buckets AS (SELECT snapshot_date, {BASES[basis]} AS bucket, sum(downloads_30d) AS downloads
                         FROM {rows.relation} GROUP BY 1, 2),
        agg AS (SELECT snapshot_date, {_region("bucket")} AS region, sum(downloads) AS downloads
                FROM buckets GROUP BY 1, 2)
        SELECT snapshot_date, region, coalesce(downloads, 0)::BIGINT AS downloads,
               round(100.0 * downloads / nullif(sum(downloads) OVER (PARTITION BY snapshot_date), 0), 2) AS share_pct
        FROM agg ORDER BY 1, 2
    """, rows.params).df()  # noqa: S608


@filtered_on("models")
def cumulative(con: duckdb.DuckDBPyConnection, filters: Filters, since: date, repackages: bool = True,
               basis: str = "origin") -> pd.DataFrame:
    """Downloads accumulated since ``since`` by region (The ATOM Project's view): each model's
    all-time total, clamped to its running maximum, less its clamped total on its first snapshot
    on or after ``since`` (a model created since counts whole), summed per region at each snapshot
    date from ``since`` on; a model missing from a snapshot keeps what it had gained
    (pipeline.rollups.GAINS). ``repackages=False`` leaves out repackaged copies (model kind
    ``repackage``). Columns ``snapshot_date``, ``region``, ``downloads``."""
    rows = facts.gains(filters)
    kinds = "" if repackages else "WHERE coalesce(model_kind, '') <> 'repackage'"
    # the gains of each date summed by country bucket, named by region, then added up over the
    # dates: all of them, as a model created since the start counts whole (a snapshot dated before
    # its creation included), and shown from the start on
    return con.execute(f"""
        WITH buckets AS (SELECT snapshot_date, {BASES[basis]} AS bucket,
                                sum(gained) FILTER (WHERE counted_from >= ?) AS gained
                         FROM {rows.relation} {kinds} GROUP BY 1, 2),
        regions AS (SELECT snapshot_date, {_region("bucket")} AS region, coalesce(sum(gained), 0) AS gained
                    FROM buckets GROUP BY 1, 2)
        SELECT * FROM (
            SELECT snapshot_date, region,
                   sum(gained) OVER (PARTITION BY region ORDER BY snapshot_date)::BIGINT AS downloads
            FROM regions)
        WHERE snapshot_date >= ? ORDER BY 1, 2
    """, [since, *rows.params, since]).df()  # noqa: S608


@filtered_on("models")
def families(con: duckdb.DuckDBPyConnection, filters: Filters, top: int = 8) -> pd.DataFrame:
    """The 30-day downloads of the ``top`` largest families (a root with the models derived from
    it; families with derivatives, as the lineage page counts them) per snapshot date; the largest
    on the latest date. Columns ``snapshot_date``, ``family``, ``origin_country``, ``downloads``."""
    rows = facts.family_snapshots(filters)
    # the ranking reads the latest date's rows only, the series the chosen families' rows only: no
    # sum over every family and date (tens of thousands of families). The rollup stores the latest
    # date's rows first (pipeline.rollups.ROLLUP_ORDER): that date as a top-1, which skips the row
    # groups that cannot hold a later one, not a max over every row the filters keep.
    return con.execute(f"""
        WITH top AS (SELECT family FROM {rows.relation}
                     WHERE snapshot_date = (SELECT snapshot_date FROM {rows.relation}
                                            ORDER BY snapshot_date DESC LIMIT 1)
                     GROUP BY family ORDER BY sum(downloads_30d) DESC NULLS LAST, family LIMIT ?)
        SELECT snapshot_date, family, max(origin_bucket) AS origin_country,
               coalesce(sum(downloads_30d), 0)::BIGINT AS downloads
        FROM {rows.relation} WHERE family IN (SELECT family FROM top) GROUP BY 1, 2 ORDER BY 1, 2
    """, [*rows.params, *rows.params, top, *rows.params]).df()  # noqa: S608


@filtered_on("models")
def monthly_lead(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per month, the Chinese-origin and US-origin shares of 30-day downloads, averaged over the
    month's snapshot dates. Columns ``month``, ``cn_share_pct``, ``us_share_pct``, ``dates``."""
    shares = region_shares(con, filters, "origin")
    if shares.empty:
        return pd.DataFrame(columns=["month", "cn_share_pct", "us_share_pct", "dates"])
    wide = shares.pivot_table(index="snapshot_date", columns="region", values="share_pct", aggfunc="sum",
                              fill_value=0.0)
    wide = wide.reindex(columns=["China", "United States"], fill_value=0.0).reset_index()
    wide["month"] = pd.to_datetime(wide["snapshot_date"]).dt.to_period("M").dt.to_timestamp().dt.date
    out = wide.groupby("month").agg(cn_share_pct=("China", "mean"), us_share_pct=("United States", "mean"),
                                    dates=("snapshot_date", "count")).reset_index()
    return out.round({"cn_share_pct": 2, "us_share_pct": 2})


def with_gaps(frame: pd.DataFrame, x: str, series: str, value: str) -> pd.DataFrame:
    """``frame`` with an empty point inserted between two snapshot dates that are further apart
    than the history's cadence (:data:`GAP_DAYS`), in every series, so a line breaks there instead
    of joining the two dates as if nothing were missing."""
    if frame.empty:
        return frame
    dates = sorted(pd.to_datetime(frame[x]).dt.date.unique())
    if not dates:
        return frame
    recent_from = dates[-1] - timedelta(days=365)
    holes = []
    for before, after in zip(dates, dates[1:], strict=False):
        limit = GAP_DAYS["weekly"] if before >= recent_from else GAP_DAYS["monthly"]
        if (after - before).days > limit:
            holes.append(before + (after - before) / 2)
    if not holes:
        return frame
    blanks = pd.DataFrame([{x: hole, series: name, value: None} for hole in holes
                           for name in frame[series].unique()])
    out = pd.concat([frame.assign(**{x: pd.to_datetime(frame[x]).dt.date}), blanks], ignore_index=True)
    return out.sort_values([series, x], kind="stable").reset_index(drop=True)

"""Openness of releases (Epoch AI "Data on AI Models"): shares, counts, organisations, largest models.

A release counts for every country of its organisations (Epoch's own rule), so per-country
rows can add up to more than the total. Shares are open / (open + closed + unreleased):
releases whose accessibility Epoch has not recorded are left out of the denominator and
counted apart as ``unknown``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from landscape.filters import Filters, condition
from landscape.queries import filtered_on

GROUP_COUNTS = """
    count(*) FILTER (WHERE accessibility_group = 'open') AS open,
    count(*) FILTER (WHERE accessibility_group = 'closed') AS closed,
    count(*) FILTER (WHERE accessibility_group = 'unreleased') AS unreleased,
    count(*) FILTER (WHERE accessibility_group IS NULL) AS unknown,
    count(*) AS releases,
    round(100.0 * count(*) FILTER (WHERE accessibility_group = 'open')
          / nullif(count(*) FILTER (WHERE accessibility_group IS NOT NULL), 0), 1) AS open_share_pct
"""
_PERIODS = {"year": "CAST(year(publication_date) AS VARCHAR)",
            "quarter": "year(publication_date) || '-Q' || quarter(publication_date)"}


def _countries(con: duckdb.DuckDBPyConnection, filters: Filters, top: int) -> list[str]:
    """The countries to break down by: the filtered ones, else the ``top`` by releases."""
    if filters["country"]:
        return list(filters["country"])
    where, params = condition(filters, "releases")
    return [r[0] for r in con.execute(f"""
        SELECT c FROM (SELECT unnest(countries) AS c FROM releases WHERE {where})
        GROUP BY c ORDER BY count(*) DESC, c LIMIT ?""", [*params, top]).fetchall()]  # noqa: S608


@filtered_on("releases")
def open_share(con: duckdb.DuckDBPyConnection, filters: Filters, period: str = "year",
               by_country: bool = False, top: int = 6) -> pd.DataFrame:
    """Releases by accessibility group per period (and country): counts and open share (%)."""
    if period not in _PERIODS:
        raise ValueError(period)
    where, params = condition(filters, "releases")
    bucket = _PERIODS[period]
    if not by_country:
        return con.execute(f"""
            SELECT {bucket} AS period, {GROUP_COUNTS}
            FROM releases WHERE {where} AND publication_date IS NOT NULL
            GROUP BY ALL ORDER BY period""", params).df()  # noqa: S608 - constants and bound values
    countries = _countries(con, filters, top)
    return con.execute(f"""
        SELECT {bucket} AS period, country, {GROUP_COUNTS}
        FROM (SELECT * EXCLUDE (country), unnest(countries) AS country FROM releases
              WHERE {where} AND publication_date IS NOT NULL)
        WHERE list_contains(?::VARCHAR[], country)
        GROUP BY ALL ORDER BY period, country""", [*params, countries]).df()  # noqa: S608


@filtered_on("releases")
def accessibility_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Releases per year and per Epoch accessibility value (its own seven values, or 'Unknown')."""
    where, params = condition(filters, "releases")
    return con.execute(f"""
        SELECT year(publication_date) AS year, coalesce(accessibility, 'Unknown') AS accessibility,
               coalesce(accessibility_group, 'unknown') AS accessibility_group, count(*) AS releases
        FROM releases WHERE {where} AND publication_date IS NOT NULL
        GROUP BY ALL ORDER BY year, accessibility""", params).df()  # noqa: S608


@filtered_on("releases")
def organizations_ranked(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 20,
                         by_group: bool = False) -> pd.DataFrame:
    """Organisations ranked by releases with known accessibility, split open / closed / unreleased.

    ``by_group`` ranks groups instead: a release counts once for each group of its organisations
    (Google DeepMind and Google Brain for Alphabet). With an organisation filter, only the chosen
    organisations (or the groups they belong to) are ranked, not their co-authors.
    """
    where, params = condition(filters, "releases")
    column = "organization_groups" if by_group else "organizations"
    org_filter, extra = "", []
    if filters["org"]:
        org_filter = ("AND (list_contains(?::VARCHAR[], organization) OR organization IN "
                      "(SELECT parent FROM organization_parents WHERE list_contains(?::VARCHAR[], organization)))"
                      if by_group else "AND list_contains(?::VARCHAR[], organization)")
        extra = [list(filters["org"])] * org_filter.count("?")
    return con.execute(f"""
        SELECT organization, {GROUP_COUNTS}
        FROM (SELECT * EXCLUDE (organization), unnest({column}) AS organization
              FROM releases WHERE {where})
        WHERE accessibility_group IS NOT NULL {org_filter}
        GROUP BY organization ORDER BY releases DESC, organization LIMIT ?""",  # noqa: S608
                       [*params, *extra, limit]).df()


@filtered_on("releases")
def largest_models(con: duckdb.DuckDBPyConnection, filters: Filters, measure: str = "params") -> pd.DataFrame:
    """Per year and group (open, closed), the largest model by ``measure`` and its running record."""
    column = {"params": "params", "compute": "training_compute_flop"}[measure]
    where, params = condition(filters, "releases")
    return con.execute(f"""
        WITH yearly AS (
            SELECT year(publication_date) AS year, accessibility_group AS "group",
                   max({column}) AS largest, arg_max(model, {column}) AS model,
                   arg_max(organization, {column}) AS organization, arg_max(country, {column}) AS country
            FROM releases
            WHERE {where} AND accessibility_group IN ('open', 'closed') AND {column} IS NOT NULL
              AND publication_date IS NOT NULL
            GROUP BY ALL
        )
        SELECT *, max(largest) OVER (PARTITION BY "group" ORDER BY year) AS record_so_far
        FROM yearly ORDER BY year, "group" """, params).df()  # noqa: S608


@filtered_on("releases")
def largest_open_by_country(con: duckdb.DuckDBPyConnection, filters: Filters, top: int = 6) -> pd.DataFrame:
    """Per year and country, the largest open-weights model (parameters)."""
    where, params = condition(filters, "releases")
    countries = _countries(con, filters, top)
    return con.execute(f"""
        SELECT year(publication_date) AS year, country, max(params) AS params,
               arg_max(model, params) AS model, arg_max(organization, params) AS organization
        FROM (SELECT * EXCLUDE (country), unnest(countries) AS country FROM releases
              WHERE {where} AND accessibility_group = 'open' AND params IS NOT NULL
                AND publication_date IS NOT NULL)
        WHERE list_contains(?::VARCHAR[], country)
        GROUP BY ALL ORDER BY year, country""", [*params, countries]).df()  # noqa: S608


@filtered_on("releases")
def notable_accessibility_by_country(con: duckdb.DuckDBPyConnection, filters: Filters,
                                     top: int = 6) -> pd.DataFrame:
    """Notable (or frontier) releases per country by accessibility group."""
    where, params = condition(filters, "releases")
    countries = _countries(con, filters, top)
    return con.execute(f"""
        SELECT country, coalesce(accessibility_group, 'unknown') AS accessibility_group,
               count(*) AS releases, count(*) FILTER (WHERE frontier) AS frontier_releases
        FROM (SELECT * EXCLUDE (country), unnest(countries) AS country FROM releases
              WHERE {where} AND (notable OR frontier))
        WHERE list_contains(?::VARCHAR[], country)
        GROUP BY ALL ORDER BY country, accessibility_group""", [*params, countries]).df()  # noqa: S608

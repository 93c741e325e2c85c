"""Headline figures for the overview page."""

from __future__ import annotations

import duckdb
import pandas as pd

from landscape.filters import Filters, condition
from landscape.queries import facts, filtered_on

MIN_YEAR_RELEASES = 20  # the open share is quoted for the latest year with at least this many


@filtered_on("releases", "models")
def headline_figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row: releases, the latest solid year's open share, Hub models, downloads, Chinese-origin share."""
    r_where, r_params = condition(filters, "releases")
    hub = facts.models(filters, coarse=True)  # origin country and sums only
    return con.execute(f"""
        WITH yearly AS (
            SELECT year(publication_date) AS year,
                   count(*) FILTER (WHERE accessibility_group = 'open') AS open,
                   count(*) FILTER (WHERE accessibility_group IS NOT NULL) AS known
            FROM releases WHERE {r_where} AND publication_date IS NOT NULL GROUP BY 1
        ), latest AS (
            SELECT year, round(100.0 * open / known, 1) AS share FROM yearly
            WHERE known >= ? ORDER BY year DESC LIMIT 1
        ), hub AS (
            SELECT coalesce(sum(models), 0)::BIGINT AS models, coalesce(sum(downloads_30d), 0) AS downloads,
                   round(100.0 * sum(downloads_30d) FILTER (WHERE origin_country = 'CN')
                         / nullif(sum(downloads_30d), 0), 1) AS cn_share
            FROM {hub.relation}
        )
        SELECT (SELECT count(*) FROM releases WHERE {r_where}) AS releases,
               (SELECT year FROM latest) AS share_year, (SELECT share FROM latest) AS open_share_pct,
               hub.models AS hub_models, hub.downloads AS downloads_30d, hub.cn_share AS cn_origin_share_pct
        FROM hub
    """, [*r_params, MIN_YEAR_RELEASES, *hub.params, *r_params]).df()  # noqa: S608

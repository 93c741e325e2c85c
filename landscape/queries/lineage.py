"""Lineage and distillation: who builds on whose models, across borders.

A *derivative* is a model with a declared base (depth > 0); its *root* is the end of the chain
of first declared bases, its *family* the root and everything derived from it. Countries are
the uploader's and the root's, as buckets (``uploader_bucket``, ``origin_bucket``): the country,
else ``individuals``, ``community`` or ``repackagers`` by the account's kind, ``''`` when unknown.
Global filters apply to the derivatives (the country filter: uploader or root from there).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from landscape.filters import Filters, condition
from landscape.queries import NOT_COUNTRIES_SQL, OTHER, facts, filtered_on

WEIGHTS = ("models", "downloads")


def _measure(weight: str) -> str:
    return {"models": "sum(models)", "downloads": "coalesce(sum(downloads_30d), 0)"}[weight]


@filtered_on("models")
def lineage_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How the model tree resolved: roots, resolved chains, missing parents, cycles; merges; ancestors."""
    rows = facts.models(filters)
    counted = {"roots": "lineage_status = 'root'", "resolved": "lineage_status = 'resolved'",
               "missing_parent": "lineage_status = 'missing_parent'", "cycles": "lineage_status = 'cycle'",
               "multi_parent": "multi_parent", "fetched_ancestors": "ancestor", "derivatives": "derivative",
               "distilled": "distilled"}
    counts = ", ".join(f"coalesce(sum(models) FILTER (WHERE {rule}), 0)::BIGINT AS {name}"
                       for name, rule in counted.items())
    return con.execute(f"SELECT {counts}, max(max_depth) AS deepest FROM {rows.relation}",  # noqa: S608
                       rows.params).df()  # noqa: S608


@filtered_on("models")
def derivatives_by_month(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "country",
                         top: int = 6) -> pd.DataFrame:
    """Derivatives created per month by the root's country (or organisation): month, base, models, share_pct."""
    column = {"country": "origin_bucket", "organization": "coalesce(root_organization, '')"}[by]
    rows = facts.models(filters)
    return con.execute(f"""
        WITH d AS (
            SELECT strftime(created_month, '%Y-%m') AS month, {column} AS base, sum(models) AS n
            FROM {rows.relation} WHERE derivative AND created_month IS NOT NULL GROUP BY 1, 2
        ), top AS (
            SELECT base FROM d WHERE base NOT IN {NOT_COUNTRIES_SQL} GROUP BY base ORDER BY sum(n) DESC, base LIMIT ?
        ), bucketed AS (
            SELECT month, CASE WHEN base IN {NOT_COUNTRIES_SQL} OR base IN (SELECT base FROM top) THEN base
                               ELSE '{OTHER}' END AS base, n
            FROM d
        )
        SELECT month, base, sum(n)::BIGINT AS models,
               round(100.0 * sum(n) / sum(sum(n)) OVER (PARTITION BY month), 1) AS share_pct
        FROM bucketed GROUP BY month, base ORDER BY month, base
    """, [*rows.params, top]).df()  # noqa: S608


@filtered_on("models")
def top_bases(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 20) -> pd.DataFrame:
    """Root models with most derivatives: root, its organisation and country, derivatives by relation."""
    rows = facts.derivatives(filters)
    return con.execute(f"""
        SELECT family AS root_model, any_value(root_organization) AS organization, any_value(origin_bucket) AS country,
               sum(models)::BIGINT AS derivatives, sum(finetunes)::BIGINT AS finetunes,
               sum(quantized)::BIGINT AS quantized, sum(adapters)::BIGINT AS adapters,
               sum(merges)::BIGINT AS merges, coalesce(sum(downloads_30d), 0)::BIGINT AS derivative_downloads
        FROM {rows.relation} WHERE rooted
        GROUP BY family ORDER BY derivatives DESC, root_model LIMIT ?
    """, [*rows.params, limit]).df()  # noqa: S608


@filtered_on("models")
def cross_border(con: duckdb.DuckDBPyConnection, filters: Filters, weight: str = "models") -> pd.DataFrame:
    """Derivatives by uploader's country × root's country: uploader_country, root_country, value."""
    rows = facts.models(filters)
    return con.execute(f"""
        SELECT uploader_bucket AS uploader_country, origin_bucket AS root_country,
               {_measure(weight)}::BIGINT AS value
        FROM {rows.relation} WHERE derivative
        GROUP BY ALL ORDER BY value DESC, uploader_country, root_country
    """, rows.params).df()  # noqa: S608


@filtered_on("models")
def families(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """Top families by downloads: the base's own downloads beside the whole family's.

    Grouping millions of models by family is the slow way: most families are a lone model. Only
    roots with derivatives (few) are grouped, their own rows read from ``family_roots``; a family
    without derivatives can only make the top as one of the most downloaded roots, so those few
    are added as candidates. Same answer, a fraction of the work.
    """
    where, params = condition(filters, "models")
    where = f"{where} AND coalesce(depth, 0) = 0"  # the roots under the filters
    derived = facts.derivatives(filters)
    roots = facts.family_roots(filters)
    return con.execute(f"""
        WITH d AS (
            SELECT CASE WHEN rooted THEN family END AS family, sum(models) AS derivatives,
                   coalesce(sum(downloads_30d), 0) AS derivative_downloads, sum(repackages) AS repackages,
                   coalesce(sum(repackage_downloads_30d), 0) AS repackage_downloads
            FROM {derived.relation} GROUP BY 1
        ), lone AS MATERIALIZED (
            -- the most downloaded roots, ties included: every root at or above the n-th count, a
            -- missing count as 0 (materialised: read twice below). The n-th count is taken from the n
            -- largest counts, n missing ones and the n largest negative ones (none on the Hub): three
            -- top lists of the count itself, which stop after the first row groups of a table
            -- written most downloaded first, where one of the coalesced count reads every root.
            SELECT model_id AS family, coalesce(downloads_30d, 0) AS base_downloads FROM models
            WHERE {where} AND coalesce(downloads_30d, 0) >= (SELECT min(x) FROM (SELECT x FROM (
                (SELECT downloads_30d AS x FROM models WHERE {where} AND downloads_30d >= 0 ORDER BY 1 DESC LIMIT ?)
                UNION ALL (SELECT 0 FROM models WHERE {where} AND downloads_30d IS NULL LIMIT ?)
                UNION ALL (SELECT downloads_30d FROM models WHERE {where} AND downloads_30d < 0
                           ORDER BY 1 DESC LIMIT ?)) ORDER BY x DESC LIMIT ?))
        ), candidates AS (SELECT family FROM d UNION SELECT family FROM lone),
        own AS (
            -- the roots' own downloads: the lone roots', and those of the roots of d's families
            SELECT family, base_downloads FROM lone
            UNION SELECT model_id, coalesce(downloads_30d, 0) FROM {roots.relation}
            WHERE coalesce(depth, 0) = 0 AND model_id IN (SELECT family FROM d)
        )
        SELECT c.family, coalesce(o.base_downloads, 0) AS base_downloads,
               coalesce(o.base_downloads, 0) + coalesce(d.derivative_downloads, 0) AS family_downloads,
               coalesce(d.derivatives, 0) AS derivatives, coalesce(d.repackages, 0) AS repackages,
               coalesce(d.repackage_downloads, 0) AS repackage_downloads
        FROM candidates c LEFT JOIN d USING (family) LEFT JOIN own o USING (family)
        ORDER BY family_downloads DESC, c.family LIMIT ?
    """, [*derived.params, *params, *[*params, limit] * 3, limit,  # noqa: S608
          *roots.params, limit]).df()


def _distilled(filters: Filters, originals_only: bool) -> tuple[str, list]:
    """The tracked distilled models under ``filters`` (a relation and its parameters), without
    quantisations and repackagers' copies when ``originals_only``."""
    rows = facts.distilled(filters)
    extra = " AND NOT coalesce(is_intermediary, false) AND coalesce(base_relation, '') <> 'quantized'" \
        if originals_only else ""
    return f"(SELECT * FROM {rows.relation} WHERE distilled{extra})", rows.params  # noqa: S608 - constants


@filtered_on("models")
def distilled_by_month(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "teacher",
                       originals_only: bool = True) -> pd.DataFrame:
    """Tracked distilled models per month of creation by teacher country or student-base country."""
    rows, params = _distilled(filters, originals_only)
    column = {"teacher": "coalesce(teacher_country, '')", "student": "coalesce(base_country, '')"}[by]
    # counted by month first, then the months named: the label is formatted once per month, not per model
    return con.execute(f"""
        SELECT strftime(created_month, '%Y-%m') AS month, country, sum(n)::BIGINT AS models
        FROM (SELECT created_month, {column} AS country, count(*) AS n FROM {rows}
              WHERE created_month IS NOT NULL GROUP BY ALL)
        GROUP BY ALL ORDER BY month, country
    """, params).df()  # noqa: S608


@filtered_on("models")
def distilled_models(con: duckdb.DuckDBPyConnection, filters: Filters, originals_only: bool = True,
                     limit: int = 500) -> pd.DataFrame:
    """The tracked models, most downloaded first, with student base, teacher and the rules that matched."""
    rows, params = _distilled(filters, originals_only)
    # The n-th largest count first (missing counts last, as -1), then only the rows at or above it:
    # the wide columns are read for those rows, not for every tracked model.
    return con.execute(f"""
        WITH threshold AS (
            SELECT min(x) AS t FROM (SELECT coalesce(downloads_30d, -1) AS x FROM {rows} ORDER BY 1 DESC LIMIT ?)
        )
        SELECT model_id, author, country, created_at, downloads_30d,
               base_model AS student_base, base_organization AS student_base_organization,
               base_country AS student_base_country, teacher_model, teacher_organization, teacher_country,
               distill_evidence AS evidence
        FROM {rows} WHERE coalesce(downloads_30d, -1) >= (SELECT t FROM threshold)
        ORDER BY downloads_30d DESC NULLS LAST, model_id LIMIT ?
    """, [*params, limit, *params, limit]).df()  # noqa: S608

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
from landscape.queries import NOT_COUNTRIES_SQL, OTHER, filtered_on

WEIGHTS = ("models", "downloads")


def _measure(weight: str) -> str:
    return {"models": "count(*)", "downloads": "coalesce(sum(downloads_30d), 0)"}[weight]


@filtered_on("models")
def lineage_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How the model tree resolved: roots, resolved chains, missing parents, cycles; merges; ancestors."""
    where, params = condition(filters, "models")
    return con.execute(f"""
        SELECT count(*) FILTER (WHERE lineage_status = 'root') AS roots,
               count(*) FILTER (WHERE lineage_status = 'resolved') AS resolved,
               count(*) FILTER (WHERE lineage_status = 'missing_parent') AS missing_parent,
               count(*) FILTER (WHERE lineage_status = 'cycle') AS cycles,
               count(*) FILTER (WHERE len(base_models) > 1) AS multi_parent,
               count(*) FILTER (WHERE scope = 'ancestor') AS fetched_ancestors,
               count(*) FILTER (WHERE depth > 0) AS derivatives,
               count(*) FILTER (WHERE coalesce(distilled, false)) AS distilled,
               max(depth) AS deepest
        FROM models WHERE {where}
    """, params).df()  # noqa: S608


@filtered_on("models")
def derivatives_by_month(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "country",
                         top: int = 6) -> pd.DataFrame:
    """Derivatives created per month by the root's country (or organisation): month, base, models, share_pct."""
    column = {"country": "origin_bucket", "organization": "coalesce(root_organization, '')"}[by]
    where, params = condition(filters, "models")
    return con.execute(f"""
        WITH d AS (
            SELECT strftime(created_month, '%Y-%m') AS month, {column} AS base
            FROM models WHERE {where} AND depth > 0 AND created_month IS NOT NULL
        ), top AS (
            SELECT base FROM d WHERE base NOT IN {NOT_COUNTRIES_SQL} GROUP BY base ORDER BY count(*) DESC, base LIMIT ?
        ), bucketed AS (
            SELECT month, CASE WHEN base IN {NOT_COUNTRIES_SQL} OR base IN (SELECT base FROM top) THEN base
                               ELSE '{OTHER}' END AS base
            FROM d
        )
        SELECT month, base, count(*) AS models,
               round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY month), 1) AS share_pct
        FROM bucketed GROUP BY month, base ORDER BY month, base
    """, [*params, top]).df()  # noqa: S608


@filtered_on("models")
def top_bases(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 20) -> pd.DataFrame:
    """Root models with most derivatives: root, its organisation and country, derivatives by relation."""
    where, params = condition(filters, "models")
    return con.execute(f"""
        SELECT root_model, any_value(root_organization) AS organization, any_value(origin_bucket) AS country,
               count(*) AS derivatives,
               count(*) FILTER (WHERE base_relation = 'finetune') AS finetunes,
               count(*) FILTER (WHERE base_relation = 'quantized') AS quantized,
               count(*) FILTER (WHERE base_relation = 'adapter') AS adapters,
               count(*) FILTER (WHERE base_relation = 'merge') AS merges,
               coalesce(sum(downloads_30d), 0) AS derivative_downloads
        FROM models
        WHERE {where} AND depth > 0 AND root_model IS NOT NULL
        GROUP BY root_model ORDER BY derivatives DESC, root_model LIMIT ?
    """, [*params, limit]).df()  # noqa: S608


@filtered_on("models")
def cross_border(con: duckdb.DuckDBPyConnection, filters: Filters, weight: str = "models") -> pd.DataFrame:
    """Derivatives by uploader's country × root's country: uploader_country, root_country, value."""
    where, params = condition(filters, "models")
    return con.execute(f"""
        SELECT uploader_bucket AS uploader_country, origin_bucket AS root_country,
               {_measure(weight)} AS value
        FROM models WHERE {where} AND depth > 0
        GROUP BY ALL ORDER BY value DESC
    """, params).df()  # noqa: S608


@filtered_on("models")
def families(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """Top families by downloads: the base's own downloads beside the whole family's.

    Grouping millions of models by family is the slow way: most families are a lone model. Only
    roots with derivatives (few) are grouped; a family without derivatives can only make the top
    as one of the most downloaded roots, so those few are added as candidates. Same answer, a
    fraction of the work.
    """
    where, params = condition(filters, "models")
    repack = "(base_relation = 'quantized' OR is_intermediary)"
    return con.execute(f"""
        WITH d AS (
            SELECT root_model AS family, count(*) AS derivatives,
                   coalesce(sum(downloads_30d), 0) AS derivative_downloads,
                   count(*) FILTER (WHERE {repack}) AS repackages,
                   coalesce(sum(downloads_30d) FILTER (WHERE {repack}), 0) AS repackage_downloads
            FROM models WHERE {where} AND depth > 0 GROUP BY root_model
        ), lone AS (
            SELECT model_id AS family FROM models WHERE {where} AND coalesce(depth, 0) = 0
            ORDER BY downloads_30d DESC NULLS LAST, model_id LIMIT ?
        ), candidates AS (SELECT family FROM d UNION SELECT family FROM lone),
        own AS (
            SELECT model_id AS family, coalesce(downloads_30d, 0) AS base_downloads FROM models
            WHERE {where} AND coalesce(depth, 0) = 0 AND model_id IN (SELECT family FROM candidates)
        )
        SELECT c.family, coalesce(o.base_downloads, 0) AS base_downloads,
               coalesce(o.base_downloads, 0) + coalesce(d.derivative_downloads, 0) AS family_downloads,
               coalesce(d.derivatives, 0) AS derivatives, coalesce(d.repackages, 0) AS repackages,
               coalesce(d.repackage_downloads, 0) AS repackage_downloads
        FROM candidates c LEFT JOIN d USING (family) LEFT JOIN own o USING (family)
        ORDER BY family_downloads DESC, c.family LIMIT ?
    """, [*params, *params, limit, *params, limit]).df()  # noqa: S608


def _distilled_where(filters: Filters, originals_only: bool) -> tuple[str, list]:
    where, params = condition(filters, "models")
    extra = " AND NOT coalesce(is_intermediary, false) AND coalesce(base_relation, '') <> 'quantized'" \
        if originals_only else ""
    return f"distilled AND {where}{extra}", params


@filtered_on("models")
def distilled_by_month(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "teacher",
                       originals_only: bool = True) -> pd.DataFrame:
    """Tracked distilled models per month of creation by teacher country or student-base country."""
    where, params = _distilled_where(filters, originals_only)
    column = {"teacher": "coalesce(teacher_country, '')", "student": "coalesce(base_country, '')"}[by]
    return con.execute(f"""
        SELECT strftime(created_month, '%Y-%m') AS month, {column} AS country, count(*) AS models
        FROM models WHERE {where} AND created_month IS NOT NULL
        GROUP BY ALL ORDER BY month, country
    """, params).df()  # noqa: S608


@filtered_on("models")
def distilled_models(con: duckdb.DuckDBPyConnection, filters: Filters, originals_only: bool = True,
                     limit: int = 500) -> pd.DataFrame:
    """The tracked models, most downloaded first, with student base, teacher and the rules that matched."""
    where, params = _distilled_where(filters, originals_only)
    return con.execute(f"""
        SELECT model_id, author, country, created_at, downloads_30d,
               base_model AS student_base, base_organization AS student_base_organization,
               base_country AS student_base_country, teacher_model, teacher_organization, teacher_country,
               distill_evidence AS evidence
        FROM models WHERE {where}
        ORDER BY downloads_30d DESC NULLS LAST, model_id LIMIT ?
    """, [*params, limit]).df()  # noqa: S608

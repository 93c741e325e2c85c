"""Lineage and distillation: who builds on whose models, across borders.

A *derivative* is a model with a declared base (depth > 0); its *root* is the end of the chain
of first declared bases, its *family* the root and everything derived from it. Countries are
the uploader's (``country``) and the root's (``origin_country``); ``''`` means unattributed.
Global filters apply to the derivatives (the country filter: uploader or root from there).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.datasets import Filters, models_where

WEIGHTS = ("models", "downloads")


def _measure(weight: str) -> str:
    return {"models": "count(*)", "downloads": "coalesce(sum(downloads_30d), 0)"}[weight]


def lineage_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """How the model tree resolved: roots, resolved chains, missing parents, cycles; merges; ancestors."""
    where, params = models_where(filters)
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


def derivatives_by_month(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "country",
                         top: int = 6) -> pd.DataFrame:
    """Derivatives created per month by the root's country (or organisation): month, base, models, share_pct."""
    column = {"country": "coalesce(origin_country, '')", "organization": "coalesce(ro.organization, '')"}[by]
    where, params = models_where(filters, "m")
    return con.execute(f"""
        WITH d AS (
            SELECT strftime(m.created_at, '%Y-%m') AS month, {column} AS base, m.downloads_30d
            FROM models m LEFT JOIN organizations ro
                 ON lower(ro.hf_author) = lower(split_part(m.root_model, '/', 1))
            WHERE {where} AND m.depth > 0 AND m.created_at IS NOT NULL
        ), top AS (
            SELECT base FROM d WHERE base <> '' GROUP BY base ORDER BY count(*) DESC, base LIMIT ?
        ), bucketed AS (
            SELECT month, CASE WHEN base = '' OR base IN (SELECT base FROM top) THEN base ELSE 'Other' END AS base
            FROM d
        )
        SELECT month, base, count(*) AS models,
               round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY month), 1) AS share_pct
        FROM bucketed GROUP BY month, base ORDER BY month, base
    """, [*params, top]).df()  # noqa: S608


def top_bases(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 20) -> pd.DataFrame:
    """Root models with most derivatives: root, its organisation and country, derivatives by relation."""
    where, params = models_where(filters, "m")
    return con.execute(f"""
        SELECT m.root_model, any_value(ro.organization) AS organization, any_value(m.origin_country) AS country,
               count(*) AS derivatives,
               count(*) FILTER (WHERE m.base_relation = 'finetune') AS finetunes,
               count(*) FILTER (WHERE m.base_relation = 'quantized') AS quantized,
               count(*) FILTER (WHERE m.base_relation = 'adapter') AS adapters,
               count(*) FILTER (WHERE m.base_relation = 'merge') AS merges,
               coalesce(sum(m.downloads_30d), 0) AS derivative_downloads
        FROM models m LEFT JOIN organizations ro ON lower(ro.hf_author) = lower(split_part(m.root_model, '/', 1))
        WHERE {where} AND m.depth > 0 AND m.root_model IS NOT NULL
        GROUP BY m.root_model ORDER BY derivatives DESC, m.root_model LIMIT ?
    """, [*params, limit]).df()  # noqa: S608


def cross_border(con: duckdb.DuckDBPyConnection, filters: Filters, weight: str = "models") -> pd.DataFrame:
    """Derivatives by uploader's country × root's country: uploader_country, root_country, value."""
    where, params = models_where(filters)
    return con.execute(f"""
        SELECT coalesce(country, '') AS uploader_country, coalesce(origin_country, '') AS root_country,
               {_measure(weight)} AS value
        FROM models WHERE {where} AND depth > 0
        GROUP BY ALL ORDER BY value DESC
    """, params).df()  # noqa: S608


def families(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """Top families by downloads: the base's own downloads beside the whole family's."""
    where, params = models_where(filters)
    return con.execute(f"""
        WITH f AS (
            SELECT coalesce(root_model, model_id) AS family, model_id, depth, base_relation, downloads_30d,
                   is_intermediary
            FROM models WHERE {where}
        )
        SELECT family,
               coalesce(sum(downloads_30d) FILTER (WHERE model_id = family), 0) AS base_downloads,
               coalesce(sum(downloads_30d), 0) AS family_downloads,
               count(*) FILTER (WHERE model_id <> family) AS derivatives,
               count(*) FILTER (WHERE base_relation = 'quantized' OR is_intermediary) AS repackages,
               coalesce(sum(downloads_30d) FILTER (WHERE base_relation = 'quantized' OR is_intermediary), 0)
                   AS repackage_downloads
        FROM f GROUP BY family ORDER BY family_downloads DESC, family LIMIT ?
    """, [*params, limit]).df()  # noqa: S608


def _distilled_where(filters: Filters, originals_only: bool) -> tuple[str, list]:
    where, params = models_where(filters, "m")
    extra = " AND NOT coalesce(m.is_intermediary, false) AND coalesce(m.base_relation, '') <> 'quantized'" \
        if originals_only else ""
    return f"{where} AND coalesce(m.distilled, false){extra}", params


def distilled_by_month(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "teacher",
                       originals_only: bool = True) -> pd.DataFrame:
    """Tracked distilled models per month of creation by teacher country or student-base country."""
    where, params = _distilled_where(filters, originals_only)
    column = {"teacher": "coalesce(m.teacher_country, '')", "student": "coalesce(bo.country, '')"}[by]
    return con.execute(f"""
        SELECT strftime(m.created_at, '%Y-%m') AS month, {column} AS country, count(*) AS models
        FROM models m LEFT JOIN organizations bo ON lower(bo.hf_author) = lower(split_part(m.base_model, '/', 1))
        WHERE {where} AND m.created_at IS NOT NULL
        GROUP BY ALL ORDER BY month, country
    """, params).df()  # noqa: S608


def distilled_models(con: duckdb.DuckDBPyConnection, filters: Filters, originals_only: bool = True,
                     limit: int = 500) -> pd.DataFrame:
    """The tracked models, most downloaded first, with student base, teacher and the rules that matched."""
    where, params = _distilled_where(filters, originals_only)
    return con.execute(f"""
        SELECT m.model_id, m.author, m.country, m.created_at, m.downloads_30d,
               m.base_model AS student_base, bo.organization AS student_base_organization,
               bo.country AS student_base_country, m.teacher_model, m.teacher_organization, m.teacher_country,
               m.distill_evidence AS evidence
        FROM models m LEFT JOIN organizations bo ON lower(bo.hf_author) = lower(split_part(m.base_model, '/', 1))
        WHERE {where}
        ORDER BY m.downloads_30d DESC NULLS LAST, m.model_id LIMIT ?
    """, [*params, limit]).df()  # noqa: S608

"""Queries for the methodology page: the organisation registry and how the data splits by category.

Runs, sources and quarantine come from :mod:`landscape.queries.meta`. These tables are
unfiltered: the methodology page describes the whole database, not a view of it.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# Model columns whose values are categories the methodology page defines. Identifiers come
# only from this constant.
MODEL_CATEGORIES = ("license_family", "params_source", "base_relation", "lineage_status")
_CATEGORY_COUNTS = " UNION ALL ".join(
    f"SELECT '{c}' AS category, coalesce(CAST({c} AS VARCHAR), '(none)') AS value, count(*) AS models FROM models GROUP BY ALL"  # noqa: S608 - constants
    for c in MODEL_CATEGORIES)


def organizations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The organisation registry as built: Hub namespace → organisation, kind, country, parent, source."""
    return con.execute("""
        SELECT hf_author AS namespace, organization, kind, country, parent, organization_group AS "group",
               source, note
        FROM organizations ORDER BY lower(organization) NULLS LAST, lower(hf_author)
    """).df()


def model_categories(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Hub models per value of each category column: ``category, value, models`` (NULL as ``(none)``)."""
    return con.execute(_CATEGORY_COUNTS + " ORDER BY category, models DESC, value").df()


def release_accessibility(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Epoch releases per accessibility value as written, with the group it maps to."""
    return con.execute("""
        SELECT coalesce(accessibility, '(not recorded)') AS accessibility,
               coalesce(accessibility_group, '(none)') AS accessibility_group, count(*) AS releases
        FROM releases GROUP BY ALL ORDER BY releases DESC, accessibility
    """).df()


def attribution_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: how many models and releases carry a country, and the edge cases of attribution."""
    return con.execute("""
        SELECT
            (SELECT count(*) FROM models) AS models,
            (SELECT count(*) FROM models WHERE country IS NOT NULL) AS models_with_country,
            (SELECT count(*) FROM models WHERE origin_country IS NOT NULL) AS models_with_origin_country,
            (SELECT count(*) FROM models WHERE is_intermediary) AS models_by_intermediaries,
            (SELECT count(*) FROM models WHERE params_undercounted) AS models_params_undercounted,
            (SELECT count(*) FROM releases) AS releases,
            (SELECT count(*) FROM releases WHERE len(countries) > 1) AS releases_several_countries,
            (SELECT count(*) FROM releases WHERE len(countries) = 0 OR countries IS NULL) AS releases_no_country
    """).df()

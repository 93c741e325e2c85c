"""How much of the data the attribution covers, and what is still missing.

Every chart split by country says, under it, how much of what it shows has a country; the
rest is split by the uploader's kind (individuals, community, repackagers) or is unknown:
nobody has classified the account yet. These queries give those figures, the whole database's
for ``python -m pipeline status``, and the largest unknown namespaces (for the methodology page and
``python -m pipeline registry unattributed``), so that anyone can see what is missing.

Example::

    >>> hub_coverage(con, Filters(), "origin")                # doctest: +SKIP
       category   models  downloads_30d  downloads_all_time
    0   country     8123       91234567          …
"""

from __future__ import annotations

import duckdb
import pandas as pd

from landscape.filters import Filters, condition
from landscape.queries import facts, filtered_on
from pipeline.derive import KIND_BUCKETS

# What a chart's coverage line splits its total into, in this order.
CATEGORIES = ("country", *KIND_BUCKETS.values(), "unknown")
BASES = {"uploader": "uploader_bucket", "origin": "origin_bucket"}


def _category(bucket: str) -> str:
    kinds = ", ".join(f"'{b}'" for b in KIND_BUCKETS.values())
    return f"CASE WHEN {bucket} IN ({kinds}) THEN {bucket} WHEN coalesce({bucket}, '') = '' THEN 'unknown' " \
           f"ELSE 'country' END"


@filtered_on("models")
def hub_coverage(con: duckdb.DuckDBPyConnection, filters: Filters, basis: str = "origin") -> pd.DataFrame:
    """Models, downloads and likes per category (:data:`CATEGORIES`), by the uploader's or the
    root's (``basis="origin"``) attribution, under the filters. Every category has a row."""
    bucket = BASES[basis]
    rows = facts.models(filters, coarse=True)  # buckets and sums only
    # Grouped by the bucket too, then by category: with the category as the only key, DuckDB 2.0.1
    # takes its fast path for a key read from a dictionary-compressed column, which crashed the
    # process (SIGSEGV in TryAddDictionaryGroups) in about one of twenty runs over `models` at
    # 3,000,000 rows; with two keys it takes the general path (no crash in 112 runs of the same loop).
    found = con.execute(f"""
        SELECT category, sum(models)::BIGINT AS models, sum(downloads_30d)::BIGINT AS downloads_30d,
               sum(downloads_all_time)::BIGINT AS downloads_all_time, sum(likes)::BIGINT AS likes
        FROM (SELECT {_category(bucket)} AS category, {bucket} AS bucket, sum(models) AS models,
                     coalesce(sum(downloads_30d), 0) AS downloads_30d,
                     coalesce(sum(downloads_all_time), 0) AS downloads_all_time, coalesce(sum(likes), 0) AS likes
              FROM {rows.relation} GROUP BY 1, 2)
        GROUP BY 1
    """, rows.params).df()  # noqa: S608 - constants and bound values
    return (pd.DataFrame({"category": CATEGORIES}).merge(found, how="left", on="category")
            .fillna(0).astype({"models": "int64", "downloads_30d": "int64", "downloads_all_time": "int64",
                               "likes": "int64"}))


@filtered_on("releases")
def release_coverage(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Releases with a country and without, under the filters (columns ``category``, ``releases``)."""
    where, params = condition(filters, "releases")
    (with_country, without), = con.execute(f"""
        SELECT count(*) FILTER (WHERE len(countries) > 0), count(*) FILTER (WHERE coalesce(len(countries), 0) = 0)
        FROM releases WHERE {where}
    """, params).fetchall()  # noqa: S608
    return pd.DataFrame({"category": ["country", "unknown"], "releases": [with_country, without]})


def unknown_namespaces(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pd.DataFrame:
    """The Hub namespaces nobody has classified (no kind), most downloaded first: ``namespace``,
    ``models``, ``downloads_30d``, ``top_model`` (its most downloaded)."""
    return con.execute("""
        SELECT author AS namespace, count(*) AS models, coalesce(sum(downloads_30d), 0)::BIGINT AS downloads_30d,
               arg_max(model_id, coalesce(downloads_30d, 0)) AS top_model
        FROM models WHERE author_kind IS NULL AND author IS NOT NULL
        GROUP BY author ORDER BY downloads_30d DESC, author LIMIT ?
    """, [limit]).df()


def kind_shares(con: duckdb.DuckDBPyConnection, top: int | None = None) -> pd.DataFrame:
    """Per uploader kind (``unknown`` when none): models, 30-day downloads, and how much of them has
    a country; over all models, or the ``top`` most downloaded."""
    scope = "SELECT * FROM models" if top is None else \
        "SELECT * FROM models ORDER BY downloads_30d DESC NULLS LAST, model_id LIMIT ?"
    return con.execute(f"""
        SELECT coalesce(author_kind, 'unknown') AS kind, count(*) AS models,
               count(*) FILTER (WHERE country IS NOT NULL) AS models_with_country,
               coalesce(sum(downloads_30d), 0)::BIGINT AS downloads_30d,
               coalesce(sum(downloads_30d) FILTER (WHERE country IS NOT NULL), 0)::BIGINT AS downloads_with_country
        FROM ({scope}) GROUP BY 1 ORDER BY downloads_30d DESC, kind
    """, [] if top is None else [top]).df()  # noqa: S608 - constants


def shares(frame: pd.DataFrame, value: str) -> dict[str, float]:
    """``frame`` (category, ``value``) as percentages of its total, by category (empty when the total is 0)."""
    total = float(frame[value].sum())
    if not total:
        return {}
    return {row["category"]: 100.0 * float(row[value]) / total for _, row in frame.iterrows()}


LABELS = {"country": "with a country", "individuals": "individuals", "community": "community",
          "repackagers": "repackagers", "unknown": "unknown"}


def describe(frame: pd.DataFrame, value: str, what: str) -> str:
    """One line on a coverage frame: how much of ``what`` (the total of ``value``) has a country,
    and how the rest splits; '' when there is nothing. For example
    ``30-day downloads by origin: 62% with a country, individuals 8%, unknown 30%``."""
    pct = shares(frame, value)
    if not pct:
        return ""
    parts = [f"{pct.get('country', 0.0):.0f}% with a country"]
    parts += [f"{LABELS[c]} {pct[c]:.0f}%" for c in CATEGORIES[1:] if pct.get(c, 0.0) >= 0.5]
    return f"{what}: {', '.join(parts)}"

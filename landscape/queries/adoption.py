"""Hub adoption: downloads and likes by country, cohorts, organisations, models and size (history over
time: landscape/queries/history.py).

Every function reads ``models`` under the global filters
and returns a small aggregate: countries are the top few by downloads, then ``Other``; models
with no country are kept apart by their uploader's kind (``individuals``, ``community``,
``repackagers``, and ``""`` for unknown: nobody has classified the account), never folded into
``Other`` (``models.uploader_bucket`` and ``origin_bucket``). Because every breakdown ranks countries by the same downloads of the same filtered
models, the same countries appear on every chart of the page.

``downloads`` picks the measure: ``"30d"`` (the Hub's trailing 30-day count) or ``"all"``
(all-time). Derivatives count for their root model's country (``origin_country``).

Example::

    >>> with open_readonly(path) as con:                      # doctest: +SKIP
    ...     downloads_by_country(con, Filters(country=("CN",)), "30d")
"""

from __future__ import annotations

import duckdb
import pandas as pd

from landscape.filters import Filters, condition
from landscape.queries import NOT_COUNTRIES_SQL, OTHER, facts, filtered_on
from pipeline.derive import bucket_sql
from pipeline.rollups import RECENT_MONTHS, SIZE_CLASS_BOUNDS, size_bucket_at

MEASURES = {"30d": "downloads_30d", "all": "downloads_all_time"}
VIEWS = ("models", "families")
HUB_URL = "https://huggingface.co/"
SIZE_CLASSES = ("<1B", "1–10B", "10–100B", ">100B", "unknown")
# Position in SIZE_CLASSES (1-based), from the size bucket (below a bound: a bucket under the bound's own).
_SIZE_CLASS = ("CASE WHEN size_bucket IS NULL THEN 5 "
               + " ".join(f"WHEN size_bucket < {size_bucket_at(b)} THEN {i}" for i, b in enumerate(SIZE_CLASS_BOUNDS, 1))
               + f" ELSE {len(SIZE_CLASS_BOUNDS) + 1} END")


def _measure(downloads: str) -> str:
    try:
        return MEASURES[downloads]
    except KeyError:
        raise ValueError(f"unknown downloads measure {downloads!r}; "
                         f"choose from {', '.join(MEASURES)}") from None


def _check_view(view: str) -> None:
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; choose from {', '.join(VIEWS)}")


def _bucket(column: str = "c") -> str:
    """The bucket of an aggregated row: itself when it is no country (individuals, community,
    repackagers, unknown) or among the ``top`` countries, else Other."""
    return (f"CASE WHEN {column} IN {NOT_COUNTRIES_SQL} OR {column} IN (SELECT c FROM top) "  # noqa: S608
            f"THEN {column} ELSE '{OTHER}' END")


# The top countries by downloads within an aggregate ``agg(c, downloads, …)``.
_TOP = (f"top AS (SELECT c FROM agg WHERE c NOT IN {NOT_COUNTRIES_SQL} GROUP BY c "  # noqa: S608 - constants
        "ORDER BY sum(downloads) DESC NULLS LAST, c LIMIT ?)")
_TAIL = f"{{c}} IN {NOT_COUNTRIES_SQL}, {{c}} = '{OTHER}'"  # ORDER BY keys putting the buckets last


@filtered_on("models")
def downloads_by_country(con: duckdb.DuckDBPyConnection, filters: Filters, downloads: str = "30d",
                         top: int = 12) -> pd.DataFrame:
    """Models, downloads and likes per country, twice: by uploader's country and by origin country.

    Columns: ``attribution`` (``uploader`` | ``origin``), ``country`` (a code, ``Other``, or the
    bucket of models with no country: ``individuals``, ``community``, ``repackagers``, ``""`` for
    unknown), ``models``, ``downloads``, ``likes``, ``downloads_share_pct`` (of the attribution's
    total). One scan (grouping sets).
    """
    column = _measure(downloads)
    rows = facts.models(filters)
    return con.execute(f"""
        WITH agg AS (
            SELECT CASE WHEN grouping(uploader_bucket) = 0 THEN 'uploader' ELSE 'origin' END AS attribution,
                   CASE WHEN grouping(uploader_bucket) = 0 THEN uploader_bucket ELSE origin_bucket END AS c,
                   sum(models) AS models, coalesce(sum({column}), 0) AS downloads,
                   coalesce(sum(likes), 0) AS likes
            FROM {rows.relation}
            GROUP BY GROUPING SETS ((uploader_bucket), (origin_bucket))
        ), ranked AS (
            SELECT *, CASE WHEN c IN {NOT_COUNTRIES_SQL} OR row_number() OVER (
                            PARTITION BY attribution, c IN {NOT_COUNTRIES_SQL} ORDER BY downloads DESC, c) <= ? THEN c
                      ELSE '{OTHER}' END AS country
            FROM agg
        )
        SELECT attribution, country, sum(models)::BIGINT AS models, sum(downloads)::BIGINT AS downloads,
               sum(likes)::BIGINT AS likes,
               round(100.0 * sum(downloads) / nullif(sum(sum(downloads)) OVER (PARTITION BY attribution), 0),
                     2) AS downloads_share_pct
        FROM ranked GROUP BY attribution, country
        ORDER BY attribution DESC, {_TAIL.format(c="country")}, downloads DESC, country
    """, [*rows.params, top]).df()  # noqa: S608 - constants and bound values


@filtered_on("models")
def cohorts(con: duckdb.DuckDBPyConnection, filters: Filters, downloads: str = "30d",
            top: int = 6) -> pd.DataFrame:
    """Models created per month (repository creation, UTC) and their downloads, by origin country.

    Columns: ``month`` (first day), ``origin_country`` (top ``top`` by downloads, ``Other``, and the
    buckets of models with no country), ``models``, ``downloads``. Models without a creation date
    are left out.
    """
    column = _measure(downloads)
    rows = facts.models(filters)
    return con.execute(f"""
        WITH agg AS (
            SELECT created_month AS month, origin_bucket AS c, sum(models) AS models,
                   coalesce(sum({column}), 0) AS downloads
            FROM {rows.relation} WHERE created_month IS NOT NULL GROUP BY 1, 2
        ), {_TOP}
        SELECT month, {_bucket()} AS origin_country, sum(models)::BIGINT AS models,
               sum(downloads)::BIGINT AS downloads
        FROM agg GROUP BY 1, 2 ORDER BY month, origin_country
    """, [*rows.params, top]).df()  # noqa: S608


def _uploads(column: str, rows: facts.Facts, by_group: bool, originals: bool = False) -> str:
    """Models grouped by uploader (the organisation is a function of the author), credited to it
    (or to its group: the parent organisation, when ``by_group``); only the non-derivatives when
    ``originals``."""
    name = "coalesce(organization_group, organization, author, '')" if by_group else \
        "coalesce(organization, author, '')"
    return f"""
        SELECT {name} AS organization, organization IS NOT NULL AS attributed,
               any_value(uploader_bucket) AS country, any_value(author_kind) AS kind,
               bool_or(intermediary) AS intermediary,
               sum(models) AS models, coalesce(sum({column}), 0) AS downloads, coalesce(sum(likes), 0) AS likes
        FROM {rows.relation} {"WHERE NOT derivative" if originals else ""}
        GROUP BY author, organization, organization_group"""  # noqa: S608


@filtered_on("models")
def top_organizations(con: duckdb.DuckDBPyConnection, filters: Filters, downloads: str = "30d",
                      view: str = "models", limit: int = 20, by_group: bool = False) -> pd.DataFrame:
    """Organisations ranked by downloads, with their model counts.

    ``view="models"`` credits each model to its uploader: the attributed organisation, else the
    Hub namespace (``attributed`` false). ``view="families"`` credits every derivative to its
    root model's uploader instead, so repackages (quantisations, GGUF copies) count for the lab
    whose model they repackage. ``by_group`` ranks groups: each organisation counts for its
    parent (Google DeepMind for Alphabet). Columns: ``organization``, ``attributed``, ``country``
    (the bucket of its largest contributor: a code, or ``individuals``, ``community``,
    ``repackagers``, ``""``), ``kind``, ``intermediary``, ``models``, ``downloads``, ``likes``,
    ``downloads_share_pct`` (of all downloads under the filters).

    The models view reads ``uploader_rollup``, which leaves out the least downloaded accounts
    without an organisation: its ranking stands when its last entry has more downloads than any
    account left out could have; otherwise (a filter that keeps few models) it reads ``models``.
    """
    _check_view(view)
    column = _measure(downloads)
    if view == "models":
        rows = facts.uploaders(filters)
        if rows.rolled:
            ranked = _ranked(con, _uploads(column, rows, by_group), rows.params, facts.models(filters), column,
                             limit)
            left_out = facts.uploaders_left_out(con, filters, column)
            if left_out is None or (len(ranked) == limit and ranked["downloads"].iloc[-1] > left_out):
                return ranked
        rows = facts.uploaders(filters, partial=False)
        return _ranked(con, _uploads(column, rows, by_group), rows.params, None, column, limit)
    # Derivatives: summed per root first (few groups), then credited to the root's namespace,
    # joined to organisations the same way as the pipeline's origin_country. The roots' own
    # uploads are every account's (a left-out account may head a large family).
    name = "coalesce(o.organization_group, o.organization, d.namespace)" if by_group else \
        "coalesce(o.organization, d.namespace)"
    rows, derived = facts.uploaders(filters, partial=False), facts.derivatives(filters)
    credited = _uploads(column, rows, by_group, originals=True) + f"""
        UNION ALL
        SELECT {name}, o.organization IS NOT NULL, {bucket_sql("o.country", "o.kind")}, o.kind,
               coalesce(o.is_intermediary, false), d.models, d.downloads, d.likes
        FROM (
            SELECT CASE WHEN contains(root, '/') THEN split_part(root, '/', 1) ELSE root END AS namespace,
                   bool_and(contains(root, '/')) AS namespaced,
                   sum(models) AS models, sum(downloads) AS downloads, sum(likes) AS likes
            FROM (SELECT family AS root, sum(models) AS models,
                         coalesce(sum({column}), 0) AS downloads, coalesce(sum(likes), 0) AS likes
                  FROM {derived.relation} GROUP BY 1)
            GROUP BY 1
        ) d LEFT JOIN organizations o
          ON lower(o.hf_author) = lower(d.namespace) AND d.namespaced"""  # noqa: S608
    return _ranked(con, credited, [*rows.params, *derived.params], None, column, limit)


def _ranked(con: duckdb.DuckDBPyConnection, credited: str, params: list, everything: facts.Facts | None,
            column: str, limit: int) -> pd.DataFrame:
    """The ``limit`` names of ``credited`` with most downloads; shares of the sum of ``everything``
    (all the filtered models: needed when ``credited`` leaves some out), else of ``credited``'s."""
    total = "(SELECT sum(downloads) FROM agg)"
    if everything is not None:
        total = f"(SELECT sum({column}) FROM {everything.relation})"  # noqa: S608 - constants
    return con.execute(f"""
        WITH credited AS ({credited}
        ), agg AS (
            SELECT organization, bool_or(attributed) AS attributed, arg_max(country, downloads) AS country,
                   arg_max(kind, downloads) AS kind, bool_or(intermediary) AS intermediary,
                   sum(models)::BIGINT AS models, sum(downloads) AS downloads, sum(likes) AS likes
            FROM credited GROUP BY 1
        )
        SELECT organization, attributed, country, kind, intermediary, models, downloads::BIGINT AS downloads,
               likes::BIGINT AS likes, round(100.0 * downloads / nullif({total}, 0), 2) AS downloads_share_pct
        FROM agg ORDER BY downloads DESC, organization LIMIT ?
    """, [*params, *(everything.params if everything else []), limit]).df()  # noqa: S608


@filtered_on("models")
def top_models(con: duckdb.DuckDBPyConnection, filters: Filters, downloads: str = "30d", view: str = "models",
               limit: int = 50) -> pd.DataFrame:
    """The most downloaded models, or model families (a root model with all its derivatives).

    Columns: ``model_id``, ``url`` (its Hub page), ``downloads``, ``likes``, ``origin_country`` (its bucket),
    ``license_family``, ``params``; then for ``view="models"`` ``base_relation`` and
    ``intermediary``; for ``view="families"`` ``derivatives`` (models built on the root, under
    the filters) and ``own_downloads`` (the root's own). In the families view downloads and
    likes are summed over the family; licence and size are the root's, empty when the filters
    leave the root itself out.
    """
    _check_view(view)
    column = _measure(downloads)
    where, params = condition(filters, "models")
    if view == "models":
        # The n-th largest count first (a numeric top-n), then only the rows above it: much
        # cheaper than ordering millions of rows by (downloads, id).
        return con.execute(f"""
            WITH threshold AS (
                SELECT min(x) AS t FROM (SELECT coalesce({column}, 0) AS x FROM models WHERE {where}
                                         ORDER BY 1 DESC LIMIT ?)
            )
            SELECT model_id, ? || model_id AS url, {column} AS downloads, likes, origin_bucket AS origin_country,
                   license_family, params, base_relation, coalesce(is_intermediary, false) AS intermediary
            FROM models WHERE {where} AND coalesce({column}, 0) >= (SELECT t FROM threshold)
            ORDER BY coalesce({column}, 0) DESC, model_id LIMIT ?
        """, [*params, limit, HUB_URL, *params, limit]).df()  # noqa: S608
    # A family's downloads are its root's own plus its derivatives'. Derivatives are summed per
    # root (a few groups); roots are read only when they head such a group or rank among the
    # top roots by their own downloads: a root without derivatives that makes the top families
    # necessarily ranks there too, since every root above it has at least as many.
    derivatives = facts.derivatives(filters)
    return con.execute(f"""
        WITH derived AS (
            SELECT family AS root, sum(models) AS derivatives,
                   coalesce(sum({column}), 0) AS downloads, coalesce(sum(likes), 0) AS likes,
                   any_value(origin_bucket) AS origin_country
            FROM {derivatives.relation} GROUP BY 1
        ), threshold AS (
            SELECT min(x) AS t FROM (SELECT coalesce({column}, 0) AS x FROM models
                                     WHERE {where} AND coalesce(depth, 0) = 0 ORDER BY 1 DESC LIMIT ?)
        ), roots AS (
            SELECT model_id AS root, coalesce({column}, 0) AS downloads, coalesce(likes, 0) AS likes,
                   origin_bucket AS origin_country, license_family, params
            FROM models
            WHERE {where} AND coalesce(depth, 0) = 0
              AND (coalesce({column}, 0) >= (SELECT t FROM threshold)
                   OR model_id IN (SELECT root FROM derived))
        )
        SELECT root AS model_id, ? || root AS url,
               (coalesce(r.downloads, 0) + coalesce(d.downloads, 0))::BIGINT AS downloads,
               (coalesce(r.likes, 0) + coalesce(d.likes, 0))::BIGINT AS likes,
               coalesce(r.origin_country, d.origin_country) AS origin_country, r.license_family, r.params,
               coalesce(d.derivatives, 0)::BIGINT AS derivatives, r.downloads AS own_downloads
        FROM roots r FULL JOIN derived d USING (root)
        ORDER BY downloads DESC, model_id LIMIT ?
    """, [*derivatives.params, *params, limit, *params, HUB_URL, limit]).df()  # noqa: S608


@filtered_on("models")
def recent_share(con: duckdb.DuckDBPyConnection, filters: Filters, downloads: str = "30d",
                 top: int = 6) -> pd.DataFrame:
    """Share of downloads going to models created in the last 12 months, by origin country.

    "Last 12 months" is relative to the newest repository in the whole database (not the
    wall clock, and not moved by the filters). Columns: ``origin_country``, ``models``,
    ``recent_models``, ``downloads``, ``recent_downloads``, ``recent_share_pct``, ``since``
    (the cut-off date, the same on every row). The rows cover every filtered model, so their
    sums are the overall figures.
    """
    column = _measure(downloads)
    rows = facts.models(filters, coarse=True)  # origin buckets, recency and sums only
    return con.execute(f"""
        WITH cutoff AS (SELECT max(created_at) - INTERVAL {RECENT_MONTHS} MONTH AS since FROM models),
        per AS (
            SELECT origin_bucket, sum(models) AS models,
                   coalesce(sum(models) FILTER (WHERE recent), 0) AS recent_models,
                   coalesce(sum({column}), 0) AS downloads,
                   coalesce(sum({column}) FILTER (WHERE recent), 0) AS recent_downloads
            FROM {rows.relation} GROUP BY 1
        ), agg AS (
            SELECT origin_bucket AS c, * EXCLUDE (origin_bucket) FROM per
        ), {_TOP}
        SELECT {_bucket()} AS origin_country, sum(models)::BIGINT AS models,
               sum(recent_models)::BIGINT AS recent_models, sum(downloads)::BIGINT AS downloads,
               sum(recent_downloads)::BIGINT AS recent_downloads,
               round(100.0 * sum(recent_downloads) / nullif(sum(downloads), 0), 2) AS recent_share_pct,
               CAST(timezone('UTC', (SELECT since FROM cutoff)) AS DATE) AS since
        FROM agg GROUP BY 1
        ORDER BY {_TAIL.format(c="origin_country")}, downloads DESC, origin_country
    """, [*rows.params, top]).df()  # noqa: S608


@filtered_on("models")
def concentration(con: duckdb.DuckDBPyConnection, filters: Filters, downloads: str = "30d", top: int = 6,
                  n: int = 10) -> pd.DataFrame:
    """How much of the downloads the ``n`` most downloaded models take: overall and per origin country.

    Columns: ``scope`` (``all`` | ``country``), ``origin_country`` (NULL for ``all``; the top
    ``top`` countries by downloads, and the buckets with no country), ``models``, ``downloads``,
    ``top_downloads`` (of the ``n`` most downloaded models in the scope), ``top_share_pct``.
    The per-country top ``n`` come from ``max(x, n)`` in one grouped scan.
    """
    column = _measure(downloads)
    where, params = condition(filters, "models")
    # The overall top n are among the per-country top n lists, so one grouped scan gives both. It
    # reads each model's count: lists of each rollup row's largest counts, merged, cost more.
    return con.execute(f"""
        WITH per AS (
            SELECT origin_bucket, count(*) AS models, coalesce(sum({column}), 0) AS downloads,
                   max(coalesce({column}, 0), ?) AS top_list
            FROM models WHERE {where} GROUP BY 1
        ), agg AS (
            SELECT 'country' AS scope, origin_bucket AS c, models, downloads,
                   coalesce(list_sum(top_list), 0) AS top_downloads
            FROM per
            UNION ALL
            SELECT 'all', NULL, sum(models), sum(downloads),
                   coalesce(list_sum(list_slice(list_sort(flatten(list(top_list)), 'DESC'), 1, ?)), 0)
            FROM per
        ), top AS (
            SELECT c FROM agg WHERE scope = 'country' AND c NOT IN {NOT_COUNTRIES_SQL} ORDER BY downloads DESC, c LIMIT ?
        )
        SELECT scope, c AS origin_country, models::BIGINT AS models, downloads::BIGINT AS downloads,
               top_downloads::BIGINT AS top_downloads,
               round(100.0 * top_downloads / nullif(downloads, 0), 2) AS top_share_pct
        FROM agg WHERE scope = 'all' OR c IN {NOT_COUNTRIES_SQL} OR c IN (SELECT c FROM top)
        ORDER BY scope, c IN {NOT_COUNTRIES_SQL}, downloads DESC, c
    """, [n, *params, n, top]).df()  # noqa: S608


@filtered_on("models")
def size_classes(con: duckdb.DuckDBPyConnection, filters: Filters, downloads: str = "30d",
                 top: int = 6) -> pd.DataFrame:
    """Models and downloads per parameter-size class (``SIZE_CLASSES``) and origin country.

    Columns: ``size_class``, ``origin_country``, ``models``, ``downloads``; ordered by class.
    """
    column = _measure(downloads)
    rows = facts.models(filters)
    return con.execute(f"""
        WITH per AS (
            SELECT {_SIZE_CLASS} AS class, origin_bucket, sum(models) AS models,
                   coalesce(sum({column}), 0) AS downloads
            FROM {rows.relation} GROUP BY 1, 2
        ), agg AS (
            SELECT class, origin_bucket AS c, models, downloads FROM per
        ), {_TOP}
        SELECT list_extract(?::VARCHAR[], class) AS size_class, {_bucket()} AS origin_country,
               sum(models)::BIGINT AS models, sum(downloads)::BIGINT AS downloads
        FROM agg GROUP BY class, 2 ORDER BY class, origin_country
    """, [*rows.params, top, list(SIZE_CLASSES)]).df()  # noqa: S608


def snapshot_dates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The dates of the adoption snapshots (a run's own and backfilled ones) of the database's
    models, oldest first; column ``snapshot_date``. Read from the history's smallest rollup, which
    has a row for each of them (``model_snapshots`` holds a row per model and date: tens of
    millions; ``snapshot_rollup`` a million and more)."""
    return con.execute("SELECT DISTINCT snapshot_date FROM snapshot_rollup_coarsest ORDER BY 1").df()

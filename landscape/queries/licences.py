"""Licences of Hub models: licence families, the most common licences, gating and commercial use.

Every result carries both weights, model counts (``models``) and 30-day downloads
(``downloads``); ``weight`` (``"models"`` | ``"downloads"``) decides which one the shares
(``share_pct``) and the ranking of countries and licences use. Countries are origin countries
(the root model's organisation): the top few by the weight, then ``Other``, then the buckets of
models with no country (``individuals``, ``community``, ``repackagers``, ``""`` for unknown), as on
the adoption page.

Four breakdowns (family mix, by country, gating, commercial use) come from one grouped scan,
:func:`licence_cube` (origin country × family × gating, a few hundred rows), and are derived
from it by the pure functions below, so the page reads the models table once for all four.

Example::

    >>> with open_readonly(path) as con:                      # doctest: +SKIP
    ...     cube = licence_cube(con, Filters(country=("CN",)))
    >>> family_by_country(cube, "downloads")                  # doctest: +SKIP
"""

from __future__ import annotations

import duckdb
import pandas as pd

from landscape.filters import Filters
from landscape.queries import NOT_COUNTRIES, OTHER, facts, filtered_on
from pipeline.transform.licenses import LICENSE_FAMILIES, commercial_use_allowed

WEIGHTS = ("models", "downloads")
COMMERCIAL_USE = ("yes", "with conditions", "no", "unknown")
GATING = ("not gated", "auto", "manual")
NO_LICENCE = "(none declared)"


def commercial_use(family: str) -> str:
    """Whether a licence family allows commercial use, as the page says it.

    ``restricted`` licences allow it under conditions (user caps, acceptable-use policies).

        >>> commercial_use("permissive"), commercial_use("restricted"), commercial_use("none")
        ('yes', 'with conditions', 'unknown')
    """
    allowed = commercial_use_allowed(family)
    if allowed is None:
        return "unknown"
    if not allowed:
        return "no"
    return "with conditions" if family == "restricted" else "yes"


def _weight(weight: str) -> str:
    if weight not in WEIGHTS:
        raise ValueError(f"unknown weight {weight!r}; choose from {', '.join(WEIGHTS)}")
    return weight


def _family_order(column: str = "license_family") -> str:
    return f"list_position(?::VARCHAR[], {column})"


@filtered_on("models")
def licence_cube(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Models and 30-day downloads per origin country, licence family and gating, in one scan.

    Columns: ``origin_country`` (its bucket: a code, or ``individuals``, ``community``,
    ``repackagers``, ``""`` for unknown), ``license_family``, ``gated``,
    ``gated_mode``, ``models``, ``downloads``. The input of :func:`family_mix`,
    :func:`family_by_country`, :func:`gated_share` and :func:`commercial_use_by_country`.
    """
    rows = facts.models(filters)
    return con.execute(f"""
        SELECT origin_bucket AS origin_country, license_family, gated, gated_mode,
               sum(models)::BIGINT AS models, coalesce(sum(downloads_30d), 0)::BIGINT AS downloads
        FROM {rows.relation} GROUP BY ALL
        ORDER BY ALL
    """, rows.params).df()  # noqa: S608


def _pct(part: pd.Series, whole: pd.Series | float) -> pd.Series:
    """``part`` as a percentage of ``whole`` (NaN where the whole is 0), to two decimals."""
    whole = whole.where(whole != 0) if isinstance(whole, pd.Series) else (whole or float("nan"))
    return (100.0 * part / whole).round(2)


def _countries(cube: pd.DataFrame, weight: str, top: int) -> pd.Series:
    """Each row's country bucket: its code when among the ``top`` by ``weight``, a bucket of models with no
    country (``NOT_COUNTRIES``) as it is, else ``Other``."""
    codes = cube["origin_country"].fillna("").astype(object)
    countries = ~codes.isin(NOT_COUNTRIES)
    totals = cube.loc[countries, weight].groupby(codes[countries]).sum()
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:top]
    keep = {code for code, _ in ranked}
    return codes.where(~countries | codes.isin(keep), OTHER)


def _summed(cube: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = cube.groupby(keys, sort=False, dropna=False)[["models", "downloads"]].sum().reset_index()
    return out.astype({"models": "int64", "downloads": "int64"})


def _country_order(frame: pd.DataFrame, weight: str) -> pd.DataFrame:
    """Rows ordered: overall first, then countries by ``weight``, then Other, then the buckets with no country."""
    totals = frame.groupby(["scope", "origin_country"], dropna=False)[weight].transform("sum")
    key = pd.DataFrame({
        "scope": frame["scope"].map({"all": 0, "country": 1}),
        "tail": frame["origin_country"].map(lambda c: 2 if c in NOT_COUNTRIES else 1 if c == OTHER else 0),
        "total": -totals, "country": frame["origin_country"].fillna(""),
    })
    return frame.loc[key.sort_values(["scope", "tail", "total", "country"], kind="stable").index]


def _scoped(cube: pd.DataFrame, dimension: str, order: list[str], weight: str, top: int) -> pd.DataFrame:
    """Overall and per-country totals of ``dimension`` with each scope's ``share_pct`` by ``weight``."""
    overall = _summed(cube, [dimension]).assign(scope="all", origin_country=None)
    bucketed = cube.assign(origin_country=_countries(cube, weight, top))
    by_country = _summed(bucketed, ["origin_country", dimension])
    out = pd.concat([overall, by_country.assign(scope="country")], ignore_index=True)
    out = out[["scope", "origin_country", dimension, "models", "downloads"]]
    out["share_pct"] = _pct(out[weight], out.groupby(["scope", "origin_country"], dropna=False)[weight]
                            .transform("sum"))
    out["_rank"] = out[dimension].map(order.index)
    out = _country_order(out.sort_values("_rank", kind="stable"), weight)
    return out.drop(columns="_rank").reset_index(drop=True)


def family_mix(cube: pd.DataFrame) -> pd.DataFrame:
    """Models and 30-day downloads per licence family, in the order of ``LICENSE_FAMILIES``.

    Columns: ``license_family``, ``models``, ``downloads``, ``models_pct``, ``downloads_pct``.
    """
    out = _summed(cube, ["license_family"])
    out["models_pct"] = _pct(out["models"], out["models"].sum())
    out["downloads_pct"] = _pct(out["downloads"], out["downloads"].sum())
    out["_rank"] = out["license_family"].map(LICENSE_FAMILIES.index)
    return out.sort_values("_rank").drop(columns="_rank").reset_index(drop=True)


def family_by_country(cube: pd.DataFrame, weight: str = "models", top: int = 8) -> pd.DataFrame:
    """Licence families per origin country (the top ``top`` by ``weight``, ``Other``, ``""``).

    Columns: ``origin_country``, ``license_family``, ``models``, ``downloads``, ``share_pct``
    (of the country's ``weight``).
    """
    out = _scoped(cube, "license_family", list(LICENSE_FAMILIES), _weight(weight), top)
    return out[out["scope"] == "country"].drop(columns="scope").reset_index(drop=True)


def gated_share(cube: pd.DataFrame, weight: str = "models", top: int = 8) -> pd.DataFrame:
    """Gated models (access on request, approved automatically or by hand), overall and by origin country.

    Columns: ``scope`` (``all`` | ``country``), ``origin_country`` (None for ``all``), ``gating``
    (``not gated`` | ``auto`` | ``manual``), ``models``, ``downloads``, ``share_pct`` (of the
    scope's ``weight``).
    """
    gating = [("manual" if mode == "manual" else "auto") if gated else "not gated"
              for gated, mode in zip(cube["gated"], cube["gated_mode"], strict=True)]
    return _scoped(cube.assign(gating=gating), "gating", list(GATING), _weight(weight), top)


def commercial_use_by_country(cube: pd.DataFrame, weight: str = "models", top: int = 8) -> pd.DataFrame:
    """Whether the licence allows commercial use (``COMMERCIAL_USE``), overall and by origin country.

    ``yes``: permissive, copyleft and OpenRAIL families; ``with conditions``: restricted
    (custom community licences); ``no``: non-commercial; ``unknown``: other and none.
    Columns: ``scope``, ``origin_country`` (None for ``all``), ``commercial_use``, ``models``,
    ``downloads``, ``share_pct`` (of the scope's ``weight``).
    """
    categories = cube["license_family"].map(commercial_use)
    return _scoped(cube.assign(commercial_use=categories), "commercial_use", list(COMMERCIAL_USE),
                   _weight(weight), top)


@filtered_on("models")
def family_by_month(con: duckdb.DuckDBPyConnection, filters: Filters, weight: str = "models") -> pd.DataFrame:
    """Licence families per month of repository creation (UTC).

    Columns: ``month`` (first day), ``license_family``, ``models``, ``downloads``, ``share_pct``
    (of the month's ``weight``). Models without a creation date are left out.
    """
    value = _weight(weight)
    rows = facts.models(filters)
    return con.execute(f"""
        WITH agg AS (
            SELECT created_month AS month, license_family, sum(models)::BIGINT AS models,
                   coalesce(sum(downloads_30d), 0)::BIGINT AS downloads
            FROM {rows.relation} WHERE created_month IS NOT NULL GROUP BY 1, 2
        )
        SELECT *, round(100.0 * {value} / nullif(sum({value}) OVER (PARTITION BY month), 0), 2) AS share_pct
        FROM agg ORDER BY month, {_family_order()}
    """, [*rows.params, list(LICENSE_FAMILIES)]).df()  # noqa: S608


@filtered_on("models")
def top_licences(con: duckdb.DuckDBPyConnection, filters: Filters, weight: str = "models",
                 limit: int = 20) -> pd.DataFrame:
    """The ``limit`` most common normalised licence ids by ``weight``, with their family.

    The family is a function of the normalised id (:func:`normalize_license`), so grouping by
    the id alone is exact, and twice as fast as grouping by both.

    Columns: ``license`` (``(none declared)`` when there is none), ``license_family``,
    ``models``, ``downloads``, ``share_pct`` (of all filtered models' ``weight``).
    """
    value = _weight(weight)
    rows = facts.models(filters)
    return con.execute(f"""
        WITH agg AS (
            SELECT coalesce(license, ?) AS license, any_value(license_family) AS license_family,
                   sum(models) AS models, coalesce(sum(downloads_30d), 0) AS downloads
            FROM {rows.relation} GROUP BY license
        )
        SELECT license, license_family, models, downloads::BIGINT AS downloads,
               round(100.0 * {value} / nullif(sum({value}) OVER (), 0), 2) AS share_pct
        FROM agg ORDER BY {value} DESC, license, license_family LIMIT ?
    """, [NO_LICENCE, *rows.params, limit]).df()  # noqa: S608

"""The Licences page: its figures against SQL written here, its CSVs against its queries, its link options."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
from streamlit.testing.v1 import AppTest

from landscape.csv_safety import frame_to_csv
from landscape.filters import Filters
from landscape.queries import licences as q
from tests.helpers import metric, sql

CHARTS = 6  # family mix, by country, by month, top licences, gated share, commercial use




def cube(db: Path, filters: Filters) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return q.licence_cube(con, filters)
    finally:
        con.close()




def rendered(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False)


def test_renders_every_chart(app):
    at = rendered(app("licences"))
    assert len(at.get("plotly_chart")) == CHARTS
    assert not at.warning


def test_headline_figures_match_sql(app, fixture_db):
    at = rendered(app("licences"))
    (permissive, non_commercial, yes, gated), = sql(fixture_db.db_path, """
        SELECT 100.0 * count(*) FILTER (WHERE license_family = 'permissive') / count(*),
               100.0 * count(*) FILTER (WHERE license_family = 'non-commercial') / count(*),
               100.0 * count(*) FILTER (WHERE license_family IN ('permissive', 'copyleft', 'open-rail'))
                   / count(*),
               100.0 * count(*) FILTER (WHERE gated) / count(*)
        FROM models""")
    assert metric(at, "Permissive share of models") == f"{permissive:.1f}%"
    assert metric(at, "Non-commercial only") == f"{non_commercial:.1f}%"
    assert metric(at, "Commercial use, no conditions") == f"{yes:.1f}%"
    assert metric(at, "Gated") == f"{gated:.1f}%"


def test_downloads_weight_from_the_link(app, downloads, fixture_db):
    at = rendered(app("licences", {"weight": "downloads"}))
    db = fixture_db.db_path
    (permissive,), = sql(db, "SELECT 100.0 * sum(downloads_30d) FILTER (WHERE license_family = 'permissive') "
                             "/ sum(downloads_30d) FROM models")
    assert metric(at, "Permissive share of downloads") == f"{permissive:.1f}%"
    assert at.query_params["weight"] == "downloads"
    top = csv(downloads(at, "download-top_licences_downloads"))
    expected = sql(db, "SELECT coalesce(license, '(none declared)'), sum(downloads_30d) AS d FROM models "
                       "GROUP BY 1 ORDER BY d DESC, 1 LIMIT 20")
    assert list(top[["license", "downloads"]].itertuples(index=False, name=None)) == expected


def test_country_in_the_link_changes_the_numbers_and_the_csv_is_the_query(app, downloads, fixture_db):
    at = rendered(app("licences", {"country": "CN"}))
    db = fixture_db.db_path
    cn = Filters(country=("CN",))
    mix = downloads(at, "download-licence_families_models")
    assert mix == frame_to_csv(q.family_mix(cube(db, cn)))
    counts = dict(sql(db, "SELECT license_family, count(*) FROM models "
                          "WHERE country = 'CN' OR origin_country = 'CN' GROUP BY 1"))
    assert dict(csv(mix)[["license_family", "models"]].itertuples(index=False, name=None)) == counts
    (everywhere,), = sql(db, "SELECT count(*) FROM models WHERE license_family = 'permissive'")
    assert counts["permissive"] < everywhere
    (share,), = sql(db, "SELECT 100.0 * count(*) FILTER (WHERE license_family = 'permissive') / count(*) "
                        "FROM models WHERE country = 'CN' OR origin_country = 'CN'")
    assert metric(at, "Permissive share of models") == f"{share:.1f}%"
    by_country = downloads(at, "download-licence_families_by_country_models")
    assert by_country == frame_to_csv(q.family_by_country(cube(db, cn), "models"))


def test_licence_family_in_the_link_changes_the_numbers(app, downloads, fixture_db):
    at = rendered(app("licences", {"license": "restricted"}))
    db = fixture_db.db_path
    top = csv(downloads(at, "download-top_licences_models"))
    assert set(top["license_family"]) == {"restricted"}
    expected = sql(db, "SELECT license, count(*) AS n FROM models WHERE license_family = 'restricted' "
                       "GROUP BY 1 ORDER BY n DESC, 1")
    assert list(top[["license", "models"]].itertuples(index=False, name=None)) == expected
    assert metric(at, "Permissive share of models") == "0.0%"


def test_commercial_use_weighted_by_downloads(app, downloads, fixture_db):
    at = rendered(app("licences", {"weight": "downloads"}))
    db = fixture_db.db_path
    got = downloads(at, "download-commercial_use_downloads")
    assert got == frame_to_csv(q.commercial_use_by_country(cube(db, Filters()), "downloads"))
    frame = csv(got)
    overall = frame[frame["scope"] == "all"].set_index("commercial_use")["share_pct"]
    (conditions, no), = sql(db, """
        SELECT round(100.0 * sum(d) FILTER (WHERE license_family = 'restricted') / sum(d), 2),
               round(100.0 * sum(d) FILTER (WHERE license_family = 'non-commercial') / sum(d), 2)
        FROM (SELECT license_family, downloads_30d AS d FROM models)""")
    assert overall["with conditions"] == float(conditions)
    assert overall["no"] == float(no)
    us = frame[(frame["scope"] == "country") & (frame["origin_country"] == "US")].set_index("commercial_use")
    (us_yes,), = sql(db, "SELECT sum(downloads_30d) FROM models WHERE origin_country = 'US' "
                         "AND license_family IN ('permissive', 'copyleft', 'open-rail')")
    assert us.loc["yes", "downloads"] == us_yes


def test_gated_share_by_origin_country(app, downloads, fixture_db):
    at = rendered(app("licences"))
    db = fixture_db.db_path
    frame = csv(downloads(at, "download-gated_share_models"))
    rows = frame[frame["scope"] == "country"].set_index(["origin_country", "gating"])["models"].to_dict()
    expected = dict(((c, mode), n) for c, mode, n in sql(db, """
        SELECT origin_country, gated_mode, count(*) FROM models
        WHERE gated AND origin_country IN ('CN', 'US') GROUP BY ALL"""))
    assert {k: v for k, v in rows.items() if k[0] in ("CN", "US") and k[1] != "not gated"} == expected


def test_month_mix_csv_is_the_query(app, downloads, fixture_db):
    at = rendered(app("licences", {"weight": "downloads", "country": "US"}))
    db = fixture_db.db_path
    con = duckdb.connect(str(db), read_only=True)
    try:
        expected = q.family_by_month(con, Filters(country=("US",)), "downloads")
    finally:
        con.close()
    assert downloads(at, "download-licence_families_by_month_downloads") == frame_to_csv(expected)


def test_unknown_weight_in_the_link_is_ignored_with_a_note(app):
    at = rendered(app("licences", {"weight": "likes"}))
    assert any("likes" in w.value for w in at.warning)
    assert metric(at, "Permissive share of models")

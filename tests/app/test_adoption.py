"""The Hub adoption page: figures against SQL written here, CSVs against the queries, link options."""

from __future__ import annotations

import io
import shutil

import duckdb
import pandas as pd
from streamlit.testing.v1 import AppTest

from landscape.csv_safety import frame_to_csv
from landscape.filters import Filters, condition
from landscape.queries import adoption as q
from pipeline.rollups import build_rollups
from tests.helpers import metric, sql
from tests.helpers import run_query as query

CHARTS = 6  # the first tab's: by country (2), cohorts, recent share, concentration, size classes
WHO, OVER_TIME = "Who gets downloaded", "Over time"  # the other tabs, each run only when open








def number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def rendered(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False)


def rows(frame: pd.DataFrame) -> list[tuple]:
    return list(frame.itertuples(index=False, name=None))


def test_renders_every_chart_and_says_history_builds_up(app):
    at = rendered(app("adoption"))
    assert [t.label for t in at.tabs] == ["By country", WHO, OVER_TIME]
    assert len(at.get("plotly_chart")) == CHARTS and not at.dataframe  # the other tabs did not run
    assert not at.warning
    at = rendered(app("adoption", {"adoption_tab": WHO}))
    assert len(at.get("plotly_chart")) == 1 and len(at.dataframe) == 1  # the organisations, the models
    at = rendered(app("adoption", {"adoption_tab": OVER_TIME}))
    assert not at.get("plotly_chart")
    assert any("history needs at least two snapshot dates" in c.value for c in at.caption)


def test_headline_figures_match_sql(app, fixture_db):
    at = rendered(app("adoption"))
    db = fixture_db.db_path
    (models, downloads), = sql(db, "SELECT count(*), sum(downloads_30d) FROM models")
    (top10,), = sql(db, "SELECT sum(d) FROM (SELECT downloads_30d AS d FROM models ORDER BY d DESC LIMIT 10)")
    (recent,), = sql(db, """SELECT sum(downloads_30d) FROM models
                            WHERE created_at > (SELECT max(created_at) FROM models) - INTERVAL 12 MONTH""")
    assert metric(at, "Hub models") == f"{models:,}"
    assert metric(at, "Downloads (last 30 days)") == f"{downloads:,}"
    assert metric(at, "Top-10 models' share") == f"{100 * top10 / downloads:.1f}%"
    assert metric(at, "To models from the last 12 months") == f"{100 * recent / downloads:.1f}%"


def test_country_in_the_link_changes_the_numbers_and_the_csv_is_the_query(app, downloads, fixture_db):
    at = rendered(app("adoption", {"country": "CN"}))
    db = fixture_db.db_path
    (total,), = sql(db, "SELECT sum(downloads_30d) FROM models")
    (models, cn), = sql(db, "SELECT count(*), sum(downloads_30d) FROM models "
                            "WHERE country = 'CN' OR origin_country = 'CN'")
    assert metric(at, "Hub models") == f"{models:,}"
    assert metric(at, "Downloads (last 30 days)") == f"{cn:,}"
    assert cn < total
    got = downloads(at, "download-downloads_by_country_30d")
    assert got == frame_to_csv(query(db, q.downloads_by_country, Filters(country=("CN",)), "30d"))
    # and the rows say what independent SQL says
    table = csv(got).set_index(["attribution", "country"])
    (origin_cn, uploader_cn), = sql(db, """
        SELECT sum(downloads_30d) FILTER (WHERE origin_country = 'CN'),
               sum(downloads_30d) FILTER (WHERE country = 'CN')
        FROM models WHERE country = 'CN' OR origin_country = 'CN'""")
    assert table.loc[("origin", "CN"), "downloads"] == origin_cn
    assert table.loc[("uploader", "CN"), "downloads"] == uploader_cn
    # uploaders of Chinese-origin derivatives without a country: shown by kind, and unknown apart
    (unknown, repackagers), = sql(db, """
        SELECT sum(downloads_30d) FILTER (WHERE author_kind IS NULL),
               sum(downloads_30d) FILTER (WHERE author_kind = 'repackager')
        FROM models WHERE country IS NULL AND origin_country = 'CN'""")
    assert table.loc[("uploader", ""), "downloads"] == unknown
    assert table.loc[("uploader", "repackagers"), "downloads"] == repackagers


def test_licence_family_in_the_link_changes_the_numbers(app, downloads, fixture_db):
    at = rendered(app("adoption", {"license": "permissive"}))
    db = fixture_db.db_path
    (permissive,), = sql(db, "SELECT sum(downloads_30d) FROM models WHERE license_family = 'permissive'")
    assert metric(at, "Downloads (last 30 days)") == f"{permissive:,}"
    sizes = csv(downloads(at, "download-size_classes_30d"))
    assert sizes["downloads"].sum() == permissive
    (large,), = sql(db, "SELECT count(*) FROM models WHERE license_family = 'permissive' AND params >= 1e11")
    assert sizes.loc[sizes["size_class"] == ">100B", "models"].sum() == large


def test_all_time_downloads_option_from_the_link(app, downloads, fixture_db):
    at = rendered(app("adoption", {"downloads": "all"}))
    db = fixture_db.db_path
    (all_time,), = sql(db, "SELECT sum(downloads_all_time) FROM models")
    assert all_time >= 1e9 and metric(at, "Downloads (all time)") == f"{all_time / 1e9:.1f}B"  # short
    assert f"{all_time:,} downloads" in next(m.help for m in at.metric if m.label == "Downloads (all time)")
    assert at.query_params["downloads"] == "all"
    cohorts = downloads(at, "download-cohorts_all")
    assert cohorts == frame_to_csv(query(db, q.cohorts, Filters(), "all"))
    (may_2024,), = sql(db, """SELECT sum(downloads_all_time) FROM models
                              WHERE created_at >= TIMESTAMPTZ '2024-05-01 00:00:00+00'
                                AND created_at < TIMESTAMPTZ '2024-06-01 00:00:00+00'""")
    frame = csv(cohorts)
    assert frame.loc[frame["month"] == "2024-05-01", "downloads"].sum() == may_2024


def test_families_view_sums_derivatives_onto_their_root(app, downloads, fixture_db):
    at = rendered(app("adoption", {"view": "families", "adoption_tab": WHO}))
    db = fixture_db.db_path
    top = csv(downloads(at, "download-top_models_families_30d"))
    expected = sql(db, """SELECT coalesce(root_model, model_id) AS root, sum(downloads_30d) AS d, count(*) - 1
                          FROM models GROUP BY 1 ORDER BY d DESC, root LIMIT 5""")
    assert rows(top[["model_id", "downloads", "derivatives"]].head(5)) == expected
    assert top["url"].iloc[0] == "https://huggingface.co/" + expected[0][0]
    # every row is a root: repackages and fine-tunes are folded into their family
    (derived,), = sql(db, "SELECT count(*) FROM models WHERE list_contains(?, model_id) AND depth > 0",
                      [top["model_id"].tolist()])
    assert derived == 0
    orgs = csv(downloads(at, "download-top_organizations_families_organisation_30d"))
    (alibaba,), = sql(db, """SELECT sum(downloads_30d) FROM models
                             WHERE lower(split_part(coalesce(root_model, model_id), '/', 1)) = 'qwen'""")
    assert orgs.set_index("organization").loc["Alibaba Qwen", "downloads"] == alibaba


def test_parent_ranking_gathers_an_organisations_units(app, downloads, fixture_db):
    at = rendered(app("adoption", {"rank_by": "parent", "adoption_tab": WHO}))
    assert at.query_params["rank_by"] == "parent"
    orgs = csv(downloads(at, "download-top_organizations_models_parent_30d")).set_index("organization")
    # written here: every model whose uploader's registry parent (or its own name) is the group
    expected = dict(sql(fixture_db.db_path, """
        SELECT coalesce(o.parent, p.parent, o.organization) AS grp, sum(m.downloads_30d)
        FROM models m JOIN organizations o ON lower(o.hf_author) = lower(m.author)
        LEFT JOIN organization_parents p ON p.organization = o.organization
        WHERE o.organization IS NOT NULL GROUP BY 1"""))
    shown = [name for name in orgs.index if name in expected]
    assert "Alibaba" in shown and len(shown) >= 5
    for name in shown:
        assert orgs.loc[name, "downloads"] == expected[name], name


def test_models_view_table_links_to_the_hub(app, downloads, fixture_db):
    at = rendered(app("adoption", {"adoption_tab": WHO}))
    db = fixture_db.db_path
    expected = sql(db, "SELECT model_id, downloads_30d FROM models "
                       "ORDER BY downloads_30d DESC, model_id LIMIT 3")
    table = at.dataframe[0].value
    assert rows(table[["model_id", "downloads"]].head(3)) == expected
    assert table["url"].iloc[0] == f"https://huggingface.co/{expected[0][0]}"
    assert csv(downloads(at, "download-top_models_models_30d"))["model_id"].iloc[0] == expected[0][0]


def test_unknown_option_in_the_link_is_ignored_with_a_note(app):
    at = rendered(app("adoption", {"downloads": "weekly"}))
    assert any("weekly" in w.value for w in at.warning)
    assert metric(at, "Downloads (last 30 days)")


def test_history_chart_appears_once_there_are_two_snapshot_dates(app, downloads, fixture_db, tmp_path,
                                                                  monkeypatch):
    db = tmp_path / "landscape.duckdb"
    shutil.copy(fixture_db.db_path, db)
    con = duckdb.connect(str(db))
    con.execute("""INSERT INTO model_snapshots BY NAME
                   SELECT snapshot_date - 1 AS snapshot_date, model_id, downloads_30d // 2 AS downloads_30d,
                          downloads_all_time, likes, trending_score, country, origin_country, uploader_bucket,
                          origin_bucket, source
                   FROM model_snapshots""")
    build_rollups(con)  # as the pipeline does before it publishes
    con.close()
    monkeypatch.setenv("LANDSCAPE_DB", str(db))
    at = rendered(app("adoption", {"adoption_tab": OVER_TIME}))
    assert len(at.get("plotly_chart")) == 5  # by origin, by uploader, shares, cumulative, families
    history = csv(downloads(at, "download-history_by_origin"))
    (dates,), = sql(db, "SELECT count(DISTINCT snapshot_date) FROM model_snapshots")
    assert history["snapshot_date"].nunique() == dates == 2
    per_date = sql(db, "SELECT snapshot_date::VARCHAR, sum(downloads_30d) FROM model_snapshots "
                       "GROUP BY 1 ORDER BY 1")
    assert list(history.groupby("snapshot_date")["downloads"].sum().items()) == per_date


def test_top_lists_equal_a_plain_group_by_under_filters(fixture_db):
    """The top-n shortcuts (numeric threshold, roots read only when needed) give the plain answer."""
    db = fixture_db.db_path
    for filters in (Filters(), Filters(license=("restricted",)), Filters(country=("US", "FR"))):
        where, params = condition(filters, "models")
        families = query(db, q.top_models, filters, "30d", "families", 60)
        expected = sql(db, f"""SELECT coalesce(root_model, model_id) AS root, sum(downloads_30d) AS d,
                                      count(*) FILTER (WHERE depth > 0)
                               FROM models WHERE {where} GROUP BY 1 ORDER BY d DESC, root LIMIT 60""", params)
        assert rows(families[["model_id", "downloads", "derivatives"]]) == expected
        # far past the models with downloads: ties at zero are broken by id, as in a plain ORDER BY
        models = query(db, q.top_models, filters, "30d", "models", 2000)
        expected = sql(db, f"SELECT model_id, downloads_30d FROM models WHERE {where} "
                           "ORDER BY downloads_30d DESC, model_id LIMIT 2000", params)
        assert rows(models[["model_id", "downloads"]]) == expected


def test_every_chart_by_country_states_its_coverage(app, fixture_db):
    at = rendered(app("adoption"))
    (with_country, total), = sql(fixture_db.db_path, """
        SELECT sum(downloads_30d) FILTER (WHERE origin_country IS NOT NULL), sum(downloads_30d) FROM models""")
    line = f"30-day downloads by origin (the root model's uploader): {100 * with_country / total:.0f}% with a country"
    captions = [c.value.replace("\\", "") for c in at.caption if "Attribution:" in c.value]  # markdown escapes
    # by country, cohorts, recent share, concentration, size classes: origin, weighted by 30-day downloads
    assert sum(line in c for c in captions) == 5, captions


def test_a_total_in_the_billions_is_shown_short_with_every_digit_in_its_help(app, fixture_db, tmp_path,
                                                                              monkeypatch):
    db = tmp_path / "landscape.duckdb"
    shutil.copy(fixture_db.db_path, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE models SET downloads_30d = downloads_30d * 100")
    build_rollups(con)  # as the pipeline does before it publishes
    (total,), = con.execute("SELECT sum(downloads_30d) FROM models").fetchall()
    con.close()
    assert total >= 1e9
    monkeypatch.setenv("LANDSCAPE_DB", str(db))
    at = rendered(app("adoption"))
    shown = next(m for m in at.metric if m.label == "Downloads (last 30 days)")
    assert shown.value == f"{total / 1e9:.1f}B"
    assert f"{total:,} downloads" in shown.help

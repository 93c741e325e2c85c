"""The lineage & distillation page: figures from the data, options in the link, CSVs behind the charts."""

from __future__ import annotations

import io

import duckdb
import pandas as pd

from landscape.filters import Filters
from landscape.queries import lineage as q
from tests.helpers import metric, sql

TABS = {"What people build on": ["derivatives_by_base_country", "derivatives_by_base_organization",
                                  "most_derived_bases", "families_base_vs_family"],
        "Across borders": ["cross_border_matrix_models", "cross_border_sankey_models"],
        "Distillation": ["distilled_by_teacher_country", "distilled_by_student_country", "distilled_models"]}


def csv_keys(at) -> list[str]:  # noqa: ANN001
    return [b.key.removeprefix("download-") for b in at.get("download_button")]


def test_renders_with_figures_from_the_data(app, fixture_db):
    at = app("lineage")
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 4  # the first tab's; the others run when opened
    (derivatives, merges, deepest), = sql(fixture_db.db_path, "SELECT count(*) FILTER (WHERE depth > 0), "
                                          "count(*) FILTER (WHERE len(base_models) > 1), max(depth) FROM models")
    assert metric(at, "Derivatives") == f"{derivatives:,}"
    assert metric(at, "Merges of several parents") == f"{merges:,}"
    assert metric(at, "Deepest chain") == f"{deepest} hops"


def test_each_tab_runs_only_when_open_and_comes_from_the_link(app):
    for label, charts in TABS.items():
        at = app("lineage", query={"lineage_tab": label})
        assert not at.exception, [e.value for e in at.exception]
        assert csv_keys(at) == charts, label
        assert [t.label for t in at.tabs] == list(TABS)
    assert csv_keys(app("lineage")) == TABS["What people build on"]  # the default tab, with no link


def test_an_unknown_tab_in_the_link_is_a_note_and_the_first_tab(app):
    at = app("lineage", query={"lineage_tab": "Everything"})
    assert not at.exception
    assert csv_keys(at) == TABS["What people build on"]
    assert any("unknown lineage_tab value" in w.value for w in at.sidebar.warning)


def test_cross_border_csv_is_the_query_and_the_weight_comes_from_the_link(app, downloads, fixture_db):
    at = app("lineage", query={"lineage_tab": "Across borders", "lineage_weight": "downloads"})
    got = pd.read_csv(io.BytesIO(downloads(at, "download-cross_border_matrix_downloads")), keep_default_na=False)
    # a country, else the uploader's kind for individuals, collectives and repackagers, else '' (unknown)
    kind = ("CASE {k} WHEN 'individual' THEN 'individuals' WHEN 'community' THEN 'community' "
            "WHEN 'repackager' THEN 'repackagers' ELSE '' END")
    expected = sql(fixture_db.db_path, f"""
        SELECT coalesce(country, {kind.format(k='author_kind')}),
               coalesce(origin_country, {kind.format(k='origin_kind')}), coalesce(sum(downloads_30d), 0)
        FROM models WHERE depth > 0 GROUP BY ALL""")
    assert sorted(map(tuple, got[["uploader_country", "root_country", "value"]].to_numpy().tolist())) == \
        sorted(tuple(r) for r in expected)


def test_a_country_in_the_link_restricts_the_derivatives(app, fixture_db):
    at = app("lineage", query={"country": "CN"})
    (derivatives,), = sql(fixture_db.db_path, "SELECT count(*) FROM models WHERE depth > 0 AND "
                                              "(country = 'CN' OR origin_country = 'CN')")
    assert metric(at, "Derivatives") == f"{derivatives:,}"


def test_the_distillation_table_shows_each_models_evidence(app, downloads, fixture_db):
    at = app("lineage", query={"lineage_tab": "Distillation"})
    got = pd.read_csv(io.BytesIO(downloads(at, "download-distilled_models")))
    con = duckdb.connect(str(fixture_db.db_path), read_only=True)
    expected = q.distilled_models(con, Filters(), True)
    con.close()
    assert got["model_id"].tolist() == expected["model_id"].tolist()
    assert got["evidence"].notna().all()
    assert got["evidence"].str.match(r"^(name|tag|dataset): ").all()


def test_the_tracked_distillations_name_countries_on_screen_and_keep_codes_in_the_csv(app, downloads, fixture_db):
    at = app("lineage", query={"lineage_tab": "Distillation"})
    assert not at.exception, [e.value for e in at.exception]
    shown = next(d.value for d in at.dataframe if "teacher_model" in d.value.columns)
    got = pd.read_csv(io.BytesIO(downloads(at, "download-distilled_models")), keep_default_na=False)
    assert len(shown) == len(got) > 0
    codes = {r[0] for r in sql(fixture_db.db_path, "SELECT country FROM models WHERE distilled AND country IS NOT NULL")}
    assert codes and codes & set(got["country"])  # the CSV keeps the codes
    for column in ("country", "student_base_country", "teacher_country"):
        assert not set(shown[column]) & codes, column  # on screen, each country by its name
    assert "United States" in set(shown["country"]) | set(shown["teacher_country"])

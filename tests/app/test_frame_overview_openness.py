"""The frame (filters in the URL, notes, reset, empty and partial states), Overview and Openness pages."""

from __future__ import annotations

import base64
import csv
import io
import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from landscape.filters import Filters
from landscape.queries.openness import open_share
from tests.app.conftest import APP
from tests.fixtures import build_fixture_db
from tests.helpers import metric, no_exceptions, sql

PAGES = ["overview", "openness", "adoption", "licences", "gap", "lineage", "explorer", "methodology"]








@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(app, page):
    at = app(page)
    no_exceptions(at)
    assert at.title


def test_overview_headline_figures_come_from_the_data(app, fixture_db):
    at = app()
    no_exceptions(at)
    db = fixture_db.db_path
    (releases,), = sql(db, "SELECT count(*) FROM releases")
    (models, downloads, cn), = sql(db, "SELECT count(*), sum(downloads_30d), "
                                       "100.0 * sum(downloads_30d) FILTER (WHERE origin_country = 'CN') "
                                       "/ sum(downloads_30d) FROM models")
    assert metric(at, "Releases") == f"{releases:,}"
    assert metric(at, "Hub models") == f"{models:,}"
    assert metric(at, "Hub downloads") == f"{downloads / 1e6:.1f}M"
    assert metric(at, "Chinese-origin share") == f"{cn:.0f}%"


def test_a_country_filter_in_the_link_changes_the_figures(app, fixture_db):
    at = app(query={"country": "CN"})
    no_exceptions(at)
    (models,), = sql(fixture_db.db_path,
                     "SELECT count(*) FROM models WHERE country = 'CN' OR origin_country = 'CN'")
    (releases,), = sql(fixture_db.db_path, "SELECT count(*) FROM releases WHERE list_contains(countries, 'CN')")
    assert metric(at, "Hub models") == f"{models:,}"
    assert metric(at, "Releases") == f"{releases:,}"
    assert at.sidebar.multiselect(key="filter_country").value == ["CN"]


def test_verdicts_are_written_from_the_data(app):
    at = app()
    text = " ".join(m.value for m in at.markdown)
    # the fixture's 2025: China 5 open of 6 known, the US 2 open of 6 known
    assert "**Supported** for 2025: China released 5 open-weight models (83%" in text
    assert "against 2 (33%) from the United States" in text
    assert "Kimi K2 (1T parameters, Moonshot)" in text


def test_unknown_and_malformed_link_values_are_ignored_with_a_visible_note(app):
    at = app(query={"country": ["CN", "XX"], "size": ["7B"], "colour": "blue", "license": "free-ish"})
    no_exceptions(at)
    notes = " ".join(w.value for w in at.sidebar.warning)
    assert "unknown country value `XX`" in notes
    assert "malformed size range" in notes
    assert "unknown link parameter `colour`" in notes
    assert "unknown license value `free-ish`" in notes
    assert at.sidebar.multiselect(key="filter_country").value == ["CN"]  # the valid part still applies


def test_reset_clears_the_filters(app, fixture_db):
    at = app(query={"country": "CN", "license": "permissive"})
    at.sidebar.button[0].click().run()
    no_exceptions(at)
    assert at.sidebar.multiselect(key="filter_country").value == []
    (models,), = sql(fixture_db.db_path, "SELECT count(*) FROM models")
    assert metric(at, "Hub models") == f"{models:,}"


def test_openness_csv_equals_the_query_for_the_filters(app, downloads, fixture_db):
    at = app("openness", query={"country": ["US", "CN"], "years": ["2024", "2025"]})
    no_exceptions(at)
    got = pd.read_csv(io.BytesIO(downloads(at, "download-open_share_by_country_year")))
    filters = Filters(country=("US", "CN"), years=(pd.Timestamp("2024-01-01").date(),
                                                   pd.Timestamp("2025-12-31").date()))
    con = duckdb.connect(str(fixture_db.db_path), read_only=True)
    expected = open_share(con, filters, "year", True)
    con.close()
    assert got.to_dict("records") == expected.astype({"period": int}).to_dict("records")
    counts = {(r["period"], r["country"]): (r["open"], r["closed"]) for r in got.to_dict("records")}
    assert counts == {(2024, "CN"): (4, 1), (2024, "US"): (3, 4), (2025, "CN"): (5, 1), (2025, "US"): (2, 3)}


def test_openness_quarter_option_is_in_the_link(app):
    at = app("openness", query={"period": "quarter"})
    no_exceptions(at)
    titles = [m.value for m in at.markdown if m.value.startswith("####")]
    assert "#### Open-weight share of releases per quarter" in titles


def test_download_file_names_name_the_filters(app, downloads):
    at = app("openness", query={"country": ["CN", "US"], "years": ["2020", "2025"]})
    assert downloads.name(at, "download-accessibility_counts") == \
        "accessibility_counts_country-CN+US_from-2020-01-01_to-2025-12-31.csv"
    at = app("openness")
    assert downloads.name(at, "download-accessibility_counts") == "accessibility_counts.csv"


def test_empty_database_explains_how_to_ingest_and_no_page_raises(monkeypatch, tmp_path):
    monkeypatch.setenv("LANDSCAPE_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    no_exceptions(at)
    assert "No data could be fetched yet" in at.warning[0].value
    assert any("python -m pipeline ingest" in m.value for m in at.markdown)
    for page in PAGES[1:]:
        at.switch_page(f"pages/{page}.py")
        at.run()
        no_exceptions(at)


def test_a_missing_source_leaves_the_other_pages_working(monkeypatch, tmp_path):
    settings = build_fixture_db(tmp_path, sources=("epoch",))  # Epoch fetched, the Hub not
    monkeypatch.setenv("LANDSCAPE_DB", str(settings.db_path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    no_exceptions(at)
    assert any("Hugging Face Hub has not been ingested" in i.value for i in at.info)
    at.switch_page("pages/openness.py")
    at.run()
    no_exceptions(at)
    assert len(at.get("plotly_chart")) >= 4
    at.switch_page("pages/adoption.py")
    at.run()
    no_exceptions(at)
    assert any("Hugging Face Hub" in i.value and "--sources hub" in i.value for i in at.info)


def test_a_failed_source_is_named_with_its_reason_where_it_matters(monkeypatch, tmp_path):
    # the Hub refused its listing: Epoch and the benchmarks are published, the Hub marked failed
    settings = build_fixture_db(tmp_path, hub_faults={0: "always:400"})
    monkeypatch.setenv("LANDSCAPE_DB", str(settings.db_path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    no_exceptions(at)
    hub_line = next(c.value for c in at.sidebar.caption if c.value.startswith("Hugging Face Hub"))
    assert "not ingested yet" in hub_line and "Last attempt failed" in hub_line and "Injected 400" in hub_line
    assert any(c.value.startswith("Epoch AI models: fetched") and "failed" not in c.value for c in at.sidebar.caption)
    at.switch_page("pages/adoption.py")
    at.run()
    no_exceptions(at)
    warning = next(w.value for w in at.warning if "Hugging Face Hub fetch failed" in w.value)
    assert "HTTP 400" in warning and "next ingest tries again" in warning
    at.switch_page("pages/openness.py")  # a page of Epoch data shows no such warning
    at.run()
    assert not any("fetch failed" in w.value for w in at.warning)


def test_csv_downloads_neutralise_formula_cells(app, downloads):
    at = app("openness")
    body = downloads(at, "download-organizations_open_closed_organisation").decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and not any(r["organization"].startswith(("=", "+", "-", "@")) for r in rows)


@pytest.mark.parametrize("script", sorted((APP.parent / "pages").glob("*.py")), ids=lambda p: p.stem)
def test_every_page_guards_its_frame_before_drawing(script):
    """A page run alone (see frame.page_guard) must rerun through app.py before it draws anything."""
    import ast

    body = [node for node in ast.parse(script.read_text()).body
            if not isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    first = body[0]
    assert isinstance(first, ast.Expr) and ast.unparse(first) == "frame.page_guard()", \
        f"{script.name}: the first statement after the imports must be frame.page_guard()"


@pytest.mark.parametrize(("page", "tables"), [("openness", ["releases"]), ("adoption", ["models"]),
                                              ("gap", ["benchmark_scores"]), ("methodology", [])])
def test_the_filters_that_do_not_apply_are_computed_from_the_queries(app, page, tables):
    from landscape.filters import not_applying

    at = app(page)
    no_exceptions(at)
    ignored = not_applying(tables)
    notes = [c.value for c in at.caption if c.value.startswith("Filters that do not apply")]
    if ignored:
        assert notes == [f"Filters that do not apply on this page: {', '.join(i.lower() for i in ignored)}."]
    else:
        assert notes == []


def test_the_model_kind_filter_works_from_a_link(app, fixture_db):
    at = app("adoption", {"kind": ["original", "derivative"]})
    no_exceptions(at)
    (models,), = sql(fixture_db.db_path, "SELECT count(*) FROM models WHERE model_kind IN ('original', 'derivative')")
    (repackages,), = sql(fixture_db.db_path, "SELECT count(*) FROM models WHERE model_kind = 'repackage'")
    assert repackages > 0 and metric(at, "Hub models") == f"{models:,}"
    assert at.sidebar.multiselect(key="filter_kind").value == ["original", "derivative"]
    assert at.query_params["kind"] == ["original", "derivative"]


def test_charts_by_year_have_one_category_a_year_and_a_lone_month_reads_as_months(app, fixture_db):
    """A numeric year axis over a few years was ticked at half years ("2,022.5"); one month of
    history was drawn on an axis a millisecond wide."""
    def charts(at: AppTest) -> dict[str, dict]:
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        return {s["layout"]["yaxis"].get("title", {}).get("text"): s for s in specs}

    def values(array: list | dict) -> list:
        # Plotly writes numeric arrays as {"dtype": "i4", "bdata": base64 of the raw values}
        if isinstance(array, dict):
            return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
        return array

    def assert_years(spec: dict) -> None:
        years = sorted({int(x) for trace in spec["data"] for x in values(trace["x"])})
        axis = spec["layout"]["xaxis"]
        assert axis["type"] == "category" and axis["categoryarray"] == list(range(years[0], years[-1] + 1))

    overview = charts(app())
    assert_years(overview["Parameters"])  # the largest open-weights model per year, US vs China
    openness = charts(app("openness"))
    assert_years(openness["Releases"])    # releases per year by accessibility
    assert_years(openness["Parameters"])  # largest open vs largest closed per year
    # the fixture is a first ingest: one snapshot date, so the adoption claim has one month
    assert sql(fixture_db.db_path, "SELECT count(DISTINCT date_trunc('month', snapshot_date)) "
                                   "FROM model_snapshots") == [(1,)]
    lead = overview["Share of 30-day downloads (%)"]["layout"]["xaxis"]
    month = pd.Timestamp(sql(fixture_db.db_path, "SELECT min(date_trunc('month', snapshot_date)) "
                                                 "FROM model_snapshots")[0][0])
    assert [pd.Timestamp(v) for v in lead["range"]] == [month - pd.DateOffset(months=1),
                                                        month + pd.DateOffset(months=1)]
    assert lead["dtick"] == "M1"

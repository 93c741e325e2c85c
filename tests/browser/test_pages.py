"""Every page in headless Chromium: loads without an exception, draws its charts, honours links, downloads."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest

from tests.browser.conftest import screenshot, visit, wait_for_app, wait_for_charts

pytestmark = pytest.mark.browser

# url path → fewest charts the page draws on the fixture database ("" is the overview, the default page)
PAGES = {"": 3, "openness": 5, "adoption": 6, "licences": 6, "gap": 3, "lineage": 4, "explorer": 0,
         "methodology": 0}


@pytest.mark.parametrize(("path", "charts"), PAGES.items())
def test_page_loads_with_charts_and_no_exception(dashboard, page, path, charts):
    visit(page, f"{dashboard.url}/{path}")
    assert page.locator('[data-testid="stException"]').count() == 0
    if charts:
        wait_for_charts(page, charts)
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= charts
    assert page.locator("h1").first.inner_text()
    assert page.get_by_text("Page not found").count() == 0
    screenshot(page, path or "overview")


def test_a_lineage_tab_runs_when_opened_and_goes_into_the_link(dashboard, page):
    visit(page, f"{dashboard.url}/lineage?country=CN")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    wait_for_charts(page, 4)
    assert charts.count() == 4 and page.get_by_text("Tracked models and their evidence").count() == 0
    page.get_by_role("tab", name="Distillation").click()
    page.wait_for_function("() => location.search.includes('lineage_tab=Distillation')", timeout=30_000)
    page.get_by_text("Tracked models and their evidence").wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "country=CN" in page.url  # the filters stay in the link beside the tab
    wait_for_charts(page, 2)
    assert charts.count() == 2
    screenshot(page, "lineage-distillation")


def test_a_link_with_filters_shows_the_filtered_numbers(dashboard, page, browser_db):
    visit(page, f"{dashboard.url}/?country=CN")
    con = duckdb.connect(str(browser_db), read_only=True)
    (models,), = con.execute("SELECT count(*) FROM models WHERE country = 'CN' OR origin_country = 'CN'").fetchall()
    con.close()
    metric = page.locator('[data-testid="stMetric"]', has_text="Hub models")
    assert metric.locator('[data-testid="stMetricValue"]').inner_text() == f"{models:,}"
    # the sidebar shows the filter, and the link keeps it
    assert "China" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert "country=CN" in page.url
    screenshot(page, "overview-china")


def test_filters_survive_a_page_switch(dashboard, page):
    visit(page, f"{dashboard.url}/?country=CN&license=permissive")
    page.locator('[data-testid="stSidebarNav"] a', has_text="Openness trends").click()
    page.wait_for_url("**/openness**")
    wait_for_app(page, title="Openness trends")
    # the frame writes the filters back into the new page's link at the end of its run
    page.wait_for_function("() => location.search.includes('country=CN') && location.search.includes('license=')",
                           timeout=20_000)
    assert "license=permissive" in page.url
    assert page.locator('[data-testid="stSidebar"]').get_by_text("China (CN)").count() == 1


def test_a_csv_download_arrives_and_parses(dashboard, page):
    visit(page, f"{dashboard.url}/openness?country=US&country=CN")
    # the first chart's button by its key: "the first download button on the page" was once another
    # chart's, the page's elements still being drawn on a busy machine
    button = page.locator(".st-key-download-open_share_by_year button")
    button.wait_for(timeout=30_000)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv") and "country-US+CN" in download.suggested_filename
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert rows and "open_share_pct" in rows[0]


@pytest.mark.parametrize("value", ["inf", "1e309", "-1e309"])
def test_a_hostile_number_in_the_link_is_a_note_not_an_exception(dashboard, page, value):
    visit(page, f"{dashboard.url}/gap?min_benchmarks={value}")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Ignored min_benchmarks value" in page.locator('[data-testid="stSidebar"]').inner_text()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=30_000)


def test_the_grids_own_toolbar_offers_no_raw_csv(dashboard, page):
    """The explorer's grid toolbar must not export cells as they are (formulas included): the
    page's own buttons, which neutralise them, are the way to download."""
    visit(page, f"{dashboard.url}/explorer")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    toolbar.wait_for(timeout=20_000)
    buttons = toolbar.locator("button")
    labels = [buttons.nth(i).get_attribute("aria-label") or "" for i in range(buttons.count())]
    assert labels, "the toolbar shows its other actions"
    assert not any("download" in label.lower() or "csv" in label.lower() for label in labels), labels
    assert page.locator('[data-testid="stDownloadButton"]').count() >= 2  # the page's own downloads


@pytest.fixture(scope="module")
def history_dashboard(tmp_path_factory):
    from tests.browser.conftest import Dashboard
    from tests.fixtures import add_history, build_fixture_db

    settings = build_fixture_db(tmp_path_factory.mktemp("historydb"))
    crossing = add_history(settings)
    server = Dashboard(settings.db_path, tmp_path_factory.mktemp("streamlit-history") / "server.log")
    yield server, settings, crossing
    server.stop()


def test_the_adoption_history_and_the_crossing_month_in_the_browser(history_dashboard, page):
    server, settings, crossing = history_dashboard
    visit(page, f"{server.url}/adoption?adoption_tab=Over%20time")  # the tab, opened by the link
    assert page.locator('[data-testid="stException"]').count() == 0
    # the chart's element carries its key as a class (st.plotly_chart(key="chart-…"))
    chart = page.locator(".st-key-chart-history_region_shares")
    chart.scroll_into_view_if_needed()
    chart.locator(".main-svg").first.wait_for(timeout=60_000)
    # the China line has one point per snapshot date (sixteen weeks and today), as SQL counts them
    con = duckdb.connect(str(settings.db_path), read_only=True)
    (dates,), = con.execute("SELECT count(DISTINCT snapshot_date) FROM model_snapshots").fetchall()
    con.close()
    points = chart.locator(".scatterlayer .trace").first.locator(".point")
    assert points.count() == dates
    screenshot(page, "adoption-history")
    visit(page, f"{server.url}/")
    verdict = page.get_by_text("first passed the US-origin share in")
    verdict.wait_for()
    assert f"{crossing:%B %Y}" in verdict.inner_text()


def test_search_then_an_organisation_then_a_model(dashboard, page, browser_db):
    visit(page, dashboard.url)
    box = page.get_by_label("Search", exact=True).and_(page.locator("input"))
    box.fill("alibab")
    box.press("Enter")
    link = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]', has_text="Alibaba").first
    link.wait_for()
    link.click()
    wait_for_app(page, "Alibaba")
    con = duckdb.connect(str(browser_db), read_only=True)
    (models,), = con.execute("SELECT count(*) FROM models WHERE organization = 'Alibaba' "
                             "OR organization_group = 'Alibaba'").fetchall()
    (model, root), = con.execute("SELECT model_id, root_model FROM models WHERE depth = 2 AND root_model IN "
                                 "(SELECT model_id FROM models) ORDER BY downloads_30d DESC, model_id LIMIT 1").fetchall()
    con.close()
    metric = page.locator('[data-testid="stMetric"]', has_text="Models")
    assert metric.locator('[data-testid="stMetricValue"]').first.inner_text() == f"{models:,}"
    assert "name=Alibaba" in page.url
    visit(page, f"{dashboard.url}/model?id={model}")
    page.locator('[data-testid="stPageLink"]', has_text=root).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "model")


def test_two_organisations_compared_in_the_browser(dashboard, page):
    visit(page, f"{dashboard.url}/compare?orgs=Alibaba&orgs=Meta")
    assert page.locator('[data-testid="stException"]').count() == 0
    chart = page.locator(".st-key-chart-compare_releases")
    chart.locator(".main-svg").first.wait_for(timeout=60_000)
    legend = chart.locator(".legend .legendtext").all_text_contents()  # SVG text, not HTML
    assert "Alibaba" in legend and "Meta" in legend
    screenshot(page, "compare")

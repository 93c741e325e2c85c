"""Looking one thing up: the sidebar's search, an organisation's page, a model's page, unknown and
hostile links; figures against SQL written here."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dashboard.colors import AUTHOR_KIND
from dashboard.markdown import md_code
from dashboard.numbers import metric_number
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.conftest import shared_file
from tests.helpers import metric, sql


def rendered(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def links(at) -> list[str]:
    return [p.label.replace("\\", "") for p in at.get("page_link")]  # labels are markdown-escaped text


def test_search_finds_a_model_by_a_fragment_and_an_organisation_by_part_of_its_name(app, fixture_db):
    at = rendered(app())
    at.text_input(key="search").input("ongcat-fl").run()
    rendered(at)
    # the eight most downloaded models whose id holds the fragment
    expected = [r[0] for r in sql(fixture_db.db_path, """
        SELECT model_id FROM models WHERE contains(lower(model_id), 'ongcat-fl')
        ORDER BY downloads_30d DESC, model_id LIMIT 8""")]
    found = links(at)
    assert len(expected) == 8 and all(m in found for m in expected), (expected, found)
    at.text_input(key="search").input("alibab").run()
    found = links(rendered(at))
    assert "Alibaba" in found  # the parent organisation, by part of its name
    assert any(label.startswith("Qwen2") for label in found)  # Epoch's releases of Alibaba


def test_the_organisation_page_shows_what_sql_counts(app, fixture_db):
    at = rendered(app("organization", {"name": "Alibaba"}))
    (models, downloads), = sql(fixture_db.db_path, """
        SELECT count(*), sum(downloads_30d) FROM models WHERE organization = 'Alibaba' OR organization_group = 'Alibaba'""")
    assert models > 0
    assert metric(at, "Models") == f"{models:,}"
    assert metric(at, "30-day downloads") == f"{downloads:,}"
    (total,), = sql(fixture_db.db_path, "SELECT sum(downloads_all_time) FROM models "
                                        "WHERE organization = 'Alibaba' OR organization_group = 'Alibaba'")
    shown = next(m for m in at.metric if m.label == "All-time downloads")
    # as a metric has room for (short from a billion on: tests/unit/test_numbers.py), every digit in its help
    assert shown.value == metric_number(total) and f"{total:,} all-time downloads" in shown.help
    namespaces = [r[0] for r in sql(fixture_db.db_path, "SELECT hf_author FROM organizations WHERE "
                                                      "organization = 'Alibaba' OR organization_group = 'Alibaba'")]
    line = next(m.value for m in at.markdown if "Hub namespaces:" in m.value)
    # as stored (an escape inside a code span would show its backslash: `AIDC\-AI`)
    assert any("-" in n for n in namespaces) and all(md_code(n) in line for n in namespaces) and "\\" not in line
    (releases,), = sql(fixture_db.db_path, "SELECT count(*) FROM releases WHERE list_contains(organization_groups, "
                                           "'Alibaba') OR list_contains(organizations, 'Alibaba')")
    table = next(d.value for d in at.dataframe if "downloads_30d" in d.value.columns)
    assert len(table) == min(models, 15)
    assert releases > 0 and at.get("plotly_chart")
    # its releases per year: every year from its first to its last, in order, whichever stack names one first
    (first, last), = sql(fixture_db.db_path, "SELECT min(year(publication_date)), max(year(publication_date)) FROM "
                                             "releases WHERE list_contains(organization_groups, 'Alibaba') "
                                             "OR list_contains(organizations, 'Alibaba')")
    axis = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]
    assert axis["categoryarray"] == [str(y) for y in range(first, last + 1)] and axis["categoryorder"] == "array"
    # who builds on its models: each uploader kind in its colour on every page (dashboard/colors.py)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    builders = next(s for s in specs if s["layout"]["yaxis"].get("title", {}).get("text") == "Derivatives")
    colours = {trace["name"]: trace["marker"]["color"] for trace in builders["data"]}
    assert len(colours) > 1 and colours == {kind: AUTHOR_KIND[kind] for kind in colours}, colours


def test_the_model_page_shows_its_root_and_its_children(app, fixture_db):
    (model, root), = sql(fixture_db.db_path, """
        SELECT model_id, root_model FROM models WHERE depth = 2 AND root_model IN (SELECT model_id FROM models)
        ORDER BY downloads_30d DESC, model_id LIMIT 1""")
    at = rendered(app("model", {"id": model}))
    assert any(root in label for label in links(at)), links(at)
    (parent,), = sql(fixture_db.db_path, "SELECT base_model FROM models WHERE model_id = ?", [model])
    children = sql(fixture_db.db_path, "SELECT count(*) FROM models WHERE base_model = ?", [parent])[0][0]
    at = rendered(app("model", {"id": parent}))
    summary = next(d for d in at.get("plotly_chart"))
    assert summary is not None and children >= 1
    assert any(model in label for label in links(at))


def test_the_model_page_writes_its_downloads_as_a_metric_has_room_for_with_every_digit_in_the_help(app, fixture_db):
    (model, d30, total), = sql(fixture_db.db_path, """
        SELECT model_id, downloads_30d, downloads_all_time FROM models WHERE downloads_all_time IS NOT NULL
        ORDER BY downloads_all_time DESC, model_id LIMIT 1""")
    at = rendered(app("model", {"id": model}))
    shown = {m.label: m for m in at.metric}
    assert shown["All-time downloads"].value == metric_number(total)
    assert f"{total:,} downloads" in shown["All-time downloads"].help
    assert shown["Downloads, last 30 days"].value == metric_number(d30)


@pytest.mark.parametrize("page,key", [("organization", "name"), ("model", "id")])
@pytest.mark.parametrize("value", ["Mistral A", "<script>alert(1)</script>", "x' OR 1=1 --", "é" * 5000])
def test_unknown_or_hostile_links_give_a_clear_not_found(app, page, key, value):
    at = rendered(app(page, {key: value}))
    assert any("No " in w.value and "named" in w.value for w in at.warning)
    assert not any("<script>" in m.value for m in at.markdown)  # shown inside a code span, as text


def test_a_near_miss_suggests_the_right_organisation(app):
    at = rendered(app("organization", {"name": "Mistral A"}))
    assert "Mistral AI" in links(at)


@pytest.mark.realdata
def test_real_epoch_data_meituans_560b_and_openais_open_weights(app, make_settings, monkeypatch, downloads):
    models = shared_file("epoch", "epoch_ai_models_2026-03-30.zip")
    settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=models.resolve().as_uri())
    ingest(settings, IngestOptions(sources=("epoch",)), Progress.quiet())

    def releases_of(name: str) -> list[dict]:
        monkeypatch.setenv("LANDSCAPE_DB", str(settings.db_path))
        at = rendered(app("organization", {"name": name}))
        return list(csv.DictReader(io.StringIO(downloads(at, "download-organization_releases").decode())))

    longcat = next(r for r in releases_of("Meituan") if r["model"] == "LongCat-Flash")
    assert (longcat["accessibility_group"], longcat["publication_date"][:4], float(longcat["params"])) == (
        "open", "2025", 560e9)
    gpt_oss = next(r for r in releases_of("OpenAI") if r["model"] == "gpt-oss-120b")
    assert gpt_oss["accessibility_group"] == "open"


def test_two_organisations_compared_on_the_same_charts(app, fixture_db, downloads):
    at = rendered(app("compare", {"orgs": ["Alibaba", "Meta"]}))
    assert len(at.get("plotly_chart")) >= 4
    rows = list(csv.DictReader(io.StringIO(downloads(at, "download-compare_releases").decode())))
    got = {(r["organization"], int(r["year"])): int(r["releases"]) for r in rows}
    expected = sql(fixture_db.db_path, """
        SELECT a.name, year(publication_date), count(*) FROM (SELECT unnest(['Alibaba', 'Meta']) AS name) a
        JOIN releases r ON list_contains(r.organizations, a.name) OR list_contains(r.organization_groups, a.name)
        WHERE publication_date IS NOT NULL GROUP BY 1, 2""")
    assert got == {(n, y): c for n, y, c in expected} and {n for n, _ in got} == {"Alibaba", "Meta"}
    # the two per-year charts: every year from the first to the last, in order (at Hub scale a year
    # only the second organisation had came after all of the first's, and its line went back in time)
    years = list(range(min(y for _, y in got), max(y for _, y in got) + 1))
    axes = [json.loads(chart.proto.spec)["layout"]["xaxis"] for chart in at.get("plotly_chart")[:2]]
    assert all(axis["type"] == "category" and axis["categoryarray"] == years for axis in axes)

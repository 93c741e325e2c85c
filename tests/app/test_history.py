"""Adoption over time, on a database backfilled from a loopback hub-stats whose crossing month is
known: the history charts against SQL written here, the overview's verdict, the export."""

from __future__ import annotations

import csv
import io

import pytest

from landscape.csv_safety import frame_to_csv
from landscape.filters import Filters
from landscape.queries import history as h
from pipeline.cli import main
from tests.fixtures import add_history, build_fixture_db
from tests.helpers import run_query, sql


@pytest.fixture(scope="module")
def history_db(tmp_path_factory):
    settings = build_fixture_db(tmp_path_factory.mktemp("historydb"))
    crossing = add_history(settings)
    return settings, crossing


@pytest.fixture
def history_app(app, history_db, monkeypatch):
    settings, _ = history_db

    def open_page(page=None, query=None):
        monkeypatch.setenv("LANDSCAPE_DB", str(settings.db_path))  # after `app` set the shared fixture's
        return app(page, query)

    return open_page


def test_the_history_charts_show_the_snapshots_as_sql_sums_them(history_app, history_db, downloads):
    settings, _ = history_db
    at = history_app("adoption", {"adoption_tab": "Over time"})
    assert not at.exception, [e.value for e in at.exception]
    db = settings.db_path
    shares = csv.DictReader(io.StringIO(downloads(at, "download-history_region_shares").decode()))
    got = {(r["snapshot_date"], r["region"]): float(r["share_pct"]) for r in shares}
    expected = sql(db, """
        SELECT snapshot_date::VARCHAR, round(100.0 * sum(downloads_30d) FILTER (WHERE origin_country = 'CN')
                                             / sum(downloads_30d), 2)
        FROM model_snapshots GROUP BY 1""")
    assert len(expected) == 17  # sixteen backfilled weeks and today's run
    for day, share in expected:
        assert got[(day, "China")] == pytest.approx(share)
    assert downloads(at, "download-history_by_origin") == frame_to_csv(run_query(db, h.by_country, Filters(),
                                                                                   "origin"))
    # the cumulative view clamps totals that fell: never below zero for any region
    gained = csv.DictReader(io.StringIO(downloads(at, "download-history_cumulative_all").decode()))
    assert all(int(r["downloads"]) >= 0 for r in gained)


def test_the_overview_names_the_month_china_passed_the_us(history_app, history_db):
    _, crossing = history_db
    at = history_app()
    assert not at.exception
    verdict = next(m.value for m in at.markdown if "Chinese-origin share of downloads" in m.value)
    assert verdict.startswith("**Supported**") and f"{crossing:%B %Y}" in verdict
    assert "with a country" in verdict  # the coverage beside it


def test_gaps_break_the_lines_instead_of_joining_them():
    import pandas as pd
    frame = pd.DataFrame({"snapshot_date": pd.to_datetime(["2026-10-01", "2026-10-08", "2026-10-29"]).date,
                          "region": ["China"] * 3, "downloads": [1, 2, 3]})
    out = h.with_gaps(frame, "snapshot_date", "region", "downloads")
    assert len(out) == 4 and out["downloads"].isna().sum() == 1  # one hole, between the 8th and the 29th


def test_adoption_history_export_follows_the_filters(history_db, tmp_path, monkeypatch, capsys):
    settings, _ = history_db
    monkeypatch.setenv("LANDSCAPE_DB", str(settings.db_path))
    out = tmp_path / "history.csv"
    assert main(["export", "--dataset", "adoption-history", "--format", "csv", "--out", str(out),
                 "--country", "CN", "--license-family", "permissive"]) == 0
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["snapshot_date", "origin_country", "uploader_country", "author_kind", "downloads_30d",
                             "downloads_all_time", "models"]
    (total, days), = sql(settings.db_path, """
        SELECT sum(s.downloads_30d), count(DISTINCT s.snapshot_date) FROM model_snapshots s
        JOIN models m ON m.model_id = s.model_id
        WHERE (m.country = 'CN' OR m.origin_country = 'CN') AND m.license_family = 'permissive'""")
    assert sum(int(r["downloads_30d"]) for r in rows) == total and len({r["snapshot_date"] for r in rows}) == days

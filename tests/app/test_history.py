"""Adoption over time, on a database backfilled from a loopback hub-stats whose crossing month is
known: the history charts against SQL written here, the overview's verdict, the export."""

from __future__ import annotations

import csv
import io
import shutil
from collections import defaultdict
from datetime import timedelta

import duckdb
import pandas as pd
import pytest

from landscape.csv_safety import frame_to_csv
from landscape.filters import Filters
from landscape.queries import NOT_COUNTRIES, facts
from landscape.queries import history as h
from pipeline.cli import main
from pipeline.rollups import build_rollups
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


def _region(bucket: str | None) -> str:
    if bucket in ("CN", "US"):
        return {"CN": "China", "US": "United States"}[bucket]
    if bucket in h.EUROPE:
        return "Europe"
    return "No country" if bucket is None or bucket in NOT_COUNTRIES else "Rest of the world"


def _accumulated(rows: list[tuple], since) -> dict[tuple, int]:
    """Model by model: its clamped all-time total on each date from ``since`` on, less the clamped
    total of its first snapshot from ``since`` (nothing for a model created since, which counts
    whole); summed by region on each date a model of the region has a snapshot."""
    series = defaultdict(list)
    for model_id, day, total, bucket, created in rows:
        series[model_id].append((day, total, bucket, created))
    dates = sorted({day for _, day, *_ in rows if day >= since})
    present = {(day, _region(bucket)) for _, day, _, bucket, _ in rows if day >= since}
    out = dict.fromkeys(present, 0)
    for points in series.values():
        assert len({p[2] for p in points}) == 1, "the oracle takes a model's region as constant"
        region, created = _region(points[0][2]), points[0][3]
        clamped, top = [], None
        for day, total, *_ in points:
            top = total if top is None else max(top, total)
            clamped.append((day, top))
        if created is not None and created >= since:  # counts whole
            later, base = clamped, 0
        else:
            later = [(day, c) for day, c in clamped if day >= since]
            base = later[0][1] if later else 0
        for day in dates:
            seen = [c for d, c in later if d <= day]
            if seen and (day, region) in out:
                out[(day, region)] += seen[-1] - base
    return out


def test_cumulative_downloads_are_each_models_gain_with_gaps_and_lowered_totals(history_db, tmp_path):
    """Against a model-by-model count written here, from both the rollup and ``models``: a model
    missing from one snapshot keeps what it had gained (before, that date's line dropped), and a
    total the Hub lowered gains nothing until it passes its old maximum."""
    settings, _ = history_db
    path = tmp_path / "gaps.duckdb"
    shutil.copy(settings.db_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        dates = [r[0] for r in con.execute("SELECT DISTINCT snapshot_date FROM model_snapshots ORDER BY 1").fetchall()]
        middle = dates[len(dates) // 2]
        missing = con.execute("DELETE FROM model_snapshots WHERE snapshot_date = ? AND hash(model_id) % 3 = 0",
                              [middle]).fetchone()[0]
        lowered = con.execute("UPDATE model_snapshots SET downloads_all_time = downloads_all_time // 2 "
                              "WHERE snapshot_date = ? AND hash(model_id) % 5 = 0", [dates[-2]]).fetchone()[0]
        assert missing and lowered
        build_rollups(con)
        rows = con.execute("""
            SELECT s.model_id, s.snapshot_date, s.downloads_all_time, s.origin_bucket,
                   (m.created_at AT TIME ZONE 'UTC')::DATE
            FROM model_snapshots s JOIN models m USING (model_id)
            WHERE s.downloads_all_time IS NOT NULL ORDER BY 1, 2""").fetchall()
    with duckdb.connect(str(path), read_only=True) as con:
        for since in (dates[0] - timedelta(days=400), dates[0], middle - timedelta(days=2), middle, dates[-1]):
            expected = _accumulated(rows, since)
            for frame in (h.cumulative(con, Filters(), since), _base(h.cumulative, con, since)):
                got = {(pd.Timestamp(r.snapshot_date).date(), r.region): r.downloads for r in frame.itertuples()}
                assert got == expected, since
            assert any(v > 0 for v in expected.values()) or since == dates[-1], since


def _base(query, con, *args):
    with facts.base_tables():
        return query(con, Filters(), *args)

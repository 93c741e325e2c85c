"""The bundled starter snapshot, served: labelled with its date on every page, real Epoch charts,
Hub pages that say they need network, and the dated snapshots listed on the methodology page."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from landscape.archive import list_archives, verify, write_archive
from pipeline.activity import ActivityFile
from pipeline.config import load_settings
from pipeline.starter import bundled, seed
from tests.helpers import metric, sql


@pytest.fixture
def starter_app(app, tmp_path, monkeypatch):
    settings = load_settings({"LANDSCAPE_DB": str(tmp_path / "db" / "landscape.duckdb"),
                              "LANDSCAPE_RAW_DIR": str(tmp_path / "raw")})
    assert seed(settings) is not None
    monkeypatch.setenv("LANDSCAPE_RAW_DIR", str(tmp_path / "raw"))

    def open_page(page=None, query=None):
        monkeypatch.setenv("LANDSCAPE_DB", str(settings.db_path))  # after `app` set the fixture's
        return app(page, query)

    return open_page, settings


def test_the_bundled_snapshot_is_small_whole_and_epochs():
    starter = bundled()
    assert starter is not None, "data/starter/ is committed"
    total = sum(f["bytes"] for f in starter.files.values())
    assert total < 2_000_000
    for info in starter.files.values():
        assert hashlib.sha256((starter.folder / info["file"]).read_bytes()).hexdigest() == info["sha256"]
    assert set(starter.sources) == {"epoch", "benchmarks"}


def test_every_page_labels_the_starter_and_the_epoch_pages_have_real_charts(starter_app):
    open_page, settings = starter_app
    (releases,), = sql(settings.db_path, "SELECT count(*) FROM releases")
    as_of = bundled().sources["epoch"]["date"]
    for page in (None, "openness", "gap", "adoption", "licences", "lineage"):
        at = open_page(page)
        assert not at.exception, [e.value for e in at.exception]
        assert any("Starter snapshot" in i.value and as_of in i.value for i in at.info), page
    overview = open_page()
    assert metric(overview, "Releases (Epoch AI)") == f"{releases:,}"
    assert overview.get("plotly_chart")
    adoption = open_page("adoption")
    assert any("needs network" in i.value for i in adoption.info)
    assert not adoption.get("plotly_chart")


def test_dated_snapshots_are_written_listed_verified_and_pruned(starter_app, monkeypatch):
    open_page, settings = starter_app
    keep = load_settings({"LANDSCAPE_DB": str(settings.db_path), "LANDSCAPE_EXPORTS_KEEP": "2"})
    for day in ("2026-11-01", "2026-11-02", "2026-11-03"):
        written = write_archive(keep, day)
    assert [a.day for a in list_archives(keep)] == ["2026-11-03", "2026-11-02"]  # the oldest pruned
    assert (keep.exports_dir / "latest").resolve() == written.path.resolve()
    assert verify(written) == []
    releases = next(f for f in written.files if f["file"] == "releases.csv")
    (count,), = sql(settings.db_path, "SELECT count(*) FROM releases")
    assert releases["rows"] == count
    # a file changed after the fact is caught
    (written.path / "releases.csv").write_bytes(b"tampered")
    assert verify(written) == ["releases.csv"]
    shutil.copy(written.path / "releases.parquet", written.path / "releases.csv")
    monkeypatch.setenv("LANDSCAPE_EXPORTS_KEEP", "2")
    at = open_page("methodology")
    assert not at.exception
    listed = next(d.value for d in at.dataframe if "size (MB)" in d.value.columns)
    assert list(listed["date"]) == ["2026-11-03", "2026-11-02"]
    assert at.download_button(key="snapshot-releases.parquet")


def test_an_ingest_under_way_is_shown_in_the_sidebar(starter_app):

    open_page, settings = starter_app
    activity = ActivityFile(settings.db_path, "hub")  # this process: alive, so "running"
    activity.step("hub top", 2, 5, "pages")
    activity.note("waiting 12s for the rate-limit window")
    at = open_page()
    assert not at.exception
    line = next(c.value for c in at.caption if "Ingest under way" in c.value)
    shown = line.replace("\\", "")  # markdown escapes
    assert "hub top: 2 of 5 pages" in shown and "waiting 12s for the rate-limit window" in shown
    activity.finish("published")
    assert not any("Ingest under way" in c.value for c in open_page().caption)

"""Real data: Epoch's own all_ai_models.csv (from ../shared/data), through the whole pipeline over loopback."""

from __future__ import annotations

import csv
import io
import zipfile

import duckdb
import pytest

from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from pipeline.transform.accessibility import accessibility_group
from tests.conftest import shared_file
from tests.loopback.static import StaticServer

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def epoch_zip() -> bytes:
    return shared_file("epoch", "epoch_ai_models_2026-03-30.zip").read_bytes()


def source_rows(content: bytes) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        text = z.read("all_ai_models.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_every_row_loads_or_is_quarantined_with_a_reason(make_settings, epoch_zip):
    rows = source_rows(epoch_zip)
    with StaticServer({"/ai_models.zip": epoch_zip}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/ai_models.zip"))
        run = ingest(settings, IngestOptions(sources=("epoch",)), Progress.quiet())
    con = duckdb.connect(str(settings.db_path), read_only=True)
    loaded = con.execute("SELECT count(*) FROM releases").fetchone()[0]
    quarantined = con.execute("SELECT count(*), count(*) FILTER (WHERE reason IS NULL OR reason = '') "
                              "FROM quarantine").fetchone()
    assert run.records_seen == len(rows) == loaded + quarantined[0]
    assert quarantined[1] == 0

    # an accessibility group for every row that has an accessibility value Epoch defines
    with_access = con.execute("SELECT count(*) FROM releases WHERE accessibility IS NOT NULL").fetchone()[0]
    grouped = con.execute("SELECT count(*) FROM releases WHERE accessibility_group IS NOT NULL").fetchone()[0]
    expected = sum(1 for r in rows if accessibility_group(r["Model accessibility"]) is not None)
    assert with_access == grouped >= expected - quarantined[0]
    # ISO codes for every loaded row that names a country (Epoch's "Multinational" is not one)
    countries = dict(con.execute("SELECT release_id, countries FROM releases").fetchall())
    for release_id, codes in countries.items():
        cell = rows[release_id - 1]["Country (of organization)"]
        names = {part.strip() for part in cell.split(",") if part.strip()} - {"Multinational"}
        assert bool(codes) == bool(names), (release_id, cell, codes)
    bad = con.execute("SELECT count(*) FROM releases WHERE len(country) <> 2 OR country <> upper(country)").fetchone()[0]
    assert bad == 0
    con.close()

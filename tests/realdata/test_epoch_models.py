"""Real data: Epoch's own all_ai_models.csv (from ../shared/data), through the whole pipeline over loopback."""

from __future__ import annotations

import csv
import io
import zipfile

import duckdb
import pytest

from landscape.filters import Filters
from landscape.queries.openness import organizations_ranked
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from pipeline.registry import load_registry
from pipeline.storage import open_readonly
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


def test_parents_gather_the_real_organisations_and_every_developer_id_is_registered(make_settings, epoch_zip):
    rows = source_rows(epoch_zip)
    registered = {r.namespace.lower() for r in load_registry().rows}
    ids = {r["Hugging Face developer id"].strip() for r in rows if r["Hugging Face developer id"].strip()}
    assert ids and not sorted(i for i in ids if i.lower() not in registered), "every Epoch developer id has a row"

    with StaticServer({"/ai_models.zip": epoch_zip}) as files:
        settings = make_settings(LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/ai_models.zip"))
        ingest(settings, IngestOptions(sources=("epoch",)), Progress.quiet())
    alphabet = {name for name, parent in load_registry().parents.items() if parent == "Alphabet"}
    assert {"Google DeepMind", "DeepMind", "Google Brain"} <= alphabet
    # written here from the raw file: releases of known accessibility with an Alphabet unit among their
    # organisations (Epoch's "quarantined" rows aside, the pipeline must count exactly these)
    expected = sum(1 for r in rows if accessibility_group(r["Model accessibility"]) is not None
                   and alphabet & {o.strip() for o in r["Organization"].split(",")})
    with open_readonly(settings.db_path) as con:
        groups = dict(con.execute("SELECT model, organization_groups FROM releases WHERE list_has_any("
                                  "organizations, ['Google DeepMind', 'DeepMind', 'Google Brain'])").fetchall())
        ranked = organizations_ranked(con, Filters(), 500, True).set_index("organization")
        named = organizations_ranked(con, Filters(), 500, False).set_index("organization")
    assert groups and all("Alphabet" in g for g in groups.values())
    # the parent ranking counts a release once for Alphabet, however many of its units co-wrote it
    units = [int(named.loc[o, "releases"]) for o in alphabet if o in named.index]
    assert int(ranked.loc["Alphabet", "releases"]) == expected
    assert max(units) < expected < sum(units)
    assert "Google DeepMind" not in ranked.index

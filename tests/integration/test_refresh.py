"""``python -m pipeline refresh`` against the loopback Hub: only what changed is fetched.

A first ingest lists the top models and every tracked organisation; then the imitation's data
changes as a day on the Hub would (new downloads at the top, some models modified, new models of
a tracked lab and of an unknown user) and a refresh runs. Its requests are counted at the server.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.helpers import sql
from tests.loopback.hub import HubServer

DAY1 = "2026-11-20T{:02d}:00:00.000Z"
DAY2 = "2026-11-21T{:02d}:00:00.000Z"


def model(model_id: str, downloads: int, modified: str, likes: int = 1) -> dict:
    return {"id": model_id, "author": model_id.split("/")[0], "downloads": downloads, "likes": likes,
            "createdAt": "2026-01-01T00:00:00.000Z", "lastModified": modified, "tags": []}


def day_one() -> list[dict]:
    qwen = [model(f"Qwen/m{i}", 10_000 - i, DAY1.format(i % 24)) for i in range(300)]
    users = [model(f"user{i}/ft", 5_000 - i, DAY1.format(i % 24)) for i in range(1_500)]
    return qwen + users


def day_two(records: list[dict]) -> list[dict]:
    changed = [dict(r) for r in records]
    for r in changed[:50]:                      # the top keeps moving: fresh 30-day counts
        r["downloads"] += 1_000
    for r in changed[300:1_500]:                # 1,200 user models modified today: 700 of them tracked
        r["lastModified"], r["likes"] = DAY2.format(3), 99
    for r in changed[1_300:1_320]:              # 20 untracked models climb into the top 1,000
        r["downloads"] = 20_000
    new_lab = [model(f"Qwen/new{i}", 1, DAY2.format(5)) for i in range(5)]        # tracked lab: added
    new_user = [model(f"stranger/new{i}", 1, DAY2.format(6)) for i in range(5)]   # not tracked: left out
    return changed + new_lab + new_user


@pytest.fixture
def first_run(make_settings):
    records = day_one()
    with HubServer(records) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        ingest(settings, IngestOptions(sources=("hub",), hub_limit=1_000), Progress.quiet())
        hub.reset_log()
        yield settings, hub, records


def listing_requests(hub) -> list[str]:
    return [e.path for e in hub.entries() if e.path.startswith("/api/models")]


def test_a_refresh_fetches_only_what_changed_and_publishes_it(first_run, cli_env):
    settings, hub, records = first_run
    (before,), = sql(settings.db_path, "SELECT count(*) FROM models")
    hub.set_records(day_two(records))
    done = subprocess.run([sys.executable, "-m", "pipeline", "refresh", "--sources", "hub", "--hub-limit", "1000"],
                          env=cli_env(HF_ENDPOINT=hub.url), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    requests = listing_requests(hub)
    # the top 1,000 (one page) and the 1,210 changed models (two pages, the second reaching back
    # past day one); no per-organisation listing, no single-model call
    assert len(requests) == 3, requests
    assert "3 Hub API requests" in done.stdout
    db = settings.db_path
    (after,), = sql(db, "SELECT count(*) FROM models")
    assert after == before + 5 + 20             # Qwen's new models (not the stranger's), the climbers
    assert sql(db, "SELECT count(*) FROM models WHERE author = 'stranger'") == [(0,)]
    assert sql(db, "SELECT count(*) FROM models WHERE model_id LIKE 'Qwen/new%' AND scope = 'org'") == [(5,)]
    # modified models carry today's values; the top has its fresh counts; the rest is kept as it was
    # (the 700 tracked ones and the 20 climbers; the other 480 changed models are not tracked)
    assert sql(db, "SELECT count(*) FROM models WHERE likes = 99") == [(720,)]
    assert sql(db, "SELECT downloads_30d FROM models WHERE model_id = 'Qwen/m0'") == [(11_000,)]
    # pushed out of the top and unchanged: not fetched again, kept, and given no snapshot of today's
    # counts (its snapshot of the day is the first run's, the same day here)
    assert sql(db, "SELECT downloads_30d, scope FROM models WHERE model_id = 'user699/ft'") == [(4_301, "top")]
    assert sql(db, "SELECT downloads_30d FROM model_snapshots WHERE model_id = 'user699/ft'") == [(4_301,)]
    assert sql(db, "SELECT downloads_30d FROM model_snapshots WHERE model_id = 'Qwen/m0'") == [(11_000,)]
    assert sql(db, "SELECT count(*) = count(DISTINCT model_id) FROM model_snapshots") == [(True,)]
    (status, sources), = sql(db, "SELECT status, sources FROM runs ORDER BY started_at DESC LIMIT 1")
    assert status == "published"


def test_a_refresh_with_nothing_changed_reads_one_page_per_stream(first_run):
    settings, hub, _ = first_run
    record = ingest(settings, IngestOptions(sources=("hub",), hub_limit=1_000, refresh=True), Progress.quiet())
    assert record.hub_requests == len(listing_requests(hub)) == 2
    assert "0 new ones added" in sql(settings.db_path, "SELECT detail FROM sources WHERE source = 'hub'")[0][0]


def test_a_refresh_needs_a_first_run(make_settings):
    with HubServer([model("Qwen/a", 1, DAY1.format(0))]) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url, LANDSCAPE_EPOCH_MODELS_URL="http://127.0.0.1:9/x.csv")
        with pytest.raises(Exception, match="no Hub models to refresh"):
            ingest(settings, IngestOptions(sources=("hub",), refresh=True), Progress.quiet())
        assert listing_requests(hub) == []

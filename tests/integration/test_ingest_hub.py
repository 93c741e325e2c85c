"""The Hub source end to end: the real huggingface_hub client against the loopback Hub imitation.

Each test runs the real pipeline (fetch, store pages, transform, build, publish) into a real
DuckDB file, then reads what was published.
"""

from __future__ import annotations

import time

import pytest

from pipeline.errors import SourceError
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.fixtures import MALFORMED_HUB_RECORDS
from tests.helpers import sql as _rows
from tests.loopback import burst
from tests.loopback.hub import HubServer
from tests.synthetic import synthetic_models

FULL = IngestOptions(sources=("hub",), hub_limit=0, hub_orgs=False, hub_full=True)




@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(synthetic_models(4500, seed=21))


def test_full_listing_over_many_pages_loads_every_model_once(make_settings, records):
    with HubServer(records) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        run = ingest(settings, FULL, Progress.quiet())
        assert hub.served_pages() == [0, 1, 2, 3, 4]
    assert run.status == "published" and run.pages_fetched == 5 and run.records_seen == 4500
    (count, distinct), = _rows(settings.db_path, "SELECT count(*), count(DISTINCT model_id) FROM models")
    assert count == distinct == 4500
    # what the page said is what the table holds, field by field, for a sample record
    sample = next(r for r in records if r.get("safetensors") and r.get("baseModels"))
    row = _rows(settings.db_path, "SELECT downloads_30d, likes, params_measured, base_model, base_relation "
                                  "FROM models WHERE model_id = ?", [sample["id"]])[0]
    assert row == (sample["downloads"], sample["likes"], sample["safetensors"]["total"],
                   sample["baseModels"]["models"][0]["id"], sample["baseModels"]["relation"])


def test_top_n_stops_after_n_models_sorted_by_downloads(make_settings, records):
    with HubServer(records) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        ingest(settings, IngestOptions(sources=("hub",), hub_limit=1500, hub_orgs=False), Progress.quiet())
        assert hub.served_pages() == [0, 1]
        assert all(e.params["sort"] == ["downloads"] for e in hub.entries() if e.page is not None)
    top = sorted(records, key=lambda r: r["downloads"], reverse=True)[:1500]
    got = {r[0] for r in _rows(settings.db_path, "SELECT model_id FROM models WHERE scope = 'top'")}
    assert got == {r["id"] for r in top}


def test_org_scope_lists_every_model_of_each_attributed_author(make_settings, records):
    authors = {"Qwen", "deepseek-ai"}  # both in the committed registry as labs
    expected = {r["id"] for r in records if r["author"] in authors}
    assert expected, "the synthetic set should hold models of these labs"
    with HubServer(records) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        ingest(settings, IngestOptions(sources=("hub",), hub_limit=0, hub_orgs=True), Progress.quiet())
        listed = {e.params["author"][0] for e in hub.entries() if "author" in e.params}
    got = {r[0] for r in _rows(settings.db_path, "SELECT model_id FROM models WHERE author IN ('Qwen', 'deepseek-ai')")}
    assert authors <= listed
    assert got == expected
    # intermediaries are never listed as organisations
    assert not listed & {"unsloth", "bartowski", "TheBloke", "mlx-community"}


def test_429_with_ratelimit_headers_is_waited_out(make_settings, records):
    with HubServer(records[:2500], page_faults={1: "429"}) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        started = time.monotonic()
        run = ingest(settings, FULL, Progress.quiet())
        elapsed = time.monotonic() - started
        statuses = [e.status for e in hub.page_requests(1)]
    assert statuses == [429, 200]
    assert run.status == "published" and run.rate_limit_waits >= 1
    assert elapsed >= 2.0  # t=1 from the RateLimit header, +1 as huggingface_hub waits
    assert _rows(settings.db_path, "SELECT count(*) FROM models")[0][0] == 2500


def test_pacing_waits_for_the_window_before_the_quota_runs_out(make_settings, records):
    with HubServer(records[:4000], quota=3, window=2) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        run = ingest(settings, FULL, Progress.quiet())
        assert hub.stats()["rate_limited"] == 0  # we never ran into a 429
    assert run.rate_limit_waits >= 1 and run.rate_limit_wait_seconds >= 2


def test_5xx_burst_is_retried(make_settings, records):
    with HubServer(records[:3000], page_faults={2: burst("503", 2)}) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        run = ingest(settings, FULL, Progress.quiet())
        assert [e.status for e in hub.page_requests(2)] == [503, 503, 200]
    assert run.status == "published"
    assert _rows(settings.db_path, "SELECT count(*) FROM models")[0][0] == 3000


@pytest.mark.parametrize("fault", ["truncate", "badjson", "short", "offhost"])
def test_a_bad_page_once_is_asked_for_again(make_settings, records, fault):
    with HubServer(records[:2500], page_faults={1: fault}) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        run = ingest(settings, FULL, Progress.quiet())
    assert run.status == "published"
    assert _rows(settings.db_path, "SELECT count(*) FROM models")[0][0] == 2500


@pytest.mark.parametrize("fault", ["always:truncate", "always:badlink"])
def test_a_page_that_stays_bad_fails_the_run_and_publishes_nothing(make_settings, records, fault):
    with HubServer(records[:1500]) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        ingest(settings, FULL, Progress.quiet())  # a first good database
        before = _rows(settings.db_path, "SELECT count(*), max(fetched_at) FROM models")
        published = settings.db_path.stat().st_ino
        hub.set_records(records[:2500])
        hub.set_faults(page_faults={1: fault})
        with pytest.raises(SourceError) as failure:
            ingest(settings, FULL, Progress.quiet())
    assert "\n" not in str(failure.value) and "unusable page" in str(failure.value)
    assert settings.db_path.stat().st_ino == published  # not replaced
    assert _rows(settings.db_path, "SELECT count(*), max(fetched_at) FROM models") == before
    assert not settings.db_path.with_name(settings.db_path.name + ".building").exists()


def test_malformed_records_are_quarantined_with_reasons_and_the_run_goes_on(make_settings, records):
    with HubServer(records[:1200] + list(MALFORMED_HUB_RECORDS)) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        run = ingest(settings, FULL, Progress.quiet())
    assert run.quarantined == len(MALFORMED_HUB_RECORDS)
    assert _rows(settings.db_path, "SELECT count(*) FROM models")[0][0] == 1200
    reasons = dict(_rows(settings.db_path, "SELECT coalesce(record_key, '-'), reason FROM quarantine"))
    assert reasons["-"]  # records without a usable id are kept, keyed by nothing
    assert reasons["bad/dates"] == "createdAt 'last tuesday' is not a date"
    assert reasons["bad/downloads"].startswith("downloads is 'many'")
    assert reasons["bad/tags"] == "tags is str, not a list"
    assert "control characters" in reasons["bad/control"]
    assert "longer than" in reasons["bad/huge"]
    assert reasons["bad/card"] == "cardData is list, not an object"
    assert "markup" in reasons["evil/<script>alert(1)</script>"]
    payloads = _rows(settings.db_path, "SELECT max(length(payload)) FROM quarantine")[0][0]
    assert payloads <= 2000


def test_same_day_rerun_adds_no_duplicate_snapshot(make_settings, records):
    with HubServer(records[:1000]) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        ingest(settings, FULL, Progress.quiet())
        ingest(settings, FULL, Progress.quiet())
    snapshots, days = _rows(settings.db_path, "SELECT count(*), count(DISTINCT snapshot_date) FROM model_snapshots")[0]
    assert (snapshots, days) == (1000, 1)
    assert _rows(settings.db_path, "SELECT count(*) FROM runs WHERE status = 'published'")[0][0] == 2


def test_epoch_only_run_keeps_the_hub_models_and_history(make_settings, records):
    from tests.fixtures import epoch_csv
    from tests.loopback.static import StaticServer

    with HubServer(records[:1000]) as hub, StaticServer({"/m.csv": epoch_csv()}) as files:
        settings = make_settings(HF_ENDPOINT=hub.url, LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"))
        ingest(settings, FULL, Progress.quiet())
        hub_requests = hub.stats()["requests"]
        ingest(settings, IngestOptions(sources=("epoch",)), Progress.quiet())
        assert hub.stats()["requests"] == hub_requests  # the Hub was not asked again
    assert _rows(settings.db_path, "SELECT count(*) FROM models")[0][0] == 1000
    assert _rows(settings.db_path, "SELECT count(*) FROM model_snapshots")[0][0] == 1000
    # attribution was recomputed with Epoch's developer ids: Qwen models are Chinese
    assert _rows(settings.db_path, "SELECT DISTINCT country FROM models WHERE author = 'Qwen'") == [("CN",)]


def test_an_older_databases_models_are_carried_by_column_name(make_settings, records):
    import duckdb

    from tests.fixtures import epoch_csv
    from tests.loopback.static import StaticServer

    with HubServer(records[:1000]) as hub, StaticServer({"/m.csv": epoch_csv()}) as files:
        settings = make_settings(HF_ENDPOINT=hub.url, LANDSCAPE_EPOCH_MODELS_URL=files.url_for("/m.csv"))
        ingest(settings, FULL, Progress.quiet())
        expected = _rows(settings.db_path, "SELECT model_id, downloads_30d, base_model FROM models ORDER BY 1")
        con = duckdb.connect(str(settings.db_path))  # as a database written before this column existed
        con.execute("ALTER TABLE models DROP COLUMN teacher_hint_organization")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        con.close()
        run = ingest(settings, IngestOptions(sources=("epoch",)), Progress.quiet())  # the Hub's rows are carried
    assert run.status == "published" and not run.notes  # an older schema is read, not set aside
    assert _rows(settings.db_path, "SELECT model_id, downloads_30d, base_model FROM models ORDER BY 1") == expected

"""One source's failure does not hide the others: a refused Hub listing still publishes Epoch, the
benchmarks and the Arena, says why the Hub failed, and the next run fills the Hub in."""

from __future__ import annotations

import json
import subprocess

from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.fixtures import fixture_env, fixture_servers
from tests.helpers import sql

EVERYTHING = IngestOptions(hub_limit=1000, hub_orgs=False)


def test_a_refused_hub_listing_publishes_the_other_sources_and_the_next_run_fills_it_in(tmp_path):
    with fixture_servers() as (hub, static):
        env = fixture_env(hub.url, static.url, tmp_path / "landscape.duckdb", tmp_path / "raw")
        from pipeline.config import load_settings

        settings = load_settings(env)
        hub.set_faults(page_faults={0: "always:400"})
        first = ingest(settings, EVERYTHING, Progress.quiet())
        assert first.status == "partial" and list(first.failed_sources) == ["hub"]
        # the error says what the server said
        assert "HTTP 400" in first.failed_sources["hub"] and "Injected 400 (loopback fault)" in first.failed_sources["hub"]
        db = settings.db_path
        counts = dict(sql(db, "SELECT 'releases', count(*) FROM releases UNION ALL "
                              "SELECT 'scores', count(*) FROM benchmark_scores UNION ALL "
                              "SELECT 'models', count(*) FROM models"))
        assert counts["releases"] > 0 and counts["scores"] > 0 and counts["models"] == 0
        sources = {r[0]: r[1:] for r in sql(db, "SELECT source, status, error, fetched_at IS NOT NULL FROM sources")}
        assert sources["hub"][0] == "failed" and "Injected 400" in sources["hub"][1] and sources["hub"][2] is False
        assert {s: v[0] for s, v in sources.items() if s != "hub"} == {"epoch": "ok", "benchmarks": "ok", "arena": "ok"}
        (status, failed), = sql(db, "SELECT status, failed_sources FROM runs")
        assert status == "partial" and json.loads(failed) == first.failed_sources

        hub.set_faults()  # the Hub answers again
        second = ingest(settings, EVERYTHING, Progress.quiet())
        assert second.status == "published" and not second.failed_sources
        assert sql(db, "SELECT count(*) FROM models")[0][0] > 0
        assert sql(db, "SELECT status, error FROM sources WHERE source = 'hub'") == [("ok", None)]

        # a later failure keeps the Hub data that was published
        models = sql(db, "SELECT count(*), sum(downloads_30d) FROM models")
        hub.set_faults(page_faults={0: "always:400"})
        third = ingest(settings, EVERYTHING, Progress.quiet())
        assert third.status == "partial"
        assert sql(db, "SELECT count(*), sum(downloads_30d) FROM models") == models
        (fetched, failed_at), = sql(db, "SELECT fetched_at, failed_at FROM sources WHERE source = 'hub'")
        assert fetched is not None and failed_at > fetched


def test_the_command_line_says_which_source_failed_and_exits_3(tmp_path, python, cli_env):
    with fixture_servers() as (hub, static):
        hub.set_faults(page_faults={0: "always:400"})
        env = cli_env(**fixture_env(hub.url, static.url, tmp_path / "landscape.duckdb", tmp_path / "raw"))
        done = subprocess.run([python, "-m", "pipeline", "ingest", "--hub-limit", "1000", "--no-hub-orgs"],
                              env=env, capture_output=True, text=True, timeout=600)
        status = subprocess.run([python, "-m", "pipeline", "status"], env=env, capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: hub: the Hub answered HTTP 400")
    assert "Injected 400 (loopback fault)" in errors[0] and "Traceback" not in done.stderr
    assert "published run" in done.stdout
    assert "last attempt FAILED" in status.stdout and "Injected 400" in status.stdout
    assert " partial " in status.stdout

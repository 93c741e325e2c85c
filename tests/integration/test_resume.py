"""Resuming: after a kill -9 or a failure, the next ingest continues from the stored pages."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import SourceError
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.loopback.hub import HubServer
from tests.synthetic import synthetic_models

FULL = IngestOptions(sources=("hub",), hub_limit=0, hub_orgs=False, hub_full=True)
FULL_ARGS = ["ingest", "--sources", "hub", "--hub-limit", "0", "--no-hub-orgs", "--hub-full"]


def stored_pages(raw: Path) -> list[Path]:
    return sorted(raw.glob("*/hub/full/page-*.raw"))


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(t) for t in text]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def count_models(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(DISTINCT model_id) FROM models").fetchone()[0]
    finally:
        con.close()


def test_kill_9_mid_run_then_resume_fetches_no_stored_page_again(make_settings, cli_env, python, tmp_path):
    records = list(synthetic_models(6000, seed=5))
    # page 3 (0-based) answers slowly, so the first run is surely in the middle of the listing
    with HubServer(records, page_faults={3: "sleep:30"}) as hub:
        env = cli_env(HF_ENDPOINT=hub.url)
        proc = subprocess.Popen([python, "-m", "pipeline", *FULL_ARGS], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(stored_pages(tmp_path / "raw")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(stored_pages(tmp_path / "raw")) == 3, proc.stderr.read() if proc.poll() is not None else ""
        workers = children(proc.pid)
        assert workers, "the ingest should have transform workers running"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert not (tmp_path / "landscape.duckdb").exists()  # a killed run published nothing
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in workers), "transform workers outlived the killed ingest"
        first_run_pages = {e.page for e in hub.entries() if e.status == 200}

        hub.set_faults(page_faults={})
        hub.reset_log()
        settings = make_settings(HF_ENDPOINT=hub.url)
        run = ingest(settings, FULL, Progress.quiet())
        second_run_pages = [e.page for e in hub.entries()]

    assert first_run_pages == {0, 1, 2}
    assert second_run_pages == [3, 4, 5]            # no stored page asked for again, none twice
    assert run.resumed and run.pages_reused == 3 and run.pages_fetched == 3
    assert count_models(settings.db_path) == 6000


def test_network_failure_then_resume(make_settings):
    records = list(synthetic_models(4000, seed=6))
    with HubServer(records, page_faults={2: "always:503"}) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url, LANDSCAPE_HTTP_RETRIES="1")
        with pytest.raises(SourceError, match="HTTP 503"):
            ingest(settings, FULL, Progress.quiet())
        assert not settings.db_path.exists()
        hub.set_faults(page_faults={})
        hub.reset_log()
        run = ingest(settings, FULL, Progress.quiet())
        assert [e.page for e in hub.entries()] == [2, 3]
    assert run.resumed and run.pages_reused == 2
    assert count_models(settings.db_path) == 4000
    con = duckdb.connect(str(settings.db_path), read_only=True)
    statuses = [r[0] for r in con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()]
    con.close()
    assert statuses == ["failed", "published"]  # the failed attempt is on record too


def test_different_options_start_a_fresh_run(make_settings):
    records = list(synthetic_models(2500, seed=8))
    with HubServer(records, page_faults={1: "always:503"}) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url, LANDSCAPE_HTTP_RETRIES="0")
        with pytest.raises(SourceError):
            ingest(settings, FULL, Progress.quiet())
        hub.set_faults(page_faults={})
        hub.reset_log()
        run = ingest(settings, IngestOptions(sources=("hub",), hub_limit=2500, hub_orgs=False), Progress.quiet())
    assert not run.resumed and run.pages_reused == 0

"""``make run`` on a fresh machine (its entry point, ``python -m dashboard``, in a child process):
pages first, data behind them.

With network (loopback servers), Epoch's data is published while the Hub is still being listed
(its first page is held back by the imitation) and the server answers; with every source
unreachable, the bundled starter snapshot is published and served, and the background ingest
fails fast and says why. Waits are for states (a file, a row, the server's health), with
generous limits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import requests

from pipeline.activity import read_activity
from pipeline.config import load_settings
from tests.browser.conftest import free_port
from tests.fixtures import benchmark_zip, epoch_csv
from tests.loopback.hub import HubServer
from tests.loopback.static import StaticServer
from tests.synthetic import synthetic_models

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 180  # seconds: a loaded 2-core machine


def wait_for(what: str, check: Callable[[], object], limit: float = LIMIT) -> object:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def query(db: Path, sql: str) -> list[tuple]:
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return []  # not published yet
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/_stcore/health", timeout=5).ok
    except requests.RequestException:
        return False


@pytest.fixture
def make_run(tmp_path, cli_env):
    """Start ``python -m dashboard``; stop the server and any background ingest afterwards."""
    started: list[tuple[subprocess.Popen, dict]] = []

    def start(**env: str) -> tuple[str, dict]:
        port = free_port()
        full = cli_env(LANDSCAPE_PORT=str(port), **env)
        log = open(tmp_path / f"server-{port}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "dashboard"], cwd=ROOT, env=full, stdout=log,
                                   stderr=subprocess.STDOUT)
        started.append((process, full))
        return f"http://127.0.0.1:{port}", full

    yield start
    for process, env in started:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        activity = read_activity(load_settings(env))
        if activity is not None and activity.running:
            os.kill(activity.pid, signal.SIGTERM)


def test_epoch_pages_are_served_while_the_hub_is_still_listed(make_run):
    files = {"/m.csv": epoch_csv(), "/b.zip": benchmark_zip()}
    # the Hub's first listing page is held back: the Hub stage is still running while we look
    with StaticServer(files) as static, \
            HubServer(list(synthetic_models(50, seed=3)), page_faults={0: "always:sleep:120"}) as hub:
        url, env = make_run(HF_ENDPOINT=hub.url, LANDSCAPE_EPOCH_MODELS_URL=static.url_for("/m.csv"),
                            LANDSCAPE_EPOCH_BENCHMARKS_URL=static.url_for("/b.zip"))
        settings = load_settings(env)
        wait_for("the server", lambda: healthy(url))
        # Epoch's data from this run (not the starter snapshot's), published while the Hub is listed
        wait_for("Epoch's data", lambda: query(settings.db_path, "SELECT 1 FROM sources WHERE source = 'epoch' "
                                                                 "AND run_id <> 'starter'"))
        activity = wait_for("the Hub stage", lambda: (a := read_activity(settings)) and a.running
                            and a.sources == "hub" and a)
        assert query(settings.db_path, "SELECT count(*) FROM releases")[0][0] > 0
        assert query(settings.db_path, "SELECT count(*) FROM models") == [(0,)]
        assert "fetching hub" in activity.describe()


def test_with_no_network_the_starter_snapshot_is_served_and_the_fetch_fails_fast(make_run):
    url, env = make_run()  # every source on a closed loopback port
    settings = load_settings(env)
    wait_for("the server", lambda: healthy(url))
    assert query(settings.db_path, "SELECT value FROM meta WHERE key = 'starter_as_of'")
    assert query(settings.db_path, "SELECT count(*) FROM releases")[0][0] > 3000
    # both stages fail (the file sources, then the Hub); the second one's record is the last word
    activity = wait_for("the background ingest to give up", lambda: (a := read_activity(settings))
                        and a.state == "failed" and a.sources == "hub" and a)
    assert "cannot reach the Hub" in activity.message
    # the starter is still what is published: a failed fetch never replaces it
    assert query(settings.db_path, "SELECT DISTINCT run_id FROM sources") == [("starter",)]

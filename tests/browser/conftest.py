"""A real dashboard in a real browser: ``python -m dashboard`` (as ``make run`` starts it) on 127.0.0.1,
driven by Debian's chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.fixtures import build_fixture_db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Generous limits: CI runs on two cores that another job may be using. Waits are for states (the
# server healthy, the app idle with its title drawn), never fixed sleeps.
STARTUP_SECONDS = 180
PAGE_TIMEOUT_MS = 120_000


class Dashboard:
    """The dashboard as ``make run`` starts it (``python -m dashboard``: the warm-up, then
    Streamlit's server) in a child process, serving one database on 127.0.0.1.

    The server's output goes to a log file, never to a pipe nobody reads: a full pipe would
    block the server the moment it logs, and every page after it would time out.
    """

    def __init__(self, db: Path, log: Path, script: Path | None = None) -> None:
        """``script``: serve that Streamlit script instead (``streamlit run``, the repository's
        own settings), as benchmarks/visits.py does for a page with nothing to compute."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        # the raw folder beside the database: the sidebar's ingest line reads its activity file there
        env = {**os.environ, "LANDSCAPE_DB": str(db), "LANDSCAPE_RAW_DIR": str(db.parent / "raw"),
               "LANDSCAPE_HOST": "127.0.0.1", "LANDSCAPE_PORT": str(self.port), "PYTHONPATH": str(ROOT)}
        with open(log, "wb") as out:
            command = ["-m", "dashboard"] if script is None else \
                ["-m", "streamlit", "run", str(script), "--server.port", str(self.port)]
            self.process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=out,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/_stcore/health", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
            if self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"streamlit did not start: {self.log_path.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("browserdb")).db_path


@pytest.fixture(scope="session")
def dashboard(browser_db: Path, tmp_path_factory) -> Iterator[Dashboard]:
    server = Dashboard(browser_db, tmp_path_factory.mktemp("streamlit") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def visit(tab, url: str) -> None:
    """Open ``url`` and wait until the app has run: not for the browser's ``load`` event, which
    waits on every script and font of the page, but for the connection, then the app's own state."""
    tab.goto(url, wait_until="commit")
    wait_for_app(tab)


_SETTLED = """(title) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const heading = document.querySelector('[data-testid="stMain"] h1');
    return app !== null && app.getAttribute('data-test-script-state') === 'notRunning' && heading !== null
        && (title === null || heading.innerText.trim() === title);
}"""


def wait_for_app(tab, title: str | None = None, timeout: float = PAGE_TIMEOUT_MS) -> None:
    """Until Streamlit has finished running the page: idle, with its title drawn (``title``, when a
    click moved to another page whose old title is still on screen until the new run draws its own).

    A deep link on a fresh server first runs the page alone, which reruns through the frame at
    once (dashboard.frame.page_guard) before drawing anything, so the title appears only after
    the run that counts.
    """
    tab.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    tab.wait_for_function(_SETTLED, arg=title, timeout=timeout)


# Plotly draws two `svg.main-svg` per chart (the plot, and a layer for hover labels): count charts.
_CHARTS_DRAWN = """(least) => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter((chart) => chart.querySelector('.main-svg') !== null).length >= least"""


def wait_for_charts(tab, least: int = 1, timeout: float = PAGE_TIMEOUT_MS) -> None:
    """Until at least ``least`` Plotly charts have drawn their SVG. The app being idle is not
    enough: the browser mounts and draws each chart after the run has sent it, one by one, so on
    a busy machine the first chart can be on screen while the others are still being mounted."""
    tab.wait_for_function(_CHARTS_DRAWN, arg=least, timeout=timeout)


def screenshot(tab, name: str) -> Path:
    """The whole page: Streamlit scrolls inside its main container, so grow the viewport to fit it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = tab.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]') || document.body;
        return Math.max(main.scrollHeight, document.body.scrollHeight);
    }""")
    size = tab.viewport_size
    tab.set_viewport_size({"width": size["width"], "height": min(max(size["height"], height + 40), 12000)})
    wait_for_app(tab)
    tab.wait_for_load_state("networkidle")  # charts fetch nothing, but redraw at the new size first
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(size)
    return path

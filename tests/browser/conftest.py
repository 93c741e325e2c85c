"""A real dashboard in a real browser: ``streamlit run`` on 127.0.0.1, driven by Debian's chromium."""

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


class Dashboard:
    """``streamlit run app.py`` in a child process, serving one database."""

    def __init__(self, db: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "LANDSCAPE_DB": str(db), "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
             "--server.port", str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/_stcore/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"streamlit did not start: {self.process.stdout.read() if self.process.stdout else ''}")

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
def dashboard(browser_db: Path) -> Iterator[Dashboard]:
    server = Dashboard(browser_db)
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
    tab = context.new_page()
    yield tab
    context.close()


_SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && document.querySelector('[data-testid="stMain"] h1') !== null;
}"""


def wait_for_app(tab, timeout: float = 60_000) -> None:
    """Until Streamlit has finished running the page: idle, its title drawn, and still so a moment later.

    The script state reads "notRunning" for an instant before a run starts too, and a page can
    rerun once on a fresh server (see dashboard.frame.page_guard): checking twice covers both.
    """
    tab.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    for _ in range(2):
        tab.wait_for_function(_SETTLED, timeout=timeout)
        tab.wait_for_timeout(600)
    tab.wait_for_function(_SETTLED, timeout=timeout)


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
    tab.wait_for_timeout(800)  # charts redraw at the new size
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(size)
    return path

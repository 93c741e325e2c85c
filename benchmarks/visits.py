"""Visit benchmark: how long each page takes in Chromium, first on a fresh server and then again.

The dashboard as ``make run`` starts it (``python -m dashboard``: :mod:`dashboard.warmup`, then
Streamlit's server, on 127.0.0.1, as ``tests/browser/conftest.py`` starts it) serves one
database; headless Chromium, driven by Playwright, visits every page:

- **first visit**: a *new server process for each page* (started and healthy before the clock
  starts), so the visit pays what a fresh server pays: empty Streamlit caches, a cold DuckDB
  connection, the first script run (the modules are imported by the warm-up before the server
  listens). The browser is a new context (no HTTP cache).
- **repeat visits**: after the first visit has finished, a new tab in the same browser context
  loads the same URL (a new Streamlit session on the same server: Streamlit's caches are warm,
  the browser's HTTP cache too). The median of ``--repeats`` such visits is shown.
- **floor**: the same visits of a Streamlit page with nothing to compute (a title and a line,
  served by ``streamlit run`` with the repository's settings): what Chromium and Streamlit's own
  page load cost on this machine, below which no page of the app can go. It is visited first.
- **server MB**: the peak resident memory of that page's server process (Linux's VmHWM, see
  :mod:`benchmarks.memory`); at the end, one more server is visited on every page in turn and
  its peak is printed: the app's memory after serving each page once.

Each visit is timed from navigation start (the new document's ``performance.timeOrigin``) to
the moment the app is **idle**, the state the browser tests wait for: the ``stApp`` element's
``data-test-script-state`` is ``notRunning`` (the "Running…" widget is gone) and the page's
``h1`` is drawn in the main area. A deep link on a fresh server first runs the page alone,
which reruns through the frame before drawing anything (``dashboard.frame.page_guard``), so the
title appears only after the run that counts. The time is read in the page itself (the
predicate returns ``performance.now()`` when it first holds), so Playwright's round trips are
not counted. A second figure, **drawn**, is when no element is still a placeholder (Streamlit
draws a skeleton until an element's code has loaded) and every Plotly chart has its SVG.

``--profile`` instead runs each page's script under cProfile through Streamlit's AppTest (as
``benchmarks/dashboard.py`` renders pages, with the app's frame), in a fresh process per page:
a cold render (empty caches) and a warm one (every query cached), with the top cumulative
functions of each, so what Python does after the queries shows.

Usage::

    python benchmarks/visits.py                        # a small fixture database
    python benchmarks/visits.py --db /path/landscape.duckdb [--pages gap,lineage] [--repeats 3]
    python benchmarks/visits.py --db PATH --profile [--top 25]

On a shared machine, run heavy measurements one at a time (and say how busy it was).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dashboard import TAB_VIEWS  # noqa: E402
from benchmarks.memory import peak_rss_mb  # noqa: E402

# page name → URL path (app.py's url_path; the overview is the default page, at "/")
PAGE_PATHS = {"overview": "", "openness": "openness", "adoption": "adoption", "licences": "licences",
              "gap": "gap", "lineage": "lineage", "explorer": "explorer", "methodology": "methodology",
              "organization": "organization", "model": "model", "compare": "compare"}
# each page followed by its other tabs, which run only when open: a view each (same page, a link parameter)
PAGE_PATHS = {name: path for page, path in PAGE_PATHS.items()
              for name in (page, *(v for v, (p, _) in TAB_VIEWS.items() if p == page))}
TIMEOUT_MS = 180_000
# The floor: a page with nothing to compute (see the module's docstring).
FLOOR = "floor"
FLOOR_SCRIPT = 'import streamlit as st\n\nst.title("Floor")\nst.write("A page with nothing to compute.")\n'

_IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const heading = document.querySelector('[data-testid="stMain"] h1');
    const idle = app !== null && app.getAttribute('data-test-script-state') === 'notRunning' && heading !== null;
    return idle ? performance.now() : false;
}"""
# Drawn: no element still a placeholder (Streamlit shows a skeleton until an element's code has
# loaded: right after a first visit's idle, there are no chart elements yet to wait for) and every
# Plotly chart with its SVG.
_DRAWN = """() => {
    const waiting = document.querySelectorAll('[data-testid="stSkeleton"]').length;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return waiting === 0 && charts.every(c => c.querySelector('.main-svg') !== null) ? performance.now() : false;
}"""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def subjects(db: Path) -> dict[str, dict[str, list[str]]]:
    """Query parameters of the lookup pages: the most downloaded organisation that also has Epoch
    releases, the two most downloaded such organisations, a derivative whose root is in the data."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        orgs = [r[0] for r in con.execute("""
            SELECT organization FROM models WHERE organization IN (SELECT unnest(organizations) FROM releases)
            GROUP BY 1 ORDER BY sum(downloads_30d) DESC, 1 LIMIT 2""").fetchall()]
        (model,), = con.execute("""
            SELECT model_id FROM models WHERE depth >= 1 AND root_model IN (SELECT model_id FROM models)
            ORDER BY downloads_30d DESC, model_id LIMIT 1""").fetchall()
    finally:
        con.close()
    return {"organization": {"name": orgs[:1]}, "model": {"id": [model]}, "compare": {"orgs": orgs}}


def page_url(base: str, page: str, params: dict[str, dict[str, list[str]]]) -> str:
    tab = TAB_VIEWS.get(page, (page, {}))[1]
    query = urlencode({**params.get(page, {}), **tab}, doseq=True, quote_via=quote)
    return f"{base}/{PAGE_PATHS[page]}" + (f"?{query}" if query else "")


def timed_visit(tab, url: str, charts_timeout_ms: int = 60_000) -> tuple[float, float | None, float]:  # noqa: ANN001
    """Load ``url`` in ``tab``: (seconds to idle, seconds to every chart drawn or None, wall seconds)."""
    started = time.perf_counter()
    tab.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    try:
        idle = tab.wait_for_function(_IDLE, timeout=TIMEOUT_MS, polling=20).json_value() / 1000
    except Exception as exc:  # noqa: BLE001 - say in which state the page was stuck
        state = tab.evaluate("""() => [document.querySelector('[data-testid="stApp"]')?.getAttribute(
            'data-test-script-state'), (document.querySelector('[data-testid="stMain"]')?.innerText || '')
            .slice(0, 400)]""")
        raise RuntimeError(f"{url}: not idle after {TIMEOUT_MS / 1000:.0f}s (script state, page text: {state})") from exc
    wall = time.perf_counter() - started
    if tab.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"{url}: {tab.locator('[data-testid=stException]').first.inner_text()[:2000]}")
    try:
        drawn = tab.wait_for_function(_DRAWN, timeout=charts_timeout_ms, polling=20).json_value() / 1000
    except Exception:  # noqa: BLE001 - a chart that never draws is reported as missing, not fatal
        drawn = None
    return idle, drawn, wall


def visits(db: Path, pages: list[str], repeats: int, log_dir: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Dashboard

    params = subjects(db)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for page in pages:
                script = None
                if page == FLOOR:
                    script = log_dir / "floor.py"
                    script.write_text(FLOOR_SCRIPT)
                server = Dashboard(db, log_dir / f"{page.replace('/', '-')}.log", script)
                try:
                    url = f"{server.url}/" if page == FLOOR else page_url(server.url, page, params)
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    before = load()
                    tab = context.new_page()
                    try:
                        first = timed_visit(tab, url)
                    except RuntimeError as exc:  # one stuck page must not lose the others' figures
                        print(f"{page}: {exc}; server log: {log_dir / f'{page}.log'}", file=sys.stderr, flush=True)
                        context.close()
                        rows.append({"page": page, "server_mb": None, "first": None, "first_drawn": None, "repeat": None,
                                     "repeat_drawn": None, "repeats": [], "load": before})
                        continue
                    tab.close()
                    again = []
                    for _ in range(repeats):
                        tab = context.new_page()
                        again.append(timed_visit(tab, url))
                        tab.close()
                    context.close()
                    peak = peak_rss_mb(server.process.pid)
                finally:
                    server.stop()
                row = {"page": page, "server_mb": peak, "url": url.split("/", 3)[-1], "first": first[0],
                       "first_drawn": first[1],
                       "repeat": statistics.median(a[0] for a in again) if again else None,
                       "repeat_drawn": statistics.median(a[1] for a in again) if again and all(
                           a[1] is not None for a in again) else None,
                       "repeats": [round(a[0], 2) for a in again], "load": before}
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
        finally:
            browser.close()
    return rows


def tour(db: Path, pages: list[str], log_dir: Path) -> tuple[float, float]:
    """One server, every page visited once in turn (each in a new tab): the server's peak memory
    (MB) once they have all run, and the seconds the tour took."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Dashboard

    params = subjects(db)
    started = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        server = Dashboard(db, log_dir / "tour.log")
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            for page in pages:
                tab = context.new_page()
                timed_visit(tab, page_url(server.url, page, params))
                tab.close()
            context.close()
            return peak_rss_mb(server.process.pid), time.perf_counter() - started
        finally:
            server.stop()
            browser.close()


def show(rows: list[dict]) -> None:
    def s(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    def mb(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f}"

    print(f"\n{'page':<29} {'first s':>8} {'drawn':>7} {'repeat s':>9} {'drawn':>7} {'server MB':>10}  "
          "load avg (1/5/15 min)")
    for r in rows:
        print(f"{r['page']:<29} {s(r['first']):>8} {s(r['first_drawn']):>7} {s(r['repeat']):>9} "
              f"{s(r['repeat_drawn']):>7} {mb(r['server_mb']):>10}  {r['load']}   repeats {r['repeats']}")


# --- profile: the scripts under cProfile, through AppTest ------------------------------------------

def profile_child(db: Path, page: str, query_json: str, top: int) -> None:
    """Child: render ``page`` with AppTest, its script run under cProfile: cold (the page's queries
    not cached yet; the landing run of the frame before it is not profiled) and warm (a new
    session on the same page: every query cached, as a repeat visit), top functions of each."""
    import cProfile
    import io
    import pstats

    os.environ["LANDSCAPE_DB"] = str(db)
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.testing.v1 import AppTest

    # AppTest runs the script in a thread of its own: profile inside that thread
    active: dict[str, cProfile.Profile | None] = {"profiler": None}
    original = script_runner.exec_func_with_error_handling

    def profiled(func, ctx):  # noqa: ANN001, ANN202
        profiler = active["profiler"]
        if profiler is None:
            return original(func, ctx)
        profiler.enable()
        try:
            return original(func, ctx)
        finally:
            profiler.disable()

    script_runner.exec_func_with_error_handling = profiled
    query = {k: v if len(v) > 1 else v[0] for k, v in json.loads(query_json).items()}
    page, tab = TAB_VIEWS.get(page, (page, {}))
    query.update(tab)

    def session() -> AppTest:
        PagesManager.uses_pages_directory = False
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()  # the frame's landing run (the overview), not profiled
        if at.exception:
            raise RuntimeError(f"landing: {at.exception[0].value}")
        if page != "overview":
            at.switch_page(f"pages/{page}.py")
        return at

    for label in ("cold", "warm"):
        at = session()
        if page == "overview" and label == "cold":
            # the landing run was the overview itself: forget its cached results to see it cold
            import streamlit as st

            st.cache_data.clear()
        profiler = active["profiler"] = cProfile.Profile()
        started = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - started
        active["profiler"] = None
        if at.exception:
            raise RuntimeError(f"{page} {query}: {at.exception[0].value}")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        total = sum(row[3] for key, row in stats.stats.items() if key[2] == "exec_func_with_error_handling")
        stats.sort_stats("cumulative").print_stats(top)
        print(f"\n=== {page} {label}: {seconds:.2f}s for the run ({total:.2f}s in the script; "
              f"load {load()}) ===")
        # the queries this run executed (cache misses), slowest first: module.function, ms
        queries = sorted(((row[3], f"{Path(key[0]).stem}.{key[2]}") for key, row in stats.stats.items()
                          if "/landscape/queries/" in key[0] and not key[2].startswith(("_", "<"))
                          and key[2] not in ("filtered_on", "filtered_tables")), reverse=True)
        if queries:
            print(f"--- {page} {label}: landscape.queries functions (cumulative ms, profiled) ---")
            for seconds_in, name in queries[:12]:
                print(f"{seconds_in * 1000:9.0f} ms  {name}")
        lines = out.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
        print("\n".join(lines[start:]), flush=True)


def profile(db: Path, pages: list[str], top: int) -> None:
    params = subjects(db)
    for page in pages:
        subprocess.run([sys.executable, __file__, "--child", str(db), page, json.dumps(params.get(page, {})),
                        str(top)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="the database to serve (default: a small fixture database)")
    parser.add_argument("--pages", default=",".join([FLOOR, *PAGE_PATHS]),
                        help=f"comma-separated page names ({FLOOR}: a page with nothing to compute)")
    parser.add_argument("--repeats", type=int, default=3, help="repeat visits per page (the median is shown)")
    parser.add_argument("--profile", action="store_true", help="profile the scripts with AppTest instead")
    parser.add_argument("--top", type=int, default=30, help="functions shown per profile")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder (default: discarded)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        db, page, query, top = args.child
        profile_child(Path(db), page, query, int(top))
        return
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = set(pages) - {FLOOR, *PAGE_PATHS}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))} (known: {', '.join([FLOOR, *PAGE_PATHS])})")
    with tempfile.TemporaryDirectory(prefix="visits-") as tmp:
        db = args.db
        if db is None:
            from tests.fixtures import build_fixture_db

            db = build_fixture_db(Path(tmp) / "db").db_path
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        (models,), = con.execute("SELECT count(*) FROM models").fetchall()
        con.close()
        print(f"{db}: {models:,} Hub models; load average {load()}", flush=True)
        if args.profile:
            profile(db, [p for p in pages if p != FLOOR], args.top)
            return
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
        show(visits(db, pages, args.repeats, args.logs or Path(tmp)))
        peak, seconds = tour(db, [p for p in pages if p != FLOOR], args.logs or Path(tmp))
        print(f"\none server, every page above visited once in turn ({seconds:.0f} s): server peak memory "
              f"{peak:,.0f} MB; load {load()}")


if __name__ == "__main__":
    main()

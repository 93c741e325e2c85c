"""Dashboard benchmark: every page's queries at 3,000,000 Hub models, cold and warm, and memory.

1. A database of N synthetic models, built the way the ingest benchmark does it: the pipeline's
   own generator (:mod:`tests.synthetic`) served by the loopback Hub imitation, through the
   real ``python -m pipeline ingest``. Epoch's real models file from ``../shared/data`` is served
   too when present (else the hand-written fixture rows). ``--db PATH`` reuses a database.
2. Each page is rendered once per filter combination with Streamlit's AppTest, recording the
   queries it asks :func:`dashboard.data.run` for, so the timed queries are exactly the pages'.
   The organisation, model and comparison pages are rendered for the most downloaded
   organisation, the root with most derivatives and the top two organisations. A page's tabs
   that run only when open (the lineage and adoption pages') are views of their own
   (``lineage/across-borders``).
3. Each page's queries are timed in a fresh process: **cold** (a new process and connection) and
   **warm** (the same queries again on that connection; no Streamlit cache involved; a call the
   page repeats with the same arguments once, as the app runs it once per database), with the
   **rows** DuckDB scanned for them (its profiler's ``total_rows_scanned``), and again with the
   rollups switched off (:func:`landscape.queries.facts.base_tables`): the queries as they would
   be without them.
4. **First visit**: in a fresh process (after the server's warm-up: the pages' modules imported,
   one figure of each kind built; nothing cached), the page rendered once by AppTest, as a
   fresh server's first visitor would have it run; the browser's side is measured by
   ``benchmarks/visits.py``. (The README's figures from before 2026-11-29, late, left the
   warm-up out: they include importing the pages' modules, 0.4 s of the overview's 1.6 s.)
5. Peak memory of a process rendering every page (the app's own), beside the naive way: the
   whole ``models`` table loaded into pandas, and the same aggregations done there. Each child
   reports its own peak (:mod:`benchmarks.memory`): the kernel's figure for a child would include
   this script's own memory, which times the lookup queries in-process.

Prints the figures; it does not pass or fail. Usage::

    python benchmarks/dashboard.py                 # build a 3M-model database in a temp folder
    python benchmarks/dashboard.py --db PATH       # time an existing database
    python benchmarks/dashboard.py --db PATH --pages lineage,lineage/across-borders,lineage/distillation
    python benchmarks/dashboard.py --db PATH --history 13 --pages adoption/over-time,compare
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.memory import peak_rss_mb  # noqa: E402


def _tab_views() -> dict[str, tuple[str, dict[str, str]]]:
    """Views that are a page with a link parameter: the tabs after the first of the pages that run
    a tab only when it is open (``lineage/across-borders``, ``adoption/over-time``, …) → (page,
    parameters). Read from the pages' declared link options, so a new tab is measured too."""
    from dashboard.filters import PAGE_OPTIONS

    views = {}
    for key, labels in PAGE_OPTIONS.items():
        if key.endswith("_tab"):
            page = key.removesuffix("_tab")
            views.update({f"{page}/{label.lower().replace(' ', '-')}": (page, {key: label}) for label in labels[1:]})
    return views


TAB_VIEWS = _tab_views()
PAGES = ["overview", "openness", "adoption", "licences", "gap", "lineage", "explorer"]
# each page followed by its other tabs' views
PAGES = [view for page in PAGES for view in (page, *(v for v, (p, _) in TAB_VIEWS.items() if p == page))]
LOOKUP_PAGES = ["organization", "model", "compare"]  # no global filters: rendered once
# filter combinations, as link parameters
COMBOS = {
    "no filter": {},
    "country=CN": {"country": ["CN"]},
    "US+CN, permissive": {"country": ["US", "CN"], "license": ["permissive"]},
    "7B–70B, 2024–2026": {"size": ["7B", "70B"], "years": ["2024", "2026"]},
}


def build_database(folder: Path, models: int) -> Path:
    from tests.fixtures import arena_files, benchmark_zip, epoch_csv
    from tests.loopback.hub import spawn_hub
    from tests.loopback.static import StaticServer

    shared = ROOT.parent / "shared" / "data" / "epoch"
    models_zip, bench_zip = shared / "epoch_ai_models_2026-03-30.zip", shared / "epoch_benchmark_data_2026-04-14.zip"
    served = {"/models": models_zip.read_bytes() if models_zip.exists() else epoch_csv(),
              "/benchmarks.zip": bench_zip.read_bytes() if bench_zip.exists() else benchmark_zip(), **arena_files()}
    db = folder / "landscape.duckdb"
    with spawn_hub(synthetic=models, seed=1) as hub, StaticServer(served) as files:
        env = {**os.environ, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_ENDPOINT": hub.url, "LANDSCAPE_DB": str(db),
               "LANDSCAPE_RAW_DIR": str(folder / "raw"), "LANDSCAPE_EPOCH_MODELS_URL": files.url_for("/models"),
               "LANDSCAPE_EPOCH_BENCHMARKS_URL": files.url_for("/benchmarks.zip"),
               "LANDSCAPE_ARENA_URL": files.url_for("/arena/"), "LANDSCAPE_ANCESTOR_LIMIT": "0",
               "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "ingest", "--hub-limit", "0", "--no-hub-orgs",
                        "--hub-full"], env=env, cwd=ROOT, check=True)
        print(f"built {db} ({models:,} models) in {time.perf_counter() - started:.0f}s", flush=True)
    return db


def add_history(db: Path, folder: Path, dates: int) -> Path:
    """A copy of ``db`` in ``folder`` with ``dates`` more snapshot dates before its own, at the
    backfill's cadence (:func:`pipeline.sources.history.pick_revisions`: weekly over the last
    year, monthly before), each holding every model created by then: a database after that much
    history, for the *over time* views. The counts are generated here (each model's 30-day count
    scaled by a factor between 0.3 and 1.3 drawn from its id and the date, its all-time total in
    proportion to its age), marked as the backfill's rows. The rollups are then written again, as a
    publish would, within the build's memory limit, and timed."""
    import shutil
    from datetime import timedelta

    import duckdb

    from pipeline.loaders.history import HISTORY_SOURCE
    from pipeline.rollups import build_rollups
    from pipeline.sources.history import Commit, pick_revisions
    from pipeline.storage import BUILD_MEMORY_LIMIT, build_connection

    copy = folder / "with-history.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    con.execute("SET enable_progress_bar = false")
    (today,) = con.execute("SELECT max(snapshot_date) FROM model_snapshots").fetchone()
    first = today - timedelta(days=365 + 31 * max(0, dates - 52))
    daily = [Commit(str(i), first + timedelta(days=i), "") for i in range((today - first).days)]
    picked = [c.day for c in pick_revisions(daily, today)][-dates:]
    started = time.perf_counter()
    con.execute("""
        INSERT INTO model_snapshots BY NAME
        SELECT d AS snapshot_date, model_id,
               (downloads_30d * (0.3 + hash(model_id, d) % 1000 / 1000.0))::BIGINT AS downloads_30d,
               (downloads_all_time * (date_diff('day', created_at::DATE, d) + 1)
                / (date_diff('day', created_at::DATE, ?::DATE) + 1))::BIGINT AS downloads_all_time,
               likes, country, origin_country, uploader_bucket, origin_bucket, ? AS source
        FROM models, unnest(?::DATE[]) AS dates(d) WHERE created_at::DATE <= d
        ORDER BY d, model_id
    """, [today, HISTORY_SOURCE, picked])  # by date, then id, as the backfill writes them
    (rows,) = con.execute("SELECT count(*) FROM model_snapshots").fetchone()
    con.close()
    print(f"history: {len(picked)} dates added ({picked[0]} to {picked[-1]}, then {today}): "
          f"{rows:,} snapshot rows, written in {time.perf_counter() - started:.0f}s", flush=True)
    con = build_connection(copy, folder / "build-tmp")
    con.execute("SET enable_progress_bar = false")
    started = time.perf_counter()
    counts = build_rollups(con)
    con.close()
    print(f"history: the rollups written again in {time.perf_counter() - started:.0f}s ({BUILD_MEMORY_LIMIT}); "
          f"snapshot_rollup {counts['snapshot_rollup']:,} rows; database {copy.stat().st_size / 1e9:.2f} GB",
          flush=True)
    return copy


def lookup_links(db: Path) -> dict[str, dict]:
    """The links the lookup pages are visited with: the most downloaded organisation (and the
    next, for the comparison), and the root with most derivatives."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    orgs = [r[0] for r in con.execute("SELECT organization FROM models WHERE organization IS NOT NULL GROUP BY 1 "
                                      "ORDER BY sum(downloads_30d) DESC LIMIT 2").fetchall()]
    (model,), = con.execute("SELECT root_model FROM models WHERE depth > 0 GROUP BY 1 ORDER BY count(*) DESC "
                            "LIMIT 1").fetchall()
    con.close()
    return {"organization": {"name": orgs[0]}, "model": {"id": model}, "compare": {"orgs": orgs}}


def visits(db: Path) -> list[tuple[str, str, dict]]:
    """(page, filter set name, link parameters) of every visit the benchmark makes."""
    out = [(page, combo, query) for combo, query in COMBOS.items() for page in PAGES]
    return out + [(page, "no filter", query) for page, query in lookup_links(db).items()]


def render(page: str, query: dict[str, str], before_page=lambda: None):  # noqa: ANN001, ANN201
    """Render one page as a visitor would: the app first (with the URL's filters), then the page.

    ``before_page`` runs between the two, so a caller can forget what the landing render did.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    page, tab = TAB_VIEWS.get(page, (page, {}))
    PagesManager.uses_pages_directory = False
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    for key, value in {**query, **tab}.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        before_page()
        at.switch_page(f"pages/{page}.py")
        at.run()
    if at.exception:
        raise RuntimeError(f"{page} {query}: {at.exception[0].value}")
    return at


def record(db: Path, out: Path) -> None:
    """Child: render each page × combination with AppTest and pickle the queries each one ran."""
    os.environ["LANDSCAPE_DB"] = str(db)
    import dashboard.data as data

    calls: list = []
    original = data.run

    def recording(query, *args):  # noqa: ANN001, ANN002
        calls.append((query.__module__, query.__name__, args))
        return original(query, *args)

    data.run = recording
    plans: dict = {}
    for page, combo, query in visits(db):
        at = render(page, query, before_page=calls.clear)
        if page == "overview" and not calls:
            at.run()  # the landing render was served from cache: run again to record
        plans[(page, combo)] = [c for c in calls if c[1] not in ("filter_options",)]
        calls.clear()
    out.write_bytes(pickle.dumps(plans))


# What a visitor looks up: search fragments (common, rare, none), an organisation, a model.
SEARCHES = ("qwen", "llama-3", "longcat", "zzzq-nothing")


def lookup_timings(db: Path) -> list[tuple[str, float, float]]:
    """Search and the organisation and model pages' queries, cold (a new connection) and warm
    (best of three again), in ms."""
    import duckdb

    from landscape.queries import lookup

    con = duckdb.connect(str(db), read_only=True)
    (org,), = con.execute("SELECT organization FROM models WHERE organization IS NOT NULL GROUP BY 1 "
                          "ORDER BY sum(downloads_30d) DESC LIMIT 1").fetchall()
    (model,), = con.execute("SELECT root_model FROM models WHERE depth > 0 GROUP BY 1 ORDER BY count(*) DESC "
                            "LIMIT 1").fetchall()
    plans = {f"search '{s}'": [(lookup.search, (s,))] for s in SEARCHES}
    plans[f"organisation page ({org})"] = [(q, (org,)) for q in (
        lookup.organization_facts, lookup.organization_releases, lookup.organization_open_share,
        lookup.organization_hub, lookup.organization_hub_totals)]
    plans[f"model page ({model})"] = [(q, (model,)) for q in (
        lookup.model_facts, lookup.model_chain, lookup.model_children, lookup.model_history, lookup.model_release)]
    out = []
    for name, calls in plans.items():
        runs = []
        for _ in range(4):
            started = time.perf_counter()
            for query, args in calls:
                query(con, *args)
            runs.append((time.perf_counter() - started) * 1000)
        out.append((name, runs[0], min(runs[1:])))
    con.close()
    return out


class _Counting:
    """A connection that adds up the rows DuckDB's profiler says each statement scanned."""

    def __init__(self, con) -> None:  # noqa: ANN001
        self.con, self.rows = con, 0
        con.execute("SET enable_profiling = 'no_output'")

    def execute(self, *args):  # noqa: ANN002, ANN201
        self.con.execute(*args)
        return self

    def _scanned(self) -> None:
        def walk(node: dict) -> int:
            return node.get("rows_scanned", 0) + sum(walk(c) for c in node.get("children", []))
        info = json.loads(self.con.get_profiling_information(format="json"))
        self.rows += sum(walk(node) for node in info.get("operator", []))

    def __getattr__(self, name: str):  # noqa: ANN204 - df(), fetchall(), fetchone(): then count
        def fetch(*args):  # noqa: ANN002, ANN202
            out = getattr(self.con, name)(*args)
            self._scanned()
            return out
        return fetch


def time_plan(db: Path, plan_file: Path, page: str, combo: str, base: bool = False) -> None:
    """Child: time one page's queries cold (first, on a new connection) and warm (again); ``base``:
    with the rollups switched off."""
    import contextlib

    import duckdb

    from landscape.queries import facts

    calls = pickle.loads(plan_file.read_bytes())[(page, combo)]
    con = duckdb.connect(str(db), read_only=True)
    with facts.base_tables() if base else contextlib.nullcontext():
        _time_calls(con, calls)


def _time_calls(con, calls: list) -> None:  # noqa: ANN001
    """Prints the page's queries cold and warm, and per query function its warm ms and rows, summed
    over its calls (a page may call one function several times, with other arguments).

    A call the page repeats with the same arguments is timed once: the app runs each query once
    per published database (``dashboard.data.run`` caches it), so the repeat never reaches DuckDB.
    """
    import importlib

    calls = list({pickle.dumps(call): call for call in calls}.values())  # the first of each, in order

    def name_of(module: str, name: str) -> str:
        return f"{module.rsplit('.', 1)[-1]}.{name}"

    timings, passes = [], []
    for _ in range(3):
        started, spent = time.perf_counter(), {}
        for module, name, args in calls:
            begun = time.perf_counter()
            getattr(importlib.import_module(module), name)(con, *args)
            key = name_of(module, name)
            spent[key] = spent.get(key, 0.0) + (time.perf_counter() - begun) * 1000
        timings.append((time.perf_counter() - started) * 1000)
        passes.append(spent)
    each = {key: min(spent[key] for spent in passes[1:]) for key in passes[0]}  # warm: the better pass
    counting, rows = _Counting(con), {}
    for module, name, args in calls:
        before = counting.rows
        getattr(importlib.import_module(module), name)(counting, *args)
        key = name_of(module, name)
        rows[key] = rows.get(key, 0) + counting.rows - before
    print(json.dumps({"queries": len(calls), "cold": timings[0], "warm": min(timings[1:]), "each": each,
                      "rows": counting.rows, "rows_each": rows}))


def first_visit(db: Path, page: str, query_json: str) -> None:
    """Child: a fresh process's first render of a page, as a fresh server's first visitor: after
    the warm-up ``python -m dashboard`` does before it listens (:mod:`dashboard.warmup`)."""
    os.environ["LANDSCAPE_DB"] = str(db)
    import streamlit.testing.v1  # noqa: F401 - imported before the clock starts, as a running server has it

    from dashboard.warmup import warm_up

    warm_up()

    started = time.perf_counter()
    render(page, json.loads(query_json))
    print(json.dumps({"seconds": time.perf_counter() - started}))


def app_memory(db: Path) -> None:
    """Child: render every page under every combination (as a session would); prints its own
    peak resident memory (see :mod:`benchmarks.memory` for why the child measures itself)."""
    os.environ["LANDSCAPE_DB"] = str(db)
    for page, _, query in visits(db):
        render(page, query)
    print(json.dumps({"peak_mb": peak_rss_mb()}))


def naive(db: Path) -> None:
    """Child: the naive way: the whole models table in pandas, then the pages' main aggregations."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    started = time.perf_counter()
    models = con.execute("SELECT * FROM models").df()
    loaded = time.perf_counter()
    models["created_month"] = models["created_at"].dt.strftime("%Y-%m")
    models.groupby("origin_country", dropna=False)["downloads_30d"].sum()
    models.groupby("country", dropna=False)["downloads_30d"].sum()
    models.groupby(["created_month", "origin_country"], dropna=False)["downloads_30d"].agg(["count", "sum"])
    models.groupby(["origin_country", "license_family"], dropna=False).size()
    models.nlargest(50, "downloads_30d")
    models.groupby("root_model")["downloads_30d"].sum().nlargest(50)
    models["license"].value_counts().head(20)
    cn = models[(models["country"] == "CN") | (models["origin_country"] == "CN")]
    cn.groupby("license_family").size()
    done = time.perf_counter()
    print(json.dumps({"load_ms": (loaded - started) * 1000, "aggregate_ms": (done - loaded) * 1000,
                      "rows": len(models), "peak_mb": peak_rss_mb()}))


def child(args: list[str]) -> tuple[float, str]:
    """Run ``args`` as a child of this script: (wall seconds, its standard output)."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:2]} failed (exit {proc.returncode}): {proc.stderr[-3000:]}")
    return (time.perf_counter() - started), proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an existing database to time (default: build one)")
    parser.add_argument("--models", type=int, default=3_000_000)
    parser.add_argument("--lookup-only", action="store_true", help="time only search and the lookup pages")
    parser.add_argument("--plans", type=Path, help="keep the recorded page queries in this file (and reuse it)")
    parser.add_argument("--no-base", action="store_true",
                        help="leave out the timings without the rollups (minutes per page at 3,000,000 models)")
    parser.add_argument("--detail", action="store_true", help="also print each query's warm time")
    parser.add_argument("--pages", help="comma-separated pages and views to time (default: all; memory and the "
                                        "naive way only then)")
    parser.add_argument("--history", type=int, default=0, metavar="DATES",
                        help="time a copy of the database with this many snapshot dates of generated history added "
                             "(weekly, then monthly, as the backfill reads them)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "record":
            record(Path(rest[0]), Path(rest[1]))
        elif kind == "time":
            time_plan(Path(rest[0]), Path(rest[1]), rest[2], rest[3], base=rest[4:] == ["base"])
        elif kind == "visit":
            first_visit(Path(rest[0]), rest[1], rest[2])
        elif kind == "memory":
            app_memory(Path(rest[0]))
        elif kind == "naive":
            naive(Path(rest[0]))
        return

    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmp:
        db = args.db or build_database(Path(tmp), args.models)
        from pipeline.errors import StorageError
        from pipeline.storage import connect_readonly

        try:  # a database this version cannot read would time pages that show an error and query nothing
            connect_readonly(db).close()
        except StorageError as exc:
            parser.error(str(exc))
        if args.history:
            db = add_history(db, Path(tmp), args.history)
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        n_models = con.execute("SELECT count(*) FROM models").fetchone()[0]
        con.close()
        print(f"\n{n_models:,} models. Search and the lookup pages' queries (ms):\n")
        print(f"{'lookup':<48} {'cold':>8} {'warm':>8}")
        for name, cold, warm in lookup_timings(db):
            print(f"{name[:48]:<48} {cold:>8.0f} {warm:>8.0f}", flush=True)
        if args.lookup_only:
            return
        plans = args.plans or Path(tmp) / "plans.pickle"
        if not plans.exists():
            child(["--child", "record", str(db), str(plans)])
        print(f"\n{n_models:,} models. Each page's queries together: cold and warm ms and rows scanned, with "
              "the rollups and without them;\nthe first visit of the page in a fresh process (AppTest), s:\n")
        print(f"{'page':<29} {'filters':<20} {'queries':>7} {'cold':>7} {'warm':>7} {'rows':>11} "
              f"{'no rollups: cold':>17} {'warm':>7} {'rows':>11} {'first visit':>12}")
        chosen = args.pages.split(",") if args.pages else [*PAGES, *LOOKUP_PAGES]
        if unknown := set(chosen) - {*PAGES, *LOOKUP_PAGES}:
            parser.error(f"unknown pages: {', '.join(sorted(unknown))} (known: {', '.join([*PAGES, *LOOKUP_PAGES])})")
        for page, combo, query in sorted((v for v in visits(db) if v[0] in chosen),
                                         key=lambda v: [*PAGES, *LOOKUP_PAGES].index(v[0])):
            r = json.loads(child(["--child", "time", str(db), str(plans), page, combo])[1])
            if args.no_base:
                base = f"{'-':>17} {'-':>7} {'-':>11}"
            else:
                b = json.loads(child(["--child", "time", str(db), str(plans), page, combo, "base"])[1])
                base = f"{b['cold']:>17.0f} {b['warm']:>7.0f} {b['rows']:>11,}"
            v = json.loads(child(["--child", "visit", str(db), page, json.dumps(query)])[1])
            print(f"{page:<29} {combo:<20} {r['queries']:>7} {r['cold']:>7.0f} {r['warm']:>7.0f} {r['rows']:>11,} "
                  f"{base} {v['seconds']:>12.1f}", flush=True)
            if args.detail:
                for name, ms in sorted(r["each"].items(), key=lambda item: -item[1]):
                    print(f"{'':<29} {'':<20} {name:<42} {ms:>6.0f} ms {r['rows_each'][name]:>11,} rows")
        if args.pages:
            return
        seconds, out = child(["--child", "memory", str(db)])
        print(f"\napp: every page × {len(COMBOS)} filter sets rendered in {seconds:.1f}s, peak memory "
              f"{json.loads(out.splitlines()[-1])['peak_mb']:,.0f} MB")
        _, out = child(["--child", "naive", str(db)])
        r = json.loads(out)
        print(f"naive (whole models table in pandas): load {r['load_ms'] / 1000:.1f}s + aggregations "
              f"{r['aggregate_ms'] / 1000:.1f}s, peak memory {r['peak_mb']:,.0f} MB")


if __name__ == "__main__":
    main()

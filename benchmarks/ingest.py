"""Ingest benchmark: the pipeline vs the naive way vs what the server can serve, at Hub scale.

For each N, a loopback Hub imitation (its own process) serves N synthetic models shaped like
real ``/api/models?expand=…`` items (:mod:`tests.synthetic`). Three clients read the whole
listing, each in its own process so its peak memory is its own:

- **serving rate**: a plain HTTP client that only follows the ``Link`` pages (no parsing):
  the ceiling any client could reach against this server;
- **pipeline**: ``python -m pipeline ingest --sources hub --hub-full`` end to end (fetch, store
  raw pages, validate, transform, build, publish);
- **naive**: ``list(HfApi.list_models(...))`` → pandas → DuckDB.

Peak memory is the whole client's: the largest sum over its live process tree (the ingest and
its transform workers together) of RSS and of PSS, sampled every 100 ms from ``/proc``
(:class:`TreeMemory`); a single process's ``ru_maxrss`` would miss the workers.

Then a **refresh**: after a full ingest of N models, the imitation serves the same Hub with a
share of the models modified since (``--changed``, 1% by default), and ``python -m pipeline
refresh --sources hub`` runs: its Hub requests, seconds and peak memory.

Dated snapshots (``LANDSCAPE_EXPORTS_KEEP``) are switched off: this measures the ingest itself.

Prints tables; figures, not pass/fail. Usage::

    python benchmarks/ingest.py                       # N = 100k, 300k, 1M, 3M (naive up to 1M); refresh at 1M
    python benchmarks/ingest.py --sizes 50000 --naive-max 50000 --refresh-sizes 50000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.sources.hub import LISTING_EXPAND, SORT_BY_DOWNLOADS, SORT_BY_MODIFICATION  # noqa: E402
from tests.loopback.hub import spawn_hub  # noqa: E402

EXPAND = list(LISTING_EXPAND)  # what the pipeline asks a listing for, so every client reads the same pages

# Each client runs in a child: `python benchmarks/ingest.py --client NAME URL WORKDIR`.
DOWNLOAD_ONLY = "download"
NAIVE = "naive"


def client_download(url: str, workdir: Path) -> dict:
    import httpx2

    query = [("sort", "createdAt"), ("limit", "1000")] + [("expand", e) for e in EXPAND]
    next_url: str | None = str(httpx2.URL(url + "/api/models", params=query))
    pages = size = 0
    with httpx2.Client(timeout=60) as client:
        while next_url:
            response = client.get(next_url)
            response.raise_for_status()
            size += len(response.content)
            pages += 1
            next_url = response.links.get("next", {}).get("url")
    return {"pages": pages, "bytes": size}


def client_naive(url: str, workdir: Path) -> dict:
    import duckdb
    import pandas as pd
    from huggingface_hub import HfApi

    models = list(HfApi(endpoint=url, token=False).list_models(sort="created_at", expand=EXPAND))
    rows = []
    for m in models:
        row = {k: v for k, v in vars(m).items() if not k.startswith("_")}
        # nested objects (card data, safetensors info, …) as text: DuckDB cannot take them as is
        rows.append({k: v if isinstance(v, str | int | float | bool | type(None)) else str(v) for k, v in row.items()})
    frame = pd.DataFrame(rows)
    db = workdir / "naive.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE models AS SELECT * FROM frame")
    con.close()
    return {"rows": len(frame), "db_bytes": db.stat().st_size}


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.1


def _children(pid: int) -> list[int]:
    """The live children of ``pid`` (every thread's list: a thread may have started a child)."""
    found: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:  # gone meanwhile
        pass
    return found


def _resident(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; (0, 0) once it is gone. PSS shares each page among the
    processes that map it (the libraries a worker shares with its parent count once in the sum)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = dict(line.split(":", 1) for line in f if line.startswith(("Rss:", "Pss:")))
        return int(fields["Rss"].split()[0]) * 1024, int(fields["Pss"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return 0, 0


class TreeMemory:
    """Samples the memory of a process and all its descendants every :data:`SAMPLE_SECONDS`.

    The figure that matters is what the whole ingest holds at once: the main process plus its
    transform workers. ``ru_maxrss`` gives one process's peak (or, for children, the largest
    single child), never that sum, so the peak here is the largest sum over the live tree of
    one sample: RSS (each process's resident pages, shared libraries counted in every process
    that maps them: an upper bound) and PSS (shared pages split among their processes).
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="tree-memory")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            tree, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += _children(pid)
            sizes = [_resident(p) for p in tree]
            rss, pss = sum(r for r, _ in sizes), sum(p for _, p in sizes)
            if rss > self.peak_rss:
                self.peak_rss, self.peak_processes = rss, sum(1 for r, _ in sizes if r)
            self.peak_pss = max(self.peak_pss, pss)
            self._stop.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Child:
    """One measured child process: wall seconds, peak memory of its process tree, its output."""

    seconds: float
    peak_rss: int          # bytes: the largest sum of RSS over the live tree in one sample
    peak_pss: int          # bytes: the same with PSS
    processes: int         # live processes in the tree at the RSS peak
    main_maxrss: int       # bytes: the kernel's exact peak of the largest single process (ru_maxrss)
    load: float            # the 1-minute load average when it finished (other work on the machine)
    done: subprocess.CompletedProcess


def run_child(args: list[str], env: dict | None = None) -> Child:
    """Run a child process, sampling the memory of its whole process tree (see :class:`TreeMemory`)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        memory = TreeMemory(proc.pid)
        # wait4: this child's own rusage, whose ru_maxrss is the largest single process of its tree
        _, status, usage = os.wait4(proc.pid, 0)
        memory.stop()
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}… failed ({proc.returncode}): {stderr[-2000:]}")
    return Child(elapsed, memory.peak_rss, memory.peak_pss, memory.peak_processes, usage.ru_maxrss * 1024,
                 os.getloadavg()[0], subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))


FULL_INGEST = [sys.executable, "-m", "pipeline", "ingest", "--sources", "hub", "--hub-limit", "0", "--no-hub-orgs",
               "--hub-full"]


def pipeline_env(hub_url: str, work: Path) -> dict:
    return {**os.environ, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_ENDPOINT": hub_url,
            "LANDSCAPE_DB": str(work / "landscape.duckdb"), "LANDSCAPE_RAW_DIR": str(work / "raw"),
            "LANDSCAPE_EXPORTS_KEEP": "0", "PYTHONPATH": str(ROOT)}


def _warm_sorts(url: str) -> None:
    """Ask the imitation once for each order a refresh lists by, before the refresh is timed.

    The imitation sorts its synthetic models by downloads (or puts the changed ones first) on
    the first request for that order: seconds of Python over every model at 1M, where the real
    Hub answers from its index. Left in, they would be counted as the refresh's.
    """
    import urllib.parse
    import urllib.request

    for sort in (SORT_BY_DOWNLOADS, SORT_BY_MODIFICATION):
        query = urllib.parse.urlencode({"sort": sort, "limit": 1})
        with urllib.request.urlopen(f"{url}/api/models?{query}", timeout=600) as response:  # noqa: S310 - loopback
            response.read()


def measure_refresh(n: int, share: float, top: int) -> dict:
    """A full ingest of ``n`` models, then a refresh after ``share`` of them changed."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="refresh-bench-") as tmp:
        work = Path(tmp)
        with spawn_hub(synthetic=n, seed=1) as hub:
            run_child(FULL_INGEST, pipeline_env(hub.url, work))
        con = duckdb.connect(str(work / "landscape.duckdb"), read_only=True)
        newest, = con.execute("SELECT max(last_modified) + INTERVAL 1 DAY FROM models").fetchone()
        con.close()
        when = newest.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        with spawn_hub(synthetic=n, seed=1, extra_args=["--changed", f"{share}@{when}"]) as hub:
            _warm_sorts(hub.url)
            run = run_child([sys.executable, "-m", "pipeline", "refresh", "--sources", "hub", "--hub-limit", str(top)],
                            pipeline_env(hub.url, work))
        con = duckdb.connect(str(work / "landscape.duckdb"), read_only=True)
        requests, = con.execute("SELECT hub_requests FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        changed, = con.execute("SELECT count(*) FROM models WHERE last_modified >= ?", [newest]).fetchone()
        con.close()
    return {"n": n, "changed": changed, "requests": requests, "seconds": run.seconds, "rss_mb": run.peak_rss / 1e6,
            "pss_mb": run.peak_pss / 1e6, "load": run.load}


def measure(n: int, with_naive: bool) -> dict:
    result: dict = {"n": n}
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp, spawn_hub(synthetic=n, seed=1) as hub:
        work = Path(tmp)
        served = run_child([sys.executable, __file__, "--client", DOWNLOAD_ONLY, hub.url, tmp])
        result["serve_rate"] = n / served.seconds
        result["serve_mb"] = json.loads(served.done.stdout)["bytes"] / 1e6

        env = pipeline_env(hub.url, work)
        run = run_child(FULL_INGEST, env)
        result["pipeline_seconds"] = run.seconds
        result["pipeline_rate"] = n / run.seconds
        result["pipeline_rss_mb"] = run.peak_rss / 1e6
        result["pipeline_pss_mb"] = run.peak_pss / 1e6
        result["pipeline_processes"] = run.processes
        result["pipeline_main_mb"] = run.main_maxrss / 1e6
        result["load"] = run.load
        result["pipeline_db_mb"] = (work / "landscape.duckdb").stat().st_size / 1e6
        result["pipeline_raw_mb"] = sum(p.stat().st_size for p in (work / "raw").rglob("*") if p.is_file()) / 1e6

        if with_naive:
            naive = run_child([sys.executable, __file__, "--client", NAIVE, hub.url, tmp])
            result["naive_rate"] = n / naive.seconds
            result["naive_rss_mb"] = naive.peak_rss / 1e6
            result["naive_db_mb"] = json.loads(naive.done.stdout)["db_bytes"] / 1e6
    return result


MEMORY_NOTE = (f"peak RSS / PSS: the largest sum over the client's live process tree (the ingest and its transform "
               f"workers), sampled every {SAMPLE_SECONDS * 1000:.0f} ms; RSS counts shared libraries in every process "
               f"(an upper bound), PSS splits them. MB = 10^6 bytes. load: the 1-minute load average at the end.")


def fmt(value: float | None, spec: str) -> str:
    """``value`` formatted, or a dash as wide as the column (the width is the spec's digits before ',' or '.')."""
    if value is None:
        width = "".join(c for c in spec.split(",")[0].split(".")[0] if c.isdigit())
        return "—".rjust(int(width or 0))
    return format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,300000,1000000,3000000")
    parser.add_argument("--naive-max", type=int, default=1_000_000,
                        help="largest N for the naive way (it holds every model in memory)")
    parser.add_argument("--refresh-sizes", default="1000000", help="N for the refresh measurement ('' to skip)")
    parser.add_argument("--changed", type=float, default=0.01, help="share of the models changed before a refresh")
    parser.add_argument("--top", type=int, default=5000, help="the refresh's --hub-limit")
    parser.add_argument("--client", nargs=3, metavar=("NAME", "URL", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        name, url, workdir = args.client
        fn = {DOWNLOAD_ONLY: client_download, NAIVE: client_naive}[name]
        print(json.dumps(fn(url, Path(workdir))))
        return

    print(MEMORY_NOTE)
    print(f"{'N':>10} | {'serving':>9} | {'pipeline':>9} {'pipeline':>9} {'peak RSS':>9} {'peak PSS':>9} {'DB':>6} | "
          f"{'naive':>9} {'peak RSS':>9} {'DB':>6} | {'vs naive':>8} {'vs serving':>10} | {'load':>5}")
    print(f"{'models':>10} | {'models/s':>9} | {'seconds':>9} {'models/s':>9} {'MB':>9} {'MB':>9} {'MB':>6} | "
          f"{'models/s':>9} {'MB':>9} {'MB':>6} | {'×':>8} {'share':>10} | {'1 min':>5}")
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        r = measure(n, with_naive=n <= args.naive_max)
        naive = r.get("naive_rate")
        print(f"{n:>10,} | {r['serve_rate']:>9,.0f} | {r['pipeline_seconds']:>9,.1f} {r['pipeline_rate']:>9,.0f} "
              f"{r['pipeline_rss_mb']:>9,.0f} {r['pipeline_pss_mb']:>9,.0f} {r['pipeline_db_mb']:>6,.0f} | "
              f"{fmt(naive, '>9,.0f')} {fmt(r.get('naive_rss_mb'), '>9,.0f')} {fmt(r.get('naive_db_mb'), '>6,.0f')} | "
              f"{fmt(r['pipeline_rate'] / naive if naive else None, '>8.1f')} "
              f"{r['pipeline_rate'] / r['serve_rate']:>10.0%} | {r['load']:>5.1f}", flush=True)
    refresh_sizes = [int(s) for s in args.refresh_sizes.split(",") if s.strip()]
    if refresh_sizes:
        print(f"\nrefresh after {args.changed:.0%} of the models changed (top {args.top:,} listed again)")
        print(f"{'N':>10} | {'changed':>8} | {'Hub requests':>12} | {'seconds':>7} | {'peak RSS MB':>11} | "
              f"{'peak PSS MB':>11} | {'load':>5}")
    for n in refresh_sizes:
        r = measure_refresh(n, args.changed, args.top)
        print(f"{n:>10,} | {r['changed']:>8,} | {r['requests']:>12,} | {r['seconds']:>7.1f} | {r['rss_mb']:>11,.0f} | "
              f"{r['pss_mb']:>11,.0f} | {r['load']:>5.1f}", flush=True)


if __name__ == "__main__":
    main()

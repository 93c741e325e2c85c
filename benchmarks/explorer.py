"""Explorer benchmark: a page of the Hub models, counted (OFFSET) and by keyset, cold and warm.

For each filter set and page (1, 2, 5,000 and the last), the page's rows are read both ways
:mod:`landscape.queries.explorer` knows:

* **counted**: ``ORDER BY … LIMIT 100 OFFSET n`` (a page past the middle read from the end in the
  reversed order), what every page did before keyset paging, and what a jump to a far page does;
* **keyset**: what a click on *next* (page 2, 5,000: from the bookmark of the page before), the
  first page or the last page does.

Each is timed in a new process (**cold**: a new connection, its first page read, after the
page's row count, as the page runs them) and again on that connection (**warm**: best of three;
no Streamlit cache). The row count's own times are printed beside. **Scanned** is DuckDB's own
count of rows its table scans read for the page (``total_rows_scanned`` of its profile, summed
over the page's statements), in a separate, untimed pass. Prints the figures and the load
average; it does not pass or fail. Run heavy benchmarks one at a time::

    python benchmarks/explorer.py --db PATH                          # a database built by benchmarks/dashboard.py
    python benchmarks/explorer.py --db PATH --sort params:desc     # a sort with 1.3M empty values
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pickle
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("1", "2", "5000", "last")
WAYS = ("counted", "keyset")
COMBOS = ("no filter", "country=CN", "US+CN, permissive", "7B–70B, 2024–2026")


def combo_filters(name: str):  # noqa: ANN201 - Filters, imported in the child only
    from landscape.filters import Filters

    return {
        "no filter": Filters(),
        "country=CN": Filters(country=("CN",)),
        "US+CN, permissive": Filters(country=("US", "CN"), license=("permissive",)),
        "7B–70B, 2024–2026": Filters(size=(7e9, 7e10), years=(date(2024, 1, 1), date(2026, 12, 31))),
    }[name]


def page_number(label: str, total: int) -> int:
    pages = max(1, -(-total // 100))
    return pages if label == "last" else min(int(label), pages)


class Profiled:
    """A connection that adds up, for each statement it runs, the rows DuckDB's scans read."""

    def __init__(self, con) -> None:  # noqa: ANN001
        self.con, self.scanned, self.statements = con, 0, 0
        con.execute("SET enable_profiling = 'no_output'")
        con.execute("SET profiling_mode = 'detailed'")

    def execute(self, sql: str, params: list | None = None) -> Profiled:
        self.result = self.con.execute(sql, params or [])
        return self

    def df(self):  # noqa: ANN201
        return self._noted(self.result.df())

    def fetchall(self) -> list:
        return self._noted(self.result.fetchall())

    def _noted(self, fetched):  # noqa: ANN001, ANN202
        profile = json.loads(self.con.get_profiling_information(format="json"))
        self.scanned += profile["query"]["total_rows_scanned"]
        self.statements += 1
        return fetched


def read_page(con, way: str, sort: str, filters, page: int, total: int, near):  # noqa: ANN001, ANN201
    from landscape.queries import explorer as q

    if way == "keyset":
        return q.page_rows(con, "models", filters, sort, page, total, q.PAGE_SIZE, near)
    head, params = q._unordered("models", filters)  # the counted way, as every page was read before
    return q._counted(con, head, params, "models", sort, page, total, q.PAGE_SIZE)


def bookmark_child(db: str, combo: str, sort: str, label: str) -> None:
    """Child: the bookmark a visitor would hold before clicking *next* to ``label`` (pickled)."""
    import duckdb

    from landscape.queries import explorer as q

    con = duckdb.connect(db, read_only=True)  # not connect_readonly: an older schema version times as well
    filters = combo_filters(combo)
    total = int(q.row_count(con, "models", filters)["rows"].iloc[0])
    page = page_number(label, total)
    near = None
    if label not in ("1", "last") and page > 1:
        before = read_page(con, "counted", sort, filters, page - 1, total, None)
        near = q.bookmark("models", sort, page - 1, before)
    print(base64.b64encode(pickle.dumps(near)).decode())


def time_child(db: str, combo: str, sort: str, label: str, way: str, near_text: str) -> None:
    """Child: the row count and one page, cold then warm, and the rows the page's scans read."""
    import duckdb

    from landscape.queries import explorer as q

    near = pickle.loads(base64.b64decode(near_text))  # our own child's output
    con = duckdb.connect(db, read_only=True)
    filters = combo_filters(combo)
    started = time.perf_counter()
    total = int(q.row_count(con, "models", filters)["rows"].iloc[0])
    count_cold = (time.perf_counter() - started) * 1000
    page = page_number(label, total)
    runs = []
    for _ in range(4):
        started = time.perf_counter()
        rows = read_page(con, way, sort, filters, page, total, near)
        runs.append((time.perf_counter() - started) * 1000)
    counts = []
    for _ in range(3):
        started = time.perf_counter()
        q.row_count(con, "models", filters)
        counts.append((time.perf_counter() - started) * 1000)
    profiled = Profiled(con)
    read_page(profiled, way, sort, filters, page, total, near)
    print(json.dumps({"total": total, "page": page, "rows": len(rows), "first": str(rows["model_id"].iloc[0]),
                      "cold": runs[0], "warm": min(runs[1:]), "count_cold": count_cold, "count_warm": min(counts),
                      "scanned": profiled.scanned, "statements": profiled.statements}))


def child(*args: str) -> str:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.strip().splitlines()[-1]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a published landscape.duckdb (opened read-only)")
    parser.add_argument("--sort", default="downloads_30d:desc", help="a models sort name (default: %(default)s)")
    parser.add_argument("--combo", action="append", choices=COMBOS, help="only these filter sets (repeatable)")
    args = parser.parse_args()
    print(f"Explorer pages, models sorted by {args.sort}, {args.db}; load average {load()}")
    print(f"{'filters':20} {'page':>6} {'way':8} {'cold ms':>8} {'warm ms':>8} {'scanned':>10} {'stmts':>5} "
          f"{'count cold/warm ms':>19}  load")
    for combo in args.combo or COMBOS:
        for label in PAGES:
            near = child("--bookmark", args.db, combo, args.sort, label)
            seen = set()
            for way in WAYS:
                r = json.loads(child("--time", args.db, combo, args.sort, label, way, near))
                seen.add((r["rows"], r["first"]))
                print(f"{combo:20} {r['page']:>6,} {way:8} {r['cold']:8.0f} {r['warm']:8.0f} {r['scanned']:>10,} "
                      f"{r['statements']:>5} {r['count_cold']:9.0f}/{r['count_warm']:<9.0f}  {load()}", flush=True)
            if len(seen) > 1:
                print(f"  ! the two ways disagree on page {label}: {sorted(seen)}")
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bookmark"]:
        bookmark_child(*sys.argv[2:])
    elif sys.argv[1:2] == ["--time"]:
        time_child(*sys.argv[2:])
    else:
        main()

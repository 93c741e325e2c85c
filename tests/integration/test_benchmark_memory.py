"""The benchmarks' memory figures are each process's own, not its parent's.

``benchmarks/dashboard.py`` times the lookup queries in its own process and then starts the
children whose memory it prints; the kernel's ``ru_maxrss`` for such a child starts from the
parent's peak (it printed 609 MB for an app that peaks at about 420 MB). The children report
their own peak instead (:mod:`benchmarks.memory`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures import build_fixture_db

ROOT = Path(__file__).resolve().parents[2]
HOLD_MB = 400
# A parent that holds HOLD_MB resident, then runs the child given as argv[1:]: prints the child's
# output, and the kernel's ru_maxrss for the child (MB) on the last line.
PARENT = f"""
import os, subprocess, sys
held = bytearray({HOLD_MB} * 10**6)
held[::4096] = b"x" * len(held[::4096])  # touch every page: resident, not just reserved
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True)
out = child.stdout.read()
_, status, usage = os.wait4(child.pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, out
print(out.strip())
print(usage.ru_maxrss * 1024 / 1e6)
"""


def run_under_big_parent(*child: str) -> tuple[str, float]:
    done = subprocess.run([sys.executable, "-c", PARENT, *child], cwd=ROOT, capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    *out, kernel_mb = done.stdout.strip().splitlines()
    return "\n".join(out), float(kernel_mb)


def test_a_small_child_of_a_big_parent_reports_its_own_peak():
    out, kernel_mb = run_under_big_parent(sys.executable, "-c",
                                          "from benchmarks.memory import peak_rss_mb; print(peak_rss_mb())")
    own_mb = float(out)
    assert 0 < own_mb < 100  # an interpreter that imported one small module
    assert kernel_mb > HOLD_MB  # the kernel's figure for the same child: the parent's peak


def test_the_dashboard_benchmarks_children_print_their_own_peak(tmp_path):
    db = build_fixture_db(tmp_path / "db").db_path
    out, kernel_mb = run_under_big_parent(sys.executable, "benchmarks/dashboard.py", "--child", "naive", str(db))
    figures = json.loads(out)
    assert figures["rows"] > 0
    assert 0 < figures["peak_mb"] < HOLD_MB < kernel_mb  # pandas and DuckDB over a few thousand rows

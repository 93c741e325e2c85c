"""The server's warm-up (dashboard/warmup.py): what it imports is what the scripts import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dashboard.warmup import SCRIPTS, imported_modules

ROOT = Path(__file__).resolve().parents[2]


def test_the_modules_come_from_the_scripts_own_imports(tmp_path: Path) -> None:
    script = tmp_path / "page.py"
    script.write_text('"""A page."""\n'
                      "import json, shlex as quoting\n"
                      "from dashboard import data, frame\n"          # submodules: imported as such
                      "from pipeline.errors import StorageError\n"   # a name in a module, not a module
                      "from . import sibling\n"                      # relative: not the server's to import
                      "def later():\n    import csv\n",              # not at the top level
                      encoding="utf-8")
    assert imported_modules([script]) == ["json", "shlex", "dashboard", "dashboard.data", "dashboard.frame",
                                          "pipeline.errors"]


def test_a_warmed_process_has_the_pages_modules_and_plotly_ready() -> None:
    assert ROOT / "app.py" in SCRIPTS and len(SCRIPTS) == 1 + len(list((ROOT / "pages").glob("*.py")))
    # in a fresh interpreter, as `python -m dashboard` runs it before the server starts
    probe = (
        "import sys\n"
        "from dashboard.warmup import warm_up\n"
        "modules = warm_up()\n"
        "import plotly.io as pio\n"
        "print(sorted(m for m in modules if m not in sys.modules))\n"
        "from plotly.graph_objects import layout\n"
        "print(sorted(n for n, t in pio.templates._templates.items() if isinstance(t, layout.Template)))\n"
        "import inspect, dashboard.charts\n"
        "print(inspect.getabsfile(dashboard.charts) in inspect.modulesbyfile)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=True)
    missing, templates, files_mapped = done.stdout.splitlines()
    assert missing == "[]"
    assert "'plotly_white'" in templates  # loaded (lazily, by Plotly) by the first figures, not the first visitor
    # inspect's map from files to modules, which Streamlit's first drawn element asks for: built already
    assert files_mapped == "True"
    assert "No runtime found" not in done.stderr  # Streamlit's warning about caches declared early is dropped
    for page_module in ("dashboard.charts", "dashboard.components", "landscape.queries.adoption",
                        "landscape.queries.lookup", "plotly.graph_objects"):
        assert page_module in imported_modules()

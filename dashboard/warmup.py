"""Work a fresh server does before it listens, so its first visitor does not wait for it.

Streamlit imports nothing of an app until the first browser session runs ``app.py``; that first
run then pays ~1–1.5 s of imports (pandas, Plotly, DuckDB, every module the pages use) and
Plotly's first figures, which load its templates and validators lazily. ``python -m
dashboard`` calls :func:`warm_up` in the server's own process before it starts listening, so
the modules are in ``sys.modules`` and Plotly is initialised when the first visit arrives
(``benchmarks/visits.py`` measures first visits on a server started this way). The same goes
for one lookup Streamlit makes on the first element it draws (:func:`_module_files`).

What is imported is read from the scripts themselves (``app.py`` and ``pages/*.py``), so a page
that starts using a new module is warmed without a list kept in step by hand.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]


def imported_modules(scripts: list[Path] = SCRIPTS) -> list[str]:
    """The modules the scripts import at their top level, in order of first appearance; for
    ``from package import name``, ``package.name`` too when that is a module."""
    names: dict[str, None] = {}
    for script in scripts:
        for node in ast.parse(script.read_text(encoding="utf-8"), str(script)).body:
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names[node.module] = None
                names.update(dict.fromkeys(f"{node.module}.{alias.name}" for alias in node.names
                                           if _is_module(f"{node.module}.{alias.name}")))
    return list(names)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent is a module, not a package: the name is an attribute
        return False


def _first_figures() -> None:
    # One small figure of each kind the pages draw, serialised as st.plotly_chart does: Plotly
    # builds each kind's validators and loads the template on first use (~0.1–0.2 s per kind).
    import pandas as pd
    import plotly.graph_objects as go

    from dashboard import charts
    from dashboard.charts import TEMPLATE

    frame = pd.DataFrame({"x": ["a", "b"], "y": [1, 2], "group": ["u", "v"]})
    for draw in (charts.bar, charts.line, charts.area):
        draw(frame, x="x", y="y", color="group").to_json()
    charts.bar(frame, x="x", y="y", color="group", facet_col="group").to_json()  # panels
    go.Figure([go.Scatter(x=[1, 2], y=[1, 2]), go.Heatmap(z=[[1, 2]])], layout={"template": TEMPLATE}).to_json()
    go.Figure(go.Sankey(node={"label": ["a", "b"]}, link={"source": [0], "target": [1], "value": [1]})).to_json()


def _module_files() -> None:
    # Streamlit checks once per process, when the first element of the first session is drawn,
    # whether it runs in a REPL: it walks the stack with `inspect`, whose first module lookup
    # resolves the file of every imported module (a realpath each: ~0.13 s over ~1,700 modules
    # on the 2-core VM). Asked here, after the imports, inspect keeps that map for the visitor.
    from streamlit import env_util

    env_util.is_repl()


def warm_up() -> list[str]:
    """Import every module ``app.py`` and the pages import, build one figure of each kind and
    let ``inspect`` map the modules' files; returns the modules imported. Nothing is cached or
    connected: the data is read on the first visit, from whatever is published then."""
    # The query modules declare Streamlit caches at import; before the server runs, Streamlit
    # warns that it has no runtime yet (the caches are created on first use, under the runtime).
    from streamlit.runtime.caching import cache_data_api  # creates its logger

    caching = logging.getLogger(cache_data_api.__name__)
    no_runtime = _Dropping("No runtime found")
    caching.addFilter(no_runtime)  # a filter, not a level: Streamlit resets its loggers' levels
    try:
        modules = imported_modules()
        for name in modules:
            importlib.import_module(name)
        _first_figures()
        _module_files()
    finally:
        caching.removeFilter(no_runtime)
    return modules


class _Dropping(logging.Filter):
    def __init__(self, start: str) -> None:
        super().__init__()
        self.start = start

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.start)

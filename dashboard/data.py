"""Pages' access to the published database: short-lived read-only connections, cached results.

Results are cached under the published version (:func:`pipeline.storage.published_version`),
so a new publish shows up on the next rerun without a restart, and a filter the cache has
seen before answers at once. A cache miss opens one read-only connection for the rest of the
script run, shared by the page's other misses; ``app.py`` closes it when the run ends, so no
connection outlives a rerun (a reader must never hold the database between reruns).
"""

from __future__ import annotations

import importlib
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd
import streamlit as st

from pipeline.config import load_settings
from pipeline.errors import one_line
from pipeline.storage import connect_readonly, damaged, is_damage, published_version

# DuckDB's DataFrame conversion calls a pandas API that pandas 3.1 deprecates; it is DuckDB's
# to change, and the warning would otherwise print on every query.
warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop")

_run = threading.local()  # Streamlit runs each session's script in its own thread

Query = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class DataState:
    """What the published database holds, for empty and partial states."""

    version: str | None
    published_at: str | None
    sources: dict[str, dict]      # source → {fetched_at, rows, url, detail}
    rows: dict[str, int]          # table → rows

    @property
    def exists(self) -> bool:
        return self.version is not None

    def has(self, table: str) -> bool:
        return self.rows.get(table, 0) > 0


def _version() -> str | None:
    return published_version(load_settings().db_path)


def connection() -> duckdb.DuckDBPyConnection:
    """This script run's read-only connection, opened (and checked, see :func:`connect_readonly`) on first use."""
    con = getattr(_run, "con", None)
    if con is None:
        con = _run.con = connect_readonly(load_settings().db_path)
    return con


def close_connection() -> None:
    """Close this run's connection, if a query opened one (``app.py`` calls this after every run)."""
    con = getattr(_run, "con", None)
    _run.con = None
    if con is not None:
        con.close()


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached(version: str, module: str, name: str, args: tuple) -> pd.DataFrame:
    fn = getattr(importlib.import_module(module), name)
    try:
        return fn(connection(), *args)
    except duckdb.Error as exc:
        if not is_damage(exc):  # a mistake in a query stays a bug, with its traceback
            raise
        raise damaged(load_settings().db_path, one_line(exc, limit=160)) from None


def run(query: Query, *args: object) -> pd.DataFrame:
    """``query(con, *args)`` on the published database, cached per published version."""
    version = _version()
    if version is None:
        return pd.DataFrame()
    return _cached(version, query.__module__, query.__name__, args)


@st.cache_data(max_entries=20, show_spinner=False)
def _state(version: str) -> DataState:
    from dashboard.queries.meta import data_state
    return data_state(connection(), version)


def state() -> DataState:
    """The current :class:`DataState` (an empty one when nothing is published yet)."""
    version = _version()
    if version is None:
        return DataState(None, None, {}, {})
    return _state(version)

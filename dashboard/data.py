"""Pages' access to the published database: short-lived read-only connections, cached results.

Results are cached under the published version (:func:`pipeline.storage.published_version`),
so a new publish shows up on the next rerun without a restart, and a filter the cache has
seen before answers at once. No connection outlives a query: a reader's lock must never
block the pipeline's publish.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from pipeline.config import load_settings
from pipeline.storage import open_readonly, published_version

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


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached(version: str, module: str, name: str, args: tuple) -> pd.DataFrame:
    fn = getattr(importlib.import_module(module), name)
    with open_readonly(load_settings().db_path) as con:
        return fn(con, *args)


def run(query: Query, *args: object) -> pd.DataFrame:
    """``query(con, *args)`` on the published database, cached per published version."""
    version = _version()
    if version is None:
        return pd.DataFrame()
    return _cached(version, query.__module__, query.__name__, args)


@st.cache_data(max_entries=20, show_spinner=False)
def _state(version: str) -> DataState:
    from dashboard.queries.meta import data_state
    with open_readonly(load_settings().db_path) as con:
        return data_state(con, version)


def state() -> DataState:
    """The current :class:`DataState` (an empty one when nothing is published yet)."""
    version = _version()
    if version is None:
        return DataState(None, None, {}, {})
    return _state(version)

"""Pages' access to the published database: short-lived read-only connections, one cache.

Every query and analysis of the read side is called through :func:`run` as the function it is:
``data.run(adoption.top_models, filters, "30d")``. Results are cached under the published version
(:func:`pipeline.storage.published_version`) and the function itself, so a new publish shows up
on the next rerun without a restart, and a view the cache has seen before answers at once. A
cache miss opens one read-only connection for the rest of the script run, shared by the page's
other misses; ``app.py`` closes it when the run ends, so no connection outlives a rerun (a
reader must never hold the database between reruns).

:func:`run` also notes the tables whose global filters each query applies
(:func:`landscape.queries.filtered_on`): the page's caption of the filters that do not apply
to it is computed from them.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import threading
import types
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from landscape.queries import filtered_tables
from landscape.queries.meta import NOTHING_PUBLISHED, DataState, data_state
from pipeline.config import load_settings
from pipeline.errors import StorageError, one_line
from pipeline.storage import connect_readonly, damaged, is_damage, published_version

# DuckDB's DataFrame conversion calls a pandas API that pandas 3.1 deprecates; it is DuckDB's
# to change, and the warning would otherwise print on every query.
warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop")

_run = threading.local()  # Streamlit runs each session's script in its own thread

T = TypeVar("T")


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


def _function_key(fn: types.FunctionType) -> str:
    # A query is a module-level function: its module and name say which one, across reruns and
    # sessions (the cache holds results, never the function).
    return f"{fn.__module__}.{fn.__qualname__}"


@st.cache_data(max_entries=2000, show_spinner=False, hash_funcs={types.FunctionType: _function_key})
def _cached(version: str, query: Callable[..., Any], args: tuple) -> Any:
    try:
        return query(connection(), *args)
    except duckdb.Error as exc:
        if not is_damage(exc):  # a mistake in a query stays a bug, with its traceback
            raise
        raise damaged(load_settings().db_path, one_line(exc, limit=160)) from None


def run(query: Callable[..., T], *args: object) -> T:
    """``query(con, *args)`` on the published database, cached per published version.

    Raises :class:`pipeline.errors.StorageError` when nothing is published (pages check
    :func:`state` first) or the database is damaged.
    """
    tables = getattr(_run, "filtered", None)
    if tables is not None:
        tables.update(filtered_tables(query, args))
    version = _version()
    if version is None:
        raise StorageError(f"no database at {load_settings().db_path}: run `python -m pipeline ingest` first")
    return _cached(version, query, args)


def _code_digest(code: types.CodeType, digest: hashlib._Hash) -> None:
    # a code object's own bytes, names and constants, nested functions and comprehensions included
    # (their repr would carry a memory address, different on every run of a page script)
    digest.update(code.co_code)
    digest.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _code_digest(const, digest)
        else:
            digest.update(repr(const).encode())


def code_key(fn: Callable[..., object]) -> str:
    """A function's identity for a cache: its name, file and code (a function defined in a page
    script is a new object on every run; two pages may each define one of the same name)."""
    if fn.__closure__:  # what a closure reads would be an input the key does not see
        raise TypeError(f"{fn.__qualname__} reads variables of an enclosing function: pass them as arguments")
    digest = hashlib.sha1(usedforsecurity=False)
    _code_digest(fn.__code__, digest)
    digest.update(repr((fn.__defaults__, fn.__kwdefaults__)).encode())
    return f"{fn.__module__}.{fn.__qualname__}@{fn.__code__.co_filename}:{digest.hexdigest()}"


def frame_digest(frame: pd.DataFrame) -> bytes:
    """A frame's identity for a cache key: a digest of its pickle (values, types, index, columns).

    Streamlit's own key for a frame hashes it row by row with pandas, a few milliseconds for each
    of the dozen frames a page's figures, derived frames and downloads take on every rerun (close
    to half of a repeat visit's script time on the organisation page); the pickle of the
    Arrow-backed frames DuckDB returns is written and hashed 3–30 times faster. Any difference
    in content gives another key (at worst a frame built again, never a wrong one reused).

    The pickle is written without its memo (``Pickler.fast``): with it, an object met a second
    time is written as a reference to the first, so the bytes also depend on which equal values
    happen to be one object. A query's frame (sharing interned names inside) and its copy from
    Streamlit's cache (unpickled, sharing none) then pickled differently, and every figure of a
    new result was built twice: on the run that queried it and again on the next rerun.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    # no memo: the bytes follow the values alone. Python's docs have called `fast` deprecated
    # for years without removing it; tests/app/test_figure_cache.py fails if it goes.
    pickler.fast = True
    try:
        pickler.dump(frame)
    except ValueError:  # a frame holding a cycle, which only the memo can write: a key all the same
        return hashlib.blake2b(pickle.dumps(frame, protocol=5), digest_size=20).digest()
    return hashlib.blake2b(buffer.getbuffer(), digest_size=20).digest()


FRAME_KEYS = {pd.DataFrame: frame_digest}  # the caches below, and dashboard.charts', key frames so


@st.cache_data(max_entries=2000, show_spinner=False, hash_funcs=FRAME_KEYS)
def _derived(key: str, _transform: Callable[..., Any], args: tuple) -> Any:
    return _transform(*args)


def derived(transform: Callable[..., T], *args: object) -> T:
    """``transform(*args)``, for a pure function of query results (pandas work after a query: a
    reshaping, a share, a ranking), cached by its code and the contents of its arguments, so a
    rerun or another session with the same results does not redo it. Everything it reads must be
    an argument (or a constant)."""
    return _derived(code_key(transform), transform, args)


def start_run() -> None:
    """Forget the tables noted by the previous script run (``app.py`` calls this first)."""
    _run.filtered = set()


def filtered_this_run() -> set[str]:
    """The tables whose filters the queries of this script run applied."""
    return set(getattr(_run, "filtered", set()))


def state() -> DataState:
    """What is published (an empty :class:`DataState` when nothing is)."""
    version = _version()
    if version is None:
        return NOTHING_PUBLISHED
    return _cached(version, data_state, (version,))

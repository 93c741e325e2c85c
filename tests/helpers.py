"""Small helpers the test modules share: reading a database file, reading what a page shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd


def sql(db: Path | str, query: str, params: list | None = None) -> list[tuple]:
    """Rows of ``query`` on the database file ``db``, read-only (the independent side of a check)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def run_query(db: Path | str, fn: Callable[..., pd.DataFrame], *args: object) -> pd.DataFrame:
    """A read-side query function ``fn(con, *args)`` on the database file ``db``."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return fn(con, *args)
    finally:
        con.close()


def metric(at, label_start: str) -> str:
    """The value of the first ``st.metric`` whose label starts with ``label_start``."""
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def no_exceptions(at) -> None:
    """Fail with the page's own exception messages when it raised."""
    assert not at.exception, [e.value for e in at.exception]

"""CSV formula-injection guard, for every CSV this project writes (CLI exports and dashboard downloads).

A spreadsheet opening a CSV treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and model names and card text come from anyone on the Hub. Such text cells get a
leading apostrophe, which spreadsheets display as plain text. Numeric columns are left alone:
``-3.5`` in a number column is a number, not a formula.

Example::

    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell("Qwen/Qwen3-8B")
    'Qwen/Qwen3-8B'
"""

from __future__ import annotations

import pandas as pd

# Tab and carriage return are on OWASP's list too: some spreadsheets strip them, then see "=".
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = r"^[=+\-@\t\r]"


def neutralise_cell(value: object) -> object:
    """``value`` with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are safe to open in a spreadsheet."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            text = series.astype("string")
            mask = text.str.match(_PATTERN, na=False)
            if mask.any():
                out[column] = series.astype(object).where(~mask, ("'" + text).astype(object))
    return out


def _join_lists(value: object) -> object:
    if isinstance(value, list | tuple) or (hasattr(value, "tolist") and not isinstance(value, str)):
        items = value.tolist() if hasattr(value, "tolist") else value
        return ";".join("" if v is None else str(v) for v in items)
    return value


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of ``frame``: list cells joined by ``;``, then formula cells neutralised."""
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].dtype == object:
            flat[column] = flat[column].map(_join_lists, na_action="ignore")
    return neutralise_frame(flat).to_csv(index=False).encode("utf-8")

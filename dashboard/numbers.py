"""Numbers as the pages show them: grouped digits, or short forms where a metric has little room.

A metric's column holds about a dozen characters at the dashboard's width; a count in the
billions written out in full ("146,569,895,113") is cut off there, so it is shown short
("146.6B") with the full figure in the metric's help.

    >>> number(1234567)
    '1,234,567'
    >>> compact(146_569_895_113)
    '146.6B'
    >>> metric_number(999_999_999), metric_number(1_234_567_890)
    ('999,999,999', '1.2B')
"""

from __future__ import annotations

import pandas as pd

MISSING = "—"
# From here on a count is written short in a metric: ten digits and three separators do not fit.
METRIC_FULL_BELOW = 1e9


def number(value: object, fmt: str = "{:,.0f}", missing: str = MISSING) -> str:
    """``value`` formatted with ``fmt``; ``missing`` for None or NaN."""
    return missing if value is None or pd.isna(value) else fmt.format(value)


def compact(value: object) -> str:
    """A count with a T/B/M/k suffix and one decimal (``2.3M``); below a thousand, as it is."""
    if value is None or pd.isna(value):
        return MISSING
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f}{suffix}"
    return f"{value:,.0f}"


def metric_number(value: object) -> str:
    """A count for a metric: every digit while it fits, :func:`compact` from a billion on."""
    if value is not None and not pd.isna(value) and value >= METRIC_FULL_BELOW:
        return compact(value)
    return number(value)

"""How old a piece of data is, in words: one way for the command line and the dashboard.

Example::

    >>> from datetime import datetime, UTC
    >>> ago("2026-11-28T10:00:00+00:00", now=datetime(2026, 11, 28, 13, 30, tzinfo=UTC))
    '3 hours ago'
    >>> ago(None)
    'never'
"""

from __future__ import annotations

from datetime import UTC, datetime


def moment(value: object) -> datetime | None:
    """A timestamp from the database or the journal (a datetime or ISO text), aware, in UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def ago(value: object, now: datetime | None = None) -> str:
    """``value`` as "3 hours ago", "2 days ago", "just now" or "never"."""
    when = moment(value)
    if when is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"

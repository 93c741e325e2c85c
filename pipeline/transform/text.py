"""Checks and parsers for untrusted text from the sources: cells, timestamps, dates, numbers.

Example::

    >>> clean_cell("  GPT-4\\n  Turbo ")
    'GPT-4 Turbo'
    >>> parse_number("7,000,000")
    7000000.0
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import UTC, date, datetime

# C0 controls except \t \n \r, DEL, C1 controls, and the bidi embeddings/overrides/isolates that
# can make a displayed name read differently from what is stored ("Trojan Source").
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_WHITESPACE = re.compile(r"\s+")
# Anything a browser could read as a tag (`<a href`, `</b>`, `<!--`), the opening of a dangerous
# tag even when left unclosed, or a script URL.
_MARKUP = re.compile(
    r"<[a-zA-Z/!][^<>]*>|<\s*(?:script|img|iframe|svg|object|embed|style|a\s)|(?:java|vb)script\s*:",
    re.IGNORECASE,
)
# A cheap first look for :func:`texts_problem`: without one of these, there is no markup.
_MARKUP_HINT = re.compile(r"<|script", re.IGNORECASE)
# ISO 8601 extended format as the Hub sends it; anything looser (basic format, week dates) is garbage.
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE | re.ASCII,
)
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_MISSING_NUMBER = frozenset({"nan", "na", "n/a", "none", "null"})

# Hub timestamps outside this range are corrupt (the Hub did not exist before; 2100 is a typo).
MIN_YEAR, MAX_YEAR = 1990, 2100
# Epoch's dataset reaches back to 1950; older or far-future dates are typos.
MIN_DATE_YEAR = 1800


def clean_cell(value: object, max_len: int = 1000) -> str | None:
    """Clean one CSV cell: trimmed, whitespace runs collapsed, control characters removed, truncated.

    None, NaN and values that are neither text nor numbers give None, and so does an empty result.

        >>> clean_cell(" United States of America\\n")
        'United States of America'
        >>> clean_cell("a\\x00b\\u202e c", max_len=3)
        'ab'
        >>> clean_cell(float("nan")) is None
        True
    """
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    if isinstance(value, str):
        text = value
    elif isinstance(value, numbers.Real):
        # bool is a Real too: a cell pandas read as True/False is kept as "True"/"False".
        # Non-finite numbers are missing values (pandas writes NaN for an empty cell).
        if isinstance(value, float) and not math.isfinite(value):
            return None
        text = str(value)
    else:
        return None
    text = _WHITESPACE.sub(" ", CONTROL_CHARS.sub("", text)).strip()
    # Truncating can leave a space at the cut, so strip again.
    return text[:max_len].rstrip() or None


class TextProblem(ValueError):
    """A text field unfit to store (markup, control characters): the record is quarantined with it."""


def stored_text(value: object, max_len: int, field: str) -> str | None:
    """One text field of a source record, as stored: :func:`clean_cell`, then the one markup rule
    every text field follows (:func:`text_problem`). Raises :class:`TextProblem` naming the field.

    >>> stored_text("  Meta AI ", 100, "Organization")
    'Meta AI'
    >>> stored_text("<b>Org</b>", 100, "Organization")
    Traceback (most recent call last):
    ...
    pipeline.transform.text.TextProblem: Organization contains markup
    """
    text = clean_cell(value, max_len)
    if text is not None and (problem := text_problem(text, max_len)):
        raise TextProblem(f"{field} {problem}")
    return text


def text_problem(value: str, max_len: int) -> str | None:
    """A short reason why ``value`` is unfit as a stored label, or None when it is fine.

    >>> text_problem("Llama 3.1 8B", 200) is None
    True
    >>> text_problem("x" * 201, 200)
    'longer than 200 characters'
    >>> text_problem('<a href="http://x">hi</a>', 200)
    'contains markup'
    """
    if not isinstance(value, str):
        return "not text"
    if len(value) > max_len:
        return f"longer than {max_len} characters"
    if CONTROL_CHARS.search(value):
        return "contains control characters"
    if _MARKUP.search(value):
        return "contains markup"
    return None


def texts_problem(values: list[str], max_len: int) -> str | None:
    """:func:`text_problem` for a list of strings at once (the Hub's tags: millions of them).

    One pass over the joined text finds control characters; markup is looked for string by
    string only when a ``<`` or ``script`` appears at all, which is rare.

    >>> texts_problem(["license:mit", "region:us"], 300) is None
    True
    >>> texts_problem(["ok", "<b>bold</b>"], 300)
    'contains markup'
    """
    if not values:
        return None
    if max(map(len, values)) > max_len:
        return f"longer than {max_len} characters"
    joined = "\n".join(values)  # a newline is not a control character for CONTROL_CHARS
    if CONTROL_CHARS.search(joined):
        return "contains control characters"
    if _markup_hint(joined):
        for value in values:
            if _MARKUP.search(value):
                return "contains markup"
    return None


def _markup_hint(text: str) -> bool:
    """Whether ``text`` holds ``<`` or ``script`` in any case (:data:`_MARKUP_HINT`).

    ASCII text, nearly every tag, is looked at with plain substring tests, several times faster
    than the case-insensitive regex; other text keeps the regex, whose case folding also maps
    non-ASCII letters (the long s, the dotted and dotless i) onto "script".
    """
    if text.isascii():
        return "<" in text or "script" in text.lower()
    return _MARKUP_HINT.search(text) is not None


def parse_timestamp(value: object) -> datetime | None:
    """Parse a Hub ISO 8601 timestamp into an aware UTC datetime; None/"" → None.

    A naive timestamp is taken as UTC. Numbers, other text, and years outside 1990–2100 raise
    ``ValueError``. A ``datetime`` (as huggingface_hub returns) is accepted and converted.

        >>> parse_timestamp("2024-07-23T14:03:25.000Z")
        datetime.datetime(2024, 7, 23, 14, 3, 25, tzinfo=datetime.timezone.utc)
        >>> parse_timestamp("2024-07-23")
        datetime.datetime(2024, 7, 23, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if value is None:
        return None
    # Fast path for the Hub's own shape, "2024-07-23T14:03:25.000Z": millions of them per run.
    if type(value) is str and len(value) == 24 and value[10] == "T" and value[23] == "Z" and value[4] == "-":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if MIN_YEAR <= parsed.year <= MAX_YEAR:
                return parsed
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _TIMESTAMP.fullmatch(text):
            raise ValueError(f"not an ISO 8601 timestamp: {value[:40]!r}")
        parsed = datetime.fromisoformat(text.upper())
    else:
        raise ValueError(f"not a timestamp: {type(value).__name__}")
    try:
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # an offset pushed year 1 or 9999 out of datetime's range
        raise ValueError(f"timestamp out of range: {value!r:.40}") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"timestamp year out of range: {parsed.year}")
    return parsed


def parse_date(value: object) -> date | None:
    """Parse an Epoch CSV date ("2025-12-31", also "2025-12-31 00:00:00"); None/"" → None.

    >>> parse_date("2025-12-31 00:00:00")
    datetime.date(2025, 12, 31)
    >>> parse_date("") is None
    True
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        match = _DATE.fullmatch(text)
        if match is None:
            raise ValueError(f"not a date: {value[:40]!r}")
        parsed = date.fromisoformat(match.group(1))
    else:
        raise ValueError(f"not a date: {type(value).__name__}")
    if not MIN_DATE_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"date year out of range: {parsed.year}")
    return parsed


def parse_number(value: object) -> float | None:
    """Parse an Epoch numeric cell to a float; NaN, None and "" give None, garbage ``ValueError``.

    >>> parse_number("1.2e+24"), parse_number(" 7000000000 "), parse_number(12)
    (1.2e+24, 7000000000.0, 12.0)
    >>> parse_number(float("nan")) is None
    True
    """
    if value is None:
        return None
    if isinstance(value, bool):
        # bool is an int subclass, but True is not a measurement.
        raise ValueError("not a number: bool")
    if isinstance(value, numbers.Real):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text or text.lower() in _MISSING_NUMBER:
            return None
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        elif not _NUMBER.fullmatch(text):
            # Also rejects what float() would take but a cell should not hold: "inf", "1_000".
            raise ValueError(f"not a number: {value[:40]!r}")
        number = float(text)
    else:
        raise ValueError(f"not a number: {type(value).__name__}")
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise ValueError("not a finite number")
    return number

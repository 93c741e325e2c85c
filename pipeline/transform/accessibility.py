"""Accessibility groups: Epoch's accessibility values and LMArena's licences → open/closed/unreleased.

Classify per model, never per organisation: Qwen-Max is API-only, gpt-oss is open.

Example::

    >>> accessibility_group("Open weights (restricted use)")
    'open'
    >>> accessibility_from_license("Proprietary")
    'closed'
"""

from __future__ import annotations

import re
from functools import lru_cache

ACCESSIBILITY_GROUPS = ("open", "closed", "unreleased")

# Epoch's "Model accessibility" values (lower-cased, single-spaced) → group. "Open weights" and
# "Closed weights" are the groups Epoch's ECI export uses in its "Accessibility group" column.
EPOCH_ACCESSIBILITY: dict[str, str] = {
    "open weights (unrestricted)": "open",
    "open weights (restricted use)": "open",
    "open weights (non-commercial)": "open",
    "open weights": "open",
    "api access": "closed",
    "hosted access (no api)": "closed",
    "closed weights": "closed",
    "unreleased": "unreleased",
}
UNRESTRICTED = "Open weights (unrestricted)"  # Epoch's value for open weights without use restrictions

# LMArena licence cells meaning "no weights": its data also spells it "Propretary".
_CLOSED_LICENSES = frozenset({"proprietary", "propretary", "closed", "closed source"})
# Cells that say nothing about the licence.
_NO_LICENSE = frozenset({"unknown", "n/a", "na", "none", "-", "?"})

_WHITESPACE = re.compile(r"\s+")


def accessibility_group(value: object) -> str | None:
    """Map an Epoch "Model accessibility" value to ``open``, ``closed`` or ``unreleased``.

    Case- and whitespace-insensitive; blank, "Unknown" and unrecognised values give None.

        >>> accessibility_group(" API  access "), accessibility_group("Unreleased")
        ('closed', 'unreleased')
        >>> accessibility_group("Unknown") is None
        True
    """
    key = _key(value)
    return EPOCH_ACCESSIBILITY.get(key) if key else None


def is_unrestricted_open(value: object) -> bool:
    """True only for Epoch's "Open weights (unrestricted)".

    >>> is_unrestricted_open("open weights (unrestricted)")
    True
    >>> is_unrestricted_open("Open weights (restricted use)")
    False
    """
    return _key(value) == _normalized(UNRESTRICTED)


def accessibility_from_license(license_text: object) -> str | None:
    """Group for LMArena's licence column: "Proprietary" → ``closed``, any other licence → ``open``.

    >>> accessibility_from_license("Apache 2.0"), accessibility_from_license("proprietary")
    ('open', 'closed')
    >>> accessibility_from_license("  ") is None
    True
    """
    key = _key(license_text)
    if not key or key in _NO_LICENSE:
        return None
    return "closed" if key in _CLOSED_LICENSES else "open"


def _key(value: object) -> str | None:
    # Non-strings (None, NaN, numbers) carry no accessibility information.
    return _normalized(value) if isinstance(value, str) else None


@lru_cache(maxsize=1024)
def _normalized(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip().casefold()

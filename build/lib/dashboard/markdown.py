"""Text from the sources inside Markdown: always literal, never markup or HTML."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_escape(text: object) -> str:
    """``text`` with every Markdown control character escaped, so it displays exactly as stored.

    >>> md_escape("[click](javascript:alert(1))")
    '\\\\[click\\\\]\\\\(javascript:alert\\\\(1\\\\)\\\\)'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))

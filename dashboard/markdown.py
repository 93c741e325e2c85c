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


def md_code(text: object) -> str:
    """``text`` as an inline code span, shown exactly as stored.

    Escapes do not work inside a code span (``md_escape`` there shows its backslashes), and
    nothing inside one is markup; only a backtick could end it, so the fence is one backtick
    longer than the longest run of them in the text. CommonMark strips one space from each end
    of a span that has both, which a padding space restores.

    >>> md_code("AIDC-AI")
    '`AIDC-AI`'
    >>> md_code("a`b"), md_code("`x"), md_code(" y ")
    ('``a`b``', '`` `x ``', '`  y  `')
    """
    text = str(text).replace("\n", " ")
    if not text:
        return ""  # an empty span is no span: two backticks would show
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    stripped = text.startswith(" ") and text.endswith(" ") and text.strip()
    pad = " " if text.startswith("`") or text.endswith("`") or stripped else ""
    return f"{fence}{pad}{text}{pad}{fence}"

"""Text from the sources inside Markdown (dashboard/markdown.py): shown as stored, never as markup."""

from __future__ import annotations

import doctest

from hypothesis import given
from hypothesis import strategies as st

from dashboard import markdown
from dashboard.markdown import md_code


def test_the_examples_hold():
    assert doctest.testmod(markdown).failed == 0


@given(st.text(alphabet="ab `-\\*_<>[]()", max_size=20))
def test_a_code_span_holds_its_text_whole(text):
    span = md_code(text)
    if not text:
        assert span == ""
        return
    fence = len(span) - len(span.lstrip("`"))
    assert span.endswith("`" * fence) and not span.endswith("`" * (fence + 1))
    inner = span[fence:len(span) - fence]
    # CommonMark: the span ends at the first run of exactly `fence` backticks; one space is
    # stripped from each end when both ends have one (and the content is not all spaces)
    assert not any(len(run) == fence for run in "".join(c if c == "`" else " " for c in inner).split())
    if inner.startswith(" ") and inner.endswith(" ") and inner.strip():
        inner = inner[1:-1]
    assert inner == text

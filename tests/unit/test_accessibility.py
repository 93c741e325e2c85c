"""Accessibility groups from Epoch's accessibility values and LMArena's licences."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform import accessibility
from pipeline.transform.accessibility import (
    ACCESSIBILITY_GROUPS,
    accessibility_from_license,
    accessibility_group,
    is_unrestricted_open,
)


def test_docstring_examples() -> None:
    assert doctest.testmod(accessibility).failed == 0


def test_groups() -> None:
    assert ACCESSIBILITY_GROUPS == ("open", "closed", "unreleased")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Open weights (unrestricted)", "open"),
        ("Open weights (restricted use)", "open"),
        ("Open weights (non-commercial)", "open"),
        ("API access", "closed"),
        ("Hosted access (no API)", "closed"),
        ("Unreleased", "unreleased"),
        # case and whitespace do not matter
        ("  open WEIGHTS   (Unrestricted)\n", "open"),
        ("api\taccess", "closed"),
        ("UNRELEASED", "unreleased"),
        # the grouping Epoch's ECI export uses
        ("Open weights", "open"),
        ("Closed weights", "closed"),
        # nothing known
        ("Unknown", None),
        ("unknown", None),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
        (3, None),
        ("Other", None),
        ("Open-ish", None),
        ("Open weights (unrestricted", None),
    ],
)
def test_accessibility_group(value: object, expected: str | None) -> None:
    assert accessibility_group(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Open weights (unrestricted)", True),
        (" open weights  (UNRESTRICTED) ", True),
        ("Open weights (restricted use)", False),
        ("Open weights (non-commercial)", False),
        ("Open weights", False),
        ("API access", False),
        ("Unreleased", False),
        ("", False),
        (None, False),
        (float("nan"), False),
    ],
)
def test_is_unrestricted_open(value: object, expected: bool) -> None:
    assert is_unrestricted_open(value) is expected


@pytest.mark.parametrize(
    ("license_text", "expected"),
    [
        ("Proprietary", "closed"),
        ("proprietary", "closed"),
        (" PROPRIETARY ", "closed"),
        ("Propretary", "closed"),  # misspelt so in LMArena's own data
        ("Apache 2.0", "open"),
        ("MIT", "open"),
        ("Llama 3.1 Community", "open"),
        ("DeepSeek", "open"),
        ("Gemma license", "open"),
        ("CC-BY-NC-4.0", "open"),
        ("Modified MIT", "open"),
        ("Open", "open"),
        ("", None),
        ("  ", None),
        (None, None),
        (float("nan"), None),
        ("Unknown", None),
        ("N/A", None),
        ("-", None),
    ],
)
def test_accessibility_from_license(license_text: object, expected: str | None) -> None:
    assert accessibility_from_license(license_text) == expected


@given(st.one_of(st.text(), st.none(), st.integers(), st.floats()))
def test_results_are_always_a_group_or_none(value: object) -> None:
    assert accessibility_group(value) in (*ACCESSIBILITY_GROUPS, None)
    assert accessibility_from_license(value) in ("open", "closed", None)
    assert isinstance(is_unrestricted_open(value), bool)

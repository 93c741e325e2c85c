"""How the pages write numbers: full digits where they fit, short forms where a metric has no room."""

from __future__ import annotations

import doctest
import math

from dashboard import numbers
from dashboard.numbers import compact, metric_number, number


def test_the_examples_in_the_module_hold():
    assert doctest.testmod(numbers).failed == 0


def test_missing_values_are_a_dash():
    for missing in (None, float("nan"), math.nan):
        assert number(missing) == compact(missing) == metric_number(missing) == "—"


def test_a_metric_keeps_every_digit_below_a_billion_and_is_short_from_it():
    assert metric_number(0) == "0"
    assert metric_number(121_183_489) == "121,183,489"
    assert metric_number(999_999_999) == "999,999,999"
    assert metric_number(1_000_000_000) == "1.0B"
    assert metric_number(2_345_678_901) == "2.3B"
    # the short form is never wider than a metric's column holds (about a dozen characters)
    assert max(len(metric_number(10 ** k)) for k in range(16)) <= 11  # 1,000 trillion: '1000.0T'


def test_compact_suffixes():
    assert [compact(v) for v in (999, 1_000, 25_400, 3_000_000, 7_250_000_000, 2_530_200_000_000)] == \
        ["999", "1.0k", "25.4k", "3.0M", "7.2B", "2.5T"]

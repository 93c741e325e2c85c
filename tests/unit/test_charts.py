"""Chart helpers that need no page (dashboard/charts.py)."""

from __future__ import annotations

import doctest

import pandas as pd

from dashboard import charts
from dashboard.charts import year_axis


def test_the_examples_hold():
    assert doctest.testmod(charts).failed == 0


def test_a_year_axis_lists_every_year_once_in_order_in_the_datas_own_type():
    axis = year_axis(pd.Series([2024, 2019, None, 2024, 2021], dtype="Int64"))
    assert axis == {"type": "category", "categoryorder": "array", "categoryarray": [2019, 2020, 2021, 2022, 2023, 2024]}
    assert year_axis(["2023"])["categoryarray"] == ["2023"]
    assert year_axis([]) == {"type": "category"}

"""The capability-gap method on constructed series whose answers are known exactly."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.analysis.gap import (
    DAYS_PER_MONTH,
    bootstrap_interval,
    censored,
    frontier_series,
    lag_table,
    records,
    summarize,
)


def pts(*rows: tuple) -> pd.DataFrame:
    """rows of (model, group, 'YYYY-MM-DD', score[, low, high])."""
    out = []
    for r in rows:
        model, group, day, score = r[:4]
        low = r[4] if len(r) > 4 else score
        high = r[5] if len(r) > 5 else score
        out.append({"model": model, "group": group, "date": pd.Timestamp(day), "score": float(score),
                    "score_low": float(low), "score_high": float(high)})
    return pd.DataFrame(out)


def months(days: int) -> float:
    return days / DAYS_PER_MONTH


SERIES = pts(
    ("c1", "closed", "2023-01-01", 10), ("c2", "closed", "2023-07-01", 20), ("c3", "closed", "2024-01-01", 30),
    ("o1", "open", "2023-04-01", 10), ("o2", "open", "2024-01-01", 20), ("o3", "open", "2024-03-01", 25),
    ("o_low", "open", "2023-05-01", 8),  # below the open record: not a record
)


def test_lags_of_each_open_record():
    lags = lag_table(SERIES).set_index("model")
    assert list(lags.index) == ["o1", "o2", "o3"]
    assert lags.loc["o1", "reached_by"] == "c1" and lags.loc["o1", "lag_months"] == pytest.approx(months(90))
    assert lags.loc["o2", "reached_by"] == "c2" and lags.loc["o2", "lag_months"] == pytest.approx(months(184))
    assert lags.loc["o3", "reached_by"] == "c3" and lags.loc["o3", "lag_months"] == pytest.approx(months(60))


def test_summary_mean_median_and_censoring():
    s = summarize(SERIES)
    expected = [months(90), months(184), months(60)]
    assert s.points == 3
    assert s.lag_months_mean == pytest.approx(np.mean(expected))
    assert s.lag_months_median == pytest.approx(months(90))
    assert s.lag_ci_low <= s.lag_months_mean <= s.lag_ci_high
    assert s.censored == 1 and s.censored_max_months == pytest.approx(months(60))  # c3 (30) unmatched
    assert s.vertical_gap_latest == 5.0  # 30 - 25


def test_window_keeps_only_records_released_in_it():
    s = summarize(SERIES, date(2023, 12, 1), date(2024, 12, 31))
    assert s.points == 2
    assert s.lag_months_mean == pytest.approx((months(184) + months(60)) / 2)


def test_ties_are_not_records_but_reach_the_level():
    frame = pts(("c1", "closed", "2024-01-01", 10), ("o1", "open", "2024-02-01", 10),
                ("o2", "open", "2024-03-01", 10))  # equal to the open record: not a new one
    rec = records(frame)
    assert list(rec["model"]) == ["c1", "o1"]
    assert lag_table(frame)["lag_months"].tolist() == [pytest.approx(months(31))]


def test_same_day_release_is_a_zero_lag():
    frame = pts(("c1", "closed", "2024-05-05", 10), ("o1", "open", "2024-05-05", 10))
    assert lag_table(frame)["lag_months"].tolist() == [0.0]


def test_within_the_uncertainty_counts_as_reached():
    frame = pts(("c1", "closed", "2024-01-01", 10), ("c2", "closed", "2024-06-01", 13),
                ("o1", "open", "2024-07-01", 12, 9.5, 14.5))
    lag = lag_table(frame).iloc[0]
    assert lag["reached_by"] == "c1"  # 10 ≥ 9.5, the open score's lower bound
    assert lag["lag_months"] == pytest.approx(months(182))


def test_open_ahead_and_negative_lag():
    ahead = lag_table(pts(("c1", "closed", "2024-01-01", 10), ("o1", "open", "2024-02-01", 11)))
    assert ahead["open_leads"].tolist() == [True] and math.isnan(ahead["lag_months"].iloc[0])
    later = lag_table(pts(("o1", "open", "2024-01-01", 10), ("c1", "closed", "2024-03-01", 10)))
    assert later["lag_months"].iloc[0] == pytest.approx(-months(60))


def test_censored_closed_records_and_how_long_they_stand():
    frame = pts(("c1", "closed", "2024-01-01", 10), ("c2", "closed", "2024-04-01", 20),
                ("o1", "open", "2024-02-01", 10))
    still = censored(frame, as_of=date(2024, 10, 1))
    assert still["model"].tolist() == ["c2"]
    assert still["months_standing"].iloc[0] == pytest.approx(months(183))
    # an open score within the closed record's lower bound matches it
    matched = pts(("c1", "closed", "2024-01-01", 20, 18, 22), ("o1", "open", "2024-02-01", 18.5))
    assert censored(matched).empty


def test_a_single_point_gives_no_lag_and_no_failure():
    s = summarize(pts(("o1", "open", "2024-01-01", 10)))
    assert s.points == 0 and math.isnan(s.lag_months_mean) and math.isnan(s.lag_ci_low)
    assert math.isnan(s.vertical_gap_latest)
    empty = summarize(pts(("c1", "closed", "2024-01-01", 10)).iloc[0:0])
    assert empty.points == 0


def test_frontier_series_and_time_weighted_gap():
    frame = pts(("c1", "closed", "2024-01-01", 10), ("o1", "open", "2024-01-01", 4),
                ("c2", "closed", "2024-01-11", 14), ("o2", "open", "2024-01-21", 12))
    series = frontier_series(frame).set_index("date")
    assert series["vertical_gap"].tolist() == [6.0, 10.0, 2.0]
    s = summarize(frame, date(2024, 1, 1), date(2024, 1, 31))
    # 6 for 10 days, 10 for 10 days, 2 for 10 days
    assert s.vertical_gap_mean == pytest.approx(6.0)
    assert s.vertical_gap_latest == 2.0


def test_bootstrap_is_seeded_and_brackets_the_mean():
    values = np.array([1.0, 2.0, 3.0, 10.0])
    assert bootstrap_interval(values) == bootstrap_interval(values)
    low, high = bootstrap_interval(values)
    assert low < values.mean() < high
    assert bootstrap_interval(np.array([5.0])) == (5.0, 5.0)


scores = st.floats(min_value=0, max_value=100, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["open", "closed"]), st.integers(0, 1500), scores), min_size=1,
                max_size=40))
def test_properties_on_random_series(rows):
    frame = pd.DataFrame([{"model": f"m{i}", "group": g, "date": pd.Timestamp("2022-01-01") + pd.Timedelta(days=d),
                           "score": s, "score_low": s, "score_high": s} for i, (g, d, s) in enumerate(rows)])
    rec = records(frame)
    for _, part in rec.groupby("group"):
        assert part["score"].is_monotonic_increasing and part["score"].is_unique
    lags = lag_table(frame)
    for _, row in lags[~lags["open_leads"]].iterrows():
        reached = frame[(frame["model"] == row["reached_by"])].iloc[0]
        assert reached["score"] >= row["score_low"]
        earlier = frame[(frame["group"] == "closed") & (frame["date"] < reached["date"])]
        assert not (earlier["score"] >= row["score_low"]).any()  # it was the first to get there
    series = frontier_series(frame)
    assert series["open_frontier"].dropna().is_monotonic_increasing
    assert series["closed_frontier"].dropna().is_monotonic_increasing


def test_trend_gap_reads_the_offset_between_parallel_lines():
    from landscape.analysis.gap import trend_gap

    # both frontiers climb 2 points a month; the closed line sits 6 points higher: a 3-month lag
    rows = []
    for i in range(6):
        day = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=round(i * 2 * DAYS_PER_MONTH))).strftime("%Y-%m-%d")
        rows.append((f"c{i}", "closed", day, 100 + 6 + 4 * i))
        rows.append((f"o{i}", "open", day, 100 + 4 * i))
    gap = trend_gap(pts(*rows))
    assert gap.slope_per_month == pytest.approx(2.0, abs=0.01)
    assert gap.vertical_gap == pytest.approx(6.0, abs=0.01)
    assert gap.lag_months == pytest.approx(3.0, abs=0.02)
    assert gap.lag_ci_low <= gap.lag_months <= gap.lag_ci_high
    assert math.isnan(trend_gap(pts(("o1", "open", "2024-01-01", 1))).lag_months)

"""How far open models trail closed ones: frontiers, vertical gap, horizontal lag, censoring, summaries.

Pure functions over a table of scored models (pandas), one benchmark at a time. The input has
one row per model with ``model``, ``date`` (release date), ``score``, ``score_low`` and
``score_high`` (the uncertainty bounds the source gives; equal to the score when it gives
none) and ``group`` (``open`` or ``closed``); other columns are carried along.

Definitions:

- **Frontier** of a group at a date: the best score reached by that group's models released on
  or before it. A *record* is a model that raises its group's frontier (strictly).
- **Vertical gap** at a date: closed frontier minus open frontier.
- **Horizontal lag** of an open record: the time, in months, from the first release of a closed
  model that reached that level to the open record's own release. A closed model *reached* the
  level if its score is at least the open record's lower bound (within the open score's
  uncertainty counts as reached). Negative when a closed model got there later; undefined
  when none has yet (the open model leads).
- **Censored**: closed records that no open model has matched yet (an open score at least the
  closed record's lower bound); they stand as lags still growing, reported with how long they
  have stood, not folded into the averages.
- **Summary** over a window: mean and median lag of the open records released in it, with a
  bootstrap interval (resampling those lags), and the time-weighted mean vertical gap.

Example::

    >>> import pandas as pd
    >>> pts = pd.DataFrame({"model": ["c1", "o1"], "date": pd.to_datetime(["2024-01-01", "2024-07-01"]),
    ...                     "score": [10.0, 10.0], "score_low": [10.0, 10.0], "score_high": [10.0, 10.0],
    ...                     "group": ["closed", "open"]})
    >>> round(lag_table(pts)["lag_months"].iloc[0], 2)
    5.95
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 365.25 / 12
LEVEL = 0.9  # the confidence level of the bootstrap intervals reported everywhere
GROUPS = ("open", "closed")
REQUIRED = ("model", "date", "score", "score_low", "score_high", "group")


def _check(points: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED if c not in points.columns]
    if missing:
        raise ValueError(f"points lack columns {missing}")
    frame = points.dropna(subset=["date", "score"]).copy()
    frame = frame[frame["group"].isin(GROUPS)]
    frame["date"] = pd.to_datetime(frame["date"])
    frame["score_low"] = frame["score_low"].fillna(frame["score"]).clip(upper=frame["score"])
    frame["score_high"] = frame["score_high"].fillna(frame["score"]).clip(lower=frame["score"])
    # within a date, the best first: a lower score the same day never sets a record
    return frame.sort_values(["date", "score"], ascending=[True, False], kind="mergesort").reset_index(drop=True)


def _narrow(points: pd.DataFrame) -> pd.DataFrame:
    """Only the columns the method reads, for results that carry no other: every selection of a
    frame copies all its columns, and the scores' text columns make that the costly part."""
    return points[list(REQUIRED)] if set(REQUIRED) <= set(points.columns) else points


def _record_mask(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of a checked frame set their group's record, and the record each beat (NaN for
    a group's first)."""
    scores = frame["score"].to_numpy(dtype=float)
    groups = frame["group"].to_numpy(dtype=object)
    is_record, previous = np.zeros(len(frame), dtype=bool), np.full(len(frame), np.nan)
    for group in GROUPS:
        rows = np.flatnonzero(groups == group)
        if not len(rows):
            continue
        best = np.concatenate(([np.nan], np.maximum.accumulate(scores[rows])[:-1]))
        is_record[rows] = np.isnan(best) | (scores[rows] > best)
        previous[rows] = best
    return is_record, previous


def _records(frame: pd.DataFrame) -> pd.DataFrame:
    is_record, previous = _record_mask(frame)
    rec = frame[is_record].assign(previous_record=previous[is_record])
    # stable: records of one group on one date keep the frame's order (best first)
    return rec.sort_values(["date", "group"], kind="mergesort").reset_index(drop=True)


def records(points: pd.DataFrame) -> pd.DataFrame:
    """The record-setting models of each group, in date order, with the record they beat."""
    return _records(_check(points))


def _months(delta: pd.Timedelta) -> float:
    return delta / pd.Timedelta(days=1) / DAYS_PER_MONTH


def _rows(frame: pd.DataFrame, added: dict[str, list], columns: list[str]) -> pd.DataFrame:
    """``frame``'s rows with ``added`` columns, built from records (as these tables have always
    been built: their column types follow from the values)."""
    rows = [{**row, **{name: values[i] for name, values in added.items()}}
            for i, row in enumerate(frame.to_dict("records"))]
    return pd.DataFrame(rows, columns=columns)


def _open_lags(frame: pd.DataFrame, recs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list]]:
    """The open records (in date order) and, for each, the columns :func:`lag_table` adds."""
    opened = recs[recs["group"] == "open"]
    closed = frame[frame["group"] == "closed"]
    # the first closed model (in date order) to reach a level is the first whose running best does
    # (a non-decreasing array): one binary search per open record
    best = np.maximum.accumulate(closed["score"].to_numpy(dtype=float)) if len(closed) else np.array([])
    first = np.searchsorted(best, opened["score_low"].to_numpy(dtype=float), side="left")
    names, dates = closed["model"].tolist(), list(closed["date"])
    added: dict[str, list] = {"reached_by": [], "reached_on": [], "lag_months": [], "open_leads": []}
    for i, on in zip(first, opened["date"], strict=True):
        leads = bool(i == len(best))
        added["reached_by"].append(None if leads else names[i])
        added["reached_on"].append(pd.NaT if leads else dates[i])
        added["lag_months"].append(math.nan if leads else _months(on - dates[i]))
        added["open_leads"].append(leads)
    return opened, added


def lag_table(points: pd.DataFrame) -> pd.DataFrame:
    """One row per open record: who reached its level first on the closed side, when, and the lag.

    Columns added: ``reached_by``, ``reached_on``, ``lag_months`` (NaN when no closed model has
    reached it), ``open_leads`` (True in that case).
    """
    frame = _check(points)
    opened, added = _open_lags(frame, _records(frame))
    return _rows(opened, added, [*frame.columns, "previous_record", *added])


def _standing(frame: pd.DataFrame, recs: pd.DataFrame) -> pd.DataFrame:
    """The closed records no open score of ``frame`` matches."""
    scores = frame.loc[frame["group"] == "open", "score"].to_numpy(dtype=float)
    best_open = scores.max() if len(scores) else -math.inf
    closed = recs[recs["group"] == "closed"]
    return closed[~(best_open >= closed["score_low"].to_numpy(dtype=float))]


def censored(points: pd.DataFrame, as_of: date | pd.Timestamp | None = None) -> pd.DataFrame:
    """Closed records no open model has matched yet, with ``months_standing`` up to ``as_of``.

    ``as_of`` defaults to the newest release in the data.
    """
    frame = _check(points)
    as_of = pd.Timestamp(as_of) if as_of is not None else (frame["date"].max() if not frame.empty else None)
    standing = _standing(frame, _records(frame))
    return _rows(standing, {"months_standing": [_months(as_of - day) for day in standing["date"]]},
                 [*frame.columns, "previous_record", "months_standing"])


def _frontier_series(frame: pd.DataFrame, lag_dates: pd.Series, lags: np.ndarray) -> pd.DataFrame:
    """The series of :func:`frontier_series`, given the open records' dates and lags."""
    if frame.empty:
        return pd.DataFrame(columns=["date", "open_frontier", "closed_frontier", "vertical_gap", "lag_months"])
    days = frame["date"].to_numpy(dtype="datetime64[us]")
    dates = np.unique(days)
    last = np.searchsorted(days, dates, side="right") - 1  # each date's last row (the frame is in date order)
    series = pd.DataFrame({"date": dates})
    scores, groups = frame["score"].to_numpy(dtype=float), frame["group"].to_numpy(dtype=object)
    for group in GROUPS:
        # the group's best so far at each row, read at each date's last row (NaN before its first)
        best = np.maximum.accumulate(np.where(groups == group, scores, -np.inf))[last]
        series[f"{group}_frontier"] = np.where(best == -np.inf, np.nan, best)
    series["vertical_gap"] = series["closed_frontier"] - series["open_frontier"]
    # the lag of the open record holding the frontier: the latest on or before each date (open
    # records fall on distinct dates)
    held = np.searchsorted(lag_dates.to_numpy(dtype="datetime64[us]"), dates, side="right") - 1
    series["lag_months"] = lags[np.maximum(held, 0)] if len(lags) else np.nan
    series.loc[held < 0, "lag_months"] = np.nan
    return series


def frontier_series(points: pd.DataFrame) -> pd.DataFrame:
    """The two frontiers at every release date, the vertical gap, and the open frontier's lag.

    Columns: ``date``, ``open_frontier``, ``closed_frontier``, ``vertical_gap`` (closed − open,
    NaN until both exist), ``lag_months`` (lag of the open record holding the frontier then).
    """
    frame = _check(_narrow(points))
    opened, added = _open_lags(frame, _records(frame))
    return _frontier_series(frame, opened["date"], np.array(added["lag_months"], dtype=float))


@dataclass(frozen=True)
class GapSummary:
    """The headline figures of one benchmark over one window."""

    window_start: date
    window_end: date
    lag_months_mean: float
    lag_months_median: float
    lag_ci_low: float
    lag_ci_high: float
    points: int                  # open records in the window with a defined lag
    open_leads: int              # open records in the window no closed model has reached
    censored: int                # closed records still unmatched by any open model
    censored_max_months: float   # the longest such a closed record has stood
    vertical_gap_latest: float   # closed − open frontier at the window's end
    vertical_gap_mean: float     # time-weighted over the window

    def as_dict(self) -> dict:
        return asdict(self)


def bootstrap_interval(values: np.ndarray, statistic=np.mean, level: float = LEVEL, draws: int = 4000,
                       seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` (seeded: the same data gives the same interval)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return math.nan, math.nan
    if len(values) == 1:
        return float(values[0]), float(values[0])
    rng = np.random.default_rng(seed)
    samples = rng.choice(values, size=(draws, len(values)), replace=True)
    stats = statistic(samples, axis=1)
    tail = (1 - level) / 2
    return float(np.quantile(stats, tail)), float(np.quantile(stats, 1 - tail))


def summarize(points: pd.DataFrame, window_start: date | None = None, window_end: date | None = None,
              level: float = LEVEL, draws: int = 4000, seed: int = 0) -> GapSummary:
    """Mean and median lag of the open records released in the window, with a bootstrap interval.

    The window defaults to the whole span of the data. Records are found on all the data (a
    record set before the window still defines the frontier inside it).
    """
    frame = _check(_narrow(points))
    if frame.empty:
        start = end = window_start or window_end or date.today()
    else:
        start = pd.Timestamp(window_start) if window_start else frame["date"].min()
        end = pd.Timestamp(window_end) if window_end else frame["date"].max()
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    recs = _records(frame)
    opened, added = _open_lags(frame, recs)
    lags = np.array(added["lag_months"], dtype=float)
    in_window = ((opened["date"] >= start) & (opened["date"] <= end)).to_numpy(dtype=bool)
    values = lags[in_window & ~np.isnan(lags)]
    low, high = bootstrap_interval(values, np.mean, level, draws, seed)
    # the records up to the window's end are those of the data cut there (the frame is in date order)
    standing = _standing(frame[frame["date"] <= end], recs[recs["date"] <= end])
    months_standing = [_months(end - day) for day in standing["date"]]
    gap_latest, gap_mean = _gap_over(_frontier_series(frame, opened["date"], lags), start, end)
    return GapSummary(
        window_start=start.date(), window_end=end.date(),
        lag_months_mean=float(values.mean()) if len(values) else math.nan,
        lag_months_median=float(np.median(values)) if len(values) else math.nan,
        lag_ci_low=low, lag_ci_high=high, points=len(values),
        open_leads=int(np.array(added["open_leads"], dtype=bool)[in_window].sum()),
        censored=len(standing), censored_max_months=float(max(months_standing)) if months_standing else 0.0,
        vertical_gap_latest=gap_latest, vertical_gap_mean=gap_mean,
    )


def _gap_over(series: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> tuple[float, float]:
    """The vertical gap at ``end`` and its time-weighted mean over [start, end] (a step function)."""
    if series.empty:
        return math.nan, math.nan
    steps = series[["date", "vertical_gap"]].dropna()
    before = steps[steps["date"] <= end]
    latest = float(before["vertical_gap"].iloc[-1]) if len(before) else math.nan
    # the value in force at `start`, then each change inside the window
    head = steps[steps["date"] <= start].tail(1).assign(date=start)
    inside = steps[(steps["date"] > start) & (steps["date"] <= end)]
    parts = pd.concat([head, inside])
    if parts.empty:
        return latest, math.nan
    edges = [*parts["date"], end]
    weights = np.array([(b - a) / pd.Timedelta(days=1) for a, b in zip(edges[:-1], edges[1:], strict=True)])
    if weights.sum() <= 0:
        return latest, float(parts["vertical_gap"].iloc[-1])
    return latest, float(np.average(parts["vertical_gap"], weights=weights))


@dataclass(frozen=True)
class TrendGap:
    """The gap read off two parallel trend lines fitted to each group's records in a window."""

    slope_per_month: float        # shared improvement rate of the frontier, score points per month
    vertical_gap: float           # closed intercept − open intercept, score points
    lag_months: float             # vertical gap / slope
    lag_ci_low: float
    lag_ci_high: float
    records: int


def _fits(t_open: np.ndarray, y_open: np.ndarray, t_closed: np.ndarray, y_closed: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and closed − open offsets of ``score = a_group + b·t`` for rows of samples at once.

    With one intercept per group and a shared slope, least squares gives the slope from the
    deviations about each group's mean, and the offset from the two means. Each argument is an
    array of samples (one row per bootstrap draw), so thousands of draws cost a few array
    operations instead of thousands of solver calls.
    """
    def centred(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        tm, ym = t.mean(axis=-1), y.mean(axis=-1)
        dt = t - tm[..., None]
        return tm, ym, (dt * (y - ym[..., None])).sum(axis=-1), (dt * dt).sum(axis=-1)

    tm_o, ym_o, sxy_o, sxx_o = centred(t_open, y_open)
    tm_c, ym_c, sxy_c, sxx_c = centred(t_closed, y_closed)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (sxy_o + sxy_c) / (sxx_o + sxx_c)
    offset = (ym_c - slope * tm_c) - (ym_o - slope * tm_o)
    return slope, offset


def trend_gap(points: pd.DataFrame, window_start: date | None = None, window_end: date | None = None,
              level: float = LEVEL, draws: int = 2000, seed: int = 0) -> TrendGap:
    """Fit score = a_group + b·t to the records of both groups in the window (one shared slope b).

    The horizontal lag is the offset between the lines divided by the slope: how many months
    the open line needs to reach where the closed line is. A bootstrap over the records (within
    each group, ``draws`` resamples, vectorised) gives the interval. This is the trend-line reading
    of the gap, to set beside the record-by-record lags of :func:`summarize`.
    """
    rec = _records(_check(_narrow(points)))
    if window_start is not None:
        rec = rec[rec["date"] >= pd.Timestamp(window_start)]
    if window_end is not None:
        rec = rec[rec["date"] <= pd.Timestamp(window_end)]
    counts = rec["group"].value_counts()
    if len(rec) < 4 or counts.get("open", 0) < 2 or counts.get("closed", 0) < 2:
        return TrendGap(math.nan, math.nan, math.nan, math.nan, math.nan, len(rec))
    months = ((rec["date"] - rec["date"].min()) / pd.Timedelta(days=1) / DAYS_PER_MONTH).to_numpy(dtype=float)
    scores = rec["score"].to_numpy(dtype=float)
    is_open = (rec["group"] == "open").to_numpy()
    t_o, y_o, t_c, y_c = months[is_open], scores[is_open], months[~is_open], scores[~is_open]
    slope, offset = (float(v) for v in _fits(t_o, y_o, t_c, y_c))
    rng = np.random.default_rng(seed)
    pick_o = rng.integers(0, len(t_o), (draws, len(t_o)))
    pick_c = rng.integers(0, len(t_c), (draws, len(t_c)))
    slopes, offsets = _fits(t_o[pick_o], y_o[pick_o], t_c[pick_c], y_c[pick_c])
    lags = offsets[slopes > 0] / slopes[slopes > 0]
    tail = (1 - level) / 2
    low, high = (float(np.quantile(lags, tail)), float(np.quantile(lags, 1 - tail))) if len(lags) else (math.nan,) * 2
    return TrendGap(slope, offset, offset / slope if slope > 0 else math.nan, low, high, len(rec))

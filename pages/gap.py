"""Capability gap: how far open models trail the closed frontier, in months and in points."""

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame, verdicts
from dashboard.colors import ACCESS
from dashboard.components import (
    ARENA,
    EPOCH_BENCHMARKS,
    EPOCH_MODELS,
    chart_block,
    download_csv,
)
from dashboard.markdown import md_escape
from landscape.analysis.gap import LEVEL
from landscape.filters import Filters, quoted
from landscape.queries import gap as q
from landscape.queries.gap import OPEN_DEFINITIONS, SPLITS

frame.page_guard()

SPLIT_LABELS = {"all": "every country", "CN-US": "open China vs closed US", "US-US": "open US vs closed US"}


# Figure builders and the chart's table: pure functions of the analysis' results, so that a rerun
# with the same inputs reuses them (charts.figure, data.derived).

def frontier_figure(points: pd.DataFrame, series: pd.DataFrame, start: object, end: object,
                    benchmark: str) -> go.Figure:
    figure = go.Figure()
    shown = charts.plain(points)
    for group in ("closed", "open"):
        part = shown[shown["group"] == group]
        figure.add_trace(go.Scatter(
            x=part["date"], y=part["score"], mode="markers", name=f"{group} models",
            marker={"color": ACCESS[group], "size": 7, "opacity": 0.55},
            error_y={"type": "data", "symmetric": False, "array": part["score_high"] - part["score"],
                     "arrayminus": part["score"] - part["score_low"], "thickness": 1, "width": 0},
            customdata=part[["display_name", "organization", "country"]].fillna("").to_numpy(),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]} (%{customdata[2]})<br>%{x|%Y-%m-%d}: "
                          "%{y:.1f}<extra></extra>"))
        figure.add_trace(go.Scatter(x=series["date"], y=series[f"{group}_frontier"], mode="lines",
                                    line={"shape": "hv", "color": ACCESS[group], "width": 2.5},
                                    name=f"{group} frontier", hoverinfo="skip"))
    figure.add_vrect(x0=start, x1=end, fillcolor="#3b5bdb", opacity=0.05, line_width=0)
    figure.update_layout(template=charts.TEMPLATE, yaxis_title=f"{benchmark} score", xaxis_title=None, height=520)
    return figure


def points_table(points: pd.DataFrame) -> pd.DataFrame:
    """The scored models as the CSV has them: their countries as one text cell."""
    return points.drop(columns=["countries"]).assign(
        countries=points["countries"].map(lambda c: ",".join(c) if c is not None else ""))


def lag_figure(lags: pd.DataFrame) -> go.Figure:
    shown = charts.plain(lags.dropna(subset=["lag_months"]))
    figure = go.Figure(go.Scatter(
        x=shown["date"], y=shown["lag_months"], mode="markers+lines", line={"color": ACCESS["open"]},
        customdata=shown[["display_name", "reached_by"]].fillna("").to_numpy(),
        hovertemplate="%{customdata[0]}: %{y:.1f} months behind %{customdata[1]}<extra></extra>"))
    figure.add_hline(y=0, line_color="#999")
    figure.update_layout(template=charts.TEMPLATE, yaxis_title="Lag (months)", xaxis_title=None)
    return figure


def vertical_gap_figure(series: pd.DataFrame) -> go.Figure:
    gap_series = series.dropna(subset=["vertical_gap"])
    figure = go.Figure(go.Scatter(x=gap_series["date"], y=gap_series["vertical_gap"], mode="lines",
                                  line={"shape": "hv", "color": "#3b5bdb"}))
    figure.update_layout(template=charts.TEMPLATE, yaxis_title="Closed − open frontier (points)", xaxis_title=None)
    return figure

st.title("Capability gap")
st.markdown("How far open-weight models trail closed ones. For each open model that sets a new open record, the "
            "**lag** is the time since a closed model first reached that score (a closed score within the open "
            "score's uncertainty counts); the **vertical gap** is the closed frontier minus the open frontier. "
            "Closed records no open model has matched yet are *censored*: they are counted, with how long they "
            "have stood, not averaged in.")
frame.require("benchmark_scores")
filters = frame.filters()
frame.filter_note()

available = data.run(q.benchmarks)
if available.empty:
    st.info("No benchmark has enough dated open and closed scores yet.", icon=":material/query_stats:")
    st.stop()
names = list(available["benchmark"])
asked = st.query_params.get("benchmark")
if asked is not None and asked not in names:  # the bound widget falls back to the first: say so
    st.warning(f"Ignored benchmark `{quoted(asked)}` from the link (not in the data).",
               icon=":material/link_off:")
with st.container(horizontal=True):
    benchmark = st.selectbox("Benchmark", names, key="benchmark", bind="query-params",
                             help="The Epoch Capabilities Index (eci), the Arena (arena_text) and each Epoch "
                                  "benchmark with enough open and closed models.")
    open_definition = st.segmented_control("Open means", OPEN_DEFINITIONS, default="all", key="open_def",
                                           required=True, bind="query-params",
                                           help="**all**: open weights under any licence; **unrestricted**: "
                                                "open weights without use restrictions only.")
    split = st.selectbox("Countries", list(SPLITS), key="split", bind="query-params",
                         help="all: " + SPLIT_LABELS["all"] + " (or the sidebar's countries, for both groups); "
                              "CN-US: " + SPLIT_LABELS["CN-US"] + "; US-US: " + SPLIT_LABELS["US-US"] + ".")
    min_benchmarks = 0
    if benchmark == "eci":
        # a slider of fixed steps rather than a number box: a link's value must be one of them, so
        # `?min_benchmarks=inf` is dropped (with a note) instead of reaching a number conversion
        min_benchmarks = st.select_slider("Fewest benchmarks behind an ECI score", options=list(range(41)), value=0,
                                          key="min_benchmarks", bind="query-params",
                                          help="How many of Epoch's benchmark files score the same model "
                                               "version (the ECI file does not say it itself).")

countries = filters["country"] if split == "all" else ()
points = data.run(q.points, benchmark, open_definition, split, countries, int(min_benchmarks))
if points.empty or points["group"].nunique() < 2:
    st.info("Too few open and closed scores for these options.", icon=":material/query_stats:")
    st.stop()

months = pd.period_range(points["date"].min(), points["date"].max(), freq="M").astype(str).tolist()
window = st.select_slider("Window (release months)", months, value=(months[0], months[-1]), key="window",
                          bind="query-params",
                          help="Open records released in this window are averaged; the frontiers are "
                               "built from all the data before it too.")
start = pd.Period(window[0], "M").start_time.date()
end = pd.Period(window[1], "M").end_time.date()

view = data.run(q.analysis, benchmark, open_definition, split, countries, int(min_benchmarks), start, end)
summary, trend = view.summary, view.trend
source = EPOCH_BENCHMARKS if benchmark != "arena_text" else ARENA
sources = [source, EPOCH_MODELS]
what = f"on {benchmark}, {start:%b %Y}–{end:%b %Y}, open = {open_definition}, {SPLIT_LABELS[split]}"

# --- headline ----------------------------------------------------------------------------------
st.subheader(verdicts.headline_lag(summary, benchmark, start, end))
cols = st.columns(4)
cols[0].metric("Mean lag", "—" if math.isnan(summary.lag_months_mean) else f"{summary.lag_months_mean:.1f} months",
               help=f"Median {summary.lag_months_median:.1f} months; {LEVEL:.0%} bootstrap interval "
                    f"{summary.lag_ci_low:.1f}–{summary.lag_ci_high:.1f}.")
cols[1].metric("Open records behind it", f"{summary.points}",
               help=f"{summary.open_leads} more open records no closed model had reached.")
cols[2].metric("Vertical gap, end of window", "—" if math.isnan(summary.vertical_gap_latest)
               else f"{summary.vertical_gap_latest:.1f} points",
               help=f"Time-weighted mean over the window: {summary.vertical_gap_mean:.1f} points.")
cols[3].metric("Censored closed records", f"{summary.censored}",
               help=f"The longest has stood {summary.censored_max_months:.1f} months.")
if not math.isnan(trend.lag_months):
    st.caption(f"Trend-line reading: parallel lines fitted to each group's records in the window climb "
               f"{trend.slope_per_month:.2f} points a month and sit {trend.vertical_gap:.1f} points apart, "
               f"a lag of {trend.lag_months:.1f} months ({LEVEL:.0%} CI {trend.lag_ci_low:.1f}–{trend.lag_ci_high:.1f}).")
summary_frame = pd.DataFrame([{"benchmark": benchmark, "open_definition": open_definition, "split": split,
                               **summary.as_dict(), "trend_lag_months": trend.lag_months,
                               "trend_vertical_gap": trend.vertical_gap}])
download_csv("gap_summary", summary_frame, Filters(country=countries), label="Download this summary (CSV)")

# --- frontier chart ---------------------------------------------------------------------------
series = view.series
chart_block(f"gap_points_{benchmark}", f"Open and closed models on {benchmark}, with both frontiers",
            "Each point is a model at its release date (bars: the uncertainty the source gives); the step lines "
            "are the best score each group had reached by then. The shaded band is the window.",
            charts.figure(frontier_figure, points, series, start, end, benchmark),
            data.derived(points_table, points), sources, filters)

# --- lag over time --------------------------------------------------------------------------------
lags = view.lags
chart_block(f"gap_lag_{benchmark}", "Lag of each open record, over time",
            "Each point is an open model that set a new open record, placed at its release: how many months "
            "earlier a closed model had reached its score (below zero: closed models got there later).",
            charts.figure(lag_figure, lags) if lags["lag_months"].notna().any() else None, lags, sources, filters)

# --- vertical gap over time -----------------------------------------------------------------------
chart_block(f"gap_vertical_{benchmark}", "Vertical gap over time",
            "The closed frontier minus the open frontier at each release date: how many points the best open "
            "model was behind the best closed one.",
            charts.figure(vertical_gap_figure, series) if series["vertical_gap"].notna().any() else None,
            series.assign(benchmark=benchmark), sources, filters)

# --- the records behind the lag -------------------------------------------------------------------
st.markdown("#### The open records behind the lag")
st.caption("Open models that set a new open record, the closed model that had first reached their level, and the "
           "lag. Names are shown as the sources write them.")
table = lags[["date", "display_name", "organization", "country", "score", "score_low", "reached_by", "reached_on",
              "lag_months", "open_leads"]]
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"date": st.column_config.DateColumn("released"),
                            "reached_on": st.column_config.DateColumn("reached on"),
                            "lag_months": st.column_config.NumberColumn("lag (months)", format="%.1f"),
                            "score": st.column_config.NumberColumn(format="%.1f"),
                            "score_low": st.column_config.NumberColumn("lower bound", format="%.1f")})
download_csv(f"gap_records_{benchmark}", table, Filters(country=countries))
st.caption(f"Analysis {md_escape(what)}. Sources: {source.markdown()}; {EPOCH_MODELS.markdown()} "
           "(accessibility and country where the benchmark file does not state them).")

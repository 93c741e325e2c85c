"""Openness trends: how releases split between open and closed weights, by country and organisation."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame
from dashboard.components import EPOCH_MODELS, chart_block, links_line, release_coverage_line
from dashboard.filters import PAGE_OPTIONS
from landscape.queries import openness as q

frame.page_guard()


def overall_figure(overall: pd.DataFrame) -> go.Figure:
    return charts.access_lines(overall.assign(group="open"), "period", "open_share_pct", "group",
                               "Open-weight share (%)", hover=["open", "closed", "unreleased", "unknown"])


def counts_figure(counts: pd.DataFrame) -> go.Figure:
    return charts.stacked_by_access(counts, "year", "releases", "accessibility_group", "Releases").update_traces(
        hovertemplate="%{x}: %{y} releases").update_xaxes(**charts.year_axis(counts["year"]))


def largest_figure(largest: pd.DataFrame, label: str) -> go.Figure:
    fig = charts.access_lines(largest, "year", "largest", "group", label, log_y=True,
                              hover=["model", "organization", "country"])
    return fig.update_xaxes(**charts.year_axis(largest["year"]))


def organizations_figure(orgs: pd.DataFrame) -> go.Figure:
    long = orgs.melt(id_vars=["organization"], value_vars=["open", "closed", "unreleased"],
                     var_name="accessibility_group", value_name="count")
    figure = charts.stacked_by_access(long, "organization", "count", "accessibility_group", "Releases",
                                      horizontal=True)
    figure.update_yaxes(categoryorder="total ascending")
    figure.update_layout(height=620)
    return figure


st.title("Openness trends")
st.markdown("Releases tracked by Epoch AI, split by how their weights were released. *Open* means open "
            "weights under any licence; *closed* means API or hosted access only.")
frame.require("releases")
filters = frame.filters()
frame.filter_note()

period = st.segmented_control("Period", PAGE_OPTIONS["period"], default="year", key="period", required=True,
                              bind="query-params")

overall = data.run(q.open_share, filters, period, False)
chart_block(f"open_share_by_{period}", f"Open-weight share of releases per {period}",
            "The line is open / (open + closed + unreleased) for releases of that period; releases whose "
            "accessibility Epoch has not recorded are left out (hover for the counts).",
            charts.figure(overall_figure, overall) if not overall.empty else None, overall, [EPOCH_MODELS], filters)

by_country = data.run(q.open_share, filters, period, True)
chart_block(f"open_share_by_country_{period}", f"Open-weight share of releases per {period}, by country",
            "One line per country (the filtered ones, or the six with most releases); a release counts for "
            "every country of its organisations.",
            charts.figure(charts.lines_by_country, by_country, "period", "open_share_pct", "Open-weight share (%)",
                          hover=["open", "closed", "unreleased", "releases"])
            if not by_country.empty else None, by_country, [EPOCH_MODELS], filters,
            coverage=release_coverage_line(filters))

counts = data.run(q.accessibility_counts, filters)
chart_block("accessibility_counts", "Releases per year by accessibility",
            "Each bar stacks the year's releases by Epoch's own accessibility value; colours follow the open "
            "(green) / closed (red) / unreleased (purple) groups.",
            charts.figure(counts_figure, counts) if not counts.empty else None,
            counts, [EPOCH_MODELS], filters)

rank_by = st.segmented_control("Rank", PAGE_OPTIONS["rank_by"], default="organisation", key="rank_by",
                               required=True, bind="query-params",
                               help="**organisation**: as Epoch AI names them (Google DeepMind, Google Brain, …); "
                                    "**parent**: grouped under their parent organisation (Alphabet), from the "
                                    "organisation registry.")
orgs = data.run(q.organizations_ranked, filters, 25, rank_by == "parent")
figure = charts.figure(organizations_figure, orgs) if not orgs.empty else None
chart_block(f"organizations_open_closed_{rank_by}", "Organisations ranked by releases, open vs closed",
            f"The 25 {'organisations' if rank_by == 'organisation' else 'parent organisations'} with most releases "
            "of known accessibility; each bar splits them into open, closed and unreleased. A collaboration counts "
            "for each of its organisations.", figure, orgs, [EPOCH_MODELS], filters)
if not orgs.empty:
    links_line("organization", orgs["organization"].head(12), "Organisation pages")

measure = st.segmented_control("Size measure", PAGE_OPTIONS["measure"], default="params", key="measure",
                               required=True, bind="query-params",
                               help="**params**: parameters; **compute**: training compute (FLOP).")
largest = data.run(q.largest_models, filters, measure)
label = "Parameters" if measure == "params" else "Training compute (FLOP)"
chart_block(f"largest_open_closed_{measure}", f"Largest open vs largest closed model per year ({label.lower()})",
            "Points are the largest model released that year in each group (log scale; hover for its name); the "
            "record-so-far line is in the CSV.",
            charts.figure(largest_figure, largest, label) if not largest.empty else None,
            largest, [EPOCH_MODELS], filters)

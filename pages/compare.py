"""Compare up to five organisations side by side (``/compare?orgs=A&orgs=B``, shareable)."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame
from dashboard.components import EPOCH_BENCHMARKS, EPOCH_MODELS, HUB, chart_block, links_line
from landscape.filters import Filters
from landscape.queries import lookup
from landscape.queries.meta import filter_options

frame.page_guard()


# Figure builders: pure functions of query results, built once per distinct input (charts.figure).

def releases_figure(releases: pd.DataFrame) -> go.Figure:
    fig = charts.bar(charts.plain(releases), x="year", y="releases", color="organization", barmode="group",
                     hover_data=["open"])
    return fig.update_xaxes(**charts.year_axis(releases["year"]))


def open_share_figure(releases: pd.DataFrame) -> go.Figure:
    fig = charts.line(charts.plain(releases), x="year", y="open_share_pct", color="organization", markers=True)
    fig.update_layout(yaxis_title="Open-weight share (%)")
    return fig.update_xaxes(**charts.year_axis(releases["year"]))


def capability_figure(capability: pd.DataFrame) -> go.Figure:
    shown = charts.plain(capability).assign(line=lambda f: f["organization"] + " (" + f["group"] + ")")
    fig = charts.line(shown, x="release_date", y="best", color="line", line_shape="hv", markers=True,
                      hover_data=["model"])
    fig.update_layout(xaxis_title=None, yaxis_title="Best ECI score so far")
    return fig


def hub_figure(hub: pd.DataFrame, measure: str) -> go.Figure:
    fig = charts.line(charts.plain(hub), x="snapshot_date", y=measure, color="organization", markers=True)
    fig.update_layout(xaxis_title=None, yaxis_title="Downloads, last 30 days")
    return charts.snapshot_axis(fig, hub["snapshot_date"])

st.title("Compare organisations")
st.markdown("Up to five organisations on the same charts: their releases and how open they are, their best "
            "capability score over time, and the Hub downloads of their models and of what others built on them. "
            "A parent organisation (Alphabet, Meta, Alibaba, …) gathers its units.")
frame.require("releases")
choices = data.run(filter_options).choices.get("org", [])
picked = st.multiselect("Organisations", choices, key="orgs", max_selections=lookup.MAX_COMPARED,
                        bind="query-params", placeholder="Choose two to five organisations")
if len(picked) < 2:
    st.info("Choose at least two organisations to compare.", icon=":material/compare_arrows:")
    st.stop()
links_line("organization", picked, "Their pages")
everyone = Filters()  # each chart shows the organisations picked, whatever the sidebar's filters say

releases = data.run(lookup.compare_releases, picked)
left, right = st.columns(2)
with left:
    fig = charts.figure(releases_figure, releases) if not releases.empty else None
    chart_block("compare_releases", "Releases per year",
                "Each organisation's releases in Epoch AI's data per year (hover for how many had open weights).",
                fig, releases, [EPOCH_MODELS], everyone)
with right:
    fig = charts.figure(open_share_figure, releases) if not releases.empty else None
    chart_block("compare_open_share", "Open-weight share per year",
                "The share of each organisation's releases of known accessibility whose weights are open.",
                fig, releases, [EPOCH_MODELS], everyone)

capability = data.run(lookup.compare_capability, picked)
fig = charts.figure(capability_figure, capability) if not capability.empty else None
chart_block("compare_capability", "Best capability score over time, open and closed",
            "The highest Epoch Capabilities Index of each organisation's models released so far, its open and its "
            "closed models apart (a step at each new best).", fig, capability, [EPOCH_BENCHMARKS], everyone,
            empty_message="None of these organisations has a model scored on the capabilities index.")

hub = data.run(lookup.compare_hub, picked)
left, right = st.columns(2)
for column, measure, title, how in (
        (left, "own", "Hub downloads of their models over time",
         "The 30-day downloads of each organisation's own Hub models at each snapshot date"),
        (right, "derivatives", "Hub downloads of what others built on them",
         "The 30-day downloads of the models others derived from theirs (fine-tunes, adapters, quantisations, "
         "merges)")):
    fig = charts.figure(hub_figure, hub, measure) if not hub.empty else None
    with column:
        chart_block(f"compare_hub_{measure}", title, how + ".", fig, hub, [HUB], everyone,
                    empty_message="No Hub snapshot of these organisations' models.")

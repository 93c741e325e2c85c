"""Building blocks every page uses: a chart with its reading guide, source and CSV download.

Every chart says how to read it, where its data comes from (with the attribution the licence
asks for), which filters shaped it, and offers a **Download CSV** of exactly the rows drawn,
with the filters in the file name.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.markdown import md_escape
from landscape.csv_safety import frame_to_csv
from landscape.filters import Filters
from landscape.queries import coverage
from pipeline.sources import SOURCES, SourceInfo

# Citations of the sources, from the one registry (pipeline/sources/__init__.py).
EPOCH_MODELS = SOURCES["epoch"]
EPOCH_BENCHMARKS = SOURCES["benchmarks"]
HUB = SOURCES["hub"]
ARENA = SOURCES["arena"]
HISTORY = SOURCES["history"]

def file_name(name: str, filters: Filters, ext: str = "csv") -> str:
    slug = filters.slug()
    return f"{name}_{slug}.{ext}" if slug else f"{name}.{ext}"


def download_csv(name: str, data: pd.DataFrame, filters: Filters, label: str = "Download CSV") -> None:
    """A download button for ``data`` as CSV (formula cells neutralised)."""
    st.download_button(label, data=frame_to_csv(data), file_name=file_name(name, filters), mime="text/csv",
                       key=f"download-{name}", on_click="ignore", icon=":material/download:")


def chart_block(name: str, title: str, how_to_read: str, figure: go.Figure | None, data: pd.DataFrame,
                sources: Iterable[SourceInfo], filters: Filters,
                empty_message: str = "No data for these filters.", coverage: str = "") -> None:
    """One chart with its title, reading guide, source line, active filters and CSV download.

    The filters named are those that apply to the tables the page's queries have filtered so far
    (see :func:`dashboard.data.run`), so a caption never names a filter the chart ignores.
    ``coverage`` (from :func:`hub_coverage_line` or :func:`release_coverage_line`), for a chart
    split by country, says how much of what it shows has a country.
    """
    with st.container(border=True):
        st.markdown(f"#### {title}")
        st.caption(f"**How to read this:** {how_to_read}")
        if data.empty or figure is None:
            st.info(empty_message, icon=":material/filter_alt_off:")
        else:
            figure.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text="")
            st.plotly_chart(figure, key=f"chart-{name}", config={"displaylogo": False})
        sources_md = "; ".join(s.markdown() for s in sources)
        st.caption(f"Source: {sources_md}. Filters: {md_escape(filters_line(filters))}."
                   + (f" Attribution: {coverage}." if coverage else ""))
        download_csv(name, data, filters)


def hub_coverage_line(filters: Filters, basis: str = "origin", measure: str = "downloads_30d") -> str:
    """How much of the Hub models under ``filters`` (weighted by ``measure``: ``downloads_30d``,
    ``downloads_all_time``, ``models`` or ``likes``) has a country, by their ``basis``
    (``origin`` or ``uploader``) attribution, and how the rest splits by kind."""
    what = {"downloads_30d": "30-day downloads", "downloads_all_time": "all-time downloads", "models": "models",
            "likes": "likes"}[measure]
    by = "origin (the root model's uploader)" if basis == "origin" else "uploader"
    return md_escape(coverage.describe(data.run(coverage.hub_coverage, filters, basis), measure, f"{what} by {by}"))


def release_coverage_line(filters: Filters) -> str:
    """How many of the releases under ``filters`` have a country."""
    return md_escape(coverage.describe(data.run(coverage.release_coverage, filters), "releases", "releases"))


def filters_line(filters: Filters) -> str:
    """The active filters that apply to what this page has queried, as a caption names them."""
    return filters.describe(data.filtered_this_run() or None)

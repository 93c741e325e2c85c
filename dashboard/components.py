"""Building blocks every page uses: a chart with its reading guide, source and CSV download.

Every chart says how to read it, where its data comes from (with the attribution the licence
asks for), which filters shaped it, and offers a **Download CSV** of exactly the rows drawn,
with the filters in the file name.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.charts import finish
from dashboard.data import derived
from dashboard.markdown import md_escape
from landscape.csv_safety import frame_to_csv
from landscape.filters import Filters, quoted
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
    # the CSV of the same rows is the same bytes: written once, not on every rerun
    st.download_button(label, data=derived(frame_to_csv, data), file_name=file_name(name, filters),
                       mime="text/csv", key=f"download-{name}", on_click="ignore", icon=":material/download:")


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
            finish(figure)  # a figure from dashboard.charts.figure is finished (and shared) already
            st.plotly_chart(figure, key=f"chart-{name}", config={"displaylogo": False})
        sources_md = "; ".join(s.markdown() for s in sources)
        st.caption(f"Source: {sources_md}. Filters: {md_escape(filters_line(filters))}."
                   + (f" Attribution: {coverage}." if coverage else ""))
        download_csv(name, data, filters)


LOOKUP_PAGES = {"organization": ("pages/organization.py", "name"), "model": ("pages/model.py", "id")}


def link_to(kind: str, value: str) -> str:
    """The shareable URL (relative to the app) of an organisation's or a model's page, for a
    LinkColumn: the value is percent-encoded, never spliced into HTML."""
    _, key = LOOKUP_PAGES[kind]
    return f"./{kind}?{key}={quote(value, safe='/')}"


def page_link_to(kind: str, value: str, label: str | None = None) -> None:
    """A link to an organisation's or a model's page, its label shown as text."""
    page, key = LOOKUP_PAGES[kind]
    st.page_link(page, label=md_escape((label or value)[:120]), query_params={key: value})  # cut, then escape


def links_line(kind: str, values: Iterable[str], lead: str = "Open") -> None:
    """One line of Markdown links to the pages of ``values`` (organisations or models): labels
    escaped as text, targets percent-encoded."""
    links = [f"[{md_escape(v[:60])}]({link_to(kind, v)})" for v in values if isinstance(v, str) and v]
    if links:
        st.caption(f"{lead}: " + " · ".join(links))


def not_found(kind: str, text: str, suggestions: list[str]) -> None:
    """A clear "not found" for a link to an unknown organisation or model (``kind`` as in
    :data:`LOOKUP_PAGES`), with the closest keys."""
    noun = "organisation" if kind == "organization" else "model"
    st.warning(f"No {noun} named `{quoted(text)}` in this database.", icon=":material/search_off:")
    if suggestions:
        st.markdown("Did you mean:")
        for suggestion in suggestions:
            page_link_to(kind, suggestion)


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


def hub_columns(**overrides: object) -> dict:
    """How Hub columns are labelled and formatted in every table on screen (the CSVs keep the
    columns' names); ``overrides`` adds or replaces a page's own columns (its links, say)."""
    number = st.column_config.NumberColumn
    text = st.column_config.TextColumn
    return {"downloads_30d": number("Downloads, last 30 days", format="localized"),
            "downloads_all_time": number("All-time downloads", format="localized"),
            "likes": number("Likes", format="localized"),
            "license_family": text("Licence family"),
            "params": number("Parameters", format="compact"),
            "model_kind": text("Kind"),
            "created_at": st.column_config.DateColumn("Created"),
            "origin": text("Origin country"),
            "base_relation": text("Derived as"),
            "intermediary": st.column_config.CheckboxColumn("Repackager"),
            "derivatives": number("Derivatives", format="localized"),
            "own_downloads": number("Root's own downloads", format="localized"),
            **overrides}


def table_block(name: str, title: str, how_to_read: str, data: pd.DataFrame, filters: Filters,
                empty_message: str = "No data for these filters.", column_config: dict | None = None) -> None:
    """A table with its title, reading guide and CSV download (the table form of :func:`chart_block`);
    ``column_config`` labels and formats its columns on screen (the CSV keeps the columns' names)."""
    with st.container(border=True):
        st.markdown(f"#### {title}")
        st.caption(f"**How to read this:** {how_to_read}")
        if data.empty:
            st.info(empty_message, icon=":material/filter_alt_off:")
        else:
            st.dataframe(data, hide_index=True, column_config=column_config)
        download_csv(name, data, filters)


def filters_line(filters: Filters) -> str:
    """The active filters that apply to what this page has queried, as a caption names them."""
    return filters.describe(data.filtered_this_run() or None)

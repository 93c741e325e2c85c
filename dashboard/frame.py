"""The frame around every page: global filters, freshness, and the empty / partial data states."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import data
from dashboard.filters import FilterOptions, sidebar
from dashboard.markdown import md_escape
from dashboard.queries.meta import filter_options
from pipeline.datasets import Filters
from pipeline.sources import SOURCES

INGEST_HELP = ("Run `make ingest` (or `python -m pipeline ingest`) on a machine that can reach "
               "huggingface.co and epoch.ai, then reload this page.")


def _ago(stamp: str | None) -> str:
    if not stamp:
        return "never"
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    hours = (datetime.now(UTC) - when).total_seconds() / 3600
    if hours < 1:
        return "less than an hour ago"
    if hours < 48:
        return f"{hours:.0f} hours ago"
    return f"{hours / 24:.0f} days ago"


def page_guard() -> None:
    """Make sure a page runs inside ``app.py``'s frame (navigation, filters, freshness).

    A ``pages/`` folder beside the main script turns Streamlit's old multipage mode on until
    ``st.navigation`` first runs in the server process; in that window a deep link such as
    ``/openness`` runs the page script alone. The first page to notice switches the old mode
    off, as ``st.navigation`` would have, and reruns through the frame.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def setup() -> data.DataState:
    """Draw the sidebar (filters, freshness) and remember the active filters for the page."""
    state = data.state()  # a damaged database raises StorageError: app.py shows it in one line
    options = FilterOptions((), (), ())
    if state.exists:
        opts = data.run(filter_options)
        if isinstance(opts, dict):
            options = FilterOptions(opts["countries"], opts["organizations"], opts["tasks"])
    st.session_state["_filters"] = sidebar(options)
    with st.sidebar:
        st.divider()
        st.markdown("**Data**")
        if not state.exists:
            st.caption("No database published yet.")
        else:
            st.caption(f"Published {_ago(state.published_at)}.")
            for source in SOURCES.values():
                st.caption(freshness_line(source.id, state))
        st.caption("Epoch AI data: CC BY 4.0. See *Methodology & sources*.")
    st.session_state["_data_state"] = state
    return state


def filters() -> Filters:
    """The active global filters (set by :func:`setup` on this rerun)."""
    return st.session_state.get("_filters", Filters())


def state() -> data.DataState:
    return st.session_state.get("_data_state") or data.DataState(None, None, {}, {})


def freshness_line(source: str, current: data.DataState) -> str:
    """One line on a source: when it was fetched, and whether its last attempt failed and why."""
    label = SOURCES[source].label
    info = current.sources.get(source) or {}
    if info.get("fetched_at"):
        line = f"{label}: fetched {_ago(info['fetched_at'])}, {info['rows'] or 0:,} rows"
    else:
        line = f"{label}: not ingested yet"
    if info.get("status") == "failed":
        line += f". **Last attempt failed** {_ago(info['failed_at'])}: {md_escape(info['error'] or '')}"
    return line


def _sources_of(table: str) -> list[str]:
    return [s.id for s in SOURCES.values() if table in s.tables]


def require(*tables: str) -> data.DataState:
    """Stop the page with a plain explanation when a table it needs has no data; say when the
    source behind a table it shows failed on its last attempt."""
    current = state()
    if not current.exists:
        st.info(f"No data yet: nothing has been ingested. {INGEST_HELP}", icon=":material/database:")
        st.stop()
    missing = [t for t in tables if not current.has(t)]
    failed = [s for t in tables for s in _sources_of(t) if (current.sources.get(s) or {}).get("status") == "failed"]
    for source in dict.fromkeys(failed):
        info = current.sources[source]
        kept = (f" The figures below are from its last successful fetch, {_ago(info['fetched_at'])}."
                if info.get("fetched_at") else "")
        st.warning(f"The last {SOURCES[source].label} fetch failed {_ago(info['failed_at'])}: "
                   f"{md_escape(info['error'] or 'no reason recorded')}.{kept} The next ingest tries again.",
                   icon=":material/sync_problem:")
    if missing:
        lines = []
        for table in missing:
            sources = _sources_of(table)
            names = " and ".join(f"**{SOURCES[s].label}**" for s in sources)
            lines.append(f"- {names}: not ingested (`python -m pipeline ingest --sources {','.join(sources)}`)")
        st.info("This page needs data that is not in the database yet:\n" + "\n".join(lines),
                icon=":material/database:")
        st.stop()
    return current

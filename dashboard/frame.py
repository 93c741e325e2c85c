"""The frame around every page: global filters, freshness, and the empty / partial data states."""

from __future__ import annotations

import threading

import streamlit as st

from dashboard import data
from dashboard.components import page_link_to
from dashboard.filters import sidebar
from dashboard.markdown import md_escape
from landscape.filters import Filters, not_applying, quoted
from landscape.freshness import ago
from landscape.queries import lookup
from landscape.queries.meta import NOTHING_PUBLISHED, DataState, FilterOptions, filter_options
from pipeline.activity import read_activity
from pipeline.config import load_settings
from pipeline.runs import is_starter
from pipeline.sources import SOURCES

FETCH_HELP = ("`make ingest` (or `python -m pipeline ingest`) on a machine that can reach epoch.ai and "
              "huggingface.co fetches current data; `make run` tries it in the background.")
INGEST_HELP = ("Run `make ingest` (or `python -m pipeline ingest`) on a machine that can reach "
               "huggingface.co and epoch.ai, then reload this page.")
_page = threading.local()  # this script run's filter note (Streamlit runs each session in its own thread)


def page_guard() -> None:
    """Make sure a page runs inside ``app.py``'s frame (navigation, filters, freshness).

    Streamlit 1.67 offers no setting for this, so the workaround lives here, and only here:
    ``tests/app/test_navigation_guard.py`` fails when Streamlit changes the behaviour it relies on.

    A ``pages/`` folder beside the main script turns Streamlit's old multipage mode on
    (``PagesManager.uses_pages_directory``) until ``st.navigation`` first runs in the server
    process; in that window a deep link such as ``/openness`` runs the page script alone, without
    this frame. Every page calls this first: the first to notice switches the old mode off, as
    ``st.navigation`` would have, and reruns through the frame.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def setup() -> DataState:
    """Draw the sidebar (filters, freshness) and remember the active filters for the page."""
    data.start_run()
    _page.note = None
    state = data.state()  # a damaged database raises StorageError: app.py shows it in one line
    options = data.run(filter_options) if state.exists else FilterOptions()
    if state.exists:
        search_box()
    st.session_state["_filters"] = sidebar(options)
    with st.sidebar:
        st.divider()
        st.markdown("**Data**")
        if not state.exists:
            st.caption("No database published yet.")
        else:
            st.caption(f"Published {ago(state.published_at)}.")
            for source in SOURCES.values():
                st.caption(freshness_line(source.id, state))
        st.caption("Epoch AI data: CC BY 4.0. See *Methodology & sources*.")
        activity = read_activity(load_settings())
        if activity is not None and activity.running:
            ingest_under_way(state.version)
    starter = starter_date(state)
    if starter:
        failed = (f" The last attempt failed: {md_escape(activity.message)}."
                  if activity is not None and activity.state == "failed" and activity.message else "")
        benchmarks = state.sources.get("benchmarks")
        scores = (f" and benchmark scores as of {str(benchmarks['changed_at'])[:10]}"
                  if is_starter(benchmarks) else "")
        st.info(f"**Starter snapshot**: Epoch AI's models data as of {starter}{scores}, bundled with the code, "
                f"because nothing newer has been fetched yet.{failed} {FETCH_HELP}",
                icon=":material/inventory_2:")
    st.session_state["_data_state"] = state
    return state


SEARCH_GROUPS = {"organization": "Organisations", "release": "Epoch AI releases", "model": "Hub models"}


def search_box() -> None:
    """The sidebar's search: organisations, Epoch releases and Hub models by a fragment of their
    name or id, each result a link to its page (releases open their organisation's)."""
    with st.sidebar:
        text = st.text_input("Search", key="search", placeholder="a model, an organisation, a namespace",
                             max_chars=100, help="Part of a Hub model id, an Epoch model name, an organisation "
                                                 "or a Hub namespace.")
        if not text or len(text.strip()) < lookup.MIN_QUERY:
            return
        found = data.run(lookup.search, text)
        if found.empty:
            st.caption(f"Nothing matches `{quoted(text)}`.")
            return
        for kind, group in found.groupby("kind", sort=False):
            st.caption(SEARCH_GROUPS[kind])
            for row in group.itertuples():
                target = "model" if kind == "model" else "organization"
                label = row.label if kind != "release" else f"{row.label} ({row.key})"
                page_link_to(target, row.key, label)


def starter_date(current: DataState) -> str | None:
    """The date of the bundled starter snapshot when the Epoch data shown is still that, else None."""
    info = current.sources.get("epoch")
    return str(info["changed_at"])[:10] if is_starter(info) else None


@st.fragment(run_every=5)
def ingest_under_way(version: str | None) -> None:
    """The sidebar's line on an ingest under way, redrawn every few seconds; when it publishes,
    the whole page reruns so its charts show the new data."""
    activity = read_activity(load_settings())
    if data.state().version != version or activity is None or not activity.running:
        st.rerun(scope="app")
    st.caption(f":material/sync: **Ingest under way** (since {ago(activity.started_at)}): "
               f"{md_escape(activity.describe())}. Its data appears here when it is published.")


def filters() -> Filters:
    """The active global filters (set by :func:`setup` on this rerun)."""
    return st.session_state.get("_filters", Filters())


def state() -> DataState:
    return st.session_state.get("_data_state") or NOTHING_PUBLISHED


def filter_note() -> None:
    """Where the page says which global filters do not apply to it: filled in by :func:`finish`,
    once the page's queries have said which tables they filter."""
    _page.note = st.empty()


def finish() -> None:
    """End of a page run (``app.py``): fill the page's filter note from the queries it ran."""
    slot, _page.note = getattr(_page, "note", None), None
    ignored = not_applying(data.filtered_this_run())
    if slot is not None and ignored:
        slot.caption(f"Filters that do not apply on this page: {', '.join(label.lower() for label in ignored)}.")


def freshness_line(source: str, current: DataState) -> str:
    """One line on a source: when it was fetched, and whether its last attempt failed and why."""
    label = SOURCES[source].label
    info = current.sources.get(source) or {}
    if is_starter(info):
        line = f"{label}: starter snapshot of {str(info['changed_at'])[:10]}, bundled, {info['rows'] or 0:,} rows"
    elif info.get("fetched_at"):
        line = f"{label}: fetched {ago(info['fetched_at'])}, {info['rows'] or 0:,} rows"
    else:
        line = f"{label}: not ingested yet"
    if info.get("status") == "failed":
        line += f". **Last attempt failed** {ago(info['failed_at'])}: {md_escape(info['error'] or '')}"
    return line


def _sources_of(table: str) -> list[str]:
    return [s.id for s in SOURCES.values() if table in s.tables]


def require(*tables: str) -> DataState:
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
        kept = (f" The figures below are from its last successful fetch, {ago(info['fetched_at'])}."
                if info.get("fetched_at") else "")
        st.warning(f"The last {SOURCES[source].label} fetch failed {ago(info['failed_at'])}: "
                   f"{md_escape(info['error'] or 'no reason recorded')}.{kept} The next ingest tries again.",
                   icon=":material/sync_problem:")
    if missing and "models" in missing and starter_date(current):
        st.info("This page shows the Hugging Face Hub, which needs network: the bundled starter snapshot holds "
                f"Epoch AI's data only. {FETCH_HELP}", icon=":material/cloud_off:")
        st.stop()
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

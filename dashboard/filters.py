"""The global filters in the sidebar: one widget per entry of the specification, its state in the URL.

Everything about a filter (its key, label, values, link form, SQL) comes from
:mod:`landscape.filters`; this module only draws the widgets and keeps them in step with the
link, so a copied link reproduces a view. The URL holds the filters in the project's vocabulary
(``?country=CN&country=US&license=permissive``) while the widgets show names; they are kept in
step here rather than by Streamlit's ``bind="query-params"``, which would put the widgets'
display labels in the URL:

- a fresh session, or a link whose filters differ from what this session last wrote, takes
  its filters from the URL (unknown or malformed values are dropped with a visible note);
- otherwise the widgets are the truth, and the URL is rewritten from them on every run, which
  also restores the filters after a page switch.

Pages' own options (period, benchmark, …) are plain widgets bound to the URL with
``bind="query-params"``; their keys and rules are declared in :data:`PAGE_OPTIONS`, so the
sidebar can tell a link's unknown parameters from theirs, and drop a value a page's widget would
choke on before the page runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from landscape.filters import (
    GLOBAL_KEYS,
    SPECS,
    Filters,
    RangeFilter,
    ValuesFilter,
    parse_link,
    quoted,
    to_link,
)
from landscape.queries.gap import OPEN_DEFINITIONS, SPLITS
from landscape.queries.meta import FilterOptions


def _integer(low: int, high: int) -> Callable[[list[str]], str | None]:
    """A link value that must be one whole number in ``[low, high]``."""
    def check(values: list[str]) -> str | None:
        value = values[-1].strip() if values else ""
        if len(values) == 1 and value.isdigit() and low <= int(value) <= high:
            return None
        return f"(give a whole number from {low} to {high:,})"
    return check


_MONTH = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])")


def _month_range(values: list[str]) -> str | None:
    """Two months ``YYYY-MM``, the earlier first (the capability gap's window)."""
    months = [v for v in values if _MONTH.fullmatch(v)]
    if len(values) == 2 and len(months) == 2 and months[0] <= months[1]:
        return None
    return "(give two months YYYY-MM, the earlier first)"


# Pages' own URL options: key → the values allowed (a tuple), a check returning what is wrong with
# the values (a callable), or None for values the page checks against its data itself. A link's
# value that fails is removed before the page runs, with a note, like a global filter's. The
# widgets show these values as they are, since a bound widget writes its label into the link.
PAGE_OPTIONS: dict[str, tuple[str, ...] | Callable[[list[str]], str | None] | None] = {
    "period": ("year", "quarter"),
    "measure": ("params", "compute"),
    "downloads": ("30d", "all"),
    "view": ("models", "families"),
    "weight": ("models", "downloads"),
    "table": ("models", "releases"),
    "sort": None, "page": _integer(1, 10**9),
    "benchmark": None, "open_def": OPEN_DEFINITIONS, "split": tuple(SPLITS), "window": _month_range,
    "min_benchmarks": _integer(0, 40),
    "lineage_weight": ("models", "downloads"),
    # pages' tabs: their labels, as a bound st.tabs writes them into the link
    "lineage_tab": ("What people build on", "Across borders", "Distillation"),
    "adoption_tab": ("By country", "Who gets downloaded", "Over time"),
    "rank_by": ("organisation", "parent"),
    # the organisation and model pages' subject (?name=…, ?id=…): any text, checked by the page
    # against the database (an unknown one is a "not found" with suggestions)
    "name": None, "id": None, "orgs": None,
}
_WIDGET = {spec.key: f"filter_{spec.key}" for spec in SPECS}
_LAST_URL = "_filters_last_url"
_ACTIVE = "_filters_active"
_NOTES = "_filters_notes"
_RAW = "_filters_raw"


def page_option_problem(key: str, values: list[str]) -> str | None:
    """What is wrong with a page option from a link (unknown key, or a value its rule refuses), or None."""
    rule = PAGE_OPTIONS.get(key, "unknown")
    if rule == "unknown":
        return f"unknown link parameter `{quoted(key)}`"
    if isinstance(rule, tuple):
        bad = next((v for v in values if v not in rule), None)
        return None if bad is None and values else \
            f"unknown {key} value `{quoted(bad or '')}` (use {' or '.join(rule)})"
    if callable(rule) and (why := rule(values)):
        return f"{key} value `{quoted('&'.join(values))}` {why}"
    return None


def _widget_value(spec: ValuesFilter | RangeFilter, value: tuple) -> object:
    """A filter's value as its widget holds it: a list of values, or the slider's two step labels."""
    return list(value) if isinstance(spec, ValuesFilter) else (spec.label_of(value[0], True),
                                                               spec.label_of(value[1], False))


def _load_widgets(filters: Filters) -> None:
    """Put ``filters`` into the widgets' state (before the widgets are drawn on this run)."""
    for spec in SPECS:
        st.session_state[_WIDGET[spec.key]] = _widget_value(spec, filters[spec.key])


def _reset() -> None:
    _load_widgets(Filters())


def _draw(spec: ValuesFilter | RangeFilter, options: FilterOptions) -> tuple:
    """One filter's widget; its value."""
    if isinstance(spec, ValuesFilter):
        choices = list(spec.options if spec.options is not None else options.choices.get(spec.key, ()))
        return tuple(st.multiselect(spec.label, choices, key=_WIDGET[spec.key], format_func=spec.display,
                                    help=spec.help or None))
    labels = list(spec.steps)
    # `value` fixes the widget's range shape; the state set in `_load_widgets` wins over it
    first, last = st.select_slider(spec.label, labels, value=(labels[0], labels[-1]), key=_WIDGET[spec.key],
                                   help=spec.help or None)
    return spec.bounds(first, last)


def sidebar(options: FilterOptions) -> Filters:
    """Draw the filter widgets in the sidebar and return the active :class:`Filters`."""
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    link = {k: v for k, v in raw.items() if k in GLOBAL_KEYS}
    from_link, notes = parse_link(raw, options.choices)
    notes += [problem for key, values in raw.items() if key not in GLOBAL_KEYS
              and (problem := page_option_problem(key, values))]
    for key in [k for k in raw if k in PAGE_OPTIONS and page_option_problem(k, raw[k])]:
        del st.query_params[key]  # before the page's bound widget reads it
    last = st.session_state.get(_LAST_URL)
    if last is None or (link and link != last) or (notes and raw != st.session_state.get(_RAW)):
        _load_widgets(from_link)          # a new session, or a link opened in this one
        st.session_state[_NOTES] = (from_link, notes)
    elif _ACTIVE in st.session_state and not link and last:
        _load_widgets(st.session_state[_ACTIVE])  # a page switch dropped the parameters
    with st.sidebar:
        st.header("Filters")
        active = Filters(**{spec.key: _draw(spec, options) for spec in SPECS})
        st.button("Reset filters", on_click=_reset, width="stretch", icon=":material/filter_alt_off:")
        loaded, link_notes = st.session_state.get(_NOTES, (None, []))
        for note in link_notes:
            st.warning(f"Ignored {note} from the link.", icon=":material/link_off:")
    wanted = to_link(active)
    for key in GLOBAL_KEYS:
        if key in wanted:
            if raw.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]
    st.session_state[_LAST_URL] = wanted
    st.session_state[_ACTIVE] = active
    st.session_state[_RAW] = raw
    if loaded is not None and active != loaded:
        st.session_state[_NOTES] = (None, [])  # the user has moved on from that link
    return active

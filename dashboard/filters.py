"""The global filters: sidebar widgets whose state lives in the URL, so a copied link reproduces a view.

The URL holds the filters in the project's vocabulary (``?country=CN&country=US&license=permissive``)
while the widgets show names. The two are kept in step here rather than by Streamlit's
``bind="query-params"``, which would put the widgets' display labels in the URL:

- a fresh session, or a link whose filters differ from what this session last wrote, takes
  its filters from the URL (unknown or malformed values are dropped with a visible note);
- otherwise the widgets are the truth, and the URL is rewritten from them on every run, which
  also restores the filters after a page switch.

Pages' own options (period, benchmark, …) are plain widgets bound to the URL with
``bind="query-params"``; their keys and values are declared in :data:`PAGE_OPTIONS`, so the
sidebar can tell a link's unknown parameters from theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import streamlit as st

from pipeline.analysis.gap_inputs import OPEN_DEFINITIONS, SPLITS
from pipeline.datasets import Filters
from pipeline.transform.countries import country_name
from pipeline.transform.licenses import LICENSE_FAMILIES

# Size steps of the parameter slider: label → parameters. "0" and "max" are the open ends.
SIZE_STEPS: dict[str, float | None] = {
    "0": None, "100M": 1e8, "500M": 5e8, "1B": 1e9, "3B": 3e9, "7B": 7e9, "14B": 1.4e10, "32B": 3.2e10,
    "70B": 7e10, "150B": 1.5e11, "400B": 4e11, "1T": 1e12, "max": None,
}
SIZE_LABELS = list(SIZE_STEPS)
FIRST_YEAR = 2015
# The year slider's open ends: its first step means "from the earliest data" (Epoch's records
# reach back to 1950), its last the current year, so the default range filters nothing.
EARLIER = "earlier"
GLOBAL_KEYS = ("country", "license", "org", "task", "size", "years")


def _integer(low: int, high: int) -> Callable[[list[str]], str | None]:
    """A link value that must be one whole number in ``[low, high]`` (a bound number widget would
    otherwise choke on ``inf`` or ``1e309`` before the page could say anything)."""
    def check(values: list[str]) -> str | None:
        value = values[-1].strip() if values else ""
        if len(values) == 1 and value.isdigit() and low <= int(value) <= high:
            return None
        return f"(give a whole number from {low} to {high:,})"
    return check


def _month_range(values: list[str]) -> str | None:
    """Two months ``YYYY-MM``, the earlier first (the capability gap's window)."""
    months = [v for v in values if _MONTH.fullmatch(v)]
    if len(values) == 2 and len(months) == 2 and months[0] <= months[1]:
        return None
    return "(give two months YYYY-MM, the earlier first)"


_MONTH = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])")

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
}
_WIDGET = {key: f"filter_{key}" for key in GLOBAL_KEYS}
_LAST_URL = "_filters_last_url"
_ACTIVE = "_filters_active"
_NOTES = "_filters_notes"


def year_options(today: date | None = None) -> list[str]:
    """``["earlier", "2016", …, <this year>]``: the slider's steps, as they appear in links."""
    return [EARLIER, *(str(y) for y in range(FIRST_YEAR + 1, (today or datetime.now(UTC).date()).year + 1))]


def _year_bounds(first: str, last: str, known: list[str]) -> tuple[date | None, date | None]:
    return (None if first == known[0] else date(int(first), 1, 1),
            None if last == known[-1] else date(int(last), 12, 31))


@dataclass(frozen=True)
class FilterOptions:
    """What the widgets offer, from the published data."""

    countries: Sequence[str]
    organizations: Sequence[str]
    tasks: Sequence[str]


def parse_link(options: FilterOptions, params: dict[str, list[str]]) -> tuple[Filters, list[str]]:
    """The filters a link asks for, and notes on what in it is ignored (unknown keys or values)."""
    notes: list[str] = []
    allowed = {"country": set(options.countries), "license": set(LICENSE_FAMILIES),
               "org": set(options.organizations), "task": set(options.tasks)}
    chosen: dict[str, tuple[str, ...]] = {}
    for key in ("country", "license", "org", "task"):
        values = [v.upper() if key == "country" else v for v in params.get(key, []) if v]
        good = tuple(dict.fromkeys(v for v in values if v in allowed[key]))
        bad = [v for v in values if v not in allowed[key]]
        if bad:
            notes.append(f"unknown {key} value{'s' if len(bad) > 1 else ''} "
                         + ", ".join(f"`{v[:40]}`" for v in bad[:5]))
        chosen[key] = good
    lo = hi = None
    if "size" in params:
        size = params["size"]
        if len(size) != 2 or any(v not in SIZE_STEPS for v in size) or \
                SIZE_LABELS.index(size[0]) > SIZE_LABELS.index(size[1]):
            notes.append(f"malformed size range `{'&'.join(size)[:60]}` (give two of "
                         f"{', '.join(SIZE_LABELS)}, smaller first)")
        else:
            lo, hi = SIZE_STEPS[size[0]], SIZE_STEPS[size[1]]
    start = end = None
    if "years" in params:
        years = params["years"]
        known = year_options()
        if len(years) != 2 or any(v not in known for v in years) or known.index(years[0]) > known.index(years[1]):
            notes.append(f"malformed year range `{'&'.join(years)[:60]}` (give two of {known[0]}, "
                         f"{known[1]}–{known[-1]}, earlier first)")
        else:
            start, end = _year_bounds(years[0], years[1], known)
    for key, values in params.items():
        if key in GLOBAL_KEYS:
            continue
        problem = page_option_problem(key, values)
        if problem:
            notes.append(problem)
    filters = Filters(countries=chosen["country"], license_families=chosen["license"],
                      organizations=chosen["org"], tasks=chosen["task"], params_min=lo, params_max=hi,
                      date_from=start, date_to=end)
    return filters, notes


def page_option_problem(key: str, values: list[str]) -> str | None:
    """What is wrong with a page option from a link (unknown key, or a value its rule refuses), or None."""
    rule = PAGE_OPTIONS.get(key, "unknown")
    if rule == "unknown":
        return f"unknown link parameter `{shown(key)}`"
    if isinstance(rule, tuple):
        bad = next((v for v in values if v not in rule), None)
        return None if bad is None and values else \
            f"unknown {key} value `{shown(bad or '')}` (use {' or '.join(rule)})"
    if callable(rule) and (why := rule(values)):
        return f"{key} value `{shown('&'.join(values))}` {why}"
    return None


def shown(text: str) -> str:
    """A link's text as a note shows it, inside a code span (literal, never markup): short, and
    unable to close the span it sits in."""
    return text[:40].replace("`", "'")


def to_link(filters: Filters) -> dict[str, list[str]]:
    """The URL parameters of ``filters`` (empty filters give no parameter)."""
    params: dict[str, list[str]] = {}
    for key, values in (("country", filters.countries), ("license", filters.license_families),
                        ("org", filters.organizations), ("task", filters.tasks)):
        if values:
            params[key] = list(values)
    if filters.params_min is not None or filters.params_max is not None:
        params["size"] = [_size_label(filters.params_min, lower=True), _size_label(filters.params_max, lower=False)]
    if filters.date_from is not None or filters.date_to is not None:
        known = year_options()
        params["years"] = [str(filters.date_from.year) if filters.date_from else known[0],
                           str(filters.date_to.year) if filters.date_to else known[-1]]
    return params


def _size_label(value: float | None, lower: bool) -> str:
    if value is None:
        return SIZE_LABELS[0] if lower else SIZE_LABELS[-1]
    return next(label for label, v in SIZE_STEPS.items() if v == value)


def _load_widgets(filters: Filters) -> None:
    """Put ``filters`` into the widgets' state (before the widgets are drawn on this run)."""
    years = year_options()
    st.session_state[_WIDGET["country"]] = list(filters.countries)
    st.session_state[_WIDGET["license"]] = list(filters.license_families)
    st.session_state[_WIDGET["org"]] = list(filters.organizations)
    st.session_state[_WIDGET["task"]] = list(filters.tasks)
    st.session_state[_WIDGET["size"]] = (_size_label(filters.params_min, True), _size_label(filters.params_max, False))
    st.session_state[_WIDGET["years"]] = (str(filters.date_from.year) if filters.date_from else years[0],
                                          str(filters.date_to.year) if filters.date_to else years[-1])


def _reset() -> None:
    _load_widgets(Filters())


def sidebar(options: FilterOptions) -> Filters:
    """Draw the filter widgets in the sidebar and return the active :class:`Filters`."""
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    link = {k: v for k, v in raw.items() if k in GLOBAL_KEYS}
    from_link, notes = parse_link(options, raw)
    for key in [k for k in raw if k in PAGE_OPTIONS and page_option_problem(k, raw[k])]:
        del st.query_params[key]  # before the page's bound widget reads it
    last = st.session_state.get(_LAST_URL)
    if last is None or (link and link != last) or (notes and raw != st.session_state.get("_filters_raw")):
        _load_widgets(from_link)          # a new session, or a link opened in this one
        st.session_state[_NOTES] = (from_link, notes)
    elif _ACTIVE in st.session_state and not link and last:
        _load_widgets(st.session_state[_ACTIVE])  # a page switch dropped the parameters
    years = year_options()
    with st.sidebar:
        st.header("Filters")
        countries = st.multiselect(
            "Country", list(options.countries), key=_WIDGET["country"],
            format_func=lambda c: f"{country_name(c)} ({c})",
            help="Releases count for every country of their organisations; Hub models for their uploader's "
                 "country and for their root model's country.")
        families = st.multiselect("Licence family", list(LICENSE_FAMILIES), key=_WIDGET["license"],
                                  help="Hub models only.")
        orgs = st.multiselect("Organisation", list(options.organizations), key=_WIDGET["org"])
        tasks = st.multiselect("Task (pipeline tag)", list(options.tasks), key=_WIDGET["task"],
                               help="Hub models only.")
        # `value` fixes the widgets' range shape; the state set in `_load_widgets` wins over it
        size = st.select_slider("Parameters", SIZE_LABELS, value=(SIZE_LABELS[0], SIZE_LABELS[-1]),
                                key=_WIDGET["size"])
        year_range = st.select_slider(
            "Years", years, value=(years[0], years[-1]), key=_WIDGET["years"],
            help="Publication year for releases, repository creation year for Hub models.")
        st.button("Reset filters", on_click=_reset, width="stretch", icon=":material/filter_alt_off:")
        loaded, link_notes = st.session_state.get(_NOTES, (None, []))
        for note in link_notes:
            st.warning(f"Ignored {note} from the link.", icon=":material/link_off:")
    active = Filters(
        countries=tuple(countries), license_families=tuple(families), organizations=tuple(orgs),
        tasks=tuple(tasks), params_min=SIZE_STEPS[size[0]], params_max=SIZE_STEPS[size[1]],
        date_from=_year_bounds(*year_range, years)[0], date_to=_year_bounds(*year_range, years)[1],
    )
    wanted = to_link(active)
    for key in GLOBAL_KEYS:
        if key in wanted:
            if raw.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]
    st.session_state[_LAST_URL] = wanted
    st.session_state[_ACTIVE] = active
    st.session_state["_filters_raw"] = raw
    if loaded is not None and active != loaded:
        st.session_state[_NOTES] = (None, [])  # the user has moved on from that link
    return active


def describe(filters: Filters, applies: Iterable[str] = GLOBAL_KEYS) -> str:
    """One line naming the active filters that apply on a page, for captions."""
    parts = []
    applies = set(applies)
    if filters.countries and "country" in applies:
        parts.append("country " + ", ".join(country_name(c) for c in filters.countries))
    if filters.license_families and "license" in applies:
        parts.append("licence " + ", ".join(filters.license_families))
    if filters.organizations and "org" in applies:
        parts.append("organisation " + ", ".join(filters.organizations))
    if filters.tasks and "task" in applies:
        parts.append("task " + ", ".join(filters.tasks))
    if (filters.params_min or filters.params_max) and "size" in applies:
        parts.append(f"size {_size_label(filters.params_min, True)}–{_size_label(filters.params_max, False)}")
    if (filters.date_from or filters.date_to) and "years" in applies:
        start = filters.date_from.year if filters.date_from else "…"
        end = filters.date_to.year if filters.date_to else "…"
        parts.append(f"years {start}–{end}")
    return "; ".join(parts) or "none"

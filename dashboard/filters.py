"""The global filters: sidebar widgets whose state lives in the URL, so a copied link reproduces a view.

Widgets are bound to query parameters (``bind="query-params"``): Streamlit keeps the URL and
the widgets in step, across page switches too. Streamlit silently drops values it cannot
use; we check the raw parameters first so that a link with an unknown country, a malformed
size or a stray parameter shows a visible note instead of silently showing something else.

URL keys: ``country`` (ISO codes, repeated), ``license`` (licence families, repeated), ``org``
(repeated), ``task`` (repeated), ``size`` (two size labels), ``years`` (two years). Pages add
their own keys through :func:`register_page_keys`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import streamlit as st

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
GLOBAL_KEYS = ("country", "license", "org", "task", "size", "years")
_PAGE_KEYS: set[str] = set()


def register_page_keys(*keys: str) -> None:
    """Declare URL keys a page binds itself, so they are not reported as unknown."""
    _PAGE_KEYS.update(keys)


def year_options(today: date | None = None) -> list[int]:
    return list(range(FIRST_YEAR, (today or datetime.now(UTC).date()).year + 1))


@dataclass(frozen=True)
class FilterOptions:
    """What the widgets offer, from the published data."""

    countries: Sequence[str]
    organizations: Sequence[str]
    tasks: Sequence[str]


def link_notes(options: FilterOptions, params: dict[str, list[str]]) -> list[str]:
    """Human notes about link parameters that will be ignored (unknown keys or values)."""
    notes: list[str] = []
    allowed = {
        "country": set(options.countries), "license": set(LICENSE_FAMILIES), "org": set(options.organizations),
        "task": set(options.tasks),
    }
    for key, values in params.items():
        if key not in GLOBAL_KEYS and key not in _PAGE_KEYS:
            notes.append(f"unknown link parameter `{key}`")
            continue
        if key in allowed:
            bad = [v for v in values if v and v not in allowed[key]]
            if bad:
                notes.append(f"unknown {key} value{'s' if len(bad) > 1 else ''} "
                             + ", ".join(f"`{v[:40]}`" for v in bad[:5]))
        elif key == "size":
            if len(values) != 2 or any(v not in SIZE_STEPS for v in values):
                notes.append(f"malformed size range `{'&'.join(values)[:60]}` (use two of {', '.join(SIZE_LABELS[1:-1])})")
        elif key == "years":
            years = {str(y) for y in year_options()}
            if len(values) != 2 or any(v not in years for v in values):
                notes.append(f"malformed year range `{'&'.join(values)[:60]}`")
    return notes


def _reset() -> None:
    for key in GLOBAL_KEYS:
        st.session_state.pop(key, None)
    st.session_state["country"] = []
    st.session_state["license"] = []
    st.session_state["org"] = []
    st.session_state["task"] = []
    st.session_state["size"] = (SIZE_LABELS[0], SIZE_LABELS[-1])
    years = year_options()
    st.session_state["years"] = (years[0], years[-1])


def sidebar(options: FilterOptions) -> Filters:
    """Draw the filter widgets in the sidebar and return the active :class:`Filters`."""
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    notes = link_notes(options, raw)
    years = year_options()
    with st.sidebar:
        st.header("Filters")
        countries = st.multiselect("Country", options.countries, key="country", bind="query-params",
                                   format_func=lambda c: f"{country_name(c)} ({c})",
                                   help="Releases count for every country of their organisations; Hub models "
                                        "for their uploader's country and their root model's country.")
        families = st.multiselect("Licence family", LICENSE_FAMILIES, key="license", bind="query-params",
                                  help="Hub models only.")
        orgs = st.multiselect("Organisation", options.organizations, key="org", bind="query-params")
        tasks = st.multiselect("Task (pipeline tag)", options.tasks, key="task", bind="query-params",
                               help="Hub models only.")
        size = st.select_slider("Parameters", SIZE_LABELS, value=(SIZE_LABELS[0], SIZE_LABELS[-1]), key="size",
                                bind="query-params")
        year_range = st.select_slider("Years", years, value=(years[0], years[-1]), key="years",
                                      bind="query-params",
                                      help="Publication year for releases, repository creation year for Hub models.")
        st.button("Reset filters", on_click=_reset, width="stretch")
        for note in notes:
            st.warning(f"Ignored {note} from the link.", icon=":material/link_off:")
    lo, hi = (SIZE_STEPS[size[0]], SIZE_STEPS[size[1]])
    return Filters(
        countries=tuple(countries), license_families=tuple(families), organizations=tuple(orgs),
        tasks=tuple(tasks), params_min=lo, params_max=hi,
        date_from=date(year_range[0], 1, 1) if year_range[0] != years[0] else None,
        date_to=date(year_range[1], 12, 31) if year_range[1] != years[-1] else None,
    )


def describe(filters: Filters, applies: Iterable[str] = ("country", "license", "org", "task", "size", "years")) -> str:
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
        parts.append(f"size {_size(filters.params_min)}–{_size(filters.params_max)}")
    if (filters.date_from or filters.date_to) and "years" in applies:
        start = filters.date_from.year if filters.date_from else "…"
        end = filters.date_to.year if filters.date_to else "…"
        parts.append(f"years {start}–{end}")
    return "; ".join(parts) or "none"


def _size(value: float | None) -> str:
    if value is None:
        return "any"  # an open end
    return next((label for label, v in SIZE_STEPS.items() if v == value), f"{value:.3g}")

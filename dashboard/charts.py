"""Plotly figures with the project's colours: open vs closed, one colour per country, per licence family.

Pages pass query results; these helpers add display names (countries by name, not code) and
fixed colour maps, so the same country or group looks the same on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard.colors import ACCESS, LICENSE_FAMILY, country_color_map, country_label
from dashboard.data import FRAME_KEYS, code_key
from landscape.queries import NOT_COUNTRIES, OTHER

COUNTRY_LABEL = "Country"
TEMPLATE = "plotly_white"
# The layout every chart gets (dashboard.components.chart_block): room for the title, no legend title.
FINISH = {"margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "legend_title_text": ""}
_SHARED = "_landscape_shared"  # set on a cached figure: shared by every session, never to be changed


def year_axis(years: Iterable[object]) -> dict:
    """An x axis of years (``fig.update_xaxes(**year_axis(frame["year"]))``): one category per year
    from the first to the last, in order, those without data included.

    Categories, so no tick falls on 2024.5; listed, because by default categories come in the
    order the traces first name them (a year only a later trace has came after all of the first
    trace's years, and a line went back in time), and a year nobody released in would vanish.

    >>> year_axis(["2025", "2022"])["categoryarray"]
    ['2022', '2023', '2024', '2025']
    >>> year_axis([2021, 2019])["categoryarray"]
    [2019, 2020, 2021]
    """
    values = [y for y in years if y is not None and not pd.isna(y)]
    if not values:
        return {"type": "category"}
    numbers = [int(y) for y in values]
    span = range(min(numbers), max(numbers) + 1)
    as_text = isinstance(values[0], str)  # the axis's categories must be the data's own values
    return {"type": "category", "categoryorder": "array",
            "categoryarray": [str(y) for y in span] if as_text else list(span)}


def finish(fig: go.Figure) -> go.Figure:
    """The layout every chart gets (margins, no legend title), unless the figure has it already."""
    if not getattr(fig, _SHARED, False):
        fig.update_layout(**FINISH)
    return fig


@st.cache_resource(max_entries=1000, show_spinner=False, hash_funcs=FRAME_KEYS)
def _built(key: str, _build: Callable[..., go.Figure | None], args: tuple, kwargs: dict) -> go.Figure | None:
    fig = _build(*args, **kwargs)
    if fig is not None:
        finish(fig)
        setattr(fig, _SHARED, True)
    return fig


def figure(build: Callable[..., go.Figure | None], *args: object, **kwargs: object) -> go.Figure | None:
    """``build(*args, **kwargs)``, built once per distinct input and shared by every session and rerun.

    Building a Plotly figure (Plotly Express above all) costs tens of milliseconds of validation
    even for a frame of a dozen rows, on every rerun; the figure of the same rows is the same. The
    builder must be a pure function of its arguments (query results and options, all passed in:
    the cache key is the builder's code and the arguments' contents), and the figure it returns is
    shared: nothing may change it afterwards (:func:`dashboard.components.chart_block` leaves a
    shared figure as it is; it was finished here).
    """
    return _built(code_key(build), build, args, kwargs)


SINGLE_DATE_SPAN = pd.Timedelta(days=7)  # either side of a lone snapshot date
SINGLE_MONTH_SPAN = pd.DateOffset(months=1)  # either side of a lone month


def _lone_date(fig: go.Figure, dates: pd.Series, either_side: pd.Timedelta | pd.DateOffset,
               **axis: object) -> go.Figure:
    # Plotly's automatic range around a single date is a millisecond wide, its ticks times of
    # day; with two dates or more, Plotly's own range stands.
    days = pd.to_datetime(dates).dropna().unique()
    if len(days) == 1:
        day = pd.Timestamp(days[0])
        fig.update_xaxes(range=[day - either_side, day + either_side], **axis)
    return fig


def snapshot_axis(fig: go.Figure, dates: pd.Series) -> go.Figure:
    """A time axis that reads as days when there is one snapshot date so far (a first ingest):
    a week either side keeps it a calendar."""
    return _lone_date(fig, dates, SINGLE_DATE_SPAN)


def month_axis(fig: go.Figure, months: pd.Series) -> go.Figure:
    """A time axis of months that still reads as months when there is one so far (a first
    ingest, no history yet): a month either side, a tick a month."""
    return _lone_date(fig, months, SINGLE_MONTH_SPAN, dtick="M1", tickformat="%b %Y")


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells Plotly will show literally.

    Plotly renders a few HTML tags inside labels and hover text (``<b>``, ``<a href>``, …);
    names from the sources must not be read as markup, so ``<`` and ``>`` become entities,
    which Plotly displays as the characters themselves.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(
                lambda v: v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if isinstance(v, str) else v)
    return out


def with_country_names(frame: pd.DataFrame, column: str = "country", label: str = COUNTRY_LABEL) -> pd.DataFrame:
    """A copy (escaped for Plotly) with a display column naming each country bucket (see :func:`country_label`)."""
    out = plain(frame)
    out[label] = [country_label(c) for c in frame[column]]
    return out


def country_order(frame: pd.DataFrame, column: str = "country", by: str = "downloads") -> list[str]:
    """The labels of a frame's country buckets by ``by``, descending, then Other, then the buckets
    of models with no country (individuals, community, repackagers, unknown)."""
    totals = frame.groupby(column, dropna=False)[by].sum().sort_values(ascending=False)
    tail = [c for c in (OTHER, *NOT_COUNTRIES) if c in totals.index]
    return [country_label(c) for c in [c for c in totals.index if c not in tail] + tail]


def lines_by_country(frame: pd.DataFrame, x: str, y: str, y_title: str, *, log_y: bool = False,
                     hover: Sequence[str] = (), markers: bool = True) -> go.Figure:
    named = with_country_names(frame)
    named = named.sort_values(x)
    fig = px.line(named, x=x, y=y, color=COUNTRY_LABEL, markers=markers, log_y=log_y, template=TEMPLATE,
                  color_discrete_map=country_color_map(frame["country"]), hover_data=list(hover))
    fig.update_layout(yaxis_title=y_title, xaxis_title=None, hovermode="closest")
    fig.update_xaxes(categoryorder="category ascending")
    return fig


def bars_by_country(frame: pd.DataFrame, x: str, y: str, y_title: str, *, horizontal: bool = False,
                    hover: Sequence[str] = (), barmode: str = "group") -> go.Figure:
    named = with_country_names(frame)
    kwargs = {"x": y, "y": x, "orientation": "h"} if horizontal else {"x": x, "y": y}
    fig = px.bar(named, color=COUNTRY_LABEL, template=TEMPLATE, color_discrete_map=country_color_map(frame["country"]),
                 hover_data=list(hover), barmode=barmode, **kwargs)
    fig.update_layout(yaxis_title=None if horizontal else y_title, xaxis_title=y_title if horizontal else None)
    return fig


def _stacked(frame: pd.DataFrame, x: str, y: str, color: str, palette: dict[str, str], y_title: str, *,
             horizontal: bool, percent: bool) -> go.Figure:
    """Bars stacked by ``color`` in a fixed palette, its categories in the palette's order."""
    order = [c for c in palette if c in set(frame[color])]
    kwargs = {"x": y, "y": x, "orientation": "h"} if horizontal else {"x": x, "y": y}
    fig = px.bar(plain(frame), color=color, template=TEMPLATE, color_discrete_map=palette,
                 category_orders={color: order}, **kwargs)
    fig.update_layout(barmode="stack", barnorm="percent" if percent else None,
                      yaxis_title=None if horizontal else y_title,
                      xaxis_title=y_title if horizontal else None, legend_title_text="")
    return fig


def stacked_by_access(frame: pd.DataFrame, x: str, y: str, group: str, y_title: str, *,
                      horizontal: bool = False, percent: bool = False) -> go.Figure:
    """Bars stacked by accessibility group, in the fixed open/closed colours."""
    return _stacked(frame, x, y, group, ACCESS, y_title, horizontal=horizontal, percent=percent)


def stacked_by_family(frame: pd.DataFrame, x: str, y: str, y_title: str, *, percent: bool = False,
                      horizontal: bool = False, family: str = "license_family") -> go.Figure:
    """Bars stacked by licence family, in the fixed family colours."""
    return _stacked(frame, x, y, family, LICENSE_FAMILY, y_title, horizontal=horizontal, percent=percent)


def access_lines(frame: pd.DataFrame, x: str, y: str, group: str, y_title: str, *, log_y: bool = False,
                 hover: Sequence[str] = ()) -> go.Figure:
    fig = px.line(plain(frame).sort_values(x), x=x, y=y, color=group, markers=True, log_y=log_y,
                  template=TEMPLATE, color_discrete_map=ACCESS, hover_data=list(hover))
    fig.update_layout(yaxis_title=y_title, xaxis_title=None)
    fig.update_xaxes(categoryorder="category ascending")
    return fig

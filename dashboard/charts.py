"""Plotly figures with the project's colours: open vs closed, one colour per country, per licence family.

Pages pass query results; these helpers add display names (countries by name, not code) and
fixed colour maps, so the same country or group looks the same on every page. The pages' bars,
lines and areas are built here (:func:`bar`, :func:`line`, :func:`area`), with Plotly Express's
keywords and figures at a half to a third of its cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from dashboard.colors import ACCESS, LICENSE_FAMILY, country_color_map, country_label
from dashboard.data import FRAME_KEYS, code_key
from landscape.queries import NOT_COUNTRIES, OTHER

COUNTRY_LABEL = "Country"
TEMPLATE = "plotly_white"
# The layout every chart gets (dashboard.components.chart_block): room for the title, no legend title.
FINISH = {"margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "legend_title_text": ""}
_SHARED = "_landscape_shared"  # set on a cached figure: shared by every session, never to be changed


def _ordered(frame: pd.DataFrame, column: str, orders: dict[str, list]) -> list:
    """``column``'s values as Plotly Express orders a grouping column: those listed in ``orders``
    (present or not), then the rest in order of first appearance; recorded in ``orders``."""
    orders[column] = list(dict.fromkeys([*orders.get(column, ()), *frame[column].unique()]))
    return orders[column]


def _panels(facet_row: str | None, facet_col: str | None, values: list) -> tuple[list[dict], dict]:
    """Per facet value (in order), its trace's axes; and the layout's axes and panel titles, as
    Plotly Express lays out one row or one column of panels (``make_subplots``'s spacing: 0.03
    between rows, 0.02 between columns; rows numbered from the bottom, their titles on the right)."""
    facet = facet_row or facet_col
    n = len(values)
    layout: dict = {"annotations": []}
    refs = []
    spacing = 0.03 if facet_row else 0.02
    size = (1.0 - spacing * (n - 1)) / n
    for k, value in enumerate(values):
        index = n - k if facet_row else k + 1  # rows: the first value on top, the highest axis number
        slot = (n - 1 - k) if facet_row else k
        span = [slot * (size + spacing), slot * (size + spacing) + size]
        suffix = "" if index == 1 else str(index)
        refs.append({"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
        x_axis: dict = {"anchor": f"y{suffix}", "domain": [0.0, 0.98] if facet_row else span}
        y_axis: dict = {"anchor": f"x{suffix}", "domain": span if facet_row else [0.0, 1.0]}
        if index > 1:
            x_axis["matches"], y_axis["matches"] = "x", "y"
            (x_axis if facet_row else y_axis)["showticklabels"] = False
        layout[f"xaxis{suffix}"], layout[f"yaxis{suffix}"] = x_axis, y_axis
        title = {"text": f"{facet}={value}", "showarrow": False, "xref": "paper", "yref": "paper"}
        if facet_row:
            title.update(x=0.98, xanchor="left", y=(span[0] + span[1]) / 2, yanchor="middle", textangle=90)
        else:
            title.update(x=(span[0] + span[1]) / 2, xanchor="center", y=1.0, yanchor="bottom")
        layout["annotations"].append(title)
    if facet_row:
        layout["annotations"].reverse()  # listed from the bottom row up
    return refs, layout


def _traces(kind: str, frame: pd.DataFrame, x: str, y: str, color: str | None, *, orientation: str = "v",
            color_discrete_map: Mapping[str, str] | None = None, color_discrete_sequence: Sequence[str] | None = None,
            category_orders: Mapping[str, Sequence] | None = None, hover_data: Sequence[str] = (),
            text: str | None = None, markers: bool = False, line_shape: str | None = None, log_y: bool = False,
            barmode: str = "relative", facet_row: str | None = None, facet_col: str | None = None,
            height: int | None = None) -> go.Figure:
    """One trace per value of ``color`` (and panel), drawn as Plotly Express draws them (same keywords).

    Plotly Express validates a figure through layers of property updates: 75-130 ms for a chart
    of a few to a few hundred points on this project's machines, against 25-65 ms for the same
    traces built here (the template's validation, ~21 ms, is most of what is left). Every new filter
    combination builds its charts again, so the charts are built here;
    ``tests/app/test_traces.py`` holds each kind against Plotly Express's own figure.

    As Plotly Express does: the groups come in ``category_orders``' order, then in order of first
    appearance, and rows without a group are left out; colours are handed out over that order
    (the values only listed included): a value that ``color_discrete_map`` does not name takes
    the sequence's colour at the count of values coloured so far. The hover text names the group,
    the panel, x, y, the text and each ``hover_data`` column; the axes Plotly Express labels (with
    panels: the bottom row's x, the first column's y) are titled by their columns and keep a
    column's order (listed, or the colour's), from the top on a vertical axis. Panels: one row
    (``facet_row``) or one column (``facet_col``) of them, not both.
    """
    if facet_row and facet_col:
        raise ValueError("one row or one column of panels, not a grid")
    facet = facet_row or facet_col
    orders = {column: list(values) for column, values in (category_orders or {}).items()}
    colors = dict(color_discrete_map or {})
    sequence = list(color_discrete_sequence or pio.templates[TEMPLATE].layout.colorway)
    values = _ordered(frame, color, orders) if color is not None else [None]
    for value in values:
        if value is not None:  # a missing value too takes its colour, though its rows are not drawn
            colors.setdefault(value, sequence[len(colors) % len(sequence)])
    panels = _ordered(frame, facet, orders) if facet is not None else [None]
    refs, layout = _panels(facet_row, facet_col, panels) if facet is not None else (
        [{"xaxis": "x", "yaxis": "y"}], {"xaxis": {"anchor": "y", "domain": [0.0, 1.0]},
                                         "yaxis": {"anchor": "x", "domain": [0.0, 1.0]}})
    keys = [column for column in (color, facet) if column is not None]
    by_key = dict(tuple(frame.groupby(keys, sort=False))) if keys else {(): frame}
    # the traces' order: by the columns category_orders lists, in its order, then the colour's, the panel's
    first = [column for column in (category_orders or {}) if column in keys]
    priority = [keys.index(column) for column in dict.fromkeys([*first, *keys])]
    ordered = sorted(by_key, key=lambda key: [orders[keys[i]].index(key[i]) for i in priority])
    axes_of = dict(zip(panels, refs, strict=True))
    extra = [column for column in dict.fromkeys(hover_data) if column not in (x, y)]
    traces = []
    named: set[str] = set()
    for key in ordered:
        rows = by_key[key]
        value = key[0] if color is not None else None
        panel = key[-1] if facet is not None else None
        labels = {color: str(value)} if color is not None else {}
        labels.update({facet: str(panel)} if facet is not None else {})
        labels.update({x: "%{x}", y: "%{y}", **({text: "%{text}"} if text else {})})
        labels.update({column: f"%{{customdata[{i}]}}" for i, column in enumerate(extra)})
        name = "" if value is None else str(value)
        spec: dict = {"x": rows[x], "y": rows[y], "name": name, "legendgroup": name,
                      "showlegend": value is not None and name not in named, "orientation": orientation,
                      "hovertemplate": "<br>".join(f"{k}={v}" for k, v in labels.items()) + "<extra></extra>",
                      **axes_of[panel]}
        named.add(name)
        paint = colors[value] if value is not None else sequence[0]
        if extra:
            spec["customdata"] = rows[extra].to_numpy()
        if text:
            spec["text"] = rows[text]
        if kind == "bar":
            if barmode == "group":
                spec.update(alignmentgroup="True", offsetgroup=name)
            traces.append(go.Bar(marker={"color": paint}, textposition="auto", **spec))
        else:
            line: dict = {"color": paint}
            if kind == "line":
                line.update(dash="solid", **({"shape": line_shape} if line_shape else {}))
            traces.append(go.Scatter(mode="lines+markers" if markers else "lines", line=line,
                                     stackgroup="1" if kind == "area" else None, **spec))
    layout.update(template=TEMPLATE, legend={"tracegroupgap": 0, **({"title_text": color} if color else {})})
    x_axes = [name for name in layout if name.startswith("xaxis")]
    y_axes = [name for name in layout if name.startswith("yaxis")]
    # As Plotly Express: titles and category orders on the x axes of the bottom row (each column's)
    # and on the y axes of the first column (each row's); a log type on every y axis.
    for axes, letter, column in ((["xaxis"] if facet_row else x_axes, "x", x),
                                 (["yaxis"] if facet_col else y_axes, "y", y)):
        for axis in axes:
            layout[axis]["title"] = {"text": column}
            if column in orders:
                layout[axis].update(categoryorder="array",
                                    categoryarray=orders[column][::-1] if letter == "y" else orders[column])
    for axis in y_axes if log_y else ():
        layout[axis]["type"] = "log"
    if kind == "bar":
        layout["barmode"] = barmode
    if height is not None:
        layout["height"] = height
    return go.Figure(traces, layout=layout)


def bar(frame: pd.DataFrame, x: str, y: str, color: str | None = None, **options: object) -> go.Figure:
    """Bars, one trace per ``color`` value: ``plotly.express.bar``'s figure for the same keywords
    (those :func:`_traces` takes)."""
    return _traces("bar", frame, x, y, color, **options)


def line(frame: pd.DataFrame, x: str, y: str, color: str | None = None, **options: object) -> go.Figure:
    """Lines, one per ``color`` value, as ``plotly.express.line`` draws them (see :func:`_traces`)."""
    return _traces("line", frame, x, y, color, **options)


def area(frame: pd.DataFrame, x: str, y: str, color: str | None = None, **options: object) -> go.Figure:
    """Stacked areas, one per ``color`` value, as ``plotly.express.area`` draws them (see :func:`_traces`)."""
    return _traces("area", frame, x, y, color, **options)


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

    Building a Plotly figure costs tens of milliseconds of validation
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
    fig = line(named, x=x, y=y, color=COUNTRY_LABEL, markers=markers, log_y=log_y,
               color_discrete_map=country_color_map(frame["country"]), hover_data=list(hover))
    fig.update_layout(yaxis_title=y_title, xaxis_title=None, hovermode="closest")
    fig.update_xaxes(categoryorder="category ascending")
    return fig


def bars_by_country(frame: pd.DataFrame, x: str, y: str, y_title: str, *, horizontal: bool = False,
                    hover: Sequence[str] = (), barmode: str = "group") -> go.Figure:
    named = with_country_names(frame)
    kwargs = {"x": y, "y": x, "orientation": "h"} if horizontal else {"x": x, "y": y}
    fig = bar(named, color=COUNTRY_LABEL, color_discrete_map=country_color_map(frame["country"]),
              hover_data=list(hover), barmode=barmode, **kwargs)
    fig.update_layout(yaxis_title=None if horizontal else y_title, xaxis_title=y_title if horizontal else None)
    return fig


def _stacked(frame: pd.DataFrame, x: str, y: str, color: str, palette: dict[str, str], y_title: str, *,
             horizontal: bool, percent: bool) -> go.Figure:
    """Bars stacked by ``color`` in a fixed palette, its categories in the palette's order."""
    order = [c for c in palette if c in set(frame[color])]
    kwargs = {"x": y, "y": x, "orientation": "h"} if horizontal else {"x": x, "y": y}
    fig = bar(plain(frame), color=color, color_discrete_map=palette, category_orders={color: order}, **kwargs)
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
    fig = line(plain(frame).sort_values(x), x=x, y=y, color=group, markers=True, log_y=log_y,
               color_discrete_map=ACCESS, hover_data=list(hover))
    fig.update_layout(yaxis_title=y_title, xaxis_title=None)
    fig.update_xaxes(categoryorder="category ascending")
    return fig

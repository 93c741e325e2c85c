"""The charts' own trace builders (dashboard.charts bar, line, area) draw what Plotly Express draws.

The pages once called Plotly Express; the builders replace it at a half to a third of its cost,
keyword for keyword. Plotly Express is the oracle here: for the same frame and keywords, every
trace has the same kind, name, legend group, points, colour, hover text, extra hover values,
text and axes, and the layout the same axes (titles, order of categories, log type, domains,
matching), panel titles, bar mode, height and legend title.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import charts

KINDS = {"bar": (charts.bar, px.bar), "line": (charts.line, px.line), "area": (charts.area, px.area)}


def _values(value: object) -> object:
    if value is None:
        return None
    values = value.tolist() if hasattr(value, "tolist") else value
    if isinstance(values, tuple | list):
        return [_values(v) for v in values]
    if isinstance(values, float) and math.isnan(values):
        return "nan"
    return values


def essentials(fig: go.Figure) -> dict:
    """What a reader sees of a figure: each trace's points, colours and hover, and the layout's axes."""
    traces = []
    for t in fig.data:
        colour = t.marker.color if t.type == "bar" else t.line.color
        traces.append({
            "type": t.type, "name": t.name, "legendgroup": t.legendgroup, "showlegend": t.showlegend,
            "orientation": t.orientation, "x": _values(t.x), "y": _values(t.y), "colour": colour,
            "hover": t.hovertemplate, "customdata": _values(t.customdata), "text": _values(t.text),
            "mode": getattr(t, "mode", None), "stackgroup": getattr(t, "stackgroup", None),
            "shape": t.line.shape if t.type == "scatter" else None,
            "offsetgroup": t.offsetgroup, "alignmentgroup": t.alignmentgroup, "axes": (t.xaxis, t.yaxis),
        })
    layout = fig.layout
    axes = {name: {"title": axis.title.text, "type": axis.type, "anchor": axis.anchor, "matches": axis.matches,
                   "ticks shown": axis.showticklabels, "domain": [round(d, 9) for d in axis.domain or ()],
                   "order": (axis.categoryorder, _values(axis.categoryarray))}
            for name, axis in [*((a.plotly_name, a) for a in fig.select_xaxes()),
                               *((a.plotly_name, a) for a in fig.select_yaxes())]}
    titles = [(a.text, round(a.x, 9), round(a.y, 9), a.xanchor, a.yanchor, a.textangle) for a in layout.annotations]
    return {"traces": traces, "barmode": layout.barmode, "axes": axes, "panel titles": titles,
            "height": layout.height, "legend_title": layout.legend.title.text,
            "template_bg": layout.template.layout.plot_bgcolor}


def assert_same(kind: str, frame: pd.DataFrame, **keywords: object) -> None:
    ours, oracle = KINDS[kind]
    assert essentials(ours(frame, **keywords)) == essentials(oracle(frame, template=charts.TEMPLATE, **keywords))


MONTHS = pd.date_range("2024-01-01", periods=4, freq="MS")
RELEASES = pd.DataFrame({
    "year": ["2023", "2023", "2024", "2024", "2025"],
    "organization": ["Meta", "Qwen", "Meta", "DeepSeek", "Qwen"],
    "releases": [3, 5, 2, 4, 7],
    "open": [1, 5, 2, 4, 6],
    "share_pct": [33.3, 100.0, 100.0, 100.0, 85.7],
})


PANELS = pd.DataFrame({
    "month": list(MONTHS[:3]) * 4,
    "size": ["<7B", "7-70B", "70B+"] * 4,
    "country": ["CN"] * 3 + ["US"] * 3 + ["CN"] * 3 + ["FR"] * 3,
    "measure": ["Models"] * 6 + ["Downloads"] * 6,
    "value": [3, 5, 1, 4, 2, 6, 300, 500, 100, 700, 80, 90],
})


@pytest.mark.parametrize(("kind", "frame", "keywords"), [
    ("bar", RELEASES, {"x": "year", "y": "releases", "color": "organization", "barmode": "group",
                       "hover_data": ["open"]}),
    # a colour map naming some groups: the others take the sequence at the count assigned so far
    ("bar", RELEASES, {"x": "year", "y": "releases", "color": "organization",
                       "color_discrete_map": {"Qwen": "#d62728"}, "category_orders": {"organization": ["Qwen", "X"]},
                       "hover_data": ["open", "releases", "share_pct"], "text": "share_pct"}),
    ("bar", RELEASES, {"x": "releases", "y": "organization", "color": "year", "orientation": "h",
                       "category_orders": {"organization": ["Qwen", "Meta", "DeepSeek"]},
                       "color_discrete_sequence": ["#7f7f7f", "#1f77b4"]}),
    ("bar", RELEASES, {"x": "organization", "y": "releases", "color": "organization",
                       "color_discrete_map": {"Meta": "#1f77b4", "Qwen": "#ff7f0e", "DeepSeek": "#2ca02c"},
                       "category_orders": {"year": ["2025", "2024"]}}),
    ("bar", RELEASES, {"x": "year", "y": "releases"}),
    ("line", RELEASES, {"x": "year", "y": "share_pct", "color": "organization", "markers": True}),
    ("line", RELEASES, {"x": "year", "y": "releases", "color": "organization", "markers": True, "log_y": True,
                        "line_shape": "hv", "hover_data": ["open"]}),
    ("line", pd.DataFrame({"snapshot_date": MONTHS, "downloads_30d": [5, 9, 7, 12]}),
     {"x": "snapshot_date", "y": "downloads_30d", "markers": True}),
    ("area", pd.DataFrame({"month": MONTHS.repeat(2), "base": ["CN", "US"] * 4,
                           "share_pct": [40, 60, 50, 50, 55, 45, 70, 30], "models": [4, 6, 5, 5, 11, 9, 7, 3]}),
     {"x": "month", "y": "share_pct", "color": "base", "color_discrete_map": {"CN": "#d62728"},
      "hover_data": ["models"]}),
    # rows without a group are not drawn
    ("bar", pd.DataFrame({"x": ["a", "b", "c"], "group": ["u", None, "v"], "y": [1, 2, 3]}),
     {"x": "x", "y": "y", "color": "group"}),
    # panels: a row of them and a column of them (the adoption page's cohorts and sizes)
    ("bar", PANELS, {"x": "month", "y": "value", "color": "country", "facet_row": "measure", "height": 620,
                     "category_orders": {"country": ["US", "CN"]}}),
    ("bar", PANELS, {"x": "size", "y": "value", "color": "country", "facet_col": "measure",
                     "category_orders": {"size": ["70B+", "7-70B", "<7B"], "measure": ["Models", "Other"]}}),
    ("line", PANELS, {"x": "month", "y": "value", "color": "country", "facet_col": "measure", "log_y": True}),
    # an axis order where not every panel's axis is titled: only the titled ones take it (found by
    # the generated frames below: a y order under a column of panels)
    ("bar", PANELS, {"x": "value", "y": "size", "orientation": "h", "color": "country", "facet_col": "measure",
                     "category_orders": {"size": ["70B+", "7-70B", "<7B"], "measure": ["Other", "Models"]}}),
    ("line", PANELS, {"x": "size", "y": "value", "color": "country", "facet_row": "measure", "log_y": True,
                      "category_orders": {"size": ["70B+", "7-70B", "<7B"]}}),
])
def test_each_kind_draws_what_plotly_express_draws(kind: str, frame: pd.DataFrame, keywords: dict):
    assert_same(kind, frame, **keywords)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["2022", "2023", "2024"]), st.sampled_from(["A", "B", "C", "D"]),
                               st.integers(0, 10**9), st.integers(0, 50), st.sampled_from(["P", "Q", "R"])),
                     min_size=1, max_size=12),
       kind=st.sampled_from(list(KINDS)), mapped=st.sets(st.sampled_from(["A", "B", "C", "D"])),
       listed=st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), unique=True),
       panels=st.sampled_from([None, "facet_row", "facet_col"]), panels_first=st.booleans(),
       hover=st.booleans(), horizontal=st.booleans())
def test_any_frame_draws_the_same(rows, kind, mapped, listed, panels, panels_first, hover, horizontal):
    frame = pd.DataFrame(rows, columns=["year", "group", "value", "extra", "panel"])
    orders = {"group": listed}
    if panels and panels_first:  # listed before the colour: the traces then come panel by panel
        orders = {"panel": ["R", "P"], "group": listed}
    keywords: dict = {"x": "year", "y": "value", "color": "group",
                      "color_discrete_map": {g: f"#{i:02x}{i:02x}{i:02x}" for i, g in enumerate(sorted(mapped))},
                      "category_orders": orders, "hover_data": ["extra"] if hover else []}
    if panels:
        keywords[panels] = "panel"
    if kind == "bar" and horizontal:
        keywords.update(x="value", y="year", orientation="h", category_orders={**orders, "year": ["2024", "2022"]})
    assert_same(kind, frame, **keywords)


def test_hover_values_stay_numbers_and_text_as_text():
    frame = pd.DataFrame({"family": ["<b>x</b>", "y"], "models": [np.int64(3), np.int64(4)], "kind": ["lab", "person"]})
    fig = charts.bar(charts.plain(frame), x="family", y="models", hover_data=["kind"])
    assert list(fig.data[0].x) == ["&lt;b&gt;x&lt;/b&gt;", "y"]  # escaped by plain(), shown literally
    assert fig.data[0].customdata.tolist() == [["lab"], ["person"]]

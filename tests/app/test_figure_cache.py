"""Figures and derived frames are built once per distinct input, and a shared figure is never changed."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest

from dashboard import charts, data


def bars(frame: pd.DataFrame, title: str) -> go.Figure:
    fig = px.bar(frame, x="country", y="models", template=charts.TEMPLATE)
    fig.update_layout(yaxis_title=title)
    return fig


def frame(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"country": ["CN", "US", "FR"][:n], "models": [3, 2, 1][:n]})


def test_the_same_rows_give_the_same_figure_and_other_rows_another():
    first = charts.figure(bars, frame(), "Models")
    assert charts.figure(bars, frame(), "Models") is first  # a new frame with the same rows: no rebuild
    assert charts.figure(bars, frame(2), "Models") is not first
    assert charts.figure(bars, frame(), "Downloads") is not first
    assert first.layout.yaxis.title.text == "Models"
    assert first.layout.margin.t == charts.FINISH["margin"]["t"]  # finished as chart_block would


def test_a_page_defining_its_builder_again_reuses_it_but_changed_code_does_not():
    # a page script defines its builders anew on every run: the same code is the same builder
    namespace: dict = {}
    source = "def build(frame, title):\n    return bars(frame, title)\n"
    exec(compile(source, "pages/example.py", "exec"), {"bars": bars}, namespace)  # noqa: S102
    first = charts.figure(namespace["build"], frame(), "Models")
    exec(compile(source, "pages/example.py", "exec"), {"bars": bars}, namespace)  # noqa: S102
    assert charts.figure(namespace["build"], frame(), "Models") is first
    changed = source.replace("return bars(frame, title)", "return bars(frame, title.upper())")
    exec(compile(changed, "pages/example.py", "exec"), {"bars": bars}, namespace)  # noqa: S102
    assert charts.figure(namespace["build"], frame(), "Models").layout.yaxis.title.text == "MODELS"


def test_finishing_a_shared_figure_changes_nothing():
    shared = charts.figure(bars, frame(), "Models")
    before = shared.to_json()
    charts.finish(shared)
    assert shared.to_json() == before
    own = bars(frame(), "Models")  # a figure built on the spot is finished in place
    charts.finish(own)
    assert own.layout.margin.l == charts.FINISH["margin"]["l"]


def shares(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(share=100 * frame["models"] / frame["models"].sum())


def test_derived_frames_are_computed_once_per_input():
    first = data.derived(shares, frame())
    assert list(first["share"].round(1)) == [50.0, 33.3, 16.7]
    again = data.derived(shares, frame())
    pd.testing.assert_frame_equal(again, first)
    assert list(data.derived(shares, frame(2))["share"].round(1)) == [60.0, 40.0]


def test_a_builder_reading_an_enclosing_variable_is_refused():
    # the variable would be an input the cache key does not see: a stale figure for a new title
    title = "Models"

    def build(rows: pd.DataFrame) -> go.Figure:
        return bars(rows, title)

    with pytest.raises(TypeError, match="pass them as arguments"):
        charts.figure(build, frame())


def test_a_frames_key_follows_its_contents():
    import duckdb

    def query() -> pd.DataFrame:  # Arrow-backed text, as the pages' query results are
        return duckdb.sql("SELECT * FROM (VALUES ('CN', 3), ('US', 2)) t(country, models)").df()

    key = data.frame_digest(query())
    assert data.frame_digest(query()) == key  # the same rows from another run of the query
    changed = query()
    changed.loc[1, "models"] = 5
    assert data.frame_digest(changed) != key
    assert data.frame_digest(query().astype({"models": "float64"})) != key  # same values, another type
    assert data.frame_digest(query().rename(columns={"models": "downloads"})) != key
    assert data.frame_digest(query().set_axis([1, 0])) != key  # another index
    # the caches use it: a derived frame of equal rows is not computed again
    CALLS.clear()
    first = data.derived(doubled, query())
    again = data.derived(doubled, query())
    assert len(CALLS) == 1 and again.equals(first)
    assert data.derived(doubled, changed)["models"].tolist() == [6, 10] and len(CALLS) == 2


def test_a_query_result_and_its_copy_from_the_cache_share_their_figure():
    import pickle

    import duckdb

    # a month column, as the pages' monthly charts have: such a frame fresh from DuckDB and its
    # copy from Streamlit's cache (which stores results pickled) used to get two keys, so the
    # figure was built again on the rerun after the one that ran the query
    def query() -> pd.DataFrame:
        return duckdb.sql("SELECT DATE '2026-01-01' + INTERVAL (i) MONTH AS month, 'permissive' AS family, "
                          "3 - i AS models FROM range(3) t(i)").df()

    fresh = query()
    cached = pickle.loads(pickle.dumps(fresh))  # noqa: S301 - our own bytes, as Streamlit's cache reads them back
    assert data.frame_digest(cached) == data.frame_digest(fresh)
    first = charts.figure(monthly, fresh)
    assert charts.figure(monthly, cached) is first
    later = query()
    later.loc[2, "models"] = 9
    assert charts.figure(monthly, later) is not first
    # a frame holding a cycle cannot be pickled without the memo: it still gets a key
    looped = query()
    looped.attrs["itself"] = looped
    assert data.frame_digest(looped) == data.frame_digest(looped) != data.frame_digest(fresh)


def monthly(frame: pd.DataFrame) -> go.Figure:
    return px.bar(frame, x="month", y="models", color="family", template=charts.TEMPLATE)


CALLS: list[int] = []


def doubled(frame: pd.DataFrame) -> pd.DataFrame:
    CALLS.append(1)
    return frame.assign(models=frame["models"] * 2)


def test_a_lone_snapshot_date_gets_an_axis_of_days_and_several_keep_plotlys():
    lone = pd.DataFrame({"snapshot_date": pd.to_datetime(["2026-11-28"] * 2), "downloads": [5, 7]})
    fig = charts.snapshot_axis(px.line(lone, x="snapshot_date", y="downloads"), lone["snapshot_date"])
    low, high = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert (low, high) == (pd.Timestamp("2026-11-21"), pd.Timestamp("2026-12-05"))
    several = pd.DataFrame({"snapshot_date": pd.to_datetime(["2026-10-01", "2026-11-28"]), "downloads": [5, 7]})
    fig = charts.snapshot_axis(px.line(several, x="snapshot_date", y="downloads"), several["snapshot_date"])
    assert fig.layout.xaxis.range is None


def test_a_lone_month_gets_an_axis_of_months_and_several_keep_plotlys():
    lone = pd.DataFrame({"month": pd.to_datetime(["2026-11-01"] * 2), "share": [45, 10]})
    fig = charts.month_axis(px.line(lone, x="month", y="share"), lone["month"])
    low, high = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert (low, high) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-12-01"))
    assert fig.layout.xaxis.dtick == "M1" and fig.layout.xaxis.tickformat == "%b %Y"
    several = pd.DataFrame({"month": pd.to_datetime(["2026-10-01", "2026-11-01"]), "share": [45, 10]})
    fig = charts.month_axis(px.line(several, x="month", y="share"), several["month"])
    assert fig.layout.xaxis.range is None and fig.layout.xaxis.dtick is None

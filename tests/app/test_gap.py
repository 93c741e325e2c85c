"""The capability-gap page: the headline, the options in the link, the CSVs behind the charts."""

from __future__ import annotations

import io

import duckdb
import pandas as pd
import pytest

from landscape.analysis.gap import lag_table, summarize
from tests.helpers import metric, no_exceptions


def points_by_sql(db, benchmark: str, where: str = "true") -> pd.DataFrame:
    """The scored models of a benchmark, read with plain SQL (not the page's query)."""
    con = duckdb.connect(str(db), read_only=True)
    frame = con.execute(f"""
        SELECT model, display_name, release_date AS date, score, coalesce(score_low, score) AS score_low,
               coalesce(score_high, score) AS score_high, accessibility_group AS "group", countries, accessibility
        FROM benchmark_scores
        WHERE benchmark = ? AND release_date IS NOT NULL AND accessibility_group IN ('open', 'closed') AND {where}
    """, [benchmark]).df()
    con.close()
    return frame




def test_headline_and_figures_for_the_eci(app, fixture_db):
    at = app("gap")
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 3
    expected = summarize(points_by_sql(fixture_db.db_path, "eci"))
    headline = next(s.value for s in at.subheader)
    assert headline.startswith(f"Open models trail the closed frontier by {expected.lag_months_mean:.1f} months "
                               f"(90% CI {expected.lag_ci_low:.1f}–{expected.lag_ci_high:.1f}) on eci")
    assert metric(at, "Open records behind it") == str(expected.points)
    assert metric(at, "Censored closed records") == str(expected.censored)
    assert metric(at, "Vertical gap, end of window") == f"{expected.vertical_gap_latest:.1f} points"


def test_options_in_the_link_change_the_analysis(app, fixture_db):
    at = app("gap", query={"benchmark": "arena_text", "open_def": "unrestricted"})
    assert not at.exception
    frame = points_by_sql(fixture_db.db_path, "arena_text")
    # unrestricted: Epoch's "Open weights (unrestricted)" where a matched release says so, else a
    # permissive licence (of the fixture's open Arena licences, only MIT is)
    con = duckdb.connect(str(fixture_db.db_path), read_only=True)
    licences = dict(con.execute("SELECT model, license FROM benchmark_scores WHERE source = 'arena'").fetchall())
    con.close()
    unrestricted = (frame["accessibility"] == "Open weights (unrestricted)") | (
        frame["accessibility"].isna() & frame["model"].map(lambda m: licences.get(m) == "MIT"))
    keep = (frame["group"] == "closed") | unrestricted
    expected = summarize(frame[keep])
    assert metric(at, "Open records behind it") == str(expected.points)
    assert any("arena_text" in s.value for s in at.subheader)


def test_the_china_vs_us_split(app, fixture_db):
    at = app("gap", query={"split": "CN-US"})
    frame = points_by_sql(fixture_db.db_path, "eci")
    keep = [("CN" if g == "open" else "US") in list(c) for c, g in zip(frame["countries"], frame["group"], strict=True)]
    expected = summarize(frame[keep])
    assert metric(at, "Open records behind it") == str(expected.points)
    assert metric(at, "Mean lag") == f"{expected.lag_months_mean:.1f} months"


def test_the_lag_csv_is_the_lag_table(app, downloads, fixture_db):
    at = app("gap")
    got = pd.read_csv(io.BytesIO(downloads(at, "download-gap_lag_eci")))
    expected = lag_table(points_by_sql(fixture_db.db_path, "eci"))
    assert got["model"].tolist() == expected["model"].tolist()
    assert got["lag_months"].round(6).tolist() == pytest.approx(expected["lag_months"].round(6).tolist(), nan_ok=True)


def test_an_unknown_benchmark_in_the_link_is_ignored(app):
    at = app("gap", query={"benchmark": "no-such-benchmark"})
    assert not at.exception
    assert at.selectbox(key="benchmark").value == "eci"


def test_the_overview_gives_the_gap_claim_a_verdict(app):
    at = app()
    text = " ".join(m.value for m in at.markdown)
    assert "on eci: open records released" in text and "trail by" in text


@pytest.mark.parametrize(("query", "note"), [
    ({"min_benchmarks": "inf"}, "min_benchmarks value `inf`"),
    ({"min_benchmarks": "1e309"}, "min_benchmarks value `1e309`"),
    ({"min_benchmarks": "-1e309"}, "min_benchmarks value `-1e309`"),
    ({"min_benchmarks": "99"}, "give a whole number from 0 to 40"),
    ({"window": "2024-13"}, "window value"),
    ({"window": ["2025-01", "2023-01"]}, "the earlier first"),
    ({"split": "<script>alert(1)</script>"}, "unknown split value `<script>alert(1)</script>`"),
    ({"open_def": "'; DROP TABLE models; --"}, "unknown open_def value"),
    ({"benchmark": "x" * 5000}, "Ignored benchmark"),
])
def test_hostile_options_in_the_link_are_ignored_with_a_note(app, query, note):
    at = app("gap", query)
    no_exceptions(at)
    assert any(note in w.value for w in [*at.warning, *at.sidebar.warning]), [w.value for w in at.warning]
    assert at.subheader  # the analysis still ran, on the default options

"""Overview: headline figures, and the public debate's claims beside the data that tests them."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame, verdicts
from dashboard.components import (
    EPOCH_BENCHMARKS,
    EPOCH_MODELS,
    HISTORY,
    HUB,
    chart_block,
    download_csv,
    hub_coverage_line,
)
from dashboard.numbers import compact, number
from landscape.queries import gap as gap_queries
from landscape.queries import history
from landscape.queries import overview as q
from landscape.queries.openness import largest_open_by_country, notable_accessibility_by_country, open_share

frame.page_guard()

st.title("Open Model Landscape")
st.markdown("How far do open-weight models trail closed ones, who releases them, and who builds on them: "
            "the open-vs-closed AI model race, measured from public data.")

state = frame.state()
if not state.exists:
    st.warning("**No data could be fetched yet.** The dashboard reads a database the pipeline builds from "
               "Epoch AI and the Hugging Face Hub, and no ingest has published one on this machine.",
               icon=":material/cloud_off:")
    st.markdown(
        "To fill it, on a machine that can reach `huggingface.co` and `epoch.ai`:\n\n"
        "```bash\nmake ingest          # or: python -m pipeline ingest\n```\n\n"
        "then reload this page. `python -m pipeline status` says what is published; see the "
        "README for the settings (`HF_ENDPOINT`, `LANDSCAPE_EPOCH_MODELS_URL`, …).")
    st.stop()

filters = frame.filters()

# --- headline figures, all computed from the data ------------------------------------------
figures = data.run(q.headline_figures, filters)
row = figures.iloc[0] if not figures.empty else None


def closed_frontier_figure(known: pd.DataFrame) -> go.Figure:
    return charts.stacked_by_access(charts.with_country_names(known), charts.COUNTRY_LABEL, "releases",
                                    "accessibility_group", "Releases")


def adoption_lead_figure(monthly: pd.DataFrame) -> go.Figure:
    long = monthly.melt(id_vars=["month"], value_vars=["cn_share_pct", "us_share_pct"], var_name="origin",
                        value_name="share_pct")
    long["country"] = long["origin"].map({"cn_share_pct": "CN", "us_share_pct": "US"})
    return charts.month_axis(charts.lines_by_country(long, "month", "share_pct", "Share of 30-day downloads (%)"),
                             monthly["month"])


def largest_open_figure(largest: pd.DataFrame) -> go.Figure:
    fig = charts.lines_by_country(largest, "year", "params", "Parameters", log_y=True,
                                  hover=["model", "organization"])
    return fig.update_xaxes(**charts.year_axis(largest["year"]))


cols = st.columns(5)
if row is not None:
    year = number(row["share_year"], "{:.0f}", "latest year")
    cols[0].metric("Releases (Epoch AI)", number(row["releases"]))
    cols[1].metric(f"Open-weight share, {year}", number(row["open_share_pct"], "{:.0f}%"),
                   help="Open weights / (open + closed + unreleased), in the latest year with at least "
                        f"{q.MIN_YEAR_RELEASES} releases of known accessibility under these filters.")
    hub = state.has("models")
    missing = "The Hugging Face Hub has not been ingested yet."
    cols[2].metric("Hub models", number(row["hub_models"]) if hub else "—", help=None if hub else missing)
    cols[3].metric("Hub downloads, 30 days", compact(row["downloads_30d"]) if hub else "—",
                   help=f"{number(row['downloads_30d'])} downloads in the last 30 days." if hub else missing)
    cols[4].metric("Chinese-origin share", number(row["cn_origin_share_pct"], "{:.0f}%"),
                   help=("Share of those 30-day downloads going to models whose root model comes from a Chinese "
                         "organisation (derivatives count for the country of their root model). "
                         f"{hub_coverage_line(filters)}.") if hub else missing)
download_csv("headline_figures", figures, filters, label="Download these figures (CSV)")

st.header("Claims vs data")
CLAIMS_SINCE = date(2015, 1, 1)
st.caption("Each claim of the public debate, beside the chart that tests it and a verdict written from the "
           "current data and filters. These claims compare the United States and China, so the country "
           f"filter does not apply here; the other filters do, and the years start in {CLAIMS_SINCE.year} unless "
           "the Years filter says otherwise.")
pair = filters.replace(country=("US", "CN"), years=(filters["years"][0] or CLAIMS_SINCE, filters["years"][1]))

# 1. open ecosystem
st.subheader("“China is building an open ecosystem faster than the US”")
if state.has("releases"):
    shares = data.run(open_share, pair, "year", True)
    st.markdown(verdicts.open_ecosystem(shares))
    chart_block("claim_open_ecosystem", "Open-weight releases per year, United States vs China",
                "Each point counts the releases of that year whose organisations include the country and whose "
                "weights are open; hover for the share of all releases with known accessibility.",
                charts.figure(charts.lines_by_country, shares, "period", "open", "Open-weight releases",
                              hover=["open_share_pct", "releases"]) if not shares.empty else None,
                shares, [EPOCH_MODELS], pair)
else:
    st.info("Needs Epoch AI's models data (`python -m pipeline ingest --sources epoch`).")

# 2. closed frontier
st.subheader("“US frontier labs keep their best models closed”")
if state.has("releases"):
    notable = data.run(notable_accessibility_by_country, pair)
    st.markdown(verdicts.closed_frontier(notable))
    known = notable[notable["accessibility_group"] != "unknown"]
    unknown = int(notable.loc[notable["accessibility_group"] == "unknown", "releases"].sum())
    chart_block("claim_closed_frontier", "Accessibility of notable and frontier releases, by country",
                "Bars split each country's notable or frontier releases (Epoch's notability criteria or its "
                f"frontier flag) by how their weights were released; {unknown} whose accessibility Epoch has not "
                "recorded are left out of the bars (they are in the CSV).",
                charts.figure(closed_frontier_figure, known) if not known.empty else None,
                notable, [EPOCH_MODELS], pair)

# 3. the gap
st.subheader("“Open models are closing the gap”")
if state.has("benchmark_scores"):
    available = data.run(gap_queries.benchmarks)
    if available.empty:
        st.markdown("No benchmark has enough dated open and closed scores yet to test this claim.")
    else:
        benchmark = available["benchmark"].iloc[0]  # the ECI when it is there
        scored = data.run(gap_queries.points, benchmark, "all", "all", (), 0)
        latest = scored["date"].max()
        recent_start = (latest - pd.DateOffset(months=24)).date()
        earlier_start = (latest - pd.DateOffset(months=48)).date()
        earlier_end = (pd.Timestamp(recent_start) - pd.Timedelta(days=1)).date()
        st.markdown(verdicts.closing_gap(data.run(gap_queries.summary, benchmark, earlier_start, earlier_end),
                                         data.run(gap_queries.summary, benchmark, recent_start, latest.date()),
                                         benchmark))
        st.caption(f"Two consecutive 24-month windows of the capability-gap analysis on {benchmark} "
                   f"({EPOCH_BENCHMARKS.markdown()}).")
else:
    st.markdown("Needs benchmark scores (`python -m pipeline ingest --sources benchmarks,arena`).")
st.page_link("pages/gap.py", label="Measure it on the Capability gap page", icon=":material/trending_up:")

# 4. very large open models
st.subheader("“Chinese labs release very large open models”")
if state.has("releases"):
    largest = data.run(largest_open_by_country, pair)
    st.markdown(verdicts.largest_open(largest))
    chart_block("claim_largest_open", "Largest open-weights model per year, United States vs China",
                "Each point is the largest open-weights release of the year (parameters, log scale); hover for "
                "the model and organisation.",
                charts.figure(largest_open_figure, largest) if not largest.empty else None,
                largest, [EPOCH_MODELS], pair)

# 5. adoption
st.subheader("“Chinese open models now lead adoption on the Hub”")
if state.has("model_snapshots"):
    # the country filter would decide the answer: like the other claims, it compares China and the US
    everyone = filters.replace(country=())
    monthly = data.run(history.monthly_lead, everyone)
    st.markdown(verdicts.adoption_lead(monthly, hub_coverage_line(everyone, "origin", "downloads_30d")))
    figure = charts.figure(adoption_lead_figure, monthly) if not monthly.empty else None
    chart_block("claim_adoption_lead", "Chinese-origin vs US-origin share of Hub downloads, by month",
                "Each point is the month's average, over its snapshot dates, of the share of 30-day downloads going "
                "to models whose root model comes from a Chinese (or US) organisation; the rest goes to other "
                "countries and to models with no country.",
                figure, monthly, [HUB, HISTORY], everyone)
else:
    st.markdown("Needs the Hub's download history (`python -m pipeline ingest --sources hub,history`).")

if not state.has("models"):
    st.info("Hub figures are missing: the Hugging Face Hub has not been ingested yet "
            "(`python -m pipeline ingest --sources hub`).")
st.caption(f"Sources: {EPOCH_MODELS.markdown()}; {HUB.markdown()}.")

"""Hub adoption: what people download and like on the Hugging Face Hub, and from which countries."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame
from dashboard.colors import REGION_COLORS, country_color_map, country_label
from dashboard.components import (
    HISTORY,
    HUB,
    chart_block,
    download_csv,
    filters_line,
    hub_columns,
    hub_coverage_line,
    links_line,
)
from dashboard.filters import PAGE_OPTIONS
from dashboard.markdown import md_escape
from dashboard.numbers import metric_number, number
from landscape.queries import adoption as q
from landscape.queries import history as h

frame.page_guard()

MEASURE_LABELS = {"30d": "Last 30 days", "all": "All time"}
ATTRIBUTION = {"uploader": "Uploader's country", "origin": "Origin country (root model)"}


def named(df: pd.DataFrame, column: str = "origin_country") -> pd.DataFrame:
    """``df`` (escaped for Plotly) with a ``Country`` display column."""
    return charts.with_country_names(df, column)


def country_bars(df: pd.DataFrame, value: str, title: str) -> go.Figure | None:
    """Grouped horizontal bars: each country's ``value`` by uploader and by origin."""
    if df.empty:
        return None
    shown = named(df, "country").assign(Attribution=df["attribution"].map(ATTRIBUTION))
    countries = charts.country_order(df[df["attribution"] == "origin"], "country", value)
    fig = charts.bar(shown, x=value, y=charts.COUNTRY_LABEL, color="Attribution", orientation="h",
                     barmode="group", hover_data=["models"],
                     color_discrete_sequence=["#7f7f7f", "#1f77b4"],
                     category_orders={charts.COUNTRY_LABEL: countries, "Attribution": list(ATTRIBUTION.values())})
    fig.update_layout(xaxis_title=title, yaxis_title=None, height=max(320, 60 + 44 * len(countries)))
    return fig


def stacked_facets(df: pd.DataFrame, x: str, measures: dict[str, str], facet: str, **kwargs) -> go.Figure:
    """Bars stacked by origin country, one panel per measure (``measures``: column → panel title)."""
    long = df.melt(id_vars=[x, "origin_country"], value_vars=list(measures), var_name="measure",
                   value_name="value")
    long["measure"] = long["measure"].map(measures)
    fig = charts.bar(named(long), x=x, y="value", color=charts.COUNTRY_LABEL,
                     color_discrete_map=country_color_map(long["origin_country"]), **{facet: "measure"}, **kwargs)
    fig.update_yaxes(matches=None, showticklabels=True, title=None)
    fig.update_xaxes(title=None)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    fig.update_layout(barmode="stack")
    return fig


# Figure builders: pure functions of a query result and the options they are given, so that
# charts.figure builds each figure once per distinct input (a rerun with the same inputs reuses it).

def cohorts_figure(cohorts: pd.DataFrame, downloads_title: str) -> go.Figure:
    return stacked_facets(cohorts, "month", {"models": "Models created", "downloads": downloads_title}, "facet_row",
                          category_orders={charts.COUNTRY_LABEL: charts.country_order(cohorts, "origin_country")},
                          height=620)


def sizes_figure(sizes: pd.DataFrame, downloads_title: str) -> go.Figure:
    classes = charts.plain(pd.DataFrame({"c": q.SIZE_CLASSES}))["c"].tolist()  # as Plotly will see them
    return stacked_facets(sizes, "size_class", {"models": "Models", "downloads": downloads_title}, "facet_col",
                          category_orders={"size_class": classes,
                                           charts.COUNTRY_LABEL: charts.country_order(sizes, "origin_country")})


def recent_figure(recent: pd.DataFrame) -> go.Figure:
    fig = charts.bar(named(recent), x=charts.COUNTRY_LABEL, y="recent_share_pct", color=charts.COUNTRY_LABEL,
                     color_discrete_map=country_color_map(recent["origin_country"]),
                     hover_data=["recent_downloads", "downloads", "recent_models", "models"])
    fig.update_layout(showlegend=False, xaxis_title=None, yaxis_title="Share of downloads (%)")
    return fig


def concentration_figure(concentration: pd.DataFrame) -> go.Figure:
    shown = charts.plain(concentration)
    pairs = zip(concentration["scope"], concentration["origin_country"], strict=True)
    shown["Scope"] = ["All models" if scope == "all" else country_label(code) for scope, code in pairs]
    palette = {"All models": "#252525"}
    palette.update(country_color_map(concentration.loc[concentration["scope"] == "country", "origin_country"]))
    fig = charts.bar(shown, x="Scope", y="top_share_pct", color="Scope",
                     color_discrete_map=palette, hover_data=["top_downloads", "downloads", "models"])
    fig.update_layout(showlegend=False, xaxis_title=None, yaxis_title="Top-10 share of downloads (%)")
    return fig


def organizations_figure(orgs: pd.DataFrame, downloads_title: str) -> go.Figure:
    shown = charts.plain(orgs)
    shown[charts.COUNTRY_LABEL] = [country_label(c) for c in orgs["country"]]
    fig = charts.bar(shown, x="downloads", y="organization", color=charts.COUNTRY_LABEL, orientation="h",
                     color_discrete_map=country_color_map(orgs["country"]),
                     hover_data=["models", "likes", "kind", "intermediary"])
    fig.update_yaxes(categoryorder="total ascending", title=None)
    fig.update_layout(xaxis_title=downloads_title, height=620)
    return fig


def history_by_country_figure(series: pd.DataFrame) -> go.Figure:
    shown = h.with_gaps(charts.with_country_names(series), "snapshot_date", charts.COUNTRY_LABEL, "downloads")
    fig = charts.line(shown, x="snapshot_date", y="downloads", color=charts.COUNTRY_LABEL, markers=True,
                      color_discrete_map=country_color_map(series["country"]),
                      category_orders={charts.COUNTRY_LABEL: charts.country_order(series, "country")})
    fig.update_layout(xaxis_title=None, yaxis_title="Downloads, last 30 days")
    return fig


def region_lines(frame: pd.DataFrame, value: str, y_title: str) -> go.Figure:
    shown = h.with_gaps(charts.plain(frame), "snapshot_date", "region", value)
    fig = charts.line(shown, x="snapshot_date", y=value, color="region", markers=True,
                      color_discrete_map=REGION_COLORS, category_orders={"region": list(h.REGIONS)})
    fig.update_layout(xaxis_title=None, yaxis_title=y_title)
    return fig


def families_figure(fams: pd.DataFrame) -> go.Figure:
    shown = h.with_gaps(charts.plain(fams), "snapshot_date", "family", "downloads")
    fig = charts.line(shown, x="snapshot_date", y="downloads", color="family", markers=True)
    fig.update_layout(xaxis_title=None, yaxis_title="Downloads, last 30 days", height=520)
    return fig


st.title("Hub adoption")
st.markdown("What people download and like on the Hugging Face Hub, by country. The Hub has no "
            "country field: a model counts for its **uploader's country** (the organisation behind the "
            "account) and for its **origin country**, the country of its root base model's organisation, "
            "so a fine-tune or quantisation of Qwen counts for China whoever uploaded it. Models whose "
            "account has no country are shown by its kind (*Individuals*, *Community*, *Repackagers*) or as *Unknown* "
            "when nobody has classified it yet, never spread over countries. Under each chart, the share of what "
            "it shows that has a country.")
frame.require("models")
filters = frame.filters()
frame.filter_note()

# Options are shown as they appear in the link (`?downloads=all`): a bound widget writes its
# displayed label to the URL, so a format_func would change the link's vocabulary.
downloads = st.segmented_control("Downloads counted over", list(q.MEASURES), default="30d", key="downloads",
                                 required=True, bind="query-params",
                                 help="**30d**: the last 30 days (the Hub's trailing count); "
                                      "**all**: all time.")
when = MEASURE_LABELS[downloads].lower()
measure = "downloads, last 30 days" if downloads == "30d" else "all-time downloads"
origin_coverage = hub_coverage_line(filters, "origin", q.MEASURES[downloads])
both_coverage = f"{origin_coverage}; {hub_coverage_line(filters, 'uploader', q.MEASURES[downloads])}"

# --- headline figures ---------------------------------------------------------------------------
concentration = data.run(q.concentration, filters, downloads)
recent = data.run(q.recent_share, filters, downloads)
overall = concentration[concentration["scope"] == "all"]
since = f"{recent['since'].iloc[0]:%Y-%m-%d}" if not recent.empty else "—"
cols = st.columns(4)
if not overall.empty:
    row = overall.iloc[0]
    cols[0].metric("Hub models", metric_number(row["models"]))
    cols[1].metric(f"Downloads ({when})", metric_number(row["downloads"]),
                   help=f"{number(row['downloads'])} downloads ({when}).")
    cols[2].metric("Top-10 models' share", number(row["top_share_pct"], "{:.1f}%"),
                   help="Share of these downloads that goes to the ten most downloaded models.")
if not recent.empty and recent["downloads"].sum() > 0:
    share = 100 * recent["recent_downloads"].sum() / recent["downloads"].sum()
    cols[3].metric("To models from the last 12 months", f"{share:.1f}%",
                   help=f"Share of these downloads going to repositories created after {since}: "
                        "twelve months before the newest repository in the data.")

# Three views, each run only when it is open (Streamlit's lazy tabs; the open one is in the link,
# ?adoption_tab=…): with a download history the page held twelve charts and a table, too many to
# draw at once on a first visit.
by_country_tab, who_tab, history_tab = st.tabs(PAGE_OPTIONS["adoption_tab"], key="adoption_tab",
                                               bind="query-params")

if by_country_tab.open:
    with by_country_tab:
        by_country = data.run(q.downloads_by_country, filters, downloads)
        likes = by_country.drop(columns=["downloads", "downloads_share_pct"], errors="ignore")
        left, right = st.columns(2)
        with left:
            chart_block(f"downloads_by_country_{downloads}", f"Downloads by country ({when})",
                        "Each country has two bars: the downloads of models its organisations uploaded, and of "
                        "models whose root base model comes from it (derivatives count for the root's country). "
                        "The twelve countries with most downloads are shown; the rest are summed as *Other "
                        "countries*.", charts.figure(country_bars, by_country, "downloads", measure.capitalize()),
                        by_country, [HUB], filters, coverage=both_coverage)
        with right:
            chart_block(f"likes_by_country_{downloads}", "Likes by country",
                        "Likes of the same models, counted the same two ways (the countries are those with most "
                        "downloads).", charts.figure(country_bars, likes, "likes", "Likes"), likes, [HUB], filters,
                        coverage=f"{hub_coverage_line(filters, 'origin', 'likes')}; "
                                 f"{hub_coverage_line(filters, 'uploader', 'likes')}")

        # --- cohorts ------------------------------------------------------------------------------------
        cohorts = data.run(q.cohorts, filters, downloads)
        figure = charts.figure(cohorts_figure, cohorts, measure.capitalize()) if not cohorts.empty else None
        chart_block(f"cohorts_{downloads}",
                    "Cohorts: models created per month and their downloads, by origin country",
                    "Top: how many repositories were created each month (repository creation, not release). "
                    f"Bottom: the {measure} of each month's cohort today. Colours are the origin countries with "
                    "most downloads.",
                    figure, cohorts, [HUB], filters, coverage=origin_coverage)

        # --- recency and concentration ------------------------------------------------------------------
        left, right = st.columns(2)
        with left:
            fig = charts.figure(recent_figure, recent) if not recent.empty else None
            chart_block(f"recent_share_{downloads}",
                        "Share of downloads going to models created in the last 12 months",
                        f"For each origin country, the {measure} of models created after {since} (twelve months "
                        "before the newest repository in the data) as a share of all its downloads: high means its "
                        "adoption rides on new models.", fig, recent, [HUB], filters,
                        coverage=origin_coverage)
        with right:
            fig = charts.figure(concentration_figure, concentration) if not concentration.empty else None
            chart_block(f"concentration_{downloads}", "Concentration: the 10 most downloaded models' share",
                        "The first bar is the share of all downloads that goes to the ten most downloaded models; "
                        "the others repeat it within each origin country (its own ten). Near 100% means a handful "
                        "of models carry the country's adoption.", fig, concentration, [HUB], filters,
                        coverage=origin_coverage)

        # --- size classes -------------------------------------------------------------------------------
        sizes = data.run(q.size_classes, filters, downloads)
        figure = charts.figure(sizes_figure, sizes, measure.capitalize()) if not sizes.empty else None
        chart_block(f"size_classes_{downloads}", "Adoption by model size",
                    "Models (left) and downloads (right) per parameter-size class, stacked by origin country. "
                    "*unknown* means no parameter count could be read or inferred (from the weights, the base model "
                    "or the name).",
                    figure, sizes, [HUB], filters, coverage=origin_coverage)

if who_tab.open:
    with who_tab:
        view = st.segmented_control("Rank", list(q.VIEWS), default="models", key="view", required=True,
                                    bind="query-params",
                                    help="**models**: every repository on its own. **families**: grouped with the "
                                         "base model: every derivative's downloads (fine-tunes, quantisations, GGUF "
                                         "repackages) are added to its root model, and credited to the root's "
                                         "uploader.")
        rank_by = st.segmented_control("Organisations", PAGE_OPTIONS["rank_by"], default="organisation", key="rank_by",
                                       required=True, bind="query-params",
                                       help="**organisation**: each organisation on its own; **parent**: grouped under "
                                            "their parent organisation (Alphabet for Google and Google DeepMind), from the "
                                            "organisation registry.")
        orgs = data.run(q.top_organizations, filters, downloads, view, 20, rank_by == "parent")
        fig = charts.figure(organizations_figure, orgs, measure.capitalize()) if not orgs.empty else None
        how = ("Each model counts for its uploader" if view == "models" else
               "Every model counts for the uploader of its root base model, so repackages count for the original lab")
        chart_block(f"top_organizations_{view}_{rank_by}_{downloads}", "Top organisations by downloads",
                    f"{how}. Accounts of individuals, and accounts nobody has classified yet, appear under their Hub "
                    "name; hover for model counts and the account's kind (lab, company, university, …, repackager).",
                    fig, orgs, [HUB], filters,
                    coverage=hub_coverage_line(filters, "uploader" if view == "models" else "origin",
                                               q.MEASURES[downloads]))
        if not orgs.empty:
            links_line("organization", orgs.loc[orgs["attributed"], "organization"].head(12), "Organisation pages")

        models = data.run(q.top_models, filters, downloads, view)
        table = (models.assign(origin=[country_label(c) for c in models["origin_country"]]) if not models.empty
                 else models)
        with st.container(border=True):
            st.markdown("#### Top models" if view == "models" else "#### Top model families (with their base)")
            st.caption("**How to read this:** " + (
                "The most downloaded repositories; a quantisation or repackage appears as its own row."
                if view == "models" else
                "Each row is a root model with all its derivatives: downloads and likes are summed over the family; "
                "licence and size are the root's."))
            if table.empty:
                st.info("No data for these filters.", icon=":material/filter_alt_off:")
            else:
                extra = ["base_relation", "intermediary"] if view == "models" else ["derivatives", "own_downloads"]
                st.dataframe(
                    table, hide_index=True,
                    column_order=["url", "downloads", "likes", "origin", "license_family", "params", *extra],
                    column_config=hub_columns(
                        url=st.column_config.LinkColumn("Model", display_text=r"https://huggingface\.co/(.*)"),
                        downloads=st.column_config.NumberColumn(measure.capitalize(), format="localized")))
            st.caption(f"Source: {HUB.markdown()}. Filters: {md_escape(filters_line(filters))}.")
            download_csv(f"top_models_{view}_{downloads}", table, filters)
            if not table.empty:
                links_line("model", table["model_id"].head(12), "Model pages")

if history_tab.open:
    with history_tab:
        if len(data.run(q.snapshot_dates)) < 2:
            st.caption("Adoption history needs at least two snapshot dates: each daily run records one, and "
                       "`python -m pipeline ingest --sources history` backfills them from hub-stats, a public dataset of "
                       "the Hub's daily counts since mid-2024 (weekly over the last year, monthly before).")
        else:
            st.caption("From the snapshots of this database: each run's own, and those backfilled from hub-stats (weekly "
                       "over the last year, monthly before). A break in a line is a missing snapshot, never interpolated. "
                       "Models are those of the database, selected by the filters as they are today; their countries "
                       "are those of each day's snapshot. Each chart says what it counts (30-day downloads, or "
                       "all-time totals for the cumulative one): the *Downloads counted over* choice above is for the "
                       "headline figures and the other two tabs.")
            left, right = st.columns(2)
            for column, basis, label in ((left, "origin", "origin country"), (right, "uploader", "uploader's country")):
                series = data.run(h.by_country, filters, basis)
                fig = charts.figure(history_by_country_figure, series) if not series.empty else None
                with column:
                    chart_block(f"history_by_{basis}", f"30-day downloads over time, by {label}",
                                f"Each point is the Hub's 30-day download count on that date, summed by {label} (the six "
                                "largest on the latest date, then Other countries and the models with no country).",
                                fig, series, [HUB, HISTORY], filters,
                                coverage=hub_coverage_line(filters, basis, "downloads_30d"))

            shares = data.run(h.region_shares, filters, "origin")
            fig = (charts.figure(region_lines, shares, "share_pct", "Share of 30-day downloads (%)")
                   if not shares.empty else None)
            chart_block("history_region_shares", "Share of downloads: China, the United States, Europe and the rest",
                        "Each date's 30-day downloads split by the origin country of the models (the country of their "
                        "root model's organisation); Europe is the EU, the EEA, the United Kingdom and Switzerland; "
                        "*No country* holds individuals, community accounts, repackagers and unknown ones.",
                        fig, shares, [HUB, HISTORY], filters,
                        coverage=hub_coverage_line(filters, "origin", "downloads_30d"))

            first_date = pd.to_datetime(data.run(q.snapshot_dates)["snapshot_date"]).min().date()
            since = st.date_input("Cumulative downloads since", value=first_date, min_value=first_date, key="since",
                                  help="The ATOM Project counts downloads accumulated since a date; the first snapshot by "
                                       "default.")
            repackages = st.toggle("Count repackaged copies (quantisations, GGUF conversions)", value=True,
                                   key="history_repackages",
                                   help="Off: only originals and derivatives, as The ATOM Project counts adoption.")
            gained = data.run(h.cumulative, filters, since, repackages)
            fig = (charts.figure(region_lines, gained, "downloads", f"Downloads since {since:%Y-%m-%d}")
                   if not gained.empty else None)
            chart_block(f"history_cumulative_{'all' if repackages else 'no_repackages'}",
                        f"Cumulative downloads since {since:%Y-%m-%d}, by origin region",
                        "Each model's all-time download total, less its total on its first snapshot since that date (a "
                        "model created since counts whole), summed by origin region. All-time totals that the Hub lowered "
                        "from one snapshot to the next are held at their highest value; a model missing from one "
                        "snapshot keeps what it had gained.",
                        fig, gained, [HUB, HISTORY], filters, coverage=hub_coverage_line(filters, "origin", "downloads_all_time"))

            fams = data.run(h.families, filters)
            fig = charts.figure(families_figure, fams) if not fams.empty else None
            chart_block("history_families", "The largest families over time",
                        "Each line is a root model with everything derived from it (fine-tunes, adapters, quantisations, "
                        "merges), by 30-day downloads; the eight largest on the latest date among the families with "
                        "derivatives.",
                        fig, fams, [HUB, HISTORY], filters)

"""Hub adoption: what people download and like on the Hugging Face Hub, and from which countries."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame
from dashboard.colors import country_color_map, country_label
from dashboard.components import HUB, chart_block, download_csv, filters_line, hub_coverage_line
from dashboard.filters import PAGE_OPTIONS
from dashboard.markdown import md_escape
from landscape.queries import adoption as q

frame.page_guard()

MEASURE_LABELS = {"30d": "Last 30 days", "all": "All time"}
ATTRIBUTION = {"uploader": "Uploader's country", "origin": "Origin country (root model)"}


def named(df: pd.DataFrame, column: str = "origin_country") -> pd.DataFrame:
    """``df`` (escaped for Plotly) with a ``Country`` display column."""
    return charts.with_country_names(df, column)


def number(value: object, fmt: str = "{:,.0f}") -> str:
    return "—" if value is None or pd.isna(value) else fmt.format(value)


def country_bars(df: pd.DataFrame, value: str, title: str) -> go.Figure | None:
    """Grouped horizontal bars: each country's ``value`` by uploader and by origin."""
    if df.empty:
        return None
    shown = named(df, "country").assign(Attribution=df["attribution"].map(ATTRIBUTION))
    countries = charts.country_order(df[df["attribution"] == "origin"], "country", value)
    fig = px.bar(shown, x=value, y=charts.COUNTRY_LABEL, color="Attribution", orientation="h",
                 barmode="group", template=charts.TEMPLATE, hover_data=["models"],
                 color_discrete_sequence=["#7f7f7f", "#1f77b4"],
                 category_orders={charts.COUNTRY_LABEL: countries, "Attribution": list(ATTRIBUTION.values())})
    fig.update_layout(xaxis_title=title, yaxis_title=None, height=max(320, 60 + 44 * len(countries)))
    return fig


def stacked_facets(df: pd.DataFrame, x: str, measures: dict[str, str], facet: str, **kwargs) -> go.Figure:
    """Bars stacked by origin country, one panel per measure (``measures``: column → panel title)."""
    long = df.melt(id_vars=[x, "origin_country"], value_vars=list(measures), var_name="measure",
                   value_name="value")
    long["measure"] = long["measure"].map(measures)
    fig = px.bar(named(long), x=x, y="value", color=charts.COUNTRY_LABEL, template=charts.TEMPLATE,
                 color_discrete_map=country_color_map(long["origin_country"]), **{facet: "measure"}, **kwargs)
    fig.update_yaxes(matches=None, showticklabels=True, title=None)
    fig.update_xaxes(title=None)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    fig.update_layout(barmode="stack")
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
    cols[0].metric("Hub models", number(row["models"]))
    cols[1].metric(f"Downloads ({when})", number(row["downloads"]))
    cols[2].metric("Top-10 models' share", number(row["top_share_pct"], "{:.1f}%"),
                   help="Share of these downloads that goes to the ten most downloaded models.")
if not recent.empty and recent["downloads"].sum() > 0:
    share = 100 * recent["recent_downloads"].sum() / recent["downloads"].sum()
    cols[3].metric("To models from the last 12 months", f"{share:.1f}%",
                   help=f"Share of these downloads going to repositories created after {since}: "
                        "twelve months before the newest repository in the data.")

# --- by country ---------------------------------------------------------------------------------
st.header("By country")
by_country = data.run(q.downloads_by_country, filters, downloads)
likes = by_country.drop(columns=["downloads", "downloads_share_pct"], errors="ignore")
left, right = st.columns(2)
with left:
    chart_block(f"downloads_by_country_{downloads}", f"Downloads by country ({when})",
                "Each country has two bars: the downloads of models its organisations uploaded, and of "
                "models whose root base model comes from it (derivatives count for the root's country). "
                "The twelve countries with most downloads are shown; the rest are summed as *Other "
                "countries*.", country_bars(by_country, "downloads", measure.capitalize()), by_country, [HUB],
                filters, coverage=both_coverage)
with right:
    chart_block(f"likes_by_country_{downloads}", "Likes by country",
                "Likes of the same models, counted the same two ways (the countries are those with most "
                "downloads).", country_bars(likes, "likes", "Likes"), likes, [HUB], filters,
                coverage=f"{hub_coverage_line(filters, 'origin', 'likes')}; {hub_coverage_line(filters, 'uploader', 'likes')}")

# --- cohorts ------------------------------------------------------------------------------------
cohorts = data.run(q.cohorts, filters, downloads)
figure = None
if not cohorts.empty:
    figure = stacked_facets(cohorts, "month", {"models": "Models created", "downloads": measure.capitalize()},
                            "facet_row", category_orders={charts.COUNTRY_LABEL: charts.country_order(cohorts, "origin_country")}, height=620)
chart_block(f"cohorts_{downloads}",
            "Cohorts: models created per month and their downloads, by origin country",
            "Top: how many repositories were created each month (repository creation, not release). "
            f"Bottom: the {measure} of each month's cohort today. Colours are the origin countries with "
            "most downloads.",
            figure, cohorts, [HUB], filters, coverage=origin_coverage)

# --- recency and concentration ------------------------------------------------------------------
left, right = st.columns(2)
with left:
    fig = None
    if not recent.empty:
        fig = px.bar(named(recent), x=charts.COUNTRY_LABEL, y="recent_share_pct", color=charts.COUNTRY_LABEL,
                     template=charts.TEMPLATE, color_discrete_map=country_color_map(recent["origin_country"]),
                     hover_data=["recent_downloads", "downloads", "recent_models", "models"])
        fig.update_layout(showlegend=False, xaxis_title=None, yaxis_title="Share of downloads (%)")
    chart_block(f"recent_share_{downloads}",
                "Share of downloads going to models created in the last 12 months",
                f"For each origin country, the {measure} of models created after {since} (twelve months "
                "before the newest repository in the data) as a share of all its downloads: high means its "
                "adoption rides on new models.", fig, recent, [HUB], filters,
                coverage=origin_coverage)
with right:
    fig = None
    if not concentration.empty:
        shown = charts.plain(concentration)
        pairs = zip(concentration["scope"], concentration["origin_country"], strict=True)
        shown["Scope"] = ["All models" if scope == "all" else country_label(code) for scope, code in pairs]
        palette = {"All models": "#252525"}
        palette.update(country_color_map(concentration.loc[concentration["scope"] == "country", "origin_country"]))
        fig = px.bar(shown, x="Scope", y="top_share_pct", color="Scope", template=charts.TEMPLATE,
                     color_discrete_map=palette, hover_data=["top_downloads", "downloads", "models"])
        fig.update_layout(showlegend=False, xaxis_title=None, yaxis_title="Top-10 share of downloads (%)")
    chart_block(f"concentration_{downloads}", "Concentration: the 10 most downloaded models' share",
                "The first bar is the share of all downloads that goes to the ten most downloaded models; "
                "the others repeat it within each origin country (its own ten). Near 100% means a handful "
                "of models carry the country's adoption.", fig, concentration, [HUB], filters,
                coverage=origin_coverage)

# --- size classes -------------------------------------------------------------------------------
sizes = data.run(q.size_classes, filters, downloads)
figure = None
if not sizes.empty:
    classes = charts.plain(pd.DataFrame({"c": q.SIZE_CLASSES}))["c"].tolist()  # as Plotly will see them
    figure = stacked_facets(sizes, "size_class", {"models": "Models", "downloads": measure.capitalize()},
                            "facet_col", category_orders={"size_class": classes,
                                                          charts.COUNTRY_LABEL: charts.country_order(sizes, "origin_country")})
chart_block(f"size_classes_{downloads}", "Adoption by model size",
            "Models (left) and downloads (right) per parameter-size class, stacked by origin country. "
            "*unknown* means no parameter count could be read or inferred (from the weights, the base model "
            "or the name).",
            figure, sizes, [HUB], filters, coverage=origin_coverage)

# --- organisations and models -------------------------------------------------------------------
st.header("Who gets downloaded")
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
fig = None
if not orgs.empty:
    shown = charts.plain(orgs)
    shown[charts.COUNTRY_LABEL] = [country_label(c) for c in orgs["country"]]
    fig = px.bar(shown, x="downloads", y="organization", color=charts.COUNTRY_LABEL, orientation="h",
                 template=charts.TEMPLATE, color_discrete_map=country_color_map(orgs["country"]),
                 hover_data=["models", "likes", "kind", "intermediary"])
    fig.update_yaxes(categoryorder="total ascending", title=None)
    fig.update_layout(xaxis_title=measure.capitalize(), height=620)
how = ("Each model counts for its uploader" if view == "models" else
       "Every model counts for the uploader of its root base model, so repackages count for the original lab")
chart_block(f"top_organizations_{view}_{rank_by}_{downloads}", "Top organisations by downloads",
            f"{how}. Accounts of individuals, and accounts nobody has classified yet, appear under their Hub "
            "name; hover for model counts and the account's kind (lab, company, university, …, repackager).",
            fig, orgs, [HUB], filters,
            coverage=hub_coverage_line(filters, "uploader" if view == "models" else "origin", q.MEASURES[downloads]))

models = data.run(q.top_models, filters, downloads, view)
table = models.assign(origin=[country_label(c) for c in models["origin_country"]]) if not models.empty else models
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
        number_column = st.column_config.NumberColumn
        st.dataframe(
            table, hide_index=True,
            column_order=["url", "downloads", "likes", "origin", "license_family", "params", *extra],
            column_config={
                "url": st.column_config.LinkColumn("Model", display_text=r"https://huggingface\.co/(.*)"),
                "downloads": number_column(measure.capitalize(), format="localized"),
                "likes": number_column("Likes", format="localized"),
                "origin": st.column_config.TextColumn("Origin country"),
                "license_family": st.column_config.TextColumn("Licence family"),
                "params": number_column("Parameters", format="compact"),
                "base_relation": st.column_config.TextColumn("Derived as"),
                "intermediary": st.column_config.CheckboxColumn("Repackager"),
                "derivatives": number_column("Derivatives", format="localized"),
                "own_downloads": number_column("Root's own downloads", format="localized"),
            })
    st.caption(f"Source: {HUB.markdown()}. Filters: {md_escape(filters_line(filters))}.")
    download_csv(f"top_models_{view}_{downloads}", table, filters)

# --- history ------------------------------------------------------------------------------------
st.header("History")
if len(data.run(q.snapshot_dates)) > 1:
    hist = data.run(q.history, filters, downloads)
    fig = None
    if not hist.empty:
        fig = px.line(named(hist), x="snapshot_date", y="downloads", color=charts.COUNTRY_LABEL, markers=True,
                      template=charts.TEMPLATE, color_discrete_map=country_color_map(hist["origin_country"]),
                      category_orders={charts.COUNTRY_LABEL: charts.country_order(hist, "origin_country")})
        fig.update_layout(xaxis_title=None, yaxis_title=measure.capitalize())
    chart_block(f"history_{downloads}", "Downloads per snapshot date, by origin country",
                f"Each point is the Hub's {measure} as recorded by that day's run, summed per origin country "
                "(countries and filters as of today).", fig, hist, [HUB], filters,
                coverage=origin_coverage)
else:
    st.caption("Adoption history builds up with each daily run: the Hub gives only current totals, so each "
               "run records a snapshot, and this chart appears once there are two.")

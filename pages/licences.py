"""Licences: which licences the open models on the Hub are really under, and what they allow."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame
from dashboard.colors import LICENSE_FAMILY, country_label
from dashboard.components import HUB, chart_block, hub_coverage_line
from landscape.queries import licences as q

frame.page_guard()

WEIGHT_LABELS = {"models": "Models", "downloads": "Downloads (30 days)"}
GATING_COLORS = {"not gated": "#d9d9d9", "auto": "#fdae61", "manual": "#d73027"}
COMMERCIAL_COLORS = {"yes": "#1a9850", "with conditions": "#fdae61", "no": "#d73027", "unknown": "#bdbdbd"}


def scoped(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` escaped for Plotly, with a ``Scope`` label: all models, then countries."""
    out = charts.plain(df)
    pairs = zip(df["scope"], df["origin_country"], strict=True)
    out["Scope"] = ["All models" if scope == "all" else country_label(code) for scope, code in pairs]
    return out


def families_in(df: pd.DataFrame) -> list[str]:
    """The licence families present in ``df``, in the project's order."""
    return [f for f in LICENSE_FAMILY if f in set(df["license_family"])]


# Figure builders: pure functions of a query result and the options they are given, so that
# charts.figure builds each figure once per distinct input (a rerun with the same inputs reuses it).

def mix_figure(mix: pd.DataFrame, weight: str) -> go.Figure:
    fig = charts.bar(charts.plain(mix), x="license_family", y=weight, color="license_family",
                     color_discrete_map=LICENSE_FAMILY, text=f"{weight}_pct",
                     category_orders={"license_family": families_in(mix)}, hover_data=["models", "downloads"])
    fig.update_traces(texttemplate="%{text:.1f}%", textposition="outside")
    fig.update_layout(showlegend=False, xaxis_title=None, yaxis_title=WEIGHT_LABELS[weight])
    return fig


def by_country_figure(by_country: pd.DataFrame, weight: str, unit: str) -> go.Figure:
    shown = by_country.assign(Country=[country_label(c) for c in by_country["origin_country"]])
    fig = charts.stacked_by_family(shown, "Country", weight, f"Share of {unit} (%)", percent=True)
    fig.update_xaxes(categoryorder="array", categoryarray=list(dict.fromkeys(shown["Country"])))
    return fig


def top_figure(top: pd.DataFrame, weight: str) -> go.Figure:
    fig = charts.bar(charts.plain(top), x=weight, y="license", color="license_family", orientation="h",
                     color_discrete_map=LICENSE_FAMILY,
                     hover_data=["models", "downloads", "share_pct"],
                     category_orders={"license_family": families_in(top)})
    fig.update_yaxes(categoryorder="total ascending", title=None)
    fig.update_layout(height=620, xaxis_title=WEIGHT_LABELS[weight])
    return fig


def gated_figure(gated: pd.DataFrame, unit: str) -> go.Figure:
    shown = scoped(gated)
    fig = charts.bar(shown[shown["gating"] != "not gated"], x="Scope", y="share_pct", color="gating",
                     color_discrete_map=GATING_COLORS,
                     category_orders={"gating": ["auto", "manual"], "Scope": list(dict.fromkeys(shown["Scope"]))},
                     hover_data=["models", "downloads"])
    fig.update_layout(barmode="stack", xaxis_title=None, yaxis_title=f"Gated share of {unit} (%)")
    return fig


def commercial_figure(commercial: pd.DataFrame, weight: str, unit: str) -> go.Figure:
    shown = scoped(commercial)
    fig = charts.bar(shown, x="Scope", y=weight, color="commercial_use",
                     color_discrete_map=COMMERCIAL_COLORS,
                     category_orders={"commercial_use": list(q.COMMERCIAL_USE),
                                      "Scope": list(dict.fromkeys(shown["Scope"]))},
                     hover_data=["models", "downloads", "share_pct"])
    fig.update_layout(barmode="stack", barnorm="percent", xaxis_title=None, yaxis_title=f"Share of {unit} (%)")
    return fig


st.title("Licences")
st.markdown("Which licences the models on the Hugging Face Hub are really under. Declared licences are "
            "normalised to one id and grouped in families: **permissive** (Apache-2.0, MIT, BSD, CC-BY), "
            "**copyleft** (GPL, CC-BY-SA), **open-rail** (use-based restrictions), **restricted** (custom "
            "community licences with conditions: Llama, Gemma, Qwen, …), **non-commercial**, **other** "
            "(declared but unresolvable) and **none** (nothing declared). Countries are origin countries: a "
            "derivative counts for its root model's country.")
frame.require("models")
filters = frame.filters()
frame.filter_note()

# Options are shown as they appear in the link (`?weight=downloads`): a bound widget writes its
# displayed label to the URL. The sidebar notes values it does not know.
weight = st.segmented_control("Weight by", list(q.WEIGHTS), default="models", key="weight", required=True,
                              bind="query-params",
                              help="**models**: count models; **downloads**: weight each model by its "
                                   "downloads over the last 30 days.")
unit = "models" if weight == "models" else "downloads (last 30 days)"
origin_coverage = hub_coverage_line(filters, "origin", "models" if weight == "models" else "downloads_30d")

# One scan gives the family mix, the mix by country, gating and commercial use.
cube = data.run(q.licence_cube, filters)
empty = pd.DataFrame()
mix = data.derived(q.family_mix, cube) if not cube.empty else empty
by_country = data.derived(q.family_by_country, cube, weight) if not cube.empty else empty
gated = data.derived(q.gated_share, cube, weight) if not cube.empty else empty
commercial = data.derived(q.commercial_use_by_country, cube, weight) if not cube.empty else empty

# --- headline figures ---------------------------------------------------------------------------
if not mix.empty:
    shares = mix.set_index("license_family")[f"{weight}_pct"]
    overall_use = commercial[commercial["scope"] == "all"].set_index("commercial_use")["share_pct"]
    overall_gated = gated[(gated["scope"] == "all") & (gated["gating"] != "not gated")]["share_pct"].sum()
    cols = st.columns(4)
    cols[0].metric(f"Permissive share of {weight}", f"{shares.get('permissive', 0):.1f}%",
                   help="Downloads are those of the last 30 days." if weight == "downloads" else None)
    cols[1].metric("Commercial use, no conditions", f"{overall_use.get('yes', 0):.1f}%",
                   help="Permissive, copyleft and OpenRAIL licences.")
    cols[2].metric("Non-commercial only", f"{overall_use.get('no', 0):.1f}%")
    cols[3].metric("Gated (access on request)", f"{overall_gated:.1f}%")

# --- family mix ---------------------------------------------------------------------------------
fig = charts.figure(mix_figure, mix, weight) if not mix.empty else None
chart_block(f"licence_families_{weight}", f"Licence families ({unit})",
            f"Each bar is a licence family's {unit}; the label is its share of the {unit} of all Hub models "
            "under the filters.", fig, mix, [HUB], filters)

left, right = st.columns(2)
with left:
    fig = charts.figure(by_country_figure, by_country, weight, unit) if not by_country.empty else None
    chart_block(f"licence_families_by_country_{weight}", "Licence families by origin country",
                f"Each bar splits one origin country's {unit} by licence family (100% = the country); the "
                "eight countries with most are shown, the rest summed as *Other countries*.",
                fig, by_country, [HUB], filters, coverage=origin_coverage)
with right:
    by_month = data.run(q.family_by_month, filters, weight)
    fig = (charts.figure(charts.stacked_by_family, by_month, "month", weight, f"Share of {unit} (%)", percent=True)
           if not by_month.empty else None)
    chart_block(f"licence_families_by_month_{weight}", "Licence families by month of creation",
                f"Each bar splits the {unit} of the repositories created that month by licence family "
                "(100% = the month). Creation of the repository, not the model's release.",
                fig, by_month, [HUB], filters)

# --- licences -----------------------------------------------------------------------------------
top = data.run(q.top_licences, filters, weight)
fig = charts.figure(top_figure, top, weight) if not top.empty else None
chart_block(f"top_licences_{weight}", f"The 20 most common licences (by {unit})",
            "Normalised licence ids (spellings and versions of the same licence merged), coloured by family; "
            "*(none declared)* means the model card names no licence.", fig, top, [HUB], filters)

# --- gating and commercial use ------------------------------------------------------------------
left, right = st.columns(2)
with left:
    fig = charts.figure(gated_figure, gated, unit) if not gated.empty else None
    chart_block(f"gated_share_{weight}", "Gated models, overall and by origin country",
                f"The bar height is the share of {unit} behind a gate (users must request access): *auto* "
                "gates approve every request, *manual* ones are reviewed by the author. The CSV has the "
                "ungated rows too.", fig, gated, [HUB], filters, coverage=origin_coverage)
with right:
    fig = charts.figure(commercial_figure, commercial, weight, unit) if not commercial.empty else None
    chart_block(f"commercial_use_{weight}", "Is commercial use allowed?",
                "*yes*: permissive, copyleft and OpenRAIL licences; *with conditions*: custom community "
                "licences (user caps, acceptable-use policies); *no*: non-commercial and research-only; "
                "*unknown*: a licence we cannot classify, or none declared. Not legal advice: read the "
                "licence.",
                fig, commercial, [HUB], filters)

"""One organisation (``/organization?name=…``, shareable): who it is, what it released, how good, who downloads it."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame
from dashboard.colors import AUTHOR_KIND, LICENSE_FAMILY, country_label
from dashboard.components import (
    EPOCH_MODELS,
    HUB,
    chart_block,
    download_csv,
    hub_columns,
    link_to,
    not_found,
    table_block,
)
from dashboard.markdown import md_code, md_escape
from dashboard.numbers import metric_number, number
from landscape.filters import Filters
from landscape.queries import lookup

frame.page_guard()


# The charts' frames and figures: pure functions of query results, built once per distinct input
# (data.derived, charts.figure), so a rerun with the same inputs reuses them.

def releases_per_year(releases: pd.DataFrame) -> pd.DataFrame:
    by_year = releases.dropna(subset=["publication_date"]).assign(
        year=lambda f: f["publication_date"].astype(str).str[:4])
    counts = by_year.groupby(["year", "accessibility_group"], dropna=False).size().reset_index(name="releases")
    counts["accessibility_group"] = counts["accessibility_group"].fillna("unknown")
    return counts


def releases_figure(counts: pd.DataFrame) -> go.Figure:
    figure = charts.stacked_by_access(counts, "year", "releases", "accessibility_group", "Releases")
    return figure.update_xaxes(**charts.year_axis(counts["year"]))


def open_share_figure(share: pd.DataFrame) -> go.Figure:
    figure = charts.line(charts.plain(share), x="year", y="open_share_pct", color="scope", markers=True)
    figure.update_layout(xaxis_title=None, yaxis_title="Open-weight share (%)")
    return figure


def history_figure(history: pd.DataFrame) -> go.Figure:
    # one line per column, named by it (as Plotly Express draws a "wide" frame)
    long = history.melt(id_vars="snapshot_date", value_vars=["own", "derivatives"], var_name="variable")
    figure = charts.line(charts.plain(long), x="snapshot_date", y="value", color="variable", markers=True)
    figure.update_layout(xaxis_title=None, yaxis_title="Downloads, last 30 days", legend_title_text="")
    return charts.snapshot_axis(figure, history["snapshot_date"])


def licences_figure(licences: pd.DataFrame) -> go.Figure:
    # each family in its colour on every page (dashboard/colors.py)
    figure = charts.bar(charts.plain(licences), x="license_family", y="models", color="license_family",
                        color_discrete_map=LICENSE_FAMILY, hover_data=["downloads_30d"])
    return figure.update_layout(xaxis_title=None, yaxis_title="Models", showlegend=False)


def derivatives_figure(derived: pd.DataFrame) -> go.Figure:
    figure = charts.bar(charts.with_country_names(derived), x=charts.COUNTRY_LABEL, y="models", color="kind",
                        hover_data=["downloads_30d"], color_discrete_map=AUTHOR_KIND,
                        category_orders={"kind": list(AUTHOR_KIND)})
    figure.update_layout(xaxis_title=None, yaxis_title="Derivatives")
    return figure

name = (st.query_params.get("name") or "")[:200]
st.title(name or "Organisation")
state = frame.state()
if not state.exists:
    frame.require("releases")
if not name:
    st.info("Open an organisation from the search box in the sidebar, or from any ranking.", icon=":material/search:")
    st.stop()

facts = data.run(lookup.organization_facts, name)
releases = data.run(lookup.organization_releases, name)
if facts.empty and releases.empty:
    not_found("organization", name, data.run(lookup.suggestions, name, "organization"))
    st.stop()

# --- who ----------------------------------------------------------------------------------------
if not facts.empty:
    first = facts.iloc[0]
    parent = first["parent"] if isinstance(first["parent"], str) else None
    st.markdown(f"**{md_escape(str(first['kind'] or 'unclassified'))}**, "
                f"{md_escape(country_label(first['country'] if isinstance(first['country'], str) else ''))}"
                + (f", part of {md_escape(parent)}" if parent and parent != name else "")
                + ". Hub namespaces: " + ", ".join(md_code(n) for n in facts["namespace"]) + ".")
else:
    st.markdown("Not in the organisation registry: its releases are Epoch AI's, its Hub namespaces unknown.")

# --- releases -----------------------------------------------------------------------------------
st.header("Releases (Epoch AI)")
if releases.empty:
    st.caption("No release in Epoch AI's data.")
else:
    counts = data.derived(releases_per_year, releases)
    chart_block("organization_releases", "Releases per year by accessibility",
                "Each bar stacks the year's releases of the organisation by how their weights were released.",
                charts.figure(releases_figure, counts) if not counts.empty else None, releases, [EPOCH_MODELS], Filters())
    share = data.run(lookup.organization_open_share, name)
    figure = charts.figure(open_share_figure, share) if not share.empty else None
    chart_block("organization_open_share", "Its open-weight share, beside its countries' and the world's",
                "Per year, the share of releases of known accessibility whose weights are open: the "
                "organisation's, all releases of its countries, and all releases.", figure, share, [EPOCH_MODELS],
                Filters())
    table_block("organization_best_scores", "Its best models on the capabilities index and on each benchmark",
                "Per benchmark (the Epoch Capabilities Index first), its highest-scoring open and closed models, "
                "with their release dates.", data.run(lookup.organization_best_scores, name), Filters(),
                empty_message="None of its models has a benchmark score.",
                column_config={"source": "Source", "benchmark": "Benchmark", "group": "Weights", "model": "Model",
                               "release_date": st.column_config.DateColumn("Released"), "score": "Score"})
    largest = releases.dropna(subset=["params"]).sort_values("params", ascending=False)
    for group in ("open", "closed"):
        top = largest[largest["accessibility_group"] == group].head(5)
        st.markdown(f"**Largest {group}**: " + ("; ".join(
            f"{md_escape(r.model)} ({r.params / 1e9:,.0f}B, {str(r.publication_date)[:4]})"
            for r in top.itertuples()) or "none recorded"))

# --- the Hub ------------------------------------------------------------------------------------
st.header("On the Hugging Face Hub")
if not state.has("models"):
    st.caption("The Hub has not been ingested yet.")
else:
    totals = data.run(lookup.organization_hub_totals, name)
    cols = st.columns(len(totals))
    # a large lab's all-time downloads pass a billion: written short then, every digit in the help
    for column, row in zip(cols, totals.itertuples(), strict=True):
        column.metric(row.measure.capitalize(), metric_number(row.value), help=f"{number(row.value)} {row.measure}.")
    top = data.run(lookup.organization_hub, name)
    if top.empty:
        st.caption("No Hub model under its namespaces in this database.")
    else:
        st.dataframe(top.assign(model_id=[link_to("model", m) for m in top["model_id"]]), hide_index=True,
                     column_config=hub_columns(model_id=st.column_config.LinkColumn("Model",
                                                                                    display_text=r"id=(.*)$")))
        download_csv("organization_hub_models", top, Filters())
    history = data.run(lookup.compare_hub, [name])
    figure = charts.figure(history_figure, history) if len(history) > 1 else None
    chart_block("organization_hub_history", "Its Hub downloads over time",
                "The 30-day downloads of its own models and of the models others derived from them, at each "
                "snapshot date.", figure, history, [HUB], Filters(),
                empty_message="No download history yet (`python -m pipeline ingest --sources history`).")
    licences = data.run(lookup.organization_licences, name)
    chart_block("organization_licences", "Licence families of its Hub models",
                "Its models by licence family (hover for their downloads).",
                charts.figure(licences_figure, licences) if not licences.empty else None, licences, [HUB],
                Filters())
    derived = data.run(lookup.organization_derivatives, name)
    figure = charts.figure(derivatives_figure, derived) if not derived.empty else None
    chart_block("organization_derivatives", "Who builds on its models",
                "Models whose root is one of its models, uploaded by others, by the builders' country (or, without "
                "one, kind) and kind.", figure, derived, [HUB], Filters(),
                empty_message="Nobody in this database builds on its models.")
    table_block("organization_distillation", "Distillation",
                "*from it*: models tracked as distilled from its models (the teacher); *by it*: its own models "
                "tracked as distilled from others'. The evidence column says which rule matched (see the lineage "
                "page).", data.run(lookup.organization_distillation, name), Filters(),
                empty_message="No tracked distillation involves its models.",
                column_config=hub_columns(direction="Direction", model_id="Model", teacher_model="Teacher",
                                          distill_evidence="Evidence"))
    st.caption(f"Source: {HUB.markdown()}.")

"""One Hub model (``/model?id=…``, shareable): its facts, its lineage up and down, its history."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame
from dashboard.colors import country_color_map, country_label
from dashboard.components import HUB, chart_block, download_csv, not_found, page_link_to
from dashboard.markdown import md_escape
from dashboard.numbers import metric_number, number
from landscape.filters import Filters
from landscape.queries import lookup
from pipeline.config import load_settings

frame.page_guard()
model_id = (st.query_params.get("id") or "")[:300]
st.title(model_id or "Model")
frame.require("models")
if not model_id:
    st.info("Open a model from the search box in the sidebar, or from any table of models.", icon=":material/search:")
    st.stop()

facts = data.run(lookup.model_facts, model_id)
if facts.empty:
    not_found("model", model_id, data.run(lookup.suggestions, model_id, "model"))
    st.stop()
row = facts.iloc[0]


def children_figure(summary: pd.DataFrame) -> go.Figure:
    fig = charts.bar(charts.with_country_names(summary), x="relation", y="models", color=charts.COUNTRY_LABEL,
                     color_discrete_map=country_color_map(summary["country"]))
    fig.update_layout(xaxis_title=None, yaxis_title="Derivatives", barmode="stack")
    return fig


def history_figure(history: pd.DataFrame) -> go.Figure:
    fig = charts.line(charts.plain(history), x="snapshot_date", y="downloads_30d", markers=True)
    fig.update_layout(xaxis_title=None, yaxis_title="Downloads, last 30 days")
    return charts.snapshot_axis(fig, history["snapshot_date"])


def text(value: object) -> str:
    return md_escape(str(value)) if value is not None and value == value else "—"


# --- facts --------------------------------------------------------------------------------------
# an id in the database passed the Hub's repo-id rule (letters, digits, - _ . and one /): safe in a URL
st.markdown(f"[Open on the Hub]({load_settings().hub_endpoint}/{model_id})")
cols = st.columns(4)
# the most downloaded models pass a billion all-time downloads: written short then, every digit in the help
cols[0].metric("Downloads, last 30 days", metric_number(row["downloads_30d"] or 0),
               help=f"{number(row['downloads_30d'] or 0)} downloads.")
cols[1].metric("All-time downloads", metric_number(row["downloads_all_time"]),
               help=None if pd.isna(row["downloads_all_time"]) else f"{number(row['downloads_all_time'])} downloads.")
cols[2].metric("Likes", f"{int(row['likes'] or 0):,}")
cols[3].metric("Parameters", f"{row['params'] / 1e9:,.1f}B" if row["params"] == row["params"] and row["params"]
               else "—", help=f"source: {text(row['params_source'])}")
st.markdown(
    f"- **Uploader**: {text(row['author'])} ({text(row['author_kind'] or 'unclassified')}, "
    f"{text(country_label(row['country'] if isinstance(row['country'], str) else ''))}); origin country "
    f"{text(country_label(row['origin_country'] if isinstance(row['origin_country'], str) else ''))}\n"
    f"- **Licence**: {text(row['license'])} (family {text(row['license_family'])}); gated: {text(row['gated'])}\n"
    f"- **Task**: {text(row['pipeline_tag'])}; library {text(row['library'])}; created "
    f"{text(str(row['created_at'])[:10])}\n"
    f"- **Kind**: {text(row['model_kind'])}; distilled: {text(row['distilled'])}"
    + (f" (teacher {text(row['teacher_model'])}; {text(row['distill_evidence'])})" if row["distilled"] else ""))
if isinstance(row["organization"], str):
    page_link_to("organization", row["organization"], f"Organisation: {row['organization']}")

# --- lineage ------------------------------------------------------------------------------------
st.header("Lineage")
chain = data.run(lookup.model_chain, model_id)
if len(chain) <= 1:
    st.caption("It declares no base model: it is its own root.")
else:
    st.markdown("Up to the root, following the first declared base:")
    for step in chain.itertuples():
        if step.depth == 0:
            continue
        label = f"{'↑ ' * 1}{step.model_id}" + ("" if step.in_database else " (not in the database)")
        if step.in_database:
            page_link_to("model", step.model_id, label)
        else:
            st.markdown(f"- {md_escape(label)}")
    download_csv("model_lineage", chain, Filters(), label="Download the chain (CSV)")
children = data.run(lookup.model_children, model_id)
summary = data.derived(lookup.children_summary, children)
fig = charts.figure(children_figure, summary) if not summary.empty else None
chart_block("model_children", "Models built directly on it",
            "Direct derivatives declaring it as their base, by relation and by the builder's country (or kind).",
            fig, summary, [HUB], Filters(), empty_message="No model in the database declares it as its base.")
for child in children.head(15).itertuples():
    page_link_to("model", child.model_id, f"↓ {child.model_id} ({child.base_relation or 'derived'}, "
                                          f"{int(child.downloads_30d or 0):,} downloads)")

# --- Epoch release ------------------------------------------------------------------------------
release = data.run(lookup.model_release, model_id)
if not release.empty:
    first = release.iloc[0]
    st.header("In Epoch AI's data")
    st.markdown(f"Released as **{text(first['model'])}** by {text(first['organization'])} on "
                f"{text(str(first['publication_date'])[:10])} ({text(first['accessibility_group'])} weights).")
    scores = release.dropna(subset=["score"])[["source", "benchmark", "score"]]
    if not scores.empty:
        st.dataframe(scores, hide_index=True)
    download_csv("model_release", release, Filters())

# --- history ------------------------------------------------------------------------------------
history = data.run(lookup.model_history, model_id)
if len(history) > 1:
    chart_block("model_history", "Its 30-day downloads over time",
                "Each point is a snapshot: a run's own, or one backfilled from hub-stats.",
                charts.figure(history_figure, history), history, [HUB],
                Filters())

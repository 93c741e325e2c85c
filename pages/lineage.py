"""Lineage & distillation: who builds on whose open models, across borders."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, frame
from dashboard.colors import country_color, country_color_map, country_label
from dashboard.components import HUB, chart_block, download_csv, hub_columns, hub_coverage_line
from dashboard.filters import PAGE_OPTIONS
from landscape.queries import lineage as q
from pipeline.config import load_settings
from pipeline.transform.distillation import DISTILL_TAGS, RULES

frame.page_guard()


# Figure builders: pure functions of a query result, so that charts.figure builds each figure once
# per distinct input (a rerun with the same inputs reuses it).

def by_base_country_figure(by_country: pd.DataFrame) -> go.Figure:
    shown = by_country.assign(base=by_country["base"].map(country_label))
    figure = charts.area(charts.plain(shown), x="month", y="share_pct", color="base",
                         color_discrete_map=country_color_map(by_country["base"]), hover_data=["models"])
    figure.update_layout(yaxis_title="Share of new derivatives (%)", xaxis_title=None, legend_title_text="")
    return figure


def by_base_organization_figure(by_org: pd.DataFrame) -> go.Figure:
    figure = charts.bar(charts.plain(by_org.assign(base=by_org["base"].replace("", "Unknown"))), x="month",
                        y="models", color="base")
    figure.update_layout(yaxis_title="New derivatives", xaxis_title=None, legend_title_text="", barmode="stack")
    return figure


def bases_figure(bases: pd.DataFrame) -> go.Figure:
    long = bases.melt(id_vars=["root_model", "country"], value_vars=["finetunes", "quantized", "adapters", "merges"],
                      var_name="relation", value_name="count")
    figure = charts.bar(charts.plain(long), x="count", y="root_model", color="relation", orientation="h")
    figure.update_yaxes(categoryorder="total ascending")
    figure.update_layout(height=600, xaxis_title="Derivatives", yaxis_title=None, legend_title_text="")
    return figure


def flows(matrix: pd.DataFrame) -> pd.DataFrame:
    """The cross-border matrix as a table: the eight largest uploader countries × the eight largest root countries."""
    top_roots = matrix.groupby("root_country")["value"].sum().nlargest(8).index
    top_uploaders = matrix.groupby("uploader_country")["value"].sum().nlargest(8).index
    small = matrix[matrix["root_country"].isin(top_roots) & matrix["uploader_country"].isin(top_uploaders)]
    return small.pivot_table(index="uploader_country", columns="root_country", values="value", aggfunc="sum",
                             fill_value=0)


def heat_figure(matrix: pd.DataFrame) -> go.Figure:
    pivot = flows(matrix)
    heat = go.Figure(go.Heatmap(z=pivot.to_numpy(), x=[country_label(c) for c in pivot.columns],
                                y=[country_label(c) for c in pivot.index], colorscale="Blues",
                                hovertemplate="uploaded from %{y}, root from %{x}: %{z:,}<extra></extra>"))
    heat.update_layout(template=charts.TEMPLATE, xaxis_title="Country of the root model",
                       yaxis_title="Uploader's country", height=520)
    return heat


def sankey_figure(matrix: pd.DataFrame) -> go.Figure:
    pivot = flows(matrix)
    nodes = [f"from {country_label(c)}" for c in pivot.index] + [f"built on {country_label(c)}" for c in pivot.columns]
    links = [(i, len(pivot.index) + j, int(pivot.iat[i, j])) for i in range(len(pivot.index))
             for j in range(len(pivot.columns)) if pivot.iat[i, j] > 0]
    sankey = go.Figure(go.Sankey(
        node={"label": nodes, "color": [country_color(c) for c in [*pivot.index, *pivot.columns]], "pad": 12},
        link={"source": [a for a, _, _ in links], "target": [b for _, b, _ in links],
              "value": [v for _, _, v in links]}))
    sankey.update_layout(template=charts.TEMPLATE, height=520)
    return sankey


def families_figure(fams: pd.DataFrame) -> go.Figure:
    long = fams.melt(id_vars=["family"], value_vars=["base_downloads", "family_downloads"], var_name="counted",
                     value_name="downloads")
    long["counted"] = long["counted"].map({"base_downloads": "the base alone", "family_downloads": "the whole family"})
    figure = charts.bar(charts.plain(long), x="downloads", y="family", color="counted", barmode="group",
                        orientation="h")
    figure.update_yaxes(categoryorder="total ascending")
    figure.update_layout(height=560, xaxis_title="Downloads, last 30 days", yaxis_title=None, legend_title_text="")
    return figure


st.title("Lineage & distillation")
st.markdown("Who builds on whose models. A **derivative** declares a base model (fine-tune, adapter, "
            "quantisation or merge); following the first declared base hop by hop reaches its **root**, and a "
            "**family** is a root with everything derived from it. Countries: the uploader's organisation, and "
            "the root's (*origin*). Uploads with no country are shown by who made them: *Individuals*, *Community* "
            "(collectives and library accounts), *Repackagers*, and *Unknown* for accounts nobody has classified yet.")
frame.require("models")
filters = frame.filters()
frame.filter_note()

counts = data.run(q.lineage_counts, filters)
c = counts.iloc[0]
cols = st.columns(6)
cols[0].metric("Derivatives", f"{int(c['derivatives']):,}")
cols[1].metric("Deepest chain", f"{int(c['deepest']) if pd.notna(c['deepest']) else 0} hops")
cols[2].metric("Missing parents", f"{int(c['missing_parent']):,}",
               help="Chains ending at a base that is neither ingested nor found on the Hub; that id stands "
                    "as the root.")
cols[3].metric("Cycles", f"{int(c['cycles']):,}", help="Chains that loop back: no root.")
cols[4].metric("Merges of several parents", f"{int(c['multi_parent']):,}",
               help="Models declaring more than one base; the first declared one is followed.")
cols[5].metric("Bases fetched one by one", f"{int(c['fetched_ancestors']):,}",
               help="Ancestors outside the ingested scope, looked up through the single-model endpoint.")

# Three views, each run only when it is open (Streamlit's lazy tabs; the open one is in the link,
# ?lineage_tab=…). Drawn at once, the page's eight charts and its table made the dashboard's
# slowest first visit, in the server and above all in the browser.
building, borders, distillation = st.tabs(PAGE_OPTIONS["lineage_tab"], key="lineage_tab", bind="query-params")

if building.open:
    with building:
        by_country = data.run(q.derivatives_by_month, filters, "country")
        figure = charts.figure(by_base_country_figure, by_country) if not by_country.empty else None
        chart_block("derivatives_by_base_country", "New derivatives per month, by the country of their root model",
                    "Each band is the share of that month's new derivatives whose root model comes from a country "
                    "(the six most built-on, the rest as Other); for instance Chinese vs US bases month by month.",
                    figure, by_country, [HUB], filters, coverage=hub_coverage_line(filters, "origin", "models"))

        by_org = data.run(q.derivatives_by_month, filters, "organization", 8)
        figure = charts.figure(by_base_organization_figure, by_org) if not by_org.empty else None
        chart_block("derivatives_by_base_organization", "New derivatives per month, by the organisation of their root",
                    "Bars stack the month's new derivatives by the organisation behind their root model (the eight "
                    "most built-on).", figure, by_org, [HUB], filters)

        bases = data.run(q.top_bases, filters, 20)
        figure = charts.figure(bases_figure, bases) if not bases.empty else None
        chart_block("most_derived_bases", "The most built-on base models",
                    "The 20 roots with most derivatives in the data, split by the relation each derivative declares.",
                    figure, bases, [HUB], filters)

        st.header("Families")
        fams = data.run(q.families, filters, 15)
        figure = charts.figure(families_figure, fams) if not fams.empty else None
        chart_block("families_base_vs_family", "Adoption of the base alone vs its whole family",
                    "For the 15 most downloaded families: the base model's own downloads beside the family's, where "
                    "quantised repackages and fine-tunes count for their base instead of as independent models (the "
                    "CSV has the repackages' share).", figure, fams, [HUB], filters)

if borders.open:
    with borders:
        weight = st.segmented_control("Count", PAGE_OPTIONS["lineage_weight"], default="models",
                                      key="lineage_weight", required=True, bind="query-params",
                                      help="**models**: count derivatives; **downloads**: their downloads, last 30 "
                                           "days.")
        matrix = data.run(q.cross_border, filters, weight)
        heat = charts.figure(heat_figure, matrix) if not matrix.empty else None
        sankey = charts.figure(sankey_figure, matrix) if not matrix.empty else None
        unit = "derivatives" if weight == "models" else "downloads of derivatives (30 days)"
        flow_measure = "models" if weight == "models" else "downloads_30d"
        flow_coverage = (f"{hub_coverage_line(filters, 'uploader', flow_measure)}; "
                         f"{hub_coverage_line(filters, 'origin', flow_measure)}")
        chart_block(f"cross_border_matrix_{weight}",
                    f"Who builds on whom: uploader's country × root's country ({unit})",
                    "Each cell counts derivatives uploaded from a country (rows) whose root model comes from a "
                    "country (columns); the diagonal is building at home. The eight largest of each side are shown; "
                    "the CSV has all.", heat, matrix, [HUB], filters, coverage=flow_coverage)
        chart_block(f"cross_border_sankey_{weight}", f"The same flows ({unit})",
                    "Flows from the uploader's country (left) to the country of the root model built on (right).",
                    sankey, matrix, [HUB], filters, coverage=flow_coverage)

if distillation.open:
    with distillation:
        st.markdown(
            "The Hub has no *distilled from* relation, so the tracker uses explicit rules, and every tracked model "
            "shows which matched:\n"
            f"- **{RULES[0]}**: the repository name says *Distill*/*Distilled* (``<teacher>-Distill-<student>`` "
            "names the teacher, e.g. DeepSeek-R1-Distill-Llama-70B) or starts with *distil* (distilbert);\n"
            f"- **{RULES[1]}**: a tag {', '.join(f'`{t}`' for t in sorted(DISTILL_TAGS))};\n"
            f"- **{RULES[2]}**: a declared training dataset known to hold a teacher's outputs "
            "(`data/registry/distillation_datasets.csv`, each row citing its dataset card).\n\n"
            "The student base is the declared base model; the teacher comes from the name or the dataset, never "
            "guessed.")
        originals = st.toggle("Leave out quantised copies and repackages", value=True, key="distill_originals",
                              help="Count each distillation once, not once per GGUF or MLX copy of it.")
        for by, title, how in (
                ("teacher", "Tracked distilled models per month, by the teacher's country",
                 "New models declaring distillation each month, by the country of the organisation behind the "
                 "declared teacher (Unknown: no teacher declared, or one we cannot place)."),
                ("student", "Tracked distilled models per month, by the student base's country",
                 "The same models by the country of the organisation behind their declared base model (the "
                 "student).")):
            monthly = data.run(q.distilled_by_month, filters, by, originals)
            figure = charts.figure(charts.bars_by_country, monthly, "month", "models", "Distilled models",
                                   barmode="stack") if not monthly.empty else None
            chart_block(f"distilled_by_{by}_country", title, how, figure, monthly, [HUB], filters,
                        empty_message="No model under these filters declares distillation.")

        tracked = data.run(q.distilled_models, filters, originals)
        st.markdown("#### Tracked models and their evidence")
        hub = load_settings().hub_endpoint
        countries = ["country", "student_base_country", "teacher_country"]
        st.dataframe(tracked.assign(model_id=hub + "/" + tracked["model_id"],
                                    **{c: tracked[c].map(country_label) for c in countries}),
                     hide_index=True, width="stretch",
                     column_config=hub_columns(
                         model_id=st.column_config.LinkColumn("Model", display_text=r"^https?://[^/]+/(.*)$"),
                         author="Uploader", country="Uploader's country", student_base="Student's base",
                         student_base_organization="Base's organisation", student_base_country="Base's country",
                         teacher_model="Teacher", teacher_organization="Teacher's organisation",
                         teacher_country="Teacher's country", evidence="Evidence"))
        download_csv("distilled_models", tracked, filters)
        st.caption(f"Source: {HUB.markdown()}.")

"""Explorer: the Hub models and Epoch releases tables under the global filters, paged in the database."""

import shlex
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import data, frame
from dashboard.components import EPOCH_MODELS, HUB, file_name, filters_line, link_to
from dashboard.markdown import md_escape
from landscape.filters import Filters, quoted
from landscape.queries import explorer as q
from pipeline.config import load_settings
from pipeline.transform.countries import country_name

frame.page_guard()

# Downloads are written when clicked, from the database, and held in memory while the browser
# fetches them. Measured on 3 million Hub models: CSV ~230 bytes and ~30 µs a row (250,000 rows:
# ~60 MB in ~8 s); Parquet ~27 bytes and ~1.6 µs a row (3 million: 82 MB in ~5 s). Beyond these
# sizes the command line, which streams to disk, is the better tool.
DOWNLOAD_LIMITS = {"csv": 250_000, "parquet": 3_000_000}
FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet"}
MIMES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
LABELS = {"models": "Hub models", "releases": "Epoch AI releases"}
# Columns holding Hub repository ids, shown as links to their model pages here, and organisation
# names, shown as links to the organisation's page (text links; the values are percent-encoded).
LINKED = ("model_id", "base_model", "root_model")
ORGANIZATIONS = ("organization",)
HELP = {
    "country": "Country of the uploader's organisation (Hub) or the first listed (Epoch).",
    "origin_country": "Country of the organisation of the root model this one derives from.",
    "author_kind": "The uploader's kind in the organisation registry: lab, company, university, non-profit, "
                   "government, community, individual or repackager; empty when nobody has classified it.",
    "countries": "Every country of the release's organisations (Epoch's rule: a release counts for each).",
    "params_source": "Where the count comes from: safetensors, gguf, the base model, or the name.",
    "downloads_30d": "Downloads over the trailing 30 days (the Hub's `downloads`).",
    "created_at": "Repository creation: not a release date.",
    "license_family": "permissive, copyleft, open-rail, restricted, non-commercial, other or none.",
    "accessibility_group": "open (open weights, any licence), closed (API or hosted only) or unreleased.",
}


def cli_command(table: str, fmt: str, filters: Filters) -> str:
    """The ``python -m pipeline export`` line that writes the same file to disk."""
    flags = " ".join(shlex.quote(part) for arg in filters.cli_args() for part in arg.split(" ", 1))
    return f"python -m pipeline export --dataset {table} --format {fmt}" + (f" {flags}" if flags else "")


def _countries(value: object) -> object:
    if not isinstance(value, str) or not value:
        return value
    return ", ".join(f"{country_name(code)} ({code})" for code in value.split(","))


def for_display(rows: pd.DataFrame) -> pd.DataFrame:
    """The page of rows as shown: model ids and organisations as links to their pages, country
    codes with their names."""
    shown = rows.copy()
    for column in LINKED:
        if column in shown.columns:
            shown[column] = shown[column].map(partial(link_to, "model"), na_action="ignore")
    for column in ORGANIZATIONS:
        if column in shown.columns:
            shown[column] = shown[column].map(partial(link_to, "organization"), na_action="ignore")
    for column in ("country", "origin_country", "countries"):
        if column in shown.columns:
            shown[column] = shown[column].map(_countries, na_action="ignore")
    return shown


st.title("Explorer")
st.markdown("The rows behind the dashboard, under the sidebar's filters: the same columns and rows as "
            "`python -m pipeline export`, sorted and paged in the database.")

# Link values the widgets will drop: say so, as the sidebar does for the global filters. Only on
# arrival: later, the URL is the widgets' own echo.
first_load = "sort" not in st.session_state
raw = {key: st.query_params.get(key) for key in ("table", "sort", "page")}
table = st.segmented_control("Table", q.TABLES, default="models", key="table", required=True,
                             bind="query-params",
                             help="models: Hugging Face Hub repositories; releases: Epoch AI's "
                                  "'Data on AI Models'.")
frame.require(table)
filters = q.applicable_filters(table, frame.filters())
settings = load_settings()
frame.filter_note()

options = q.sort_options(table)
sort = st.selectbox("Sort by", options, index=options.index(q.DEFAULT_SORT[table]), key="sort",
                    bind="query-params",
                    help="Column and direction, applied to all filtered rows in the database; empty values "
                         "come last. Clicking a column header reorders only the page shown.")
if first_load and raw["sort"] and raw["sort"] not in options:
    st.warning(f"Ignored sort `{quoted(raw['sort'])}` from the link.", icon=":material/link_off:")

# A new table, sort or filter starts again from the first page.
view = (table, filters, sort)
if st.session_state.get("_explorer_view") not in (None, view):
    st.session_state["page"] = 1
st.session_state["_explorer_view"] = view

total = int(data.run(q.row_count, table, filters)["rows"].iloc[0])
pages = max(1, -(-total // q.PAGE_SIZE))
if first_load and raw["page"] and not (raw["page"].isdigit() and 1 <= int(raw["page"]) <= pages):
    st.warning(f"Ignored page `{quoted(raw['page'])}` from the link (there are {pages:,} pages).",
               icon=":material/link_off:")

summary = st.empty()
grid = st.empty()
page = st.pagination(pages, key="page", bind="query-params")

if total == 0:
    summary.info("No rows for these filters.", icon=":material/filter_alt_off:")
else:
    # The page shown before, when it is this one's neighbour in the same view of the same publish:
    # its bookmark reads this page by keyset (next or previous) instead of counting to it.
    shown = st.session_state.get("_explorer_shown")
    place = (view, data.state().version)
    near = shown[1] if shown and shown[0] == place and shown[1] and abs(shown[1].page - page) == 1 else None
    rows = data.run(q.page_rows, table, filters, sort, page, total, q.PAGE_SIZE, near)
    st.session_state["_explorer_shown"] = (place, q.bookmark(table, sort, page, rows))
    first = (page - 1) * q.PAGE_SIZE + 1
    summary.markdown(f"Rows **{first:,}–{first + len(rows) - 1:,}** of **{total:,}** "
                     f"({LABELS[table]}, sorted by `{sort}`).")
    config = {column: st.column_config.LinkColumn(column, display_text=r"^\./model\?id=(.*)$",
                                                  help="Opens the model's page: its facts, lineage and history.")
              for column in LINKED if column in rows.columns}
    config.update({column: st.column_config.LinkColumn(column, display_text=r"^\./organization\?name=(.*)$",
                                                       help="Opens the organisation's page.")
                   for column in ORGANIZATIONS if column in rows.columns})
    config.update({column: st.column_config.Column(column, help=text)
                   for column, text in HELP.items() if column in rows.columns and column not in config})
    for column in ("params", "training_compute_flop"):
        if column in rows.columns:
            config[column] = st.column_config.NumberColumn(column, format="compact",
                                                           help=HELP.get(column, "Parameters."))
    grid.dataframe(for_display(rows), hide_index=True, column_config=config, key=f"grid-{table}")

source = HUB if table == "models" else EPOCH_MODELS
st.caption(f"Source: {source.markdown()}. Filters: {md_escape(filters_line(filters))}.")

st.subheader("Download")
st.caption(f"All {total:,} filtered rows, not just this page, with the export's columns. The file is written "
           "when you click; in CSV, text cells a spreadsheet would run as a formula start with an apostrophe.")
too_big = [fmt for fmt, limit in DOWNLOAD_LIMITS.items() if total > limit]
with st.container(horizontal=True):
    for fmt, limit in DOWNLOAD_LIMITS.items():
        st.download_button(f"Download {FORMAT_NAMES[fmt]} ({total:,} rows)",
                           data=partial(q.export_file, settings, table, fmt, filters),
                           file_name=file_name(table, filters, fmt), mime=MIMES[fmt],
                           key=f"download-{table}-{fmt}", on_click="ignore", icon=":material/download:",
                           disabled=total == 0 or fmt in too_big,
                           help=f"Over {limit:,} rows: use the command line." if fmt in too_big else None)
if too_big:
    limits = " and ".join(f"{FORMAT_NAMES[fmt]} at {DOWNLOAD_LIMITS[fmt]:,} rows" for fmt in too_big)
    instead = "Download Parquet instead, or write" if "parquet" not in too_big else "Write"
    st.info(f"Browser downloads stop ({limits}): the file is held in memory while the browser fetches it. "
            f"{instead} the same file to disk with the command line, which streams it:",
            icon=":material/terminal:")
    st.code("\n".join(cli_command(table, fmt, filters) for fmt in too_big), language="bash")

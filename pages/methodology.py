"""Methodology & sources: where the data comes from, how fresh it is, and what every category means.

The category tables are generated from the pipeline's own constants and functions, so this
page cannot drift from what the pipeline does. It works with no database at all: the
definitions stand on their own, and the run history says that no run has happened yet.
"""

import pandas as pd
import streamlit as st

from dashboard import data, frame
from dashboard.components import download_csv
from landscape.analysis.gap import LEVEL as GAP_LEVEL
from landscape.archive import list_archives
from landscape.datasets import LINEAGE_EXPORT_COLUMNS, MODEL_EXPORT_COLUMNS, RELEASE_EXPORT_COLUMNS
from landscape.filters import MODEL_KIND_MEANING, SIZE_STEPS, Filters, methodology_rows
from landscape.queries import meta
from landscape.queries import methodology as q
from landscape.queries.coverage import unknown_namespaces
from landscape.queries.gap import BENCHMARK_COLUMNS, SERIES_COLUMNS, SUMMARY_COLUMNS
from pipeline.config import load_settings
from pipeline.errors import PipelineError
from pipeline.model_tree import MAX_DEPTH
from pipeline.registry import KINDS, load_registry, teacher_datasets
from pipeline.sources import SOURCES
from pipeline.sources.epoch import MODELS_CONTRACT
from pipeline.transform.accessibility import (
    ACCESSIBILITY_GROUPS,
    EPOCH_ACCESSIBILITY,
    UNRESTRICTED,
    accessibility_from_license,
)
from pipeline.transform.countries import COUNTRY_ALIASES, COUNTRY_NAMES, NON_COUNTRIES, country_codes
from pipeline.transform.distillation import DISTILL_TAGS
from pipeline.transform.licenses import (
    KNOWN_LICENSES,
    LICENSE_ALIASES,
    LICENSE_FAMILIES,
    commercial_use_allowed,
    normalize_license,
)
from pipeline.transform.lineage import BASE_RELATIONS
from pipeline.transform.params import PACKED_DTYPES, PACKED_SHARE_LIMIT, params_from_name

frame.page_guard()

EPOCH_ATTRIBUTION = "Epoch AI, 'Data on AI Models' / 'AI Benchmarking Hub'. Published online at epoch.ai."
FAMILY_MEANING = {
    "permissive": "Use, modify and redistribute, commercially too, with attribution (Apache-2.0, MIT, BSD, CC-BY).",
    "copyleft": "Like permissive, but derivatives must keep the same licence (GPL, AGPL, LGPL, CC-BY-SA).",
    "open-rail": "Open weights with use-based restrictions passed on to every user (OpenRAIL variants).",
    "restricted": "Custom community licences: commercial use allowed under conditions such as user caps or "
                  "acceptable-use policies (Llama, Gemma, Qwen, DeepSeek, …).",
    "non-commercial": "No commercial use: CC-BY-NC variants and research-only licences.",
    "other": "A licence is declared but cannot be resolved to a known one (e.g. `other` without a name).",
    "none": "No licence declared at all: by default, no rights are granted.",
}
GROUP_MEANING = {"open": "open weights, under any licence", "closed": "API or hosted access only",
                 "unreleased": "announced or described, not available"}
COMMERCIAL_LABEL = {True: "yes", False: "no", None: "unknown"}
LINEAGE_STATUS = {  # the values resolve_roots writes (pipeline/model_tree.py)
    "root": "declares no base model: its own root, depth 0",
    "resolved": "the chain of first declared bases reaches a model that declares none",
    "missing_parent": "the chain reaches an id that is not in the data (outside the ingested scope, or "
                      "deleted); that id is reported as the root, the furthest known ancestor",
    "cycle": f"the chain loops back, or runs deeper than {MAX_DEPTH} hops: no root, no depth",
}

HARD_CASES = """**Rules for the hard cases**, applied to every row:

- *Headquarters in one country, lab in another*: the country is that of the unit that publishes under the
  namespace, where it has its own headquarters (Google DeepMind: United Kingdom); its owner goes in
  `parent` (Alphabet), so rankings by parent still gather the group. A team without its own headquarters
  takes its company's country.
- *A namespace shared by a company and a university* (OpenBMB: ModelBest and Tsinghua University): the
  organisation that runs the account and leads its releases, with its country and kind.
- *Accounts of the Hub itself* (huggingface, HuggingFaceTB, hf-internal-testing, …): Hugging Face, a US
  company; test and internal accounts are kept, so their (mostly automated) downloads stay visible.
- *Library and community accounts* (sentence-transformers, mistral-community): kind community, with no
  country unless one organisation runs them; a community mirror of a lab's models is not the lab.
- *A person's account used for an organisation's releases* (intfloat for Microsoft's E5): the organisation.
- *Repackagers* (quantisers and converters): kind repackager, whatever their legal form; their uploads count
  for the root model's country as *origin*.
- *Individuals*: never a country, whatever their profile says.
- *Renamed namespaces* (CohereForAI → CohereLabs, THUDM → zai-org) keep a row each, with the same
  organisation.
"""


DOWNLOAD_LIMIT = 200_000_000  # bytes: larger snapshot files are taken from the folder, not through the browser


def table(rows: list[dict] | pd.DataFrame, **kwargs) -> None:
    st.dataframe(pd.DataFrame(rows), hide_index=True, **kwargs)


def counts_for(categories: pd.DataFrame, category: str) -> dict[str, int]:
    """``value → models`` for one category column, from :func:`q.model_categories` (empty without data)."""
    if categories.empty:
        return {}
    part = categories[categories["category"] == category]
    return dict(zip(part["value"], part["models"].astype(int), strict=True))


def safe_run(query, *args) -> pd.DataFrame:
    """A query's result, or an empty frame when the database cannot be read (the page still explains)."""
    try:
        return data.run(query, *args)
    except PipelineError as exc:
        st.error(f"The database could not be read: {exc}")
        return pd.DataFrame()


st.title("Methodology & sources")
st.markdown("Where the data comes from, how fresh it is, and what every category on this dashboard means: "
            "it describes the whole database.")
frame.filter_note()
state = frame.state()
if not state.exists:
    st.info("No run has happened yet: there is no published database on this machine, so the run history and "
            "the figures from the data are empty. The definitions below hold regardless. "
            f"{frame.INGEST_HELP}", icon=":material/database:")

# --- sources ------------------------------------------------------------------------------
st.header("Sources, licences and attribution")
for source in SOURCES.values():
    st.markdown(f"- **{source.markdown()}**: {source.description}")
st.markdown("Epoch AI's data is published under the Creative Commons Attribution 4.0 licence (CC BY 4.0). "
            "Charts and downloads built from it carry this attribution:")
st.markdown(f"> {EPOCH_ATTRIBUTION}")
st.caption("Hugging Face Hub data is model metadata as published by each repository's author; a model's own "
           "licence (shown per model) governs the model, not this metadata. Every chart's source line names "
           "its sources.")

st.subheader("Freshness per source")
sources = safe_run(meta.sources) if state.exists else pd.DataFrame()
fetched = {row["source"]: row for row in sources.to_dict("records")} if not sources.empty else {}
table([{
    "source": source.label,
    "fetched": fetched[key]["fetched_at"] if key in fetched else None,
    "content last changed": fetched[key]["changed_at"] if key in fetched else None,
    "rows": fetched[key]["rows"] if key in fetched else None,
    "detail": fetched[key]["detail"] if key in fetched else "not ingested yet",
    "last attempt": (f"failed {fetched[key]['failed_at']}: {fetched[key]['error']}"
                     if key in fetched and fetched[key]["status"] == "failed" else "ok" if key in fetched else None),
    "url": fetched[key]["url"] if key in fetched else None,
} for key, source in SOURCES.items()])
st.caption("*Fetched* is the last successful download or revalidation; *content last changed* the last time "
           "the source's content was actually different; *last attempt* says when a source failed and why "
           "(its previous data then keeps serving). Times are UTC.")

# --- dated snapshots ----------------------------------------------------------------------
st.header("Data: dated snapshots to download")
settings = load_settings()
archives = list_archives(settings)
st.markdown("Each publish also writes the main datasets (Hub models, Epoch releases, every benchmark score, "
            "adoption history) as CSV and Parquet to a dated folder, with a manifest (rows, sizes, SHA-256, the "
            f"version of each source) and a `SHA256SUMS` file, so a chart or an article can cite a fixed version. "
            f"The newest {settings.exports_keep} are kept in `{settings.exports_dir}`; the newest is also at "
            f"`{settings.exports_dir / 'latest'}`.")
if not archives:
    st.info("No dated snapshot yet: the next `python -m pipeline ingest` or `refresh` writes one.",
            icon=":material/inventory_2:")
else:
    table([{"date": a.day, "files": len(a.files), "size (MB)": round(a.bytes / 1e6, 2),
            "published at": a.published_at, "folder": str(a.path)} for a in archives])
    newest = archives[0]
    st.markdown(f"**{newest.day}**, the newest:")
    for column, f in zip(st.columns(4) * 2, newest.files, strict=False):
        with column:
            path = newest.path / f["file"]
            st.download_button(f"{f['file']} ({f['bytes'] / 1e6:,.1f} MB, {f['rows']:,} rows)",
                               data=path.read_bytes if f["bytes"] <= DOWNLOAD_LIMIT else b"",
                               file_name=f"{newest.day}_{f['file']}", key=f"snapshot-{f['file']}", on_click="ignore",
                               disabled=f["bytes"] > DOWNLOAD_LIMIT, icon=":material/download:",
                               help=f"SHA-256 {f['sha256']}" + ("" if f["bytes"] <= DOWNLOAD_LIMIT else
                                                               ": too large for the browser, take it from the folder"))
    st.caption("CSV cells that start with `=`, `+`, `-` or `@` are neutralised. Epoch AI's data is CC BY 4.0.")

# --- runs -------------------------------------------------------------------------------
st.header("Run history")
runs = safe_run(meta.runs, 20) if state.exists else pd.DataFrame()
if runs.empty:
    st.info("No run has happened yet.", icon=":material/history:")
else:
    if state.published_at:
        st.markdown(f"Database published at **{state.published_at}** (UTC).")
    table(runs, column_config={"error": st.column_config.TextColumn("error", width="large")})
    st.caption("The last 20 ingest runs, newest first. A failed run publishes nothing (the previous database "
               "keeps serving) and is recorded by the next run that publishes. *Records seen* counts source "
               "records read; *quarantined* those set aside; *pages reused* pages read back from a resumed "
               "run's checkpoint instead of fetched again.")

st.subheader("Checks on every source")
settings = load_settings()
st.markdown(
    "A source's file must first hold the columns the dashboard cannot do without, with values of the right kind "
    f"(for Epoch's models file: {', '.join(f'*{c.name}*' for c in MODELS_CONTRACT.columns)}); a missing or "
    "renamed one stops that source. Then what it is about to publish is compared with what is published: "
    f"if a count (rows, organisations) falls by more than {settings.max_drop:.0%}, or a share (rows with an "
    f"accessibility group, a country, a licence) by more than {settings.max_share_drop:g} points, the source "
    "is held back and its previous data keeps serving, unless the operator confirms the drop is real. A source "
    "that fails for any reason never hides the others: they are published, and *Freshness per source* above "
    "says which one failed, when and why.")
st.subheader("Quarantined records")
st.markdown("Every record from a source is checked before it is stored. A record with a missing or implausible "
            "id, a field of the wrong type, an unparsable date, an oversized text, control characters, or markup "
            "in any text field is not loaded: it goes to the `quarantine` table with the reason (and the record "
            "as received, cut to 2,000 characters), and the run goes on.")
quarantine = safe_run(meta.quarantine_summary) if state.exists else pd.DataFrame()
if quarantine.empty:
    st.caption("Nothing was quarantined in the latest published run." if state.exists
               else "No run has happened yet.")
else:
    st.caption(f"Latest published run: {int(quarantine['records'].sum()):,} records set aside, by reason "
               "(the 30 most frequent).")
    table(quarantine)

# --- definitions ------------------------------------------------------------------------
st.header("Definitions")
categories = safe_run(q.model_categories) if state.exists else pd.DataFrame()

st.subheader("Accessibility groups (open / closed / unreleased)")
st.markdown("Each release is classified on its own, never by its organisation (Qwen-Max is API-only though "
            "most Qwen models are open; OpenAI's gpt-oss is open though GPT-5 is not). Epoch's "
            "*Model accessibility* value is kept as written, beside the group it maps to:")
table([{"Epoch's accessibility value (case-insensitive)": value, "group": group,
        "meaning": GROUP_MEANING.get(group, "")} for value, group in EPOCH_ACCESSIBILITY.items()])
st.caption(f"Groups: {', '.join(ACCESSIBILITY_GROUPS)}. A blank, 'Unknown' or unrecognised value gets no group: "
           "such releases are left out of open shares and counted apart as *unknown*. 'Open weights' and "
           "'Closed weights' are the group names of Epoch's benchmark export.")
examples = ["Proprietary", "Apache 2.0", "MIT", "Llama 3.1 Community", "Unknown"]
st.markdown("LMArena has no accessibility field; its licence column decides: "
            + "; ".join(f"'{e}' → {accessibility_from_license(e) or 'no group'}" for e in examples) + ".")
access = safe_run(q.release_accessibility) if state.exists else pd.DataFrame()
if not access.empty:
    with st.expander("Releases per accessibility value in the current data"):
        table(access)

st.subheader("Licence families")
st.markdown("A Hub model's declared licence (`cardData.license`, a string or a list, else the first "
            "`license:` tag; `other` is resolved through `license_name`) is normalised to a licence id, and the "
            "id to a family. The id is kept beside the family.")
family_counts = counts_for(categories, "license_family")
family_rows = []
for family in LICENSE_FAMILIES:
    ids = [lid for lid, fam in KNOWN_LICENSES.items() if fam == family]
    allowed = commercial_use_allowed(family)
    family_rows.append({
        "family": family, "meaning": FAMILY_MEANING.get(family, ""),
        "commercial use": "yes, with conditions" if family == "restricted" else COMMERCIAL_LABEL[allowed],
        "known licence ids": len(ids), "examples": ", ".join(ids[:6]) + (", …" if len(ids) > 6 else ""),
        **({"Hub models now": family_counts.get(family, 0)} if family_counts else {}),
    })
table(family_rows)
declared = [("Apache 2.0", None), (["MIT", "apache-2.0"], None), ("other", "LLAMA 3.1 COMMUNITY LICENSE"),
            ("cc-by-nc-sa-4.0", None), ("other", "deepseek-v3-model-license"), ("other", None), (None, None)]
with st.expander("How declared licences resolve (examples computed by the pipeline's own function)"):
    table([{"cardData.license": repr(lic), "license_name": name, "licence id": normalize_license(lic, name)[0],
            "family": normalize_license(lic, name)[1]} for lic, name in declared])
with st.expander(f"Every known licence id ({len(KNOWN_LICENSES)}) and spelling ({len(LICENSE_ALIASES)})"):
    table([{"licence id": lid, "family": fam} for lid, fam in KNOWN_LICENSES.items()])
    table([{"also written as": alias, "licence id": lid} for alias, lid in LICENSE_ALIASES.items()])
st.markdown("**Commercial-use view.** Where the dashboard asks whether commercial use is allowed, it reads the "
            "family (the *commercial use* column above): permissive, copyleft and open-rail allow it; *restricted* allows it under its conditions (labelled "
            "'with conditions', never a plain yes); non-commercial does not; *other* and *none* are unknown. "
            "This reads the licence family only; it is not legal advice about any particular model.")

st.subheader("Countries")
st.markdown(
    f"Countries are ISO 3166-1 alpha-2 codes ({len(COUNTRY_NAMES)} of them), shown with their names. "
    "**Epoch releases**: the *Country (of organization)* cell may list several countries, comma-separated; "
    "following Epoch's own rule, a release counts for *every* country listed, so per-country figures can add "
    "up to more than the total. The first country listed is kept as the primary `country`. For example, "
    f"'United States of America,China' gives {country_codes('United States of America,China')[0]}; "
    f"values that are not a country ({', '.join(sorted(NON_COUNTRIES))}) give none.\n\n"
    "**Hub models**: the Hub has no country field (a `region:us` tag is a storage region, not an origin). A "
    "model's `country` is the country of its uploader's organisation, found through the organisation registry "
    "below (and, for the developer ids it does not list, Epoch's *Hugging Face developer id* column). Each "
    "account also has a **kind** (`author_kind`): lab, company, university, non-profit, government, community "
    "(collectives and library accounts), individual or repackager. Repackagers (quantisers and converters such "
    "as bartowski, TheBloke, mlx-community) upload copies: their uploads say who repackaged a model, not who "
    "made it. Charts by country show the models with no country by their uploader's kind: *Individuals*, "
    "*Community*, *Repackagers*, and *Unknown* for accounts nobody has classified; people are never given a "
    "country. Each model's `origin_country` is the country of "
    "its **root model's** organisation, so a Qwen quantisation uploaded by an individual or a repackager has "
    "origin China. The country filter keeps a Hub model if either its country or its origin country matches.")
with st.expander(f"Country names and the other spellings read in source files ({len(COUNTRY_ALIASES)})"):
    table([{"code": code, "name": name} for code, name in COUNTRY_NAMES.items()])
    table([{"written as": alias, "code": code} for alias, code in COUNTRY_ALIASES.items()])
attribution = safe_run(q.attribution_coverage) if state.exists else pd.DataFrame()
if not attribution.empty:
    c = attribution.iloc[0].fillna(0).astype(int)
    st.caption(f"In the current data: {c['models_with_country']:,} of {c['models']:,} Hub models have a "
               f"country and {c['models_with_origin_country']:,} an origin country; "
               f"{c['models_by_intermediaries']:,} are uploaded by intermediaries. "
               f"{c['releases_several_countries']:,} of {c['releases']:,} releases list several countries, "
               f"{c['releases_no_country']:,} none.")

st.subheader("Parameter counts")
source_counts = counts_for(categories, "params_source")
table([
    {"params_source": "safetensors", "taken from": "the Hub's `safetensors.total` (about a quarter of models)"},
    {"params_source": "gguf", "taken from": "the Hub's `gguf.total`, the logical count of a GGUF file"},
    {"params_source": "base_model", "taken from": "the declared base model's (or root's) measured count"},
    {"params_source": "name", "taken from": "the repository name: "
     + "; ".join(f"`{n}` → {params_from_name(n):,}" for n in ("meta-llama/Llama-3.1-8B",
                                                              "mistralai/Mixtral-8x7B-Instruct-v0.1"))},
])
if source_counts:
    st.caption("Hub models per source now: " + ", ".join(f"{k}: {v:,}" for k, v in source_counts.items()) + ".")
st.markdown(
    "Sources are tried in that order, and `params_source` records which one gave the count. Packed quantised "
    f"weights (GPTQ, AWQ, bitsandbytes store several weights per element of the integer dtypes "
    f"{', '.join(sorted(PACKED_DTYPES))}) make `safetensors.total` **undercount**: when those dtypes hold more "
    f"than {PACKED_SHARE_LIMIT:.0%} of the parameters, the count is flagged "
    "(`params_undercounted`) and the base model's count is preferred when there is one. `A22B` in a name "
    f"marks *active* parameters and is not read as a total (`Qwen/Qwen3-235B-A22B` → "
    f"{params_from_name('Qwen/Qwen3-235B-A22B'):,}). For Epoch releases, `params` is Epoch's own figure.")

st.subheader("Lineage: base models, roots and depth")
status_counts = counts_for(categories, "lineage_status")
st.markdown(
    "A Hub model declares its base models in its card or tags (`base_model`, with evidence `baseModels`, "
    f"`tags` or `cardData`) and how it relates to them: {', '.join(f'*{r}*' for r in BASE_RELATIONS)}. "
    "Following the *first* declared base hop by hop leads to the model's **root**; **depth** is the number of "
    "hops (0 for a root). Derivatives count for their root's origin country, and adoption can be grouped by "
    "root so that quantisations do not inflate it.")
table([{"lineage_status": status, "meaning": meaning,
        **({"Hub models now": status_counts.get(status, 0)} if status_counts else {})}
       for status, meaning in LINEAGE_STATUS.items()])

st.subheader("Distillation")
st.markdown(
    "The Hub has no *distilled from* relation: the tracker on the lineage page applies these rules to every "
    "model, and records which matched as its evidence:\n"
    "- **name**: the repository name says *Distill*/*Distilled* (`<teacher>-Distill-<student>` names the "
    "teacher) or starts with *distil* — unless a declared base's name says it too (then the word is "
    "inherited from a distilled base: a fine-tune or a copy of it);\n"
    f"- **tag**: one of {', '.join(f'`{t}`' for t in sorted(DISTILL_TAGS))};\n"
    "- **dataset**: a declared training dataset whose card says it holds a teacher's outputs.\n\n"
    "The student base is the declared base model. A teacher named by a bare name is looked up in the data "
    "(in the namespace of the lab that made the distilled model first), else left as the name.")
table([{"dataset": dataset, "teacher": t.teacher, "teacher organisation": t.organization,
        "teacher country": t.country, "source": t.source} for dataset, t in teacher_datasets().items()])

st.subheader("Capability gap")
st.markdown(
    "For one benchmark at a time (ECI, each Epoch benchmark with enough open and closed models, the Arena), each "
    "scored model is a point at its release date, open or closed per model. The **frontier** of a group is the "
    "best score its models had reached by a date; the **vertical gap** is closed minus open frontier; the **lag** "
    "of an open record is the months since a closed model first reached its score (a closed score within the open "
    "score's uncertainty counts); closed records no open model has matched are **censored** and counted apart. "
    f"Summaries over a window: mean and median lag with a {GAP_LEVEL:.0%} bootstrap interval, and a trend-line "
    "reading (parallel lines fitted to both groups' records: offset / slope). *Open* can mean every open-weights "
    f"model or {UNRESTRICTED!r} only; Arena models are open or closed by their licence (\"Proprietary\" is "
    "closed).")

st.subheader("Downloads and dates")
st.markdown(
    "`downloads_30d` is the Hub's `downloads`: a trailing 30-day count, not a total. `downloads_all_time` is "
    "the Hub's `downloadsAllTime`. The Hub keeps no history, so every run stores a dated snapshot of both "
    "(and of likes): trends over time start from the first run. Quantisations and GGUF repackages add "
    "downloads of their own; group by root model to see adoption of the original. `created_at` is the "
    "repository's creation date, **not a release date**: models are often uploaded before or long after "
    "their release, and re-uploads get new dates. Release dates come from Epoch (`publication_date`).")

st.subheader("Filters")
st.markdown("The sidebar filters are stored in the page link, so a copied link reproduces the view. How "
            "each applies:")
table(methodology_rows())
st.caption(f"Size steps: {', '.join(list(SIZE_STEPS)[1:-1])} (the ends are open). Empty filters do not restrict. "
           "A page says which filters do not apply to it, from the tables its queries read. Downloads name "
           "their active filters in the file name, e.g. "
           f"`models_{Filters(country=('CN',), license=('permissive',)).slug()}.csv`.")
st.markdown("**Model kinds** (the *Model kind* filter, column `model_kind`): "
            + "; ".join(f"*{kind}*: {meaning}" for kind, meaning in MODEL_KIND_MEANING.items()) + ".")
with st.expander("Columns of the downloads and exports"):
    st.markdown("**models**: " + ", ".join(f"`{c}`" for c in MODEL_EXPORT_COLUMNS))
    st.markdown("**releases**: " + ", ".join(f"`{c}`" for c in RELEASE_EXPORT_COLUMNS))
    st.markdown("**lineage**: " + ", ".join(f"`{c}`" for c in LINEAGE_EXPORT_COLUMNS))
    st.markdown("**gap-summary**: " + ", ".join(f"`{c}`" for c in SUMMARY_COLUMNS))
    st.markdown("**gap**: " + ", ".join(f"`{c}`" for c in SERIES_COLUMNS))
    st.markdown("**benchmarks**: " + ", ".join(f"`{c}`" for c in BENCHMARK_COLUMNS))
    st.caption("CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @) get a leading "
               "apostrophe; lists are joined with `;`. `python -m pipeline export` writes the same files.")

st.subheader("Known limitations")
st.markdown("""
- **Hub coverage** depends on each run's scope (the *detail* of the Hub source above): the most downloaded
  models, every model of the attributed organisations, and up to `LANDSCAPE_ANCESTOR_LIMIT` base models
  fetched to resolve roots, unless a run lists the whole Hub. Models
  outside the scope are absent, and a chain that leaves the scope ends in a *missing parent*.
- **Country attribution** covers the namespaces of the organisation registry plus the developer ids
  Epoch lists. Individuals, collectives without a country and unlisted accounts have none (the coverage
  line under each chart says how much); their derivatives still get an origin country when their root
  is attributed.
- **Parameter counts** read from names are approximate, and packed quantised counts undercount.
- **Licences** are as declared in model cards, which may be wrong, missing, or differ from the weights'
  actual terms; custom licences are grouped by vendor name.
- **Epoch's data** covers notable and frontier models selected by Epoch, not every release; its
  accessibility and country fields are sometimes blank.
- **Downloads** are the Hub's counts: they include automated and CI downloads and are not unique users.
""")

# --- registry ---------------------------------------------------------------------------
st.header("Organisation registry")
st.markdown("Hub namespace → organisation, kind, country and parent organisation. The curated file "
            "`data/registry/organizations.csv` (`source` = registry; one public source per row; checked by "
            "`python -m pipeline registry check`) covers the namespaces behind the Hub's most downloaded and "
            "most liked models, the organisations of Epoch's data that publish on the Hub, and the known "
            "repackagers. Epoch's *Hugging Face developer id* column (`source` = epoch) fills in the ids the "
            "file does not list; a registry row replaces Epoch's for the same namespace. "
            f"Kinds: {', '.join(KINDS)}. `data/registry/parents.csv` groups organisations under their parent "
            "(Google DeepMind → Alphabet: the *parent* ranking of the openness and adoption pages), and "
            "`data/registry/legacy_ids.csv` maps ids from before namespaces (`bert-base-uncased`) to the "
            "namespace that holds them now, so a renamed namespace keeps its attribution.")
st.markdown(HARD_CASES)
unknown = safe_run(unknown_namespaces, 20) if state.exists else pd.DataFrame()
if not unknown.empty:
    st.markdown("**The 20 most downloaded namespaces nobody has classified yet** (what to add next; "
                "`python -m pipeline registry unattributed --top N` lists more):")
    table(unknown)
registry = safe_run(q.organizations) if state.exists else pd.DataFrame()
if registry.empty:
    registry = pd.DataFrame([{"namespace": r.namespace, "organization": r.organization, "kind": r.kind,
                              "country": r.country, "parent": r.parent, "group": r.group, "source": "registry",
                              "note": "; ".join(p for p in (r.note, r.source) if p)}
                             for r in load_registry().rows])
    st.caption("No database yet: this is the curated file alone; Epoch's developer ids join it after the "
               "first run.")
table(registry, column_config={"note": st.column_config.TextColumn("note", width="large")})
download_csv("organizations", registry, Filters(), label="Download the registry (CSV)")

"""Hand-written fixture data, and a database built from it by the real pipeline over loopback.

The Epoch rows below are written by hand for the tests (names and figures of well-known
releases, rounded); none is copied from Epoch's files. Hub records come from the pipeline's
own generator (:mod:`tests.synthetic`) plus the hand-written malformed ones here.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.config import Settings, load_settings
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.synthetic import synthetic_models

EPOCH_COLUMNS = (
    "Model", "Domain", "Task", "Organization", "Publication date", "Parameters", "Training compute (FLOP)",
    "Model accessibility", "Country (of organization)", "Frontier model", "Notability criteria",
    "Hugging Face developer id", "Organization categorization", "Base model", "Last modified",
)

O_UNR, O_RES, O_NC = "Open weights (unrestricted)", "Open weights (restricted use)", "Open weights (non-commercial)"
API, HOSTED, UNRELEASED = "API access", "Hosted access (no API)", "Unreleased"
US, CN, FR = "United States of America", "China", "France"


def _row(model: str, org: str, day: str, access: str, country: str, params: float | None = None,
         compute: float | None = None, hf: str = "", frontier: bool = False, notable: str = "") -> dict:
    return {
        "Model": model, "Domain": "Language", "Task": "Language modeling/generation", "Organization": org,
        "Publication date": day, "Parameters": "" if params is None else repr(params),
        "Training compute (FLOP)": "" if compute is None else repr(compute), "Model accessibility": access,
        "Country (of organization)": country, "Frontier model": "True" if frontier else "",
        "Notability criteria": notable, "Hugging Face developer id": hf, "Organization categorization": "Industry",
        "Base model": "", "Last modified": "2026-01-05 10:00:00+00:00",
    }


# 2024 and 2025, US and CN: the dashboard tests assert these counts.
#   2024 US: open 3 (Llama 3.1 405B, Gemma 2 27B, Phi-3), closed 3 (GPT-4o, Claude 3.5 Sonnet, Gemini 1.5 Pro)
#            plus hosted 1 (Hosted Model Y, closed) and 1 without accessibility (Unlabelled Model Z)
#   2024 CN: open 4 (Qwen2.5-72B, DeepSeek-V3, GLM-4-9B, Hunyuan-Large), closed 1 (Qwen-Max)
#   2025 US: open 2 (gpt-oss-120b, Llama 4 Maverick), closed 3 (GPT-5, Claude Opus 4, Gemini 2.5 Pro),
#            unreleased 1 (Internal Model X)
#   2025 CN: open 5 (DeepSeek-R1, Qwen3-235B-A22B, Kimi K2, LongCat-Flash, ERNIE 4.5), closed 1 (Qwen3-Max)
EPOCH_ROWS: list[dict] = [
    _row("Llama 3.1 405B", "Meta AI", "2024-07-23", O_RES, US, 4.05e11, 3.8e25, "meta-llama", True, "SOTA improvement"),
    _row("Gemma 2 27B", "Google DeepMind", "2024-06-27", O_RES, US, 2.7e10, 2.1e24, "google"),
    _row("Phi-3-medium", "Microsoft", "2024-04-23", O_UNR, US, 1.4e10, 4.0e23, "microsoft"),
    _row("GPT-4o", "OpenAI", "2024-05-13", API, US, None, 3.8e25, "", True, "SOTA improvement"),
    _row("Claude 3.5 Sonnet", "Anthropic", "2024-06-20", API, US, None, 3.6e25, "", True, "SOTA improvement"),
    _row("Gemini 1.5 Pro", "Google DeepMind", "2024-02-15", API, US + "," + US, None, 1.6e25, "", True, "SOTA improvement"),
    _row("Qwen2.5-72B", "Alibaba", "2024-09-19", O_RES, CN, 7.27e10, 7.8e24, "Qwen", False, "Significant use"),
    _row("DeepSeek-V3", "DeepSeek", "2024-12-26", O_UNR, CN, 6.71e11, 3.4e24, "deepseek-ai", False, "SOTA improvement"),
    _row("GLM-4-9B", "Z.ai (Zhipu AI),Tsinghua University", "2024-06-05", O_RES, CN + "," + CN, 9.4e9, None, "zai-org"),
    _row("Qwen-Max", "Alibaba", "2024-09-19", API, CN, None, None, "", False, ""),
    _row("Hunyuan-Large", "Tencent", "2024-11-05", O_RES, CN, 3.89e11, 3.5e24, "tencent"),
    _row("gpt-oss-120b", "OpenAI", "2025-08-05", O_UNR, US, 1.17e11, 4.9e24, "openai", False, "Significant use"),
    _row("Llama 4 Maverick", "Meta AI", "2025-04-05", O_RES, US, 4.0e11, 2.2e24, "meta-llama"),
    _row("GPT-5", "OpenAI", "2025-08-07", API, US, None, 5.0e25, "", True, "SOTA improvement"),
    _row("Claude Opus 4", "Anthropic", "2025-05-22", API, US, None, None, "", True, "SOTA improvement"),
    _row("Gemini 2.5 Pro", "Google DeepMind", "2025-03-25", API, US + "," + "United Kingdom of Great Britain and "
         "Northern Ireland", None, None, "", True, "SOTA improvement"),
    _row("DeepSeek-R1", "DeepSeek", "2025-01-20", O_UNR, CN, 6.71e11, 4.0e24, "deepseek-ai", False, "SOTA improvement"),
    _row("Qwen3-235B-A22B", "Alibaba", "2025-04-29", O_UNR, CN, 2.35e11, 4.7e24, "Qwen"),
    _row("Kimi K2", "Moonshot", "2025-07-11", O_RES, CN, 1.0e12, 2.9e24, "moonshotai", False, "SOTA improvement"),
    _row("LongCat-Flash", "Meituan Inc", "2025-09-01", O_UNR, CN, 5.6e11, None, "meituan-longcat"),
    _row("ERNIE 4.5", "Baidu", "2025-06-30", O_UNR, CN, 4.24e11, None, "baidu"),
    _row("Qwen3-Max", "Alibaba", "2025-09-05", API, CN, None, None, "", True, "SOTA improvement"),
    # other countries and states
    _row("Mistral Large 2", "Mistral AI", "2024-07-24", O_NC, FR, 1.23e11, 2.1e25, "mistralai"),
    _row("Mistral Medium 3", "Mistral AI", "2025-05-07", API, FR, None, None, ""),
    _row("EXAONE 4.0", "LG AI Research", "2025-07-15", O_NC, "Korea (Republic of)", 3.2e10, None, "LGAI-EXAONE"),
    _row("Falcon 3 10B", "Technology Innovation Institute", "2024-12-17", O_UNR, "United Arab Emirates", 1.0e10),
    _row("Internal Model X", "Google DeepMind", "2025-02-01", UNRELEASED, US, None, None, ""),
    _row("Hosted Model Y", "Character.AI", "2024-03-01", HOSTED, US, None, None, ""),
    _row("Unlabelled Model Z", "Some University", "2024-03-05", "", US, 1.0e9),
    _row("GPT-3", "OpenAI", "2020-05-28", API, US, 1.75e11, 3.1e23, "", True, "Highly cited"),
    _row("BLOOM", "Hugging Face,BigScience", "2022-07-11", O_RES, US + "," + FR, 1.76e11, 4.1e23, "bigscience"),
    _row("Whitespace Model\n", " Stray Org \n", "2023-03-01", f" {O_UNR} ", "China , China", 7.0e9),
]

MALFORMED_HUB_RECORDS: list = [
    {"author": "nobody", "downloads": 5},                                       # missing id
    {"id": 12345},                                                              # id of the wrong type
    {"id": "evil/<script>alert(1)</script>", "downloads": 1},                   # markup in the id
    {"id": "bad/dates", "createdAt": "last tuesday"},                           # unparsable date
    {"id": "bad/downloads", "downloads": "many"},                               # wrong type
    {"id": "bad/tags", "tags": "license:mit"},                                  # tags not a list
    {"id": "bad/control", "pipeline_tag": "text\x07generation"},                # control characters
    {"id": "bad/huge", "library_name": "x" * 50_000},                           # huge string
    {"id": "bad/card", "cardData": ["license", "mit"]},                         # cardData not an object
    "not even an object",
]


def epoch_csv(rows: Iterable[dict] = EPOCH_ROWS, columns: Sequence[str] = EPOCH_COLUMNS,
              extra_columns: Sequence[str] = ()) -> bytes:
    """Epoch's models file for ``rows``: only ``columns`` (any order), plus empty ``extra_columns``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = list(columns) + list(extra_columns)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return out.getvalue().encode("utf-8")


def zipped(name: str, content: bytes, others: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for other, data in (others or {}).items():
            z.writestr(other, data)
        z.writestr(name, content)
    return buf.getvalue()


# --- Epoch Benchmarking Hub and LMArena, hand-written -------------------------------------------
# (model version, display name, organisation, country, release date, accessibility, ECI score)
ECI_ROWS = [
    ("gpt-4-0314", "GPT-4 (Mar 2023)", "OpenAI", US, "2023-03-14", API, 110.0),
    ("claude-3-opus-20240229", "Claude 3 Opus", "Anthropic", US, "2024-02-29", API, 118.0),
    ("gpt-4o-2024-05-13", "GPT-4o", "OpenAI", US, "2024-05-13", API, 121.0),
    ("claude-3-5-sonnet-20240620", "Claude 3.5 Sonnet", "Anthropic", US, "2024-06-20", API, 126.0),
    ("o1-2024-12-17", "o1", "OpenAI", US, "2024-12-17", API, 136.0),
    ("gpt-5-2025-08-07", "GPT-5", "OpenAI", US, "2025-08-07", API, 148.0),
    ("qwen-max-2024-09-19", "Qwen-Max", "Alibaba", CN, "2024-09-19", API, 119.0),
    ("Llama-2-70b-chat-hf", "Llama 2 70B", "Meta AI", US, "2023-07-18", O_RES, 104.0),
    ("Mixtral-8x7B-Instruct-v0.1", "Mixtral 8x7B", "Mistral AI", FR, "2023-12-11", O_UNR, 109.0),
    ("Llama-3.1-405B-Instruct", "Llama 3.1 405B", "Meta AI", US, "2024-07-23", O_RES, 121.5),
    ("Qwen2.5-72B-Instruct", "Qwen2.5-72B", "Alibaba", CN, "2024-09-19", O_RES, 123.0),
    ("DeepSeek-V3", "DeepSeek-V3", "DeepSeek", CN, "2024-12-26", O_UNR, 127.0),
    ("DeepSeek-R1", "DeepSeek-R1", "DeepSeek", CN, "2025-01-20", O_UNR, 137.0),
    ("Qwen3-235B-A22B", "Qwen3-235B-A22B", "Alibaba", CN, "2025-04-29", O_UNR, 138.5),
    ("gpt-oss-120b", "gpt-oss-120b", "OpenAI", US, "2025-08-05", O_UNR, 140.0),
    ("Kimi-K2-Instruct", "Kimi K2", "Moonshot", CN, "2025-07-11", O_RES, 141.0),
    ("unscored-model", "Unscored", "Nobody", US, "2025-01-01", O_UNR, None),  # listed without a score
]
# (model version, mean_score, stderr): Epoch-run GPQA Diamond; the accessibility comes from the ECI
# file or from the matched release (claude-opus-4 is in neither ECI list: matched to "Claude Opus 4")
GPQA_ROWS = [
    ("gpt-4o-2024-05-13", 0.51, 0.03), ("claude-3-5-sonnet-20240620", 0.58, 0.03), ("o1-2024-12-17", 0.76, 0.03),
    ("claude-opus-4-20250522", 0.79, 0.03), ("gpt-5-2025-08-07", 0.85, 0.02),
    ("Llama-3.1-405B-Instruct", 0.49, 0.03), ("Qwen2.5-72B-Instruct", 0.49, 0.03), ("DeepSeek-V3", 0.59, 0.03),
    ("DeepSeek-R1", 0.71, 0.03), ("Qwen3-235B-A22B", 0.70, 0.03), ("Kimi-K2-Instruct", 0.75, 0.03),
]
# Arena: key → (rating, display name, organisation, licence)
ARENA_ROWS = {
    "gpt-4o-2024-05-13": (1285.0, "GPT-4o", "OpenAI", "Proprietary"),
    "claude-3-5-sonnet-20240620": (1268.0, "Claude 3.5 Sonnet", "Anthropic", "Proprietary"),
    "o1-2024-12-17": (1350.0, "o1", "OpenAI", "Proprietary"),
    "gpt-5": (1440.0, "GPT-5", "OpenAI", "Proprietary"),
    "llama-3.1-405b-instruct-bf16": (1266.0, "Llama 3.1 405B", "Meta", "Llama 3.1 Community"),
    "qwen2.5-72b-instruct": (1257.0, "Qwen2.5-72B", "Alibaba", "Qwen"),
    "deepseek-v3": (1318.0, "DeepSeek-V3", "DeepSeek", "DeepSeek"),
    "deepseek-r1": (1358.0, "DeepSeek-R1", "DeepSeek", "MIT"),
    "kimi-k2-0711-preview": (1420.0, "Kimi K2", "Moonshot", "Modified MIT"),
    "mystery-model": (1200.0, "Mystery", "Nobody", "Proprietary"),  # no date anywhere: not analysed
}


def _csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue().encode()


def eci_csv(rows: Sequence[tuple] = tuple(ECI_ROWS)) -> bytes:
    """Epoch's older ECI layout (``epoch_capabilities_index.csv``, ``ECI Score``, no interval)."""
    return _csv(["Model version", "ECI Score", "Release date", "Organization", "Country", "Model accessibility",
                 "Training compute (FLOP)", "Confidence", "Model name", "Description", "Display name"],
                [(m, score, day, org, country, access, "", "Likely", name, "", name)
                 for m, name, org, country, day, access, score in rows])


def eci_scores_csv(rows: Sequence[tuple] = tuple(ECI_ROWS), width: float = 3.0) -> bytes:
    """Epoch's newer ECI layout (``eci_scores.csv``: ``eci`` with ``eci_ci_low``/``eci_ci_high``)."""
    group = {API: "Closed weights", O_RES: "Open weights", O_UNR: "Open weights", O_NC: "Open weights"}
    return _csv(["Model", "Display name", "eci", "eci_ci_low", "eci_ci_high", "date", "Organization",
                 "Country (of organization)", "Model accessibility", "Accessibility group", "model_versions"],
                [(name, name, score, None if score is None else score - width,
                  None if score is None else score + width, day, org, country, access, group.get(access, "Other"), m)
                 for m, name, org, country, day, access, score in rows])


def benchmark_zip(newer_layout: bool = False) -> bytes:
    """A Benchmarking Hub archive: the ECI, an Epoch-run and an external benchmark, and a README."""
    files = {
        "README.md": b"Epoch AI benchmarking hub (test fixture)",
        "gpqa_diamond.csv": _csv(
            ["Model version", "mean_score", "Best score (across scorers)", "Release date", "Organization",
             "Country", "Training compute (FLOP)", "Training compute notes", "stderr", "Log viewer", "Logs",
             "Started at", "id"],
            [(m, s, s, "", "", "", "", "", e, "", "", "", f"id{i}") for i, (m, s, e) in enumerate(GPQA_ROWS)]),
        "mmlu_external.csv": _csv(
            ["Model version", "EM", "Release date", "Organization", "Country", "Training compute (FLOP)",
             "Training compute notes", "Name", "Shots", "Source", "Source link", "Notes", "id"],
            [("gpt-4o-2024-05-13", 0.88, "2024-05-13", "OpenAI", US, "", "", "GPT-4o", 5, "", "", "", "a"),
             ("Llama-3.1-405B-Instruct", 0.87, "2024-07-23", "Meta AI", US, "", "", "Llama 3.1 405B", 5, "", "",
              "", "b")]),
        "additional_eci_data/eci_scaling.csv": b"a,b\n1,2\n",
    }
    if newer_layout:
        files["epoch_capabilities_index/eci_scores.csv"] = eci_scores_csv()
    else:
        files["epoch_capabilities_index.csv"] = eci_csv()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def arena_files() -> dict[str, bytes]:
    """LMArena's ``leaderboard-text.json`` and ``scatterplot-data.json``, as served from its data folder."""
    import json

    board = {"full": {k: {"rating": r, "rating_q025": r - 5, "rating_q975": r + 5}
                      for k, (r, *_) in ARENA_ROWS.items()},
             "coding": {k: {"rating": r + 10, "rating_q025": r, "rating_q975": r + 20}
                        for k, (r, *_) in ARENA_ROWS.items()}}
    catalog = [{"name": name, "model_api_name": key, "organization": org, "license": licence,
                "input_token_price": "", "output_token_price": ""}
               for key, (_, name, org, licence) in ARENA_ROWS.items()]
    return {"/arena/leaderboard-text.json": json.dumps(board).encode(),
            "/arena/scatterplot-data.json": json.dumps(catalog).encode()}


FIXTURE_HUB_COUNT = 3000
FIXTURE_HUB_SEED = 7


def fixture_hub_records(count: int = FIXTURE_HUB_COUNT, seed: int = FIXTURE_HUB_SEED) -> list:
    return list(synthetic_models(count, seed=seed)) + list(MALFORMED_HUB_RECORDS)


@contextmanager
def fixture_servers(extra_static: dict[str, bytes] | None = None):
    """A Hub imitation with the fixture records and a static server with the fixture files."""
    from tests.loopback.hub import HubServer
    from tests.loopback.static import StaticServer

    files = {"/epoch/all_ai_models.csv": epoch_csv(), "/epoch/benchmark_data.zip": benchmark_zip(),
             **arena_files()}
    files.update(extra_static or {})
    with ExitStack() as stack:
        hub = stack.enter_context(HubServer(fixture_hub_records()))
        static = stack.enter_context(StaticServer(files))
        yield hub, static


def fixture_env(hub_url: str, static_url: str, db: Path, raw: Path) -> dict[str, str]:
    return {
        "LANDSCAPE_DB": str(db), "LANDSCAPE_RAW_DIR": str(raw), "HF_ENDPOINT": hub_url,
        "LANDSCAPE_EPOCH_MODELS_URL": f"{static_url}/epoch/all_ai_models.csv",
        "LANDSCAPE_EPOCH_BENCHMARKS_URL": f"{static_url}/epoch/benchmark_data.zip",
        "LANDSCAPE_ARENA_URL": f"{static_url}/arena/",
        "LANDSCAPE_HTTP_RETRIES": "2",
    }


def build_fixture_db(folder: Path, sources: tuple[str, ...] = ("epoch", "benchmarks", "arena", "hub"),
                     hub_faults: dict | None = None) -> Settings:
    """Run the real pipeline over loopback servers into ``folder``; returns the settings used.

    ``hub_faults`` (page → fault spec) makes the Hub imitation fail those listing pages.
    """
    with fixture_servers() as (hub, static):
        hub.set_faults(page_faults=hub_faults)
        settings = load_settings(fixture_env(hub.url, static.url, folder / "landscape.duckdb", folder / "raw"))
        ingest(settings, IngestOptions(sources=sources, hub_limit=1000, hub_orgs=False, hub_full=True),
               Progress.quiet())
    return settings


# --- download history -------------------------------------------------------------------------
HISTORY_WEEKS = 16


def history_revisions(models: list[tuple[str, str | None, int]], today: date, weeks: int = HISTORY_WEEKS
                      ) -> tuple[list, date]:
    """A hub-stats history of ``models`` ((id, origin country, 30-day downloads today) triples): one
    commit a week for ``weeks`` weeks ending a week ago. Until the crossing date the Chinese-origin
    models get a tenth of their downloads of today, from then on the US-origin ones do, so (the
    fixture's Chinese models being more downloaded, but less than ten times) China's share passes the
    US's in the crossing date's month, at its first weekly snapshot. Returns the revisions and the
    crossing date."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.loopback.datasets import Revision, commit_id

    days = [today - timedelta(days=7 * (weeks - w)) for w in range(weeks)]
    # the first snapshot of the month two thirds of the way through: every later date of that month
    # (and after) has China ahead, every earlier one the US
    pivot = days[(2 * weeks) // 3]
    crossing = next(d for d in days if (d.year, d.month) == (pivot.year, pivot.month))
    revisions = []
    for n, day in enumerate(days):
        lagging = "US" if day >= crossing else "CN"
        downloads = [max(1, d // 10) if origin == lagging else d for _, origin, d in models]
        table = pa.table({"id": [m for m, _, _ in models], "downloads": downloads,
                          "downloadsAllTime": [d * (n + 1) for d in downloads], "likes": [1] * len(models)})
        out = io.BytesIO()
        pq.write_table(table, out)
        revisions.append(Revision(commit_id(n), f"{day.isoformat()}T05:00:00.000Z", "Upload models.parquet",
                                  {"models.parquet": out.getvalue()}))
    return revisions, crossing


def add_history(settings: Settings) -> date:
    """Backfill ``settings``' database from a loopback hub-stats built from its own models
    (:func:`history_revisions`); returns the crossing date."""
    import duckdb

    from tests.loopback.datasets import DatasetRepoServer

    con = duckdb.connect(str(settings.db_path), read_only=True)
    models = con.execute("SELECT model_id, origin_country, coalesce(downloads_30d, 0) FROM models "
                         "ORDER BY model_id").fetchall()
    con.close()
    revisions, crossing = history_revisions(models, datetime.now(UTC).date())
    with DatasetRepoServer("cfahlgren1/hub-stats", revisions) as repo:
        ingest(replace(settings, hub_endpoint=repo.url), IngestOptions(sources=("history",)), Progress.quiet())
    return crossing

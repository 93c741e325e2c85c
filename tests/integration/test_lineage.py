"""Lineage end to end: ancestors fetched one by one from the loopback Hub, roots, families, the export."""

from __future__ import annotations

import csv
import io
import subprocess

import duckdb

from landscape.datasets import LINEAGE_EXPORT_COLUMNS
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.loopback.hub import HubServer

TOP = IngestOptions(sources=("hub",), hub_limit=4, hub_orgs=False)


def record(model_id: str, downloads: int, bases: list[str] | None = None, relation: str = "finetune",
           **extra) -> dict:
    """A record as the Hub holds it: lineage in ``base_model:`` tags (what a listing shows) and in
    ``baseModels`` (what only the single-model endpoint shows)."""
    rec = {"id": model_id, "author": model_id.split("/")[0], "downloads": downloads, "likes": 1,
           "createdAt": "2025-03-01T00:00:00.000Z", "tags": [], **extra}
    if bases:
        rec["tags"] = [t for b in bases for t in (f"base_model:{b}", f"base_model:{relation}:{b}")]
        rec["baseModels"] = {"relation": relation, "models": [{"id": b} for b in bases]}
    return rec


# The top-4 listing sees only the popular derivatives; their bases must be fetched one by one.
RECORDS = [
    record("deepseek-ai/DeepSeek-R1", 0),                                                 # root, not listed
    record("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", 1, ["meta-llama/Llama-3.3-70B-Instruct"]),
    record("meta-llama/Llama-3.3-70B-Instruct", 2, ["meta-llama/Llama-3.1-70B"]),          # not listed
    record("meta-llama/Llama-3.1-70B", 3),                                                # not listed, root
    record("bartowski/DeepSeek-R1-Distill-Llama-70B-GGUF", 900, ["deepseek-ai/DeepSeek-R1-Distill-Llama-70B"],
           "quantized"),
    record("user/r1-finetune", 800, ["deepseek-ai/DeepSeek-R1"]),
    record("user/orphan", 700, ["gone/deleted-model"]),                                   # a parent that is gone
    record("user/merge", 600, ["user/r1-finetune", "meta-llama/Llama-3.1-70B"], "merge"),
]


def rows(db, sql: str) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0]: r[1:] for r in con.execute(sql).fetchall()}
    finally:
        con.close()


def test_ancestors_are_fetched_so_roots_resolve_and_the_cache_holds_across_runs(make_settings):
    with HubServer(RECORDS) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        run = ingest(settings, TOP, Progress.quiet())
        first_lookups = sorted(e.model_id for e in hub.entries() if e.model_id)
        hub.reset_log()
        ingest(settings, TOP, Progress.quiet())
        second_lookups = [e.model_id for e in hub.entries() if e.model_id]
    got = rows(settings.db_path, "SELECT model_id, root_model, depth, lineage_status, scope FROM models")
    assert got["bartowski/DeepSeek-R1-Distill-Llama-70B-GGUF"] == ("meta-llama/Llama-3.1-70B", 3, "resolved", "top")
    assert got["user/r1-finetune"] == ("deepseek-ai/DeepSeek-R1", 1, "resolved", "top")
    assert got["deepseek-ai/DeepSeek-R1"] == ("deepseek-ai/DeepSeek-R1", 0, "root", "ancestor")
    assert got["user/merge"][:2] == ("deepseek-ai/DeepSeek-R1", 2)  # the first declared parent is followed
    assert got["user/orphan"] == ("gone/deleted-model", 1, "missing_parent", "top")
    # four found and one miss, each asked once; the next run asks for none of them again
    assert first_lookups == ["deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
                             "gone/deleted-model", "meta-llama/Llama-3.1-70B", "meta-llama/Llama-3.3-70B-Instruct"]
    assert second_lookups == []
    assert "base models outside the scope: 0 fetched one by one, 4 kept from earlier runs, 0 not found" in \
        rows(settings.db_path, "SELECT source, detail FROM sources")["hub"][0]
    misses = rows(settings.db_path, "SELECT model_id, reason FROM ancestor_misses")
    assert misses == {"gone/deleted-model": ("not found on the Hub",)}
    assert run.status == "published"


def test_the_lookup_budget_is_respected(make_settings):
    with HubServer(RECORDS) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url, LANDSCAPE_ANCESTOR_LIMIT="2")
        ingest(settings, TOP, Progress.quiet())
        assert len([e for e in hub.entries() if e.model_id]) == 2


def test_distillation_teacher_and_countries(make_settings):
    with HubServer(RECORDS) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        ingest(settings, TOP, Progress.quiet())
    got = rows(settings.db_path, "SELECT model_id, distilled, teacher_model, teacher_country, origin_country, "
                                 "distill_evidence FROM models WHERE distilled")
    assert got["deepseek-ai/DeepSeek-R1-Distill-Llama-70B"][:4] == (True, "deepseek-ai/DeepSeek-R1", "CN", "US")
    # a quantised copy inherits the word from its base: the distillation is its base's, not its own
    assert "bartowski/DeepSeek-R1-Distill-Llama-70B-GGUF" not in got


def test_lineage_export_has_the_contract_columns(make_settings, cli_env, python, tmp_path):
    with HubServer(RECORDS) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        ingest(settings, TOP, Progress.quiet())
    out = tmp_path / "lineage.csv"
    done = subprocess.run([python, "-m", "pipeline", "export", "--dataset", "lineage", "--format", "csv", "--out",
                           str(out)], env=cli_env(LANDSCAPE_DB=str(settings.db_path)), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert tuple(table[0]) == LINEAGE_EXPORT_COLUMNS
    by_id = {r["model_id"]: r for r in table}
    gguf = by_id["bartowski/DeepSeek-R1-Distill-Llama-70B-GGUF"]
    assert (gguf["family"], gguf["root_country"], gguf["depth"], gguf["distilled"]) == \
        ("meta-llama/Llama-3.1-70B", "US", "3", "False")
    assert by_id["deepseek-ai/DeepSeek-R1"]["family"] == "deepseek-ai/DeepSeek-R1"

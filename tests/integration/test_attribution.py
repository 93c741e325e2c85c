"""Who is behind a model: the committed registry applied to a constructed Hub listing, end to end.

The listing holds one model of each kind of account (labs, companies, universities, a
non-profit, a government centre, collectives, individuals, repackagers), a renamed namespace
and a base named by an id from before namespaces. The real pipeline fetches it from the loopback
Hub and builds the database; each model must come out with the exact kind, country, parent and
chart bucket the registry gives it. Then the coverage figures and ``registry unattributed`` are
checked against SQL written here.
"""

from __future__ import annotations

import pytest

from landscape.filters import Filters
from landscape.queries.coverage import hub_coverage
from pipeline.cli import main
from pipeline.config import load_settings
from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from pipeline.storage import open_readonly
from tests.conftest import CLOSED_URL
from tests.helpers import sql
from tests.integration.test_lineage import record
from tests.loopback.hub import HubServer

RECORDS = [
    record("Qwen/Qwen3-8B", 9_000),
    record("bartowski/Qwen_Qwen3-8B-GGUF", 7_000, ["Qwen/Qwen3-8B"], "quantized"),
    record("google-bert/bert-base-uncased", 8_000),
    # a fine-tune whose card names its base by the id from before namespaces
    record("someone-unlisted/bert-imdb", 600, ["bert-base-uncased"]),
    record("CohereForAI/aya-23-8B", 500),
    record("CohereLabs/aya-expanse-8b", 400),
    record("Helsinki-NLP/opus-mt-en-de", 3_000),
    record("sentence-transformers/all-MiniLM-L6-v2", 6_000),
    record("BAAI/bge-m3", 2_000),
    record("aisingapore/sea-lion-7b", 100),
    record("tiiuae/falcon-7b", 1_500),
    record("0-hero/Matter-0.1-7B", 50, ["Qwen/Qwen3-8B"]),
    record("HuggingFaceTB/SmolLM2-1.7B", 1_200),
    record("someone-unlisted/tiny-classifier", 300),
]
# model id → (kind, country, organisation, parent, uploader bucket, origin bucket)
EXPECTED = {
    "Qwen/Qwen3-8B": ("lab", "CN", "Alibaba Qwen", "Alibaba", "CN", "CN"),
    "bartowski/Qwen_Qwen3-8B-GGUF": ("repackager", None, "bartowski", None, "repackagers", "CN"),
    "google-bert/bert-base-uncased": ("lab", "US", "Google (BERT)", "Alphabet", "US", "US"),
    "someone-unlisted/bert-imdb": (None, None, None, None, "", "US"),
    "CohereForAI/aya-23-8B": ("lab", "CA", "Cohere Labs", "Cohere", "CA", "CA"),
    "CohereLabs/aya-expanse-8b": ("lab", "CA", "Cohere Labs", "Cohere", "CA", "CA"),
    "Helsinki-NLP/opus-mt-en-de": ("university", "FI", "University of Helsinki (Helsinki-NLP)", None, "FI", "FI"),
    "sentence-transformers/all-MiniLM-L6-v2": ("community", None, "Sentence Transformers", None, "community",
                                               "community"),
    "BAAI/bge-m3": ("non-profit", "CN", "Beijing Academy of Artificial Intelligence", None, "CN", "CN"),
    "aisingapore/sea-lion-7b": ("government", "SG", "AI Singapore", None, "SG", "SG"),
    "tiiuae/falcon-7b": ("lab", "AE", "Technology Innovation Institute", None, "AE", "AE"),
    # a person: no organisation, never a country; the fine-tune's origin is its root's
    "0-hero/Matter-0.1-7B": ("individual", None, None, None, "individuals", "CN"),
    "HuggingFaceTB/SmolLM2-1.7B": ("company", "US", "Hugging Face (SmolLM team)", "Hugging Face", "US", "US"),
    "someone-unlisted/tiny-classifier": (None, None, None, None, "", ""),
}
TOP = IngestOptions(sources=("hub",), hub_limit=len(RECORDS), hub_orgs=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attribution")
    env = {"LANDSCAPE_DB": str(folder / "landscape.duckdb"), "LANDSCAPE_RAW_DIR": str(folder / "raw"),
           "LANDSCAPE_EPOCH_MODELS_URL": CLOSED_URL + "m.csv", "LANDSCAPE_HTTP_RETRIES": "1"}
    with HubServer(RECORDS) as hub:
        settings = load_settings({**env, "HF_ENDPOINT": hub.url})
        ingest(settings, TOP, Progress.quiet())
    return settings, env


def test_every_kind_of_account_gets_its_exact_attribution(built):
    settings, _ = built
    got = {r[0]: r[1:] for r in sql(settings.db_path, """
        SELECT m.model_id, m.author_kind, m.country, m.organization, o.parent, m.uploader_bucket, m.origin_bucket
        FROM models m LEFT JOIN organizations o ON lower(o.hf_author) = lower(m.author)""")}
    assert got == EXPECTED


def test_the_parent_groups_and_the_snapshot_carry_the_buckets(built):
    settings, _ = built
    groups = dict(sql(settings.db_path, "SELECT model_id, organization_group FROM models"))
    assert groups["google-bert/bert-base-uncased"] == "Alphabet"
    assert groups["CohereForAI/aya-23-8B"] == groups["CohereLabs/aya-expanse-8b"] == "Cohere"
    assert groups["Helsinki-NLP/opus-mt-en-de"] == "University of Helsinki (Helsinki-NLP)"
    snap = dict(sql(settings.db_path, "SELECT model_id, uploader_bucket FROM model_snapshots"))
    assert snap["0-hero/Matter-0.1-7B"] == "individuals" and snap["someone-unlisted/tiny-classifier"] == ""


def test_coverage_equals_sums_written_here(built):
    settings, _ = built
    with open_readonly(settings.db_path) as con:
        origin = hub_coverage(con, Filters(), "origin").set_index("category")
        uploader = hub_coverage(con, Filters(), "uploader").set_index("category")
    downloads = {r["id"]: r["downloads"] for r in RECORDS}

    def total(position: int, bucket) -> int:
        return sum(downloads[m] for m, e in EXPECTED.items() if bucket(e[position]))
    countries = {"CN", "US", "CA", "FI", "SG", "AE"}
    assert origin.loc["country", "downloads_30d"] == total(5, lambda b: b in countries)
    assert uploader.loc["country", "downloads_30d"] == total(4, lambda b: b in countries)
    assert uploader.loc["repackagers", "downloads_30d"] == 7_000
    assert uploader.loc["individuals", "downloads_30d"] == 50
    assert uploader.loc["community", "downloads_30d"] == 6_000
    assert uploader.loc["unknown", "downloads_30d"] == 900 and uploader.loc["unknown", "models"] == 2
    assert origin.loc["unknown", "downloads_30d"] == 300
    assert int(origin["downloads_30d"].sum()) == sum(downloads.values())


def test_registry_unattributed_lists_the_unclassified_namespaces(built, monkeypatch, capsys):
    settings, env = built
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["registry", "unattributed", "--top", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    # one namespace, its 2 models, 900 downloads, 900 / 43,650 of all downloads, its top model
    assert out[1].split() == ["someone-unlisted", "2", "900", f"{100 * 900 / sum(r['downloads'] for r in RECORDS):.1f}%",
                              "someone-unlisted/bert-imdb"]
    assert len(out) == 3  # the header, one namespace, the hint


def test_registry_check_passes_and_summarises(capsys):
    assert main(["registry", "check"]) == 0
    assert capsys.readouterr().out.startswith("registry OK: ")

"""Organisations and attributed models, derived on a real DuckDB from small hand-made facts."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.derive import build_models, build_organizations
from pipeline.errors import ConfigError
from pipeline.loaders.hub import FACT_COLUMNS
from pipeline.registry import RegistryRow, curated_text, load_registry
from pipeline.storage import schema_sql


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(schema_sql())
    con.execute("""INSERT INTO releases (release_id, model, organization, organizations, country, countries,
                   publication_date, hf_developer_id) VALUES
        (1, 'Qwen3', 'Alibaba', ['Alibaba'], 'CN', ['CN'], '2025-04-29', 'Qwen'),
        (2, 'Qwen2.5', 'Alibaba', ['Alibaba'], 'CN', ['CN'], '2024-09-19', 'Qwen'),
        (3, 'WizardLM-2', 'Microsoft', ['Microsoft'], 'US', ['US'], '2024-04-15', 'alpindale'),
        (4, 'Llama 3.1', 'Meta AI', ['Meta AI'], 'US', ['US'], '2024-07-23', 'meta-llama')""")
    return con


REGISTRY = [
    RegistryRow("alpindale", None, None, "individual", "https://huggingface.co/alpindale", "re-uploader"),
    RegistryRow("bartowski", None, None, "intermediary", "https://huggingface.co/bartowski", "quantiser"),
    RegistryRow("meta-llama", "Meta AI", "US", "lab", "https://huggingface.co/meta-llama", None),
    RegistryRow("mistralai", "Mistral AI", "FR", "lab", "https://huggingface.co/mistralai", None),
]


def test_epoch_ids_plus_registry_overrides(con):
    assert build_organizations(con, REGISTRY) == 4 + 1  # Qwen (Epoch), alpindale, bartowski, meta-llama, mistralai
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT hf_author, organization, country, is_intermediary, source FROM organizations").fetchall()}
    assert rows["Qwen"] == ("Alibaba", "CN", False, "epoch")
    assert rows["alpindale"] == (None, None, False, "registry")  # Epoch's Microsoft attribution overridden
    assert rows["bartowski"][2] is True
    assert rows["mistralai"] == ("Mistral AI", "FR", False, "registry")


def facts(con, rows: list[dict]) -> None:
    con.execute("ATTACH ':memory:' AS scratch")
    con.execute(f"CREATE TABLE scratch._facts AS SELECT {', '.join(FACT_COLUMNS)} FROM models WHERE false")
    for r in rows:
        base = {"license_family": "none", "params_undercounted": False, **r}
        cols = ", ".join(base)
        con.execute(f"INSERT INTO scratch._facts ({cols}) VALUES ({', '.join('?' for _ in base)})", list(base.values()))


def test_models_get_country_origin_and_inherited_size(con):
    build_organizations(con, REGISTRY)
    facts(con, [
        {"model_id": "meta-llama/Llama-3.1-8B", "author": "meta-llama", "params_measured": 8_030_000_000,
         "params_measured_source": "safetensors"},
        {"model_id": "someone/llama-ft", "author": "someone", "base_model": "meta-llama/Llama-3.1-8B",
         "params_name": 8_000_000_000},
        {"model_id": "bartowski/llama-ft-GGUF", "author": "bartowski", "base_model": "someone/llama-ft",
         "params_measured": 2_000_000_000, "params_measured_source": "safetensors", "params_undercounted": True},
        {"model_id": "Qwen/Qwen3-8B", "author": "Qwen"},
        {"model_id": "lonely/model-7b", "author": "lonely", "params_name": 7_000_000_000},
    ])
    assert build_models(con, "scratch._facts") == 5
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT model_id, country, origin_country, is_intermediary, root_model, depth, params, params_source "
        "FROM models").fetchall()}
    assert got["meta-llama/Llama-3.1-8B"] == ("US", "US", False, "meta-llama/Llama-3.1-8B", 0, 8_030_000_000,
                                              "safetensors")
    # a fine-tune by an unattributed user: no country, but US origin, and the base's measured size
    assert got["someone/llama-ft"] == (None, "US", False, "meta-llama/Llama-3.1-8B", 1, 8_030_000_000, "base_model")
    # a quantisation by a repackager: intermediary, US origin; its packed-int figure loses to the root's
    assert got["bartowski/llama-ft-GGUF"][1:] == ("US", True, "meta-llama/Llama-3.1-8B", 2, 8_030_000_000,
                                                  "base_model")
    assert got["Qwen/Qwen3-8B"][:2] == ("CN", "CN")
    assert got["lonely/model-7b"] == (None, None, False, "lonely/model-7b", 0, 7_000_000_000, "name")


def test_the_committed_registry_is_valid_and_has_a_source_for_every_row():
    rows = load_registry()
    assert len(rows) > 50
    assert all(r.source or r.note for r in rows)
    assert len({r.hf_author.lower() for r in rows}) == len(rows), "one row per Hub author"
    assert {r.kind for r in rows} <= {"lab", "intermediary", "individual"}


def test_a_bad_registry_row_names_its_line():
    bad = curated_text("organizations.csv").splitlines()[0] + "\nQwen,Alibaba,Atlantis,lab,x,\n"
    with pytest.raises(ConfigError, match="line 2: unknown country 'Atlantis'"):
        load_registry(bad)

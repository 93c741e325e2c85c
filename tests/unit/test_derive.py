"""Organisations and attributed models, derived on a real DuckDB from small hand-made facts."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.derive import build_models, build_organizations
from pipeline.loaders.hub import FACT_COLUMNS
from pipeline.registry import check
from pipeline.storage import schema_sql


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(schema_sql())
    con.execute("""INSERT INTO releases (release_id, model, organization, organizations, country, countries,
                   publication_date, hf_developer_id, organization_category) VALUES
        (1, 'Qwen3', 'Alibaba', ['Alibaba'], 'CN', ['CN'], '2025-04-29', 'Qwen', 'Industry'),
        (2, 'Qwen2.5', 'Alibaba', ['Alibaba'], 'CN', ['CN'], '2024-09-19', 'Qwen', 'Industry'),
        (3, 'WizardLM-2', 'Microsoft', ['Microsoft'], 'US', ['US'], '2024-04-15', 'alpindale', 'Industry'),
        (4, 'Llama 3.1', 'Meta AI', ['Meta AI'], 'US', ['US'], '2024-07-23', 'meta-llama', 'Industry')""")
    return con


ORGANIZATIONS = """namespace,organization,kind,country,parent,source,note
alpindale,alpindale,individual,,,https://huggingface.co/alpindale,re-uploader
bartowski,bartowski,repackager,,,https://huggingface.co/bartowski,quantiser
meta-llama,Meta AI,lab,US,Meta,https://huggingface.co/meta-llama,
mistralai,Mistral AI,lab,FR,,https://huggingface.co/mistralai,
"""
PARENTS = "organization,parent,source\nMeta AI,Meta,https://about.meta.com/\nAlibaba,Alibaba Group,https://www.alibabagroup.com/\n"
LEGACY = "prefix,namespace,source\n"
REGISTRY = check({"organizations.csv": ORGANIZATIONS, "parents.csv": PARENTS, "legacy_ids.csv": LEGACY})


def test_epoch_ids_plus_registry_overrides(con):
    assert build_organizations(con, REGISTRY) == 4 + 1  # Qwen (Epoch), alpindale, bartowski, meta-llama, mistralai
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT hf_author, organization, kind, country, parent, organization_group, is_intermediary, source "
        "FROM organizations").fetchall()}
    # Epoch's own row: its category gives the kind, parents.csv the group
    assert rows["Qwen"] == ("Alibaba", "company", "CN", None, "Alibaba Group", False, "epoch")
    # a person: Epoch's Microsoft attribution replaced, no organisation, never a country
    assert rows["alpindale"] == (None, "individual", None, None, None, False, "registry")
    assert rows["bartowski"][1] == "repackager" and rows["bartowski"][5] is True
    assert rows["meta-llama"] == ("Meta AI", "lab", "US", "Meta", "Meta", False, "registry")
    assert rows["mistralai"] == ("Mistral AI", "lab", "FR", None, "Mistral AI", False, "registry")
    groups = dict(con.execute("SELECT model, organization_groups FROM releases").fetchall())
    assert groups["Qwen3"] == ["Alibaba Group"] and groups["Llama 3.1"] == ["Meta"]


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


def _models_in_parts(parts: int, monkeypatch) -> tuple[list, list, dict]:
    """A build of facts whose rowids have gaps (a refresh deletes facts before adding the previous
    ones), written in ``parts``: the facts' ids in order, every models row in physical order, and
    each model's root, depth and lineage status."""
    con = duckdb.connect()
    con.execute("SET threads = 4")
    con.execute(schema_sql())
    build_organizations(con, REGISTRY)
    # m0 <- m1 <- m2, m3 <- m4 <- m5, …: every third model is a root
    rows = [{"model_id": f"meta-llama/m{i}", "author": "meta-llama", "downloads_30d": 100 - i,
             "base_model": f"meta-llama/m{i - 1}" if i % 3 else None, "params_measured": 10**9 * (i + 1),
             "params_measured_source": "safetensors"} for i in range(17)]
    facts(con, rows)
    con.execute("DELETE FROM scratch._facts WHERE model_id IN ('meta-llama/m4', 'meta-llama/m11')")
    monkeypatch.setattr("pipeline.derive.INSERT_PARTS", parts)
    assert build_models(con, "scratch._facts") == 15
    ids = [r[0] for r in con.execute("SELECT model_id FROM scratch._facts ORDER BY rowid").fetchall()]
    lineage = {r[0]: r[1:] for r in con.execute(
        "SELECT model_id, root_model, depth, lineage_status FROM models").fetchall()}
    return ids, con.execute("SELECT * FROM models ORDER BY rowid").fetchall(), lineage


@pytest.mark.parametrize("parts", [2, 3])
def test_models_written_in_parts_are_the_rows_of_one_statement_in_the_facts_order(parts, monkeypatch):
    ids, one, _ = _models_in_parts(1, monkeypatch)
    again, in_parts, lineage = _models_in_parts(parts, monkeypatch)
    assert len(ids) == 15 and "meta-llama/m4" not in ids
    assert [r[0] for r in in_parts] == ids == again  # each part in the facts' order, the parts in turn
    assert in_parts == one
    # a root in the first part, its descendants in the next one (the parts cut at rowid 8)
    assert lineage["meta-llama/m8"] == ("meta-llama/m6", 2, "resolved")
    assert lineage["meta-llama/m5"] == ("meta-llama/m4", 1, "missing_parent")  # its base was deleted

"""Real data: the DeepSeek-R1 derivative tree (../shared/data/hf), served by the loopback Hub imitation as the
Hub would list it, through the pipeline: every child must resolve to DeepSeek-R1 as its root.

A listing carries no ``baseModels`` (the Hub refuses it there): lineage comes from each model's real
``base_model:`` tags. The tree itself says whose child each model is and how (its ``children``,
``adapters``, ``quantized`` and ``merges`` columns, the Hub's model tree): for every model that has
both, the listing path must find the same base and relation."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest
import yaml

from pipeline.ingest import IngestOptions, ingest
from pipeline.progress import Progress
from tests.conftest import shared_file
from tests.loopback.hub import HubServer

pytestmark = pytest.mark.realdata
ROOT = "deepseek-ai/DeepSeek-R1"
PREFIX = "https://huggingface.co/"
RELATIONS = {"children": "finetune", "adapters": "adapter", "quantized": "quantized", "merges": "merge"}


def tree_records() -> tuple[list[dict], dict[str, int]]:
    """One Hub-listing record per row of the tree; the depth each row has in the tree."""
    csv.field_size_limit(1 << 30)
    path = shared_file("hf", "deepseek_r1_finetune_tree_2025-04-22.csv")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:  # a few rows of the crawl record the model by its URL instead of its id
        row["model_id"] = row["model_id"].removeprefix(PREFIX)
    parent, relation = tree_edges(rows)
    records = []
    for row in rows:
        try:
            meta = json.loads(row["metadata"])
        except json.JSONDecodeError:
            meta = None
        if meta is None:
            # metadata that did not survive the crawl: the tree itself still says whose child it is
            record = {"id": row["model_id"], "author": row["model_id"].split("/")[0]}
            if row["model_id"] in parent:  # only the tree knows its base: as tags, the way a listing shows it
                base = parent[row["model_id"]]
                record["tags"] = [f"base_model:{base}", f"base_model:{relation[row['model_id']]}:{base}"]
        else:
            card = meta.get("card_data")
            try:
                card = yaml.safe_load(card) if isinstance(card, str) else card
            except yaml.YAMLError:
                card = None
            record = {"id": row["model_id"], "author": meta.get("author"),
                      "createdAt": meta.get("created_at"), "lastModified": meta.get("last_modified"),
                      "downloads": meta.get("downloads"), "likes": meta.get("likes"), "tags": meta.get("tags"),
                      "library_name": meta.get("library_name"), "pipeline_tag": meta.get("pipeline_tag"),
                      "gated": meta.get("gated"), "cardData": card if isinstance(card, dict) else None}
        if row["model_id"] in parent:  # what the single-model endpoint would add: never in a listing
            record["baseModels"] = {"relation": relation[row["model_id"]],
                                    "models": [{"id": parent[row["model_id"]]}]}
        records.append(record)
    return records, {r["model_id"]: int(r["depth"]) for r in rows}


def tree_edges(rows: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """Each model's parent and relation, as the crawled tree lists them."""
    parent: dict[str, str] = {}
    relation: dict[str, str] = {}
    for row in rows:
        for column, name in RELATIONS.items():
            for child in (c.strip() for c in (row[column] or "").split(",")):
                if child.startswith(PREFIX):
                    parent.setdefault(child.removeprefix(PREFIX), row["model_id"])
                    relation.setdefault(child.removeprefix(PREFIX), name)
    return parent, relation


def test_every_child_of_the_r1_tree_resolves_to_deepseek_r1(make_settings):
    records, depths = tree_records()
    with HubServer(records) as hub:
        settings = make_settings(HF_ENDPOINT=hub.url)
        run = ingest(settings, IngestOptions(sources=("hub",), hub_limit=0, hub_orgs=False, hub_full=True),
                     Progress.quiet())
        assert all("baseModels" not in e.params.get("expand", []) for e in hub.entries())
    con = duckdb.connect(str(settings.db_path), read_only=True)
    got = {r[0]: r[1:] for r in con.execute("SELECT model_id, root_model, depth, lineage_status FROM models").fetchall()}
    lineage = {r[0]: r[1:] for r in con.execute(
        "SELECT model_id, base_model, base_relation, base_evidence FROM models").fetchall()}
    quarantined = dict(con.execute("SELECT record_key, reason FROM quarantine").fetchall())
    con.close()
    assert set(got) | set(quarantined) == set(depths), "every row loads or is quarantined"
    assert len(got) >= len(depths) - 5
    for model_id, (root, depth, status) in got.items():
        assert root == ROOT, (model_id, root, status)
        assert depth == depths[model_id], (model_id, depth, depths[model_id])
    assert got[ROOT] == (ROOT, 0, "root")
    assert run.records_seen == len(records)
    # the listing's tags give the base and relation the model tree gives, for every model with both
    both = [r for r in records if "baseModels" in r and "pipeline_tag" in r and r["id"] in lineage]  # real tags
    assert len(both) >= 290
    for record in both:
        declared = record["baseModels"]
        assert lineage[record["id"]] == (declared["models"][0]["id"], declared["relation"], "tags"), record["id"]

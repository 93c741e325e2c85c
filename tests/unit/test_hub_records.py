"""One Hub record → one staging row, or a quarantine reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform.hub_records import STAGING_COLUMNS, Quarantined, hub_row

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def col(row: tuple, name: str):
    return row[STAGING_COLUMNS.index(name)]


def test_a_full_record():
    record = {
        "_id": "66a", "id": "bartowski/Llama-3.1-8B-Instruct-GGUF", "author": "bartowski",
        "createdAt": "2024-07-23T14:03:25.000Z", "lastModified": "2024-08-01T00:00:00.000Z",
        "downloads": 120, "downloadsAllTime": 5000, "likes": 7, "trendingScore": 1, "gated": False,
        "library_name": "gguf", "pipeline_tag": "text-generation",
        "tags": ["gguf", "license:llama3.1", "base_model:quantized:meta-llama/Llama-3.1-8B-Instruct"],
        "cardData": {"license": "llama3.1", "datasets": ["a/b"]},
        "gguf": {"total": 8030261248, "architecture": "llama"},
        "baseModels": {"relation": "quantized", "models": [{"_id": "1", "id": "meta-llama/Llama-3.1-8B-Instruct"}]},
    }
    row = hub_row(record, "top", NOW)
    assert not isinstance(row, Quarantined) and len(row) == len(STAGING_COLUMNS)
    assert col(row, "license") == "llama3.1" and col(row, "license_family") == "restricted"
    assert (col(row, "params_measured"), col(row, "params_measured_source")) == (8030261248, "gguf")
    assert col(row, "params_name") == 8_000_000_000
    assert col(row, "base_model") == "meta-llama/Llama-3.1-8B-Instruct" and col(row, "base_relation") == "quantized"
    assert col(row, "created_at") == datetime(2024, 7, 23, 14, 3, 25, tzinfo=UTC)
    assert col(row, "gated") is False and col(row, "card_datasets") == ["a/b"]


def test_minimal_record_takes_the_author_from_the_id():
    row = hub_row({"id": "Qwen/Qwen3-8B"}, "org", NOW)
    assert col(row, "author") == "Qwen" and col(row, "license_family") == "none"


@pytest.mark.parametrize(("record", "reason"), [
    ({}, "missing id"),
    ({"id": None}, "missing id"),
    ({"id": 5}, "id is int, not text"),
    ({"id": "a b/c"}, "id is not a Hub repo id"),
    ({"id": "x/y", "downloads": -1}, "downloads is -1, not a count"),
    ({"id": "x/y", "likes": True}, "likes is True, not a count"),
    ({"id": "x/y", "gated": "sometimes"}, "gated is 'sometimes'"),
    ({"id": "x/y", "safetensors": 12}, "safetensors is int, not an object"),
    ({"id": "x/y", "lastModified": 1700000000}, "lastModified '1700000000' is not a date"),
    ({"id": "x/y", "tags": ["ok", 3]}, "tags holds a int"),
])
def test_malformed_records_give_a_reason(record, reason):
    got = hub_row(record, "full", NOW)
    assert isinstance(got, Quarantined) and got == reason


def test_gated_modes():
    assert (col(hub_row({"id": "a/b", "gated": "manual"}, "top", NOW), "gated_mode")) == "manual"
    assert col(hub_row({"id": "a/b", "gated": "auto"}, "top", NOW), "gated") is True


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(["id", "author", "tags", "cardData", "downloads", "createdAt", "gated",
                                        "safetensors", "gguf", "baseModels", "pipeline_tag", "library_name"]),
                       json_values))
def test_never_raises_on_arbitrary_json(record):
    got = hub_row(record, "full", NOW)
    assert isinstance(got, Quarantined) or len(got) == len(STAGING_COLUMNS)


def _as_the_hub_holds_it(model_id: str, relation: str, bases: list[str]) -> dict:
    """A record with its lineage twice: in the tags a listing shows, and in ``baseModels``."""
    tags = ["transformers", "safetensors"]
    tags += [t for b in bases for t in (f"base_model:{b}", f"base_model:{relation}:{b}")]
    return {"id": model_id, "tags": [*tags, "license:apache-2.0", "region:us"],
            "cardData": {"base_model": bases if len(bases) > 1 else bases[0], "license": "apache-2.0"},
            "baseModels": {"relation": relation, "models": [{"_id": str(i), "id": b} for i, b in enumerate(bases)]}}


@pytest.mark.parametrize(("relation", "bases"), [
    ("finetune", ["Qwen/Qwen3-8B"]),
    ("adapter", ["meta-llama/Llama-3.1-8B-Instruct"]),
    ("quantized", ["deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"]),
    ("merge", ["mistralai/Mistral-7B-v0.1", "HuggingFaceH4/zephyr-7b-beta", "teknium/OpenHermes-2.5-Mistral-7B"]),
    ("finetune", ["a/first-base", "b/second-base"]),  # several bases with a stated relation
])
def test_a_listing_record_gives_the_lineage_baseModels_would(relation, bases):
    # A listing never carries baseModels (the Hub refuses it there): the tags must say the same.
    record = _as_the_hub_holds_it("someone/derived", relation, bases)
    listed = {k: v for k, v in record.items() if k != "baseModels"}
    from_listing, from_model_info = hub_row(listed, "top", NOW), hub_row(record, "ancestor", NOW)
    for name in ("base_model", "base_models", "base_relation"):
        assert col(from_listing, name) == col(from_model_info, name), name
    assert col(from_listing, "base_models") == bases and col(from_listing, "base_relation") == relation
    assert (col(from_listing, "base_evidence"), col(from_model_info, "base_evidence")) == ("tags", "baseModels")


def test_the_generators_listing_records_give_the_same_lineage_as_their_baseModels():
    from tests.synthetic import synthetic_models

    derived = [r for r in synthetic_models(4000, seed=3) if "baseModels" in r]
    assert {r["baseModels"]["relation"] for r in derived} == {"finetune", "adapter", "quantized", "merge"}
    for record in derived:
        listed = hub_row({k: v for k, v in record.items() if k != "baseModels"}, "top", NOW)
        full = hub_row(record, "ancestor", NOW)
        assert (col(listed, "base_models"), col(listed, "base_relation")) == \
            (col(full, "base_models"), col(full, "base_relation")), record["id"]


@pytest.mark.parametrize("model_id", ["_user/model", "user/_model", "user/model_", "u/a.b_c-d", "gpt2"])
def test_ids_the_client_accepts_are_never_quarantined(model_id):
    from huggingface_hub.utils import validate_repo_id

    validate_repo_id(model_id)  # the client's own rule says yes
    row = hub_row({"id": model_id}, "full", NOW)
    assert not isinstance(row, Quarantined) and col(row, "model_id") == model_id


@pytest.mark.parametrize("model_id", ["a--b/c", "a/b..c", "a/b.git", "-a/b", "a/b/c", "a b/c", "a/" + "x" * 97,
                                      "Ünïcode/näme"])
def test_ids_the_client_refuses_are_quarantined(model_id):
    assert isinstance(hub_row({"id": model_id}, "full", NOW), Quarantined)

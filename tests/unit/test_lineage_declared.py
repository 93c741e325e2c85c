"""Declared base models of one Hub record: sources, priority, relation and id validation."""

from __future__ import annotations

import doctest

import pytest
from huggingface_hub.utils import validate_repo_id
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform import lineage
from pipeline.transform.lineage import BASE_RELATIONS, declared_bases

LLAMA = "meta-llama/Llama-3.1-8B"
ME = "someone/my-model"


def test_docstring_examples() -> None:
    assert doctest.testmod(lineage).failed == 0


def test_relations() -> None:
    assert BASE_RELATIONS == ("finetune", "adapter", "quantized", "merge")


# --- baseModels --------------------------------------------------------------------------------


def test_base_models_field() -> None:
    base_models = {"relation": "quantized", "models": [{"_id": "66944f1fe0c5c2e493a804f5", "id": LLAMA}]}
    assert declared_bases(base_models, [], None, ME) == ([LLAMA], "quantized", "baseModels")


def test_base_models_beats_tags_and_card() -> None:
    base_models = {"relation": "adapter", "models": [{"id": LLAMA}]}
    tags = ["base_model:finetune:Qwen/Qwen2.5-7B"]
    card = {"base_model": "google/gemma-2-9b", "base_model_relation": "merge"}
    assert declared_bases(base_models, tags, card, ME) == ([LLAMA], "adapter", "baseModels")


def test_base_models_several_without_relation_is_merge() -> None:
    base_models = {"models": [{"id": "a/x"}, {"id": "b/y"}]}
    assert declared_bases(base_models, [], None, ME) == (["a/x", "b/y"], "merge", "baseModels")


def test_base_models_unknown_relation() -> None:
    assert declared_bases({"relation": "distill", "models": [{"id": LLAMA}]}, [], None, ME) == (
        [LLAMA],
        None,
        "baseModels",
    )
    assert declared_bases({"relation": 3, "models": [{"id": LLAMA}]}, [], None, ME) == (
        [LLAMA],
        None,
        "baseModels",
    )


def test_base_models_relation_case_and_space() -> None:
    assert (
        declared_bases({"relation": " Finetune ", "models": [{"id": LLAMA}]}, [], None, ME)[1] == "finetune"
    )


def test_base_models_accepts_plain_strings() -> None:
    assert declared_bases({"relation": "finetune", "models": [LLAMA]}, [], None, ME) == (
        [LLAMA],
        "finetune",
        "baseModels",
    )


@pytest.mark.parametrize(
    "base_models",
    [
        {"relation": "finetune", "models": []},
        {"relation": "finetune", "models": [{"id": ME}]},  # only itself
        {"relation": "finetune", "models": [{"_id": "x"}, {"id": None}, {"id": "not an id"}]},
        {"relation": "finetune", "models": "meta-llama/Llama-3.1-8B"},
        {"relation": "finetune"},
        [LLAMA],
        "junk",
    ],
)
def test_unusable_base_models_fall_through_to_tags(base_models: object) -> None:
    assert declared_bases(base_models, ["base_model:finetune:Qwen/Qwen2.5-7B"], None, ME) == (
        ["Qwen/Qwen2.5-7B"],
        "finetune",
        "tags",
    )


# --- tags --------------------------------------------------------------------------------------


def test_tags_with_relation() -> None:
    tags = ["transformers", "base_model:quantized:" + LLAMA, "base_model:" + LLAMA, "license:llama3.1"]
    assert declared_bases(None, tags, None, ME) == ([LLAMA], "quantized", "tags")


def test_plain_tag_without_relation() -> None:
    assert declared_bases(None, ["base_model:" + LLAMA], None, ME) == ([LLAMA], None, "tags")


def test_plain_tag_gets_relation_from_same_id_with_relation() -> None:
    tags = ["base_model:deepseek-ai/DeepSeek-R1", "base_model:finetune:deepseek-ai/DeepSeek-R1"]
    assert declared_bases(None, tags, None, ME) == (["deepseek-ai/DeepSeek-R1"], "finetune", "tags")


def test_several_plain_tags_are_a_merge() -> None:
    tags = ["base_model:a/x", "base_model:b/y", "base_model:a/x"]
    assert declared_bases(None, tags, None, ME) == (["a/x", "b/y"], "merge", "tags")


def test_merge_tags() -> None:
    tags = ["base_model:merge:a/x", "base_model:merge:b/y", "base_model:a/x", "base_model:b/y"]
    assert declared_bases(None, tags, None, ME) == (["a/x", "b/y"], "merge", "tags")


def test_tag_with_unknown_relation_keeps_id() -> None:
    assert declared_bases(None, ["base_model:distill:a/x"], None, ME) == (["a/x"], None, "tags")


def test_tag_self_reference_dropped_with_its_relation() -> None:
    tags = ["base_model:adapter:" + ME, "base_model:a/x"]
    assert declared_bases(None, tags, None, ME) == (["a/x"], None, "tags")


@pytest.mark.parametrize("tags", [None, "base_model:a/x", 12, [None, 3, b"base_model:a/x"]])
def test_junk_tags(tags: object) -> None:
    assert declared_bases(None, tags, None, ME) == ([], None, None)  # type: ignore[arg-type]


def test_tags_may_be_any_iterable() -> None:
    assert declared_bases(None, (t for t in ["base_model:a/x"]), None, ME) == (["a/x"], None, "tags")


# --- cardData ----------------------------------------------------------------------------------


def test_card_data_string_with_relation() -> None:
    card = {"base_model": LLAMA, "base_model_relation": "adapter"}
    assert declared_bases(None, [], card, ME) == ([LLAMA], "adapter", "cardData")


def test_card_data_list_without_relation() -> None:
    card = {"base_model": ["a/x", "b/y"]}
    assert declared_bases(None, [], card, ME) == (["a/x", "b/y"], "merge", "cardData")


def test_card_data_single_without_relation() -> None:
    assert declared_bases(None, [], {"base_model": [LLAMA]}, ME) == ([LLAMA], None, "cardData")


def test_card_data_unknown_relation() -> None:
    card = {"base_model": LLAMA, "base_model_relation": "rewrite"}
    assert declared_bases(None, [], card, ME) == ([LLAMA], None, "cardData")


@pytest.mark.parametrize(
    "card",
    [None, "base_model: a/x", [], {"base_model": 3}, {"base_model": {"id": "a/x"}}, {"base_model": ""}],
)
def test_junk_card_data(card: object) -> None:
    assert declared_bases(None, [], card, ME) == ([], None, None)


def test_nothing_declared() -> None:
    assert declared_bases(None, [], None, ME) == ([], None, None)


# --- id validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (LLAMA, LLAMA),
        ("gpt2", "gpt2"),  # legacy ids have no namespace
        ("  " + LLAMA + "\n", LLAMA),
        ("https://huggingface.co/" + LLAMA, LLAMA),
        ("https://huggingface.co/" + LLAMA + "/", LLAMA),
        ("http://www.huggingface.co/" + LLAMA, LLAMA),
        ("huggingface.co/" + LLAMA, LLAMA),
        ("HTTPS://HuggingFace.co/" + LLAMA, LLAMA),
        ("https://hf.co/" + LLAMA, LLAMA),
        ("org/" + "a" * 96, "org/" + "a" * 96),
        ("org/name_with.dots-and_underscores", "org/name_with.dots-and_underscores"),
        ("org/" + "a" * 97, None),
        ("https://example.com/" + LLAMA, None),
        ("https://huggingface.co/" + LLAMA + "/tree/main", None),
        ("meta llama/Llama", None),
        ("<script>alert(1)</script>", None),
        ("[Llama](https://huggingface.co/meta-llama/Llama-3.1-8B)", None),
        ("a/b/c", None),
        ("org/../etc", None),
        ("org/a--b", None),
        ("-org/name", None),
        ("org/name.", None),
        ("org/", None),
        ("/name", None),
        ("", None),
        ("   ", None),
        ("org/na\x00me", None),
        ("org/na\u202eme", None),
        ("org/nämé", None),  # the client's rule is ASCII only
        ("_org/_name", "_org/_name"),  # and names starting with "_"
        ("org/name.git", None),
        ("org/name:tag", None),
    ],
)
def test_id_validation(raw: str, expected: str | None) -> None:
    assert declared_bases(None, [], {"base_model": raw}, ME) == (
        ([expected], None, "cardData") if expected else ([], None, None)
    )


def test_self_reference_is_case_insensitive() -> None:
    assert declared_bases(None, [], {"base_model": ["SomeOne/My-Model", "a/x"]}, ME) == (
        ["a/x"],
        None,
        "cardData",
    )


def test_duplicates_differing_in_case_keep_first_spelling() -> None:
    card = {"base_model": ["Org/Model", "org/model", "b/y"]}
    assert declared_bases(None, [], card, ME) == (["Org/Model", "b/y"], "merge", "cardData")


def test_url_and_plain_id_are_one_base() -> None:
    card = {"base_model": ["https://huggingface.co/" + LLAMA, LLAMA]}
    assert declared_bases(None, [], card, ME) == ([LLAMA], None, "cardData")


def test_non_str_model_id() -> None:
    result = declared_bases(None, [], {"base_model": LLAMA}, None)  # type: ignore[arg-type]
    assert result == ([LLAMA], None, "cardData")


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
hub_id = st.from_regex(r"[A-Za-z0-9]{1,8}/[A-Za-z0-9]{1,8}", fullmatch=True)


@given(base_models=json_like, tags=json_like, card=json_like, model_id=st.text(max_size=20))
def test_never_raises_on_junk(base_models: object, tags: object, card: object, model_id: str) -> None:
    ids, relation, evidence = declared_bases(base_models, tags, card, model_id)  # type: ignore[arg-type]
    assert relation is None or relation in BASE_RELATIONS
    assert (evidence is None) == (not ids)
    assert evidence in (None, "baseModels", "tags", "cardData")


@given(
    ids=st.lists(hub_id | st.text(max_size=30), max_size=6), relation=st.sampled_from([None, *BASE_RELATIONS])
)
def test_output_ids_are_valid_unique_and_not_self(ids: list[str], relation: str | None) -> None:
    model_id = ids[0] if ids else ME
    tags = [f"base_model:{relation}:{i}" if relation else f"base_model:{i}" for i in ids]
    result, result_relation, _ = declared_bases(None, tags, None, model_id)
    keys = [i.casefold() for i in result]
    assert len(keys) == len(set(keys))
    assert model_id.casefold() not in keys
    for base in result:
        validate_repo_id(base)  # the client accepts every base we keep
    if result and relation:
        assert result_relation == relation
    if len(result) > 1 and relation is None:
        assert result_relation == "merge"

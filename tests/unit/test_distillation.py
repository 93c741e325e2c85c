"""The distillation rules on hand-written examples, positive and negative."""

from __future__ import annotations

import pytest

from pipeline.registry import teacher_datasets
from pipeline.transform.distillation import (
    NOT_DISTILLED,
    Teacher,
    distillation,
)

TEACHERS = {"open-thoughts/openthoughts-114k": Teacher("deepseek-ai/DeepSeek-R1", "DeepSeek", "CN", "card"),
            "teknium/openhermes-2.5": Teacher("GPT-4", "OpenAI", "US", "card")}


@pytest.mark.parametrize(("model_id", "teacher", "evidence"), [
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "DeepSeek-R1", "name: DeepSeek-R1-Distill-Llama-70B"),
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "DeepSeek-R1", "name: DeepSeek-R1-Distill-Qwen-1.5B"),
    ("someone/QwQ-32B-Distilled-Qwen-7B", "QwQ-32B", "name: QwQ-32B-Distilled-Qwen-7B"),
    ("distilbert/distilbert-base-uncased", "bert-base-uncased", "name: distilbert-base-uncased"),
])
def test_the_name_rule_and_its_teacher(model_id, teacher, evidence):
    got = distillation(model_id, [], [], TEACHERS)
    assert got.distilled and got.teacher == teacher and got.evidence == evidence


def test_a_name_inherited_from_the_base_is_not_a_distillation_of_its_own():
    copy = distillation("bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF", [], [], TEACHERS,
                        ["deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"])
    finetune = distillation("user/distilbert-base-uncased-emotion", [], [], TEACHERS,
                            ["distilbert/distilbert-base-uncased"])
    assert copy == finetune == NOT_DISTILLED
    # but the original, whose base is the student, is one
    assert distillation("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", [], [], TEACHERS, ["Qwen/Qwen2.5-Math-7B"]).distilled


def test_a_tag_alone_marks_it_without_a_teacher():
    got = distillation("lab/small-model", ["transformers", "knowledge-distillation"], [], TEACHERS)
    assert got.distilled and got.teacher is None and got.evidence == "tag: knowledge-distillation"


def test_a_dataset_of_teacher_outputs_names_the_teacher_and_its_country():
    got = distillation("org/reasoner-7b", [], ["open-thoughts/OpenThoughts-114k", "other/data"], TEACHERS)
    assert got.distilled and got.teacher == "deepseek-ai/DeepSeek-R1" and got.teacher_country == "CN"
    assert got.evidence.startswith("dataset: open-thoughts/OpenThoughts-114k (outputs of deepseek-ai/DeepSeek-R1")


def test_an_api_teacher_from_a_dataset():
    got = distillation("org/hermes-style", ["distillation"], ["teknium/OpenHermes-2.5"], TEACHERS)
    assert got.teacher == "GPT-4" and got.teacher_organization == "OpenAI"
    assert got.evidence.startswith("tag: distillation; dataset: teknium/OpenHermes-2.5")


def test_the_name_wins_over_a_dataset():
    got = distillation("org/DeepSeek-R1-Distill-Foo", [], ["teknium/OpenHermes-2.5"], TEACHERS)
    assert got.teacher == "DeepSeek-R1"


@pytest.mark.parametrize("model_id", [
    "org/distillery-sim", "org/Llama-3.1-8B-Instruct", "org/model-distilling-notes-ish", "org/undistilled",
    "org/Distiller", "meta-llama/Llama-3.3-70B-Instruct",
])
def test_negatives(model_id):
    assert distillation(model_id, ["text-generation", "region:us"], ["some/dataset"], TEACHERS) == NOT_DISTILLED


def test_the_committed_registry_loads_and_every_row_cites_its_source():
    registry = teacher_datasets()
    assert len(registry) >= 15
    assert all(t.source and t.teacher for t in registry.values())
    assert registry["open-thoughts/openthoughts-114k"].teacher == "deepseek-ai/DeepSeek-R1"

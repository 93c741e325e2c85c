"""Parameter counts from safetensors/GGUF metadata and from repo names."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform import params
from pipeline.transform.params import MAX_PARAMS, measured_params, params_from_name


def test_docstring_examples() -> None:
    assert doctest.testmod(params).failed == 0


# --- measured_params -------------------------------------------------------------------------

LLAMA_SAFETENSORS = {"parameters": {"BF16": 8030261248, "F32": 12}, "total": 8030261260}
MISTRAL_GGUF = {"total": 7241732096, "architecture": "llama", "context_length": 32768}


def test_safetensors_total() -> None:
    assert measured_params(LLAMA_SAFETENSORS, None) == (8030261260, "safetensors", False)


def test_safetensors_preferred_over_gguf() -> None:
    assert measured_params(LLAMA_SAFETENSORS, MISTRAL_GGUF) == (8030261260, "safetensors", False)


def test_gguf_fallback() -> None:
    assert measured_params(None, MISTRAL_GGUF) == (7241732096, "gguf", False)
    assert measured_params({"parameters": {"BF16": 5}}, MISTRAL_GGUF) == (7241732096, "gguf", False)


@pytest.mark.parametrize(
    "total",
    [0, -5, True, False, 7.0, "7000", None, [7], 10**14 + 1, 10**18],
)
def test_implausible_totals_are_ignored(total: object) -> None:
    assert measured_params({"parameters": {"BF16": 1}, "total": total}, None) == (None, None, False)
    assert measured_params(None, {"total": total}) == (None, None, False)
    # …and an implausible safetensors total falls through to a good GGUF one.
    assert measured_params({"total": total}, MISTRAL_GGUF) == (7241732096, "gguf", False)


def test_limit_is_inclusive() -> None:
    assert measured_params({"total": MAX_PARAMS}, None) == (MAX_PARAMS, "safetensors", False)


@pytest.mark.parametrize(
    ("safetensors", "gguf"),
    [
        (None, None),
        ([], []),
        ("safetensors", "gguf"),
        ({}, {}),
        ({"parameters": {"BF16": 100}}, {"architecture": "llama"}),
        (42, 7),
    ],
)
def test_junk_shapes(safetensors: object, gguf: object) -> None:
    assert measured_params(safetensors, gguf) == (None, None, False)


def test_gptq_packed_int32_is_undercounted() -> None:
    # A 4-bit GPTQ 7B: 8 weights per I32 element, so the reported total is far too small.
    gptq = {"parameters": {"I32": 880_000_000, "F16": 280_000_000}, "total": 1_160_000_000}
    assert measured_params(gptq, None) == (1_160_000_000, "safetensors", True)


def test_bitsandbytes_u8_is_undercounted() -> None:
    bnb = {"parameters": {"F16": 500, "U8": 500}, "total": 1000}
    assert measured_params(bnb, None) == (1000, "safetensors", True)


@pytest.mark.parametrize("dtype", ["I32", "U32", "U8", "I4", "U4", "I2", "U2", "i32"])
def test_every_packed_dtype_counts(dtype: str) -> None:
    assert measured_params({"parameters": {dtype: 6, "BF16": 94}, "total": 100}, None)[2] is True


def test_five_percent_is_the_threshold() -> None:
    at_limit = {"parameters": {"I32": 5, "BF16": 95}, "total": 100}
    above = {"parameters": {"I32": 6, "BF16": 94}, "total": 100}
    assert measured_params(at_limit, None)[2] is False
    assert measured_params(above, None)[2] is True


def test_int8_and_fp8_are_not_packed() -> None:
    # One weight per element: these dtypes do not undercount.
    fp8 = {
        "parameters": {"BF16": 3918786560, "F8_E4M3": 680571043840, "F32": 41555600},
        "total": 684531386000,
    }
    assert measured_params(fp8, None) == (684531386000, "safetensors", False)
    assert measured_params({"parameters": {"I8": 90, "F16": 10}, "total": 100}, None)[2] is False


def test_junk_dtype_table_does_not_flag() -> None:
    assert measured_params({"parameters": "I32", "total": 100}, None) == (100, "safetensors", False)
    assert measured_params({"parameters": {"I32": "x", 3: 4, "F16": -1}, "total": 100}, None) == (
        100,
        "safetensors",
        False,
    )


# --- params_from_name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("7B", 7_000_000_000),
        ("org/model-1.5b", 1_500_000_000),
        ("Qwen/Qwen2.5-0.5B", 500_000_000),
        ("bigscience/bloom-560m", 560_000_000),
        ("inclusionAI/Ling-1T", 1_000_000_000_000),
        ("8x7B", 56_000_000_000),
        ("mistralai/Mixtral-8x22B-v0.1", 176_000_000_000),
        ("Qwen/Qwen3-235B-A22B", 235_000_000_000),
        ("Qwen/Qwen3-30B-A3B", 30_000_000_000),
        ("org/A3B", None),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 56_000_000_000),
        ("meta-llama/Llama-3.1-8B-Instruct", 8_000_000_000),
        ("gpt2", None),
        ("bert-base-uncased", None),
        ("org/model-v0.1", None),
        ("Qwen/Qwen2.5-VL-7B", 7_000_000_000),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", 1_500_000_000),
        ("microsoft/phi-3-mini-4k", None),
        ("google/gemma-2-27b-it", 27_000_000_000),
        ("meituan-longcat/LongCat-Flash-Chat", None),
        ("meta-llama/Meta-Llama-3-70B", 70_000_000_000),
        ("org/model-100m", 100_000_000),
        ("org/BitNet-1.58bit", None),
        ("lmsys/vicuna-13b-v1.5", 13_000_000_000),
        ("org/model-0.3B", 300_000_000),
        ("TheBloke/Llama-2-7b-Chat-GGUF", 7_000_000_000),
        ("bartowski/Llama-2-7b-hf.Q4_K_M", 7_000_000_000),
        ("org/model_7b_chat", 7_000_000_000),
        ("org/7B/extra", None),  # only the part after the last "/" is the name
        ("01-ai/Yi-1.5-34B-Chat", 34_000_000_000),
        # A "T" figure beside a B size is a token count, not parameters.
        ("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", 1_100_000_000),
        ("org/llama7b", None),  # no token boundary: not read as a size
        ("org/model-0B", None),
        ("org/model-999999T", None),  # absurd
        ("", None),
    ],
)
def test_params_from_name(model_id: str, expected: int | None) -> None:
    assert params_from_name(model_id) == expected


def test_non_str_model_id() -> None:
    assert params_from_name(None) is None  # type: ignore[arg-type]
    assert params_from_name(7) is None  # type: ignore[arg-type]


@given(st.text())
def test_never_raises_and_returns_none_or_positive_int(model_id: str) -> None:
    result = params_from_name(model_id)
    assert result is None or (type(result) is int and 0 < result <= MAX_PARAMS)


@given(st.text(alphabet="0123456789.xXaAbBmMtT-_/", max_size=40))
def test_never_raises_on_size_like_text(model_id: str) -> None:
    result = params_from_name(model_id)
    assert result is None or (type(result) is int and 0 < result <= MAX_PARAMS)


@given(n=st.integers(min_value=1, max_value=100_000), suffix=st.sampled_from(["B", "b"]))
def test_round_trip_billions(n: int, suffix: str) -> None:
    assert params_from_name(f"org/model-{n}{suffix}-instruct") == n * 1_000_000_000


def test_just_above_the_limit_is_absurd() -> None:
    assert params_from_name("org/model-100000B") == MAX_PARAMS
    assert params_from_name("org/model-100001B") is None


@given(n=st.integers(min_value=1, max_value=9999))
def test_round_trip_millions(n: int) -> None:
    assert params_from_name(f"{n}M") == n * 1_000_000


@given(experts=st.integers(min_value=1, max_value=256), size=st.integers(min_value=1, max_value=400))
def test_experts_times_size(experts: int, size: int) -> None:
    total = experts * size * 1_000_000_000
    assert params_from_name(f"org/moe-{experts}x{size}B") == (total if total <= MAX_PARAMS else None)


@given(total=st.integers(min_value=1, max_value=1000), active=st.integers(min_value=1, max_value=1000))
def test_active_marker_never_wins(total: int, active: int) -> None:
    assert params_from_name(f"org/m-{total}B-A{active}B") == total * 1_000_000_000

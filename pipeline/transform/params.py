"""Parameter counts: measured from the Hub's safetensors/GGUF metadata, or read from a repo name.

``safetensors.total`` exists for about a quarter of models, ``gguf.total`` next;
packed quantised dtypes undercount; the name (``7B``, ``8x7B``, ``A3B``) is the last resort.

Example::

    >>> measured_params({"parameters": {"BF16": 8030261248}, "total": 8030261248}, None)
    (8030261248, 'safetensors', False)
    >>> params_from_name("mistralai/Mixtral-8x7B-Instruct-v0.1")
    56000000000
"""

from __future__ import annotations

import re

# Anything above this is a corrupt record, not a model (the largest known are ~2e12).
MAX_PARAMS = 10**14

# Integer dtypes that GPTQ/AWQ/bitsandbytes use to pack several weights into one element, so the
# element count that safetensors reports is smaller than the model's parameter count.
PACKED_DTYPES = frozenset({"I32", "U32", "U8", "I4", "U4", "I2", "U2"})
PACKED_SHARE_LIMIT = 0.05

# A size token: optional "A" (active-parameter marker, as in "A3B"), optional "<experts>x", a
# number with at most 6 digits (bounded so int() never meets a huge string), and an M/B/T suffix.
# The look-arounds demand a token boundary: "1.58bit", "v0.1", "gpt2" and "4k" do not match.
_SIZE = re.compile(
    r"(?<![A-Za-z0-9.])(a)?(?:([0-9]{1,4})x)?([0-9]{1,6})(?:\.([0-9]{1,6}))?([mbt])(?![A-Za-z0-9])",
    re.IGNORECASE | re.ASCII,  # ASCII: no Unicode digits, and no exotic letters folding onto m/b/t
)
_EXPONENT = {"m": 6, "b": 9, "t": 12}
# Every size token ends in a digit and its suffix: a name without that pair has no size, and this
# plain search is several times cheaper than _SIZE's look-arounds (millions of names per run).
_SIZE_HINT = re.compile(r"[0-9][mbtMBT]")


def measured_params(safetensors: object, gguf: object) -> tuple[int | None, str | None, bool]:
    """Return ``(count, source, undercounted)`` from the Hub's ``safetensors`` and ``gguf`` fields.

    Prefers ``safetensors.total`` (source ``"safetensors"``), then ``gguf.total`` (``"gguf"``).
    ``undercounted`` flags safetensors counts where packed integer dtypes hold over 5% of the
    elements (GPTQ/AWQ/bitsandbytes). Junk gives ``(None, None, False)``.

        >>> measured_params({"parameters": {"BF16": 8030261248, "F32": 12}, "total": 8030261260}, None)
        (8030261260, 'safetensors', False)
        >>> measured_params(None, {"total": 7241732096, "architecture": "llama"})
        (7241732096, 'gguf', False)
        >>> measured_params({"parameters": {"I32": 900, "F16": 100}, "total": 1000}, None)
        (1000, 'safetensors', True)
        >>> measured_params([], "junk")
        (None, None, False)
    """
    if isinstance(safetensors, dict):
        total = _plausible_count(safetensors.get("total"))
        if total is not None:
            return total, "safetensors", _packed_share(safetensors.get("parameters")) > PACKED_SHARE_LIMIT
    if isinstance(gguf, dict):
        total = _plausible_count(gguf.get("total"))
        if total is not None:
            # GGUF metadata stores the logical parameter count, so packing does not distort it.
            return total, "gguf", False
    return None, None, False


def params_from_name(model_id: str) -> int | None:
    """Parse a total parameter count from the repo name (the part after ``/``), or ``None``.

    ``8x7B`` is experts × size; ``A22B`` marks active parameters and is not a total.
    Never raises.

        >>> params_from_name("Qwen/Qwen3-235B-A22B")
        235000000000
        >>> params_from_name("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B")
        1500000000
        >>> params_from_name("microsoft/phi-3-mini-4k") is None
        True
    """
    if not isinstance(model_id, str):
        return None
    name = model_id.rpartition("/")[2]
    if _SIZE_HINT.search(name) is None:
        return None
    sizes: list[tuple[bool, int]] = []  # (is trillions-suffixed, count) of non-active tokens
    for active, experts, whole, fraction, suffix in _SIZE.findall(name):
        if active:
            continue
        count = _scaled(whole, fraction, _EXPONENT[suffix.lower()])
        if experts:
            count *= int(experts)
        if 0 < count <= MAX_PARAMS:
            sizes.append((suffix in "tT", count))
    if not sizes:
        return None
    # Beside an M/B size a "T" figure is a training-token count ("TinyLlama-1.1B-…-3T"), not params.
    not_trillions = [count for is_t, count in sizes if not is_t]
    return max(not_trillions) if not_trillions else max(count for _, count in sizes)


def _plausible_count(value: object) -> int | None:
    # bool is an int subclass, but True is not a parameter count.
    if type(value) is int and 0 < value <= MAX_PARAMS:
        return value
    return None


def _packed_share(parameters: object) -> float:
    """Share of safetensors elements stored in packed integer dtypes (0.0 when unknown)."""
    if not isinstance(parameters, dict):
        return 0.0
    packed = total = 0
    for dtype, count in parameters.items():
        if type(count) is not int or count <= 0:
            continue
        total += count
        if isinstance(dtype, str) and dtype.upper() in PACKED_DTYPES:
            packed += count
    return packed / total if total else 0.0


def _scaled(whole: str, fraction: str, exponent: int) -> int:
    """``whole.fraction × 10**exponent`` in integer arithmetic, so "0.3B" is exactly 300_000_000."""
    digits = int(whole + fraction)
    shift = exponent - len(fraction)
    return digits * 10**shift if shift >= 0 else digits // 10**-shift

"""The pipeline's own generator of synthetic Hub model records.

Records are shaped like the items of ``GET /api/models?expand=...`` on the Hugging Face Hub,
with the quirks the pipeline must survive: licences as a string, a list or ``other`` plus
``license_name``; ``safetensors`` on about a quarter of the models, packed quantised dtypes
that undercount; ``gguf`` blocks; ``baseModels`` lineage forming real multi-hop trees; a
heavy-tailed ``downloads`` distribution; attributed labs, repackagers and a long tail of users.

Every record is a pure function of ``(index, seed, total)``: nothing is materialised, so the
generator serves the tests and the benchmarks (up to 3,000,000 models) with flat memory.
``total`` is the size of the landscape a record belongs to: it spreads ``createdAt`` over
2021-01 … 2026-11 whatever the size, and keeps every base model inside ``range(total)``.

Structure, so that lineage can be computed in O(1) without looking at other records:

- indices are cut into blocks of :data:`BLOCK` slots; each slot offset has a fixed role per
  seed (one lab release, one quantisation per repackager, finetunes of depth 1–3, merges,
  adapters, and the long tail);
- index order is ``createdAt`` descending, so a base (always in a later block) is older than
  its derivatives;
- :data:`GROUP` consecutive blocks form one lab release (a family and version in two sizes,
  each as a base and an instruct variant, the instruct one fine-tuned from the base one).

Example::

    >>> from tests.synthetic import synthetic_model, synthetic_models
    >>> records = list(synthetic_models(1000, seed=7))
    >>> records[0]["createdAt"] > records[1]["createdAt"]
    True
    >>> synthetic_model(3, seed=7, total=1000) == records[3]
    True
"""

from __future__ import annotations

import datetime as _dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "BLOCK",
    "DEFAULT_TOTAL",
    "GROUP",
    "synthetic_downloads",
    "synthetic_index",
    "synthetic_model",
    "synthetic_model_id",
    "synthetic_models",
]

BLOCK = 64
"""Slots per block: one lab slot, one slot per repackager, finetunes, merges, the tail."""
GROUP = 4
"""Blocks per lab release (two sizes, each as a base and an instruct variant)."""
DEFAULT_TOTAL = 3_000_000
"""Landscape size assumed by :func:`synthetic_model` when ``total`` is not given."""

_MASK = (1 << 64) - 1
_END_TS = int(_dt.datetime(2026, 11, 28, 23, 59, 0, tzinfo=_dt.UTC).timestamp())
_START_TS = int(_dt.datetime(2021, 1, 4, tzinfo=_dt.UTC).timestamp())
_SPAN = _END_TS - _START_TS
# Convexity of the index → age curve: the Hub grows fast, so recent months hold more models.
_GROWTH = 2.5
_EXPM1_GROWTH = math.expm1(_GROWTH)

# --------------------------------------------------------------------------- hashing


def _mix(x: int) -> int:
    """SplitMix64 finaliser: a cheap, well-spread 64-bit hash (no Random object per record)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _spin(h: int, salt: int) -> int:
    """Fresh bits from an already mixed value: one multiply, for the per-record hot path."""
    x = ((h ^ salt) * 0xD6E8FEB86659FD93) & _MASK
    return x ^ (x >> 32)


def _seed_key(seed: int) -> int:
    return _mix(seed * 0x2545F4914F6CDD1D + 0x5851F42D4C957F2D)


# --------------------------------------------------------------------------- time


def _day_table() -> tuple[int, list[str]]:
    first = _dt.date(2015, 1, 1)
    days = [(first + _dt.timedelta(days=n)).isoformat() for n in range(365 * 22)]
    return first.toordinal() - _dt.date(1970, 1, 1).toordinal(), days


_DAY0, _DAYS = _day_table()
_HHMM = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]
_SS = [f"{s:02d}" for s in range(60)]


def _iso(ts: int) -> str:
    """Epoch seconds → ``2024-07-23T14:03:25.000Z`` through tables (strftime is ~10x slower)."""
    day, rest = divmod(ts, 86400)
    slot = day - _DAY0
    if 0 <= slot < len(_DAYS):
        return f"{_DAYS[slot]}T{_HHMM[rest // 60]}:{_SS[rest % 60]}.000Z"
    return _dt.datetime.fromtimestamp(ts, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _created_ts(index: int, total: int) -> int:
    # `index` seconds plus a non-decreasing curve: strictly decreasing in index for any total.
    room = _SPAN - total
    if room <= 0:
        return _END_TS - index
    return _END_TS - index - int(room * math.expm1(_GROWTH * index / total) / _EXPM1_GROWTH)


def _object_id(created: int, h: int) -> str:
    # Like a MongoDB ObjectId: creation time first, so unique because createdAt is.
    return f"{created & 0xFFFFFFFF:08x}{_spin(h, 0x0B1D):016x}"


# --------------------------------------------------------------------------- labs


@dataclass(frozen=True)
class _Family:
    """One lab model family: templates use ``{v}`` (version) and ``{s}`` (size label)."""

    author: str
    base: str
    instruct: str
    versions: tuple[str, ...]
    sizes: tuple[tuple[str, int], ...]  # (label in the name, parameter count); at least GROUP
    license: str
    license_name: str | None = None
    version_licenses: tuple[tuple[str, str, str | None], ...] = ()
    library: str = "transformers"
    pipeline_tag: str = "text-generation"
    arch: str = "llama"
    context: int = 32768
    gated: bool | str = False
    language: str = "en"


_M = 1_000_000
_FAMILIES: tuple[tuple[_Family, int], ...] = (
    (_Family("meta-llama", "Llama-{v}-{s}", "Llama-{v}-{s}-Instruct", ("3.1", "3.2", "3", "3.3", "2"),
             (("1B", 1_235_814_400), ("3B", 3_212_749_824), ("8B", 8_030_261_248), ("70B", 70_553_706_496),
              ("405B", 405_853_388_800)),
             "other", "llama3.3",
             (("3.1", "llama3.1", None), ("3.2", "llama3.2", None), ("3", "llama3", None),
              ("3.3", "llama3.3", None), ("2", "llama2", None)),
             arch="llama", context=131072, gated="manual"), 3),
    (_Family("Qwen", "Qwen{v}-{s}", "Qwen{v}-{s}-Instruct", ("2.5", "3", "2", "1.5", ""),
             (("0.5B", 494_032_768), ("1.5B", 1_543_714_304), ("7B", 7_615_616_512), ("14B", 14_770_033_664),
              ("32B", 32_763_876_352), ("72B", 72_706_203_648), ("30B-A3B", 30_532_122_624),
              ("235B-A22B", 235_093_634_560)),
             "apache-2.0", None,
             (("1.5", "other", "tongyi-qianwen"), ("", "other", "tongyi-qianwen")),
             arch="qwen2", context=32768), 3),
    (_Family("Qwen", "Qwen{v}-Coder-{s}", "Qwen{v}-Coder-{s}-Instruct", ("2.5", "3"),
             (("1.5B", 1_543_714_304), ("3B", 3_085_938_688), ("7B", 7_615_616_512), ("14B", 14_770_033_664),
              ("32B", 32_763_876_352), ("480B-A35B", 480_154_875_392)),
             "apache-2.0", arch="qwen2", context=131072), 1),
    (_Family("google", "gemma-{v}-{s}", "gemma-{v}-{s}-it", ("2", "3", "1.1"),
             (("1b", 999_885_952), ("2b", 2_614_341_888), ("4b", 4_300_079_472), ("9b", 9_241_705_984),
              ("12b", 12_187_325_040), ("27b", 27_227_128_320)),
             "gemma", arch="gemma2", context=8192, gated="manual"), 2),
    (_Family("deepseek-ai", "DeepSeek-{v}-{s}-Base", "DeepSeek-{v}-{s}", ("V3", "V2", "R1", "V2.5", "V3.1"),
             (("Lite-16B", 15_706_484_224), ("236B", 235_741_434_880), ("671B", 671_026_419_200),
              ("Coder-33B", 33_340_000_000)),
             "mit", None, (("V2", "other", "deepseek"), ("V2.5", "other", "deepseek")),
             arch="deepseek2", context=163840), 2),
    (_Family("mistralai", "{s}-v{v}", "{s}-Instruct-v{v}", ("0.1", "0.3", "0.2"),
             (("Mistral-7B", 7_241_732_096), ("Mixtral-8x7B", 46_702_792_704), ("Mixtral-8x22B", 140_620_634_112),
              ("Mistral-Small-24B", 23_572_403_200), ("Ministral-8B", 8_019_808_256)),
             "apache-2.0", arch="llama", context=32768), 2),
    (_Family("microsoft", "Phi-{v}-{s}", "Phi-{v}-{s}-instruct", ("3", "3.5", "4"),
             (("mini-4k", 3_821_079_552), ("small-8k", 7_392_272_384), ("medium-4k", 13_960_238_080),
              ("MoE", 41_873_153_344)),
             "mit", arch="phi3", context=4096), 1),
    (_Family("nvidia", "NVIDIA-Nemotron-{s}-Base-v{v}", "NVIDIA-Nemotron-{s}-v{v}", ("2", "1", "3"),
             (("Nano-9B", 8_888_227_328), ("Nano-12B", 12_310_001_152), ("Super-49B", 49_867_145_216),
              ("Ultra-253B", 253_401_319_424)),
             "other", "nvidia-open-model-license", arch="nemotron_h", context=131072), 1),
    (_Family("moonshotai", "Kimi-{s}-Base{v}", "Kimi-{s}-Instruct{v}", ("", "-0905", "-2507"),
             (("K2", 1_026_470_000_000), ("VL-A3B", 16_407_657_968), ("Linear-48B-A3B", 49_122_681_856),
              ("Dev-72B", 72_706_203_648)),
             "other", "modified-mit", arch="deepseek2", context=131072), 1),
    (_Family("MiniMaxAI", "MiniMax-{s}-{v}-Base", "MiniMax-{s}-{v}", ("01", "M1", "M2"),
             (("Text", 456_090_000_000), ("VL", 456_130_000_000), ("80k", 456_090_000_000),
              ("40k", 456_090_000_000)),
             "other", "minimax", arch="minimax01", context=1_000_000), 1),
    (_Family("meituan-longcat", "LongCat-{s}-Base{v}", "LongCat-{s}-Chat{v}", ("", "-FP8", "-2512"),
             (("Flash", 561_862_000_000), ("Flash-Thinking", 561_862_000_000), ("Video", 13_600_000_000),
              ("Audio-Codec", 1_100_000_000)),
             "mit", arch="longcat_flash", context=131072), 1),
    (_Family("zai-org", "GLM-{v}-{s}-Base", "GLM-{v}-{s}", ("4.5", "4", "4.6"),
             (("9B", 9_400_451_072), ("32B", 32_566_081_536), ("Air", 110_468_824_832), ("355B", 358_337_791_296)),
             "mit", arch="glm4moe", context=131072), 1),
    (_Family("THUDM", "glm-{v}-{s}", "glm-{v}-{s}-chat", ("4", "3"),
             (("6b", 6_243_584_000), ("9b", 9_399_951_360), ("32b", 32_566_081_536), ("1m-9b", 9_484_000_000)),
             "other", "glm-4", arch="chatglm", context=131072), 1),
    (_Family("baidu", "ERNIE-{v}-{s}-Base-PT", "ERNIE-{v}-{s}-PT", ("4.5",),
             (("0.3B", 360_748_032), ("21B-A3B", 21_825_437_952), ("VL-28B-A3B", 29_966_000_000),
              ("300B-A47B", 300_474_000_000)),
             "apache-2.0", arch="ernie4_5", context=131072), 1),
    (_Family("tencent", "Hunyuan{v}-{s}-Pretrain", "Hunyuan{v}-{s}-Instruct", ("", "-Large", "-V2"),
             (("0.5B", 500_000_000), ("1.8B", 1_800_000_000), ("7B", 7_500_000_000), ("A13B", 80_393_183_232)),
             "other", "tencent-hunyuan-community", arch="hunyuan", context=262144), 1),
    (_Family("ibm-granite", "granite-{v}-{s}-base", "granite-{v}-{s}-instruct", ("3.1", "3.3", "4.0"),
             (("2b", 2_533_531_648), ("8b", 8_170_864_640), ("3b-a800m", 3_298_951_168),
              ("1b-a400m", 1_334_952_960)),
             "apache-2.0", arch="granite", context=131072), 1),
    (_Family("allenai", "OLMo-{v}-{s}", "OLMo-{v}-{s}-Instruct", ("2", "3"),
             (("1124-7B", 7_298_617_344), ("1124-13B", 13_716_198_400), ("0325-32B", 32_233_522_176),
              ("0425-1B", 1_484_916_736)),
             "apache-2.0", arch="olmo2", context=4096), 1),
    (_Family("tiiuae", "Falcon{v}-{s}-Base", "Falcon{v}-{s}-Instruct", ("3", "-H1", "-E"),
             (("1B", 1_669_408_768), ("3B", 3_227_655_168), ("7B", 7_455_550_464), ("10B", 10_305_653_760),
              ("34B", 33_642_000_000)),
             "other", "falcon-llm-license", arch="falcon", context=32768), 1),
    (_Family("CohereLabs", "c4ai-command-{s}-{v}-base", "c4ai-command-{s}-{v}", ("08-2024", "12-2024", "03-2025"),
             (("r7b", 8_028_033_024), ("r", 32_296_476_672), ("r-plus", 103_810_674_688), ("a", 111_057_580_032)),
             "cc-by-nc-4.0", arch="cohere2", context=131072, gated="auto"), 1),
    (_Family("LGAI-EXAONE", "EXAONE-{v}-{s}-Base", "EXAONE-{v}-{s}-Instruct", ("3.5", "4.0", "3.0"),
             (("2.4B", 2_405_327_360), ("7.8B", 7_818_448_896), ("32B", 32_003_330_048), ("1.2B", 1_279_000_000)),
             "other", "exaone", arch="exaone", context=32768, language="ko"), 1),
    (_Family("openai", "gpt-oss-{s}{v}-base", "gpt-oss-{s}{v}", ("", "-v2"),
             (("20b", 21_511_953_984), ("120b", 120_412_337_472), ("safeguard-20b", 21_511_953_984),
              ("safeguard-120b", 120_412_337_472)),
             "apache-2.0", arch="gpt-oss", context=131072), 1),
    (_Family("openai", "whisper-{s}{v}", "whisper-{s}{v}.en", ("-v3", "", "-v2"),
             (("tiny", 37_760_640), ("base", 72_593_920), ("small", 241_734_912), ("medium", 763_857_920),
              ("large", 1_543_490_560)),
             "apache-2.0", pipeline_tag="automatic-speech-recognition", arch="whisper", context=448), 1),
    (_Family("stabilityai", "stable-diffusion-{v}-{s}", "stable-diffusion-{v}-{s}-turbo", ("3.5", "3", "2"),
             (("medium", 2_500_000_000), ("large", 8_100_000_000), ("base", 865_910_724), ("xl", 3_500_000_000)),
             "other", "stabilityai-ai-community", library="diffusers", pipeline_tag="text-to-image",
             arch="sd3", context=77, gated="auto"), 1),
    (_Family("black-forest-labs", "FLUX.{v}-{s}", "FLUX.{v}-Kontext-{s}", ("1", "2"),
             (("dev", 11_901_408_320), ("schnell", 11_901_408_320), ("Krea-dev", 11_901_408_320),
              ("Fill-dev", 11_901_408_320)),
             "other", "flux-1-dev-non-commercial-license", library="diffusers", pipeline_tag="text-to-image",
             arch="flux", context=512, gated="auto"), 1),
)

# --------------------------------------------------------------------------- repackagers

# (author, ((suffix, kind), ...)); the first suffix is the usual one.
_REPACKAGERS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("bartowski", (("-GGUF", "gguf"), ("-GGUF", "gguf"), ("-exl2", "exl2"))),
    ("TheBloke", (("-GGUF", "gguf"), ("-GPTQ", "gptq"), ("-AWQ", "awq"))),
    ("unsloth", (("-GGUF", "gguf"), ("-bnb-4bit", "bnb4"), ("-unsloth-bnb-4bit", "bnb4"))),
    ("mlx-community", (("-4bit", "mlx4"), ("-8bit", "mlx8"), ("-bf16", "mlx16"))),
    ("lmstudio-community", (("-GGUF", "gguf"), ("-GGUF", "gguf"), ("-MLX-4bit", "mlx4"))),
    ("QuantFactory", (("-GGUF", "gguf"),)),
    ("mradermacher", (("-GGUF", "gguf"), ("-i1-GGUF", "gguf"))),
)
_REPACKAGER_INDEX = {name: r for r, (name, _) in enumerate(_REPACKAGERS)}
# These repackagers also quantise community finetunes, not only lab releases.
_FINETUNE_QUANTIZERS = ("QuantFactory", "mradermacher")

# --------------------------------------------------------------------------- long tail

_USER_HEADS = (
    "alex", "neural", "deep", "sam", "li", "wang", "zhang", "kim", "park", "data", "ai", "ml", "jo", "maria",
    "chen", "liu", "nguyen", "tom", "ana", "raj", "priya", "yuki", "omar", "lena", "ivan", "sofia", "max",
    "leo", "mei", "arjun", "fatima", "pierre", "hans", "kenji", "lucas", "emma", "noah", "zoe", "tariq",
    "open", "tiny", "quant", "llm", "nlp", "vision", "byte", "token", "tensor", "gradient", "cyber",
)
_USER_TAILS = (
    "", "-ai", "labs", "_ml", "dev", "123", "-research", "x", "hub", "nlp", "42", "_hf", "-lab", "99", "ml",
    "2024", "-org", "studio", "_", "0", "7", "-dev", "ai", "bot",
)
_TOPICS = (
    "imdb", "sst2", "emotion", "ner", "squad", "sentiment", "spam", "news", "medical", "legal", "finance",
    "code", "math", "chat", "tweets", "reviews", "cats-vs-dogs", "food101", "beans", "pokemon", "anime",
    "toxicity", "arxiv", "recipes", "poetry", "sql", "climate", "qa",
)
_LANGS = ("en", "fr", "de", "es", "hi", "zh", "ar", "ja", "ko", "pt", "ru", "vi", "tr", "sw", "id", "it")
_ENVS = ("LunarLander-v2", "CartPole-v1", "SpaceInvadersNoFrameskip-v4", "Huggy", "PandaReachDense-v3")
# (name template, library_name, pipeline_tag, parameter count or 0, dtype)
_TAIL_KINDS: tuple[tuple[str, str | None, str | None, int, str], ...] = (
    ("bert-base-uncased-finetuned-{t}", "transformers", "text-classification", 109_483_778, "F32"),
    ("distilbert-base-uncased-{t}", "transformers", "text-classification", 66_955_010, "F32"),
    ("roberta-large-{t}", "transformers", "token-classification", 355_359_744, "F32"),
    ("whisper-small-{l}", "transformers", "automatic-speech-recognition", 241_734_912, "F32"),
    ("wav2vec2-base-{l}", "transformers", "automatic-speech-recognition", 94_395_552, "F32"),
    ("vit-base-patch16-224-{t}", "transformers", "image-classification", 85_806_346, "F32"),
    ("{t}-sd15-lora", "diffusers", "text-to-image", 0, ""),
    ("ppo-{e}", "stable-baselines3", "reinforcement-learning", 0, ""),
    ("{t}-embedding-model", "sentence-transformers", "sentence-similarity", 22_713_216, "F32"),
    ("bge-small-{l}-{t}", "sentence-transformers", "feature-extraction", 33_360_000, "F32"),
    ("my_awesome_model", None, None, 0, ""),
    ("gpt2-{t}", "transformers", "text-generation", 124_439_808, "F32"),
    ("TinyLlama-1.1B-{t}", "transformers", "text-generation", 1_100_048_384, "BF16"),
    ("yolov8-{t}", "ultralytics", "object-detection", 0, ""),
    ("t5-small-{t}", "transformers", "translation", 60_506_624, "F32"),
    ("{t}-q4_k_m", "gguf", "text-generation", 0, ""),
    ("test-model", None, None, 0, ""),
    ("{t}-mlm", "transformers", "fill-mask", 110_106_428, "F32"),
)
# Labs that also publish small task models (classifiers, speech, vision) under their own name.
_TAIL_LABS = ("google", "microsoft", "nvidia", "allenai", "ibm-granite", "Qwen", "tencent", "baidu", "openai")
_FLAVORS = (
    "sft", "dpo", "orpo", "lora-merged", "abliterated", "uncensored", "instruct-ft", "grpo", "math", "code",
    "roleplay", "chat", "it", "reasoning", "distill", "medical", "legal", "ja", "ko", "tr", "vi", "de",
)
_MERGE_METHODS = ("slerp", "ties", "dare-ties", "linear", "merge", "model-stock")
_DATASETS = (
    "HuggingFaceH4/ultrachat_200k", "teknium/OpenHermes-2.5", "Open-Orca/SlimOrca", "yahma/alpaca-cleaned",
    "openai/gsm8k", "tatsu-lab/alpaca", "stanfordnlp/imdb", "rajpurkar/squad", "HuggingFaceFW/fineweb-edu",
)
# Licences of community models; a few are lists or ``other`` with a name, like on the Hub.
_TAIL_LICENSES: tuple[str | tuple[str, ...] | None, ...] = (
    "apache-2.0", "apache-2.0", "apache-2.0", "mit", "mit", None, None, "cc-by-4.0", "cc-by-nc-4.0",
    "openrail", "creativeml-openrail-m", "gpl-3.0", "cc-by-sa-4.0", "bsd-3-clause", "afl-3.0",
    ("apache-2.0", "mit"), ("cc-by-nc-4.0",), "unknown", "other",
)

# --------------------------------------------------------------------------- layout

_LAB, _QUANT, _FT1, _FT2, _FT3, _MERGE, _ADAPTER, _TAIL = range(8)
_FT1_SLOTS, _FT2_SLOTS, _FT3_SLOTS, _MERGE_SLOTS, _ADAPTER_SLOTS = 10, 4, 2, 2, 4


@dataclass(frozen=True)
class _Layout:
    """Per-seed tables: slot roles inside a block and the order in which families release."""

    skey: int
    role: tuple[int, ...]  # offset -> role
    arg: tuple[int, ...]  # offset -> repackager / position in its role list
    lab: int  # offset of the lab slot
    quant: tuple[int, ...]  # repackager -> offset
    ft1: tuple[int, ...]
    ft2: tuple[int, ...]
    ft3: tuple[int, ...]
    families: tuple[int, ...]  # weighted, shuffled family table
    rank: tuple[int, ...]  # position -> occurrence rank of its family in the table
    weight: tuple[int, ...]  # family -> weight


@lru_cache(maxsize=32)
def _layout(seed: int) -> _Layout:
    rng = random.Random(seed)  # once per seed, never per record
    roles = (
        [(_LAB, 0)]
        + [(_QUANT, r) for r in range(len(_REPACKAGERS))]
        + [(_FT1, k) for k in range(_FT1_SLOTS)]
        + [(_FT2, k) for k in range(_FT2_SLOTS)]
        + [(_FT3, k) for k in range(_FT3_SLOTS)]
        + [(_MERGE, k) for k in range(_MERGE_SLOTS)]
        + [(_ADAPTER, k) for k in range(_ADAPTER_SLOTS)]
    )
    roles += [(_TAIL, k) for k in range(BLOCK - len(roles))]
    rng.shuffle(roles)
    offsets: dict[int, list[int]] = {}
    for offset, (role, _arg) in enumerate(roles):
        offsets.setdefault(role, []).append(offset)
    by_arg = {(role, arg): offset for offset, (role, arg) in enumerate(roles)}
    table = [f for f, (_, weight) in enumerate(_FAMILIES) for _ in range(weight)]
    rng.shuffle(table)
    seen: dict[int, int] = {}
    rank = []
    for f in table:
        rank.append(seen.get(f, 0))
        seen[f] = rank[-1] + 1
    return _Layout(
        skey=_seed_key(seed),
        role=tuple(role for role, _ in roles),
        arg=tuple(arg for _, arg in roles),
        lab=offsets[_LAB][0],
        quant=tuple(by_arg[(_QUANT, r)] for r in range(len(_REPACKAGERS))),
        ft1=tuple(by_arg[(_FT1, k)] for k in range(_FT1_SLOTS)),
        ft2=tuple(by_arg[(_FT2, k)] for k in range(_FT2_SLOTS)),
        ft3=tuple(by_arg[(_FT3, k)] for k in range(_FT3_SLOTS)),
        families=tuple(table),
        rank=tuple(rank),
        weight=tuple(weight for _, weight in _FAMILIES),
    )


# --------------------------------------------------------------------------- identities


@dataclass(frozen=True)
class _Lab:
    """A lab release slot: who, what, and the family traits its derivatives inherit."""

    index: int
    author: str
    name: str
    family: _Family
    params: int
    license: str
    license_name: str | None
    base: int  # index of the base variant, or -1 for a root


@lru_cache(maxsize=8192)
def _lab(block: int, seed: int, total: int) -> _Lab:
    """The lab release at ``block`` (cached: quantisations and finetunes nearby share it)."""
    lay = _layout(seed)
    n_groups = -(-total // (BLOCK * GROUP))
    group, position = divmod(block, GROUP)
    # Oldest group first, so that the first real versions go to the oldest releases.
    age = n_groups - 1 - group
    cycle, slot = divmod(age, len(lay.families))
    f = lay.families[slot]
    family = _FAMILIES[f][0]
    # The family's n-th release (oldest first). A version spans several releases with disjoint
    # sizes, so (version, size, variant) never repeats: ids stay unique without index tokens.
    nth = cycle * lay.weight[f] + lay.rank[slot]
    pairs = GROUP // 2
    v, chunk = divmod(nth, len(family.sizes) // pairs)
    # Past the real versions, reuse them with a release suffix ("Llama-3.1-8B-Instruct-r2").
    rerun, v = divmod(v, len(family.versions))
    version = family.versions[v]
    start = _mix((f << 32) ^ v ^ lay.skey) % len(family.sizes)
    label, params = family.sizes[(start + chunk * pairs + position // 2) % len(family.sizes)]
    instruct = position % 2 == 0  # the instruct variant is newer than its base, one block later
    name = (family.instruct if instruct else family.base).format(v=version, s=label)
    if rerun:
        name = f"{name}-r{rerun}"
    license_, license_name = family.license, family.license_name
    for ver, lic, lic_name in family.version_licenses:
        if ver == version:
            license_, license_name = lic, lic_name
    if family.author == "Qwen" and label in ("72B", "3B") and version == "2.5":
        license_, license_name = "other", ("qwen" if label == "72B" else "qwen-research")
    index = block * BLOCK + lay.lab
    base = (block + 1) * BLOCK + lay.lab if instruct else -1
    return _Lab(index, family.author, name, family, params, license_, license_name, base if base < total else -1)


_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE36 = frozenset(_DIGITS36)
_B36_PAIRS = [a + b for a in _DIGITS36 for b in _DIGITS36]
_B36_SHORT = [p.lstrip("0") or "0" for p in _B36_PAIRS]


def _b36(n: int) -> str:
    """Lower-case base 36, two digits at a time (called for most records)."""
    if n < 1296:
        return _B36_SHORT[n]
    return _b36(n // 1296) + _B36_PAIRS[n % 1296]


def _user(h: int, total: int) -> str:
    # Heavy-tailed: a few prolific users, most with a handful of models.
    pool = max(5000, total // 8)
    u = ((h >> 8) & 0xFFFF) / 65536.0
    x = int(pool * u * u)
    heads, tails = len(_USER_HEADS), len(_USER_TAILS)
    n = x // (heads * tails)
    return f"{_USER_HEADS[x % heads]}{_USER_TAILS[(x // heads) % tails]}{n if n else ''}"


class _Who(NamedTuple):
    """Identity of any record: enough to name it and to describe it as somebody's base."""

    index: int
    role: int
    author: str
    name: str
    root: _Lab | None  # the lab release at the root of its lineage
    bases: tuple[int, ...]
    relation: str | None
    detail: str  # quantisation kind, finetune flavour, merge method or tail template key
    h: int


def _who(index: int, seed: int, total: int) -> _Who:
    """Role, author, name and bases of ``index``; recursion is bounded by the finetune depth (3)."""
    lay = _layout(seed)
    block, offset = divmod(index, BLOCK)
    role = lay.role[offset]
    arg = lay.arg[offset]
    h = _mix(index ^ lay.skey)
    if role == _LAB:
        lab = _lab(block, seed, total)
        return _Who(index, _LAB, lab.author, lab.name, lab, (lab.base,) if lab.base >= 0 else (), "finetune", "", h)
    if role == _QUANT:
        author, suffixes = _REPACKAGERS[arg]
        if (h & 0xFF) < 36:  # ~14% of repackager slots are empty in a given block
            return _tail(index, h, total)
        if author in _FINETUNE_QUANTIZERS and (h >> 8) & 1:
            target = (block + 1) * BLOCK + lay.ft1[_FINETUNE_QUANTIZERS.index(author)]
        else:
            target = (block + 1) * BLOCK + lay.lab
        if target >= total:
            return _tail(index, h, total)
        base = _who_cached(target, seed, total)
        if base.role == _TAIL:  # a finetune slot that fell back to the tail: nothing to quantise
            return _tail(index, h, total)
        suffix, kind = suffixes[(h >> 12) % len(suffixes)]
        return _Who(index, _QUANT, author, base.name + suffix, base.root, (target,), "quantized", kind, h)
    token = _b36(index)
    if role in (_FT1, _ADAPTER):
        target = (block + 1 + (h >> 20) % 4) * BLOCK + lay.lab
    elif role == _FT2:
        target = (block + 1 + (h >> 20) % 3) * BLOCK + lay.ft1[(h >> 24) % _FT1_SLOTS]
    elif role == _FT3:
        target = (block + 1 + (h >> 20) % 3) * BLOCK + lay.ft2[(h >> 24) % _FT2_SLOTS]
    elif role == _MERGE:
        first = (block + 1 + (h >> 20) % 3) * BLOCK + lay.ft1[(h >> 24) % _FT1_SLOTS]
        second = (block + 4 + (h >> 28) % 3) * BLOCK + lay.ft1[(h >> 32) % _FT1_SLOTS]
        if second >= total:
            return _tail(index, h, total)
        a, b = _who_cached(first, seed, total), _who_cached(second, seed, total)
        if a.root is None or b.root is None:
            return _tail(index, h, total)
        method = _MERGE_METHODS[(h >> 36) % len(_MERGE_METHODS)]
        other = b.root.name.split("-")[0]
        name = f"{_stem(a.root, h)}-{other}-{method}-{token}"
        return _Who(index, _MERGE, _user(h, total), name, a.root, (first, second), "merge", method, h)
    else:
        return _tail(index, h, total)
    if target >= total:
        return _tail(index, h, total)
    base = _who_cached(target, seed, total)
    if base.root is None:
        return _tail(index, h, total)
    flavor = _FLAVORS[(h >> 40) % len(_FLAVORS)]
    if role == _ADAPTER:
        name = f"{_stem(base.root, h)}-{flavor}-{'qlora' if (h >> 46) & 1 else 'lora'}-{token}"
        return _Who(index, _ADAPTER, _user(h, total), name, base.root, (target,), "adapter", flavor, h)
    name = f"{_stem(base.root, h)}-{flavor}-{token}"
    return _Who(index, role, _user(h, total), name, base.root, (target,), "finetune", flavor, h)


# Bases are shared by the derivatives created shortly after them: remember the recent ones.
_who_cached = lru_cache(maxsize=65536)(_who)


def _stem(root: _Lab, h: int) -> str:
    # A quarter of the community writes the base name in lower case ("llama-3.1-8b-...").
    return root.name.lower() if (h >> 48) & 3 == 0 else root.name


def _tail_names() -> tuple[tuple[str, ...], ...]:
    # Every name each template can produce, formatted once instead of once per record.
    out = []
    for tpl, *_ in _TAIL_KINDS:
        names = {tpl.format(t=t, l=lang, e=e) for t in _TOPICS for lang in _LANGS for e in _ENVS}
        out.append(tuple(sorted(names)))
    return tuple(out)


_TAIL_NAMES = _tail_names()


def _tail(index: int, h: int, total: int) -> _Who:
    kind = (h >> 50) % len(_TAIL_KINDS)
    names = _TAIL_NAMES[kind]
    name = names[(h >> 40) % len(names)]
    if (h >> 20) & 0x3F == 0:  # a few long-tail models come from the labs themselves
        author = _TAIL_LABS[(h >> 26) % len(_TAIL_LABS)]
    else:
        author = _user(h, total)
    return _Who(index, _TAIL, author, f"{name}-{_b36(index)}", None, (), None, str(kind), h)


# --------------------------------------------------------------------------- records


def _check(index: int, seed: int, total: int) -> None:
    if total < 1:
        raise ValueError(f"total must be positive, got {total}")
    if not 0 <= index < total:
        raise IndexError(f"index {index} outside range({total})")


def synthetic_model_id(index: int, seed: int = 0, total: int = DEFAULT_TOTAL) -> str:
    """The ``author/name`` id of record ``index``, without building the record.

    Example::

        >>> synthetic_model_id(0, seed=1, total=10) == synthetic_model(0, seed=1, total=10)["id"]
        True
    """
    _check(index, seed, total)
    who = _who(index, seed, total)
    return f"{who.author}/{who.name}"


def _popularity(who: _Who, total: int) -> tuple[int, int, int]:
    h2 = _spin(who.h, 0xD0D0)
    u = (h2 & 0xFFFFF) / 1048576.0
    role = who.role
    if role == _LAB:
        downloads = int(10 ** (2.0 + 5.5 * u * u))
        if who.bases:  # instruct variants are what people download
            downloads *= 3
    elif role == _QUANT:
        downloads = int(10 ** (0.5 + 5.0 * u**3))
    elif role == _TAIL:
        downloads = int(10 ** (6.0 * u**6)) - 1
    else:
        downloads = int(10 ** (4.5 * u**4)) - 1
    v = ((h2 >> 20) & 0xFFFF) / 65536.0
    likes = int(downloads**0.5 * v * (2.0 if role == _LAB else 0.3))
    recent = 1.0 - who.index / (0.03 * total)  # only the newest 3% trend
    trending = int(likes * recent * 0.5 + (h2 >> 36) % 3) if recent > 0 else 0
    return downloads, likes, trending


def synthetic_downloads(index: int, seed: int = 0, total: int = DEFAULT_TOTAL) -> tuple[int, int, int]:
    """``(downloads, likes, trendingScore)`` of record ``index``: the cheap part used for sorting.

    Example::

        >>> r = synthetic_model(5, total=100)
        >>> synthetic_downloads(5, total=100) == (r["downloads"], r["likes"], r["trendingScore"])
        True
    """
    _check(index, seed, total)
    return _popularity(_who(index, seed, total), total)


def _safetensors(kind: str, params: int) -> dict | None:
    """Parameter counts per dtype, including the packed dtypes that undercount (I32, U32, U8)."""
    if kind in ("gptq", "awq"):
        packed, rest = params // 8, params // 30
        return {"parameters": {"I32": packed, "F16": rest}, "total": packed + rest}
    if kind == "mlx4":
        packed, rest = params // 8, params // 40
        return {"parameters": {"BF16": rest, "U32": packed}, "total": packed + rest}
    if kind == "mlx8":
        packed, rest = params // 4, params // 40
        return {"parameters": {"BF16": rest, "U32": packed}, "total": packed + rest}
    if kind == "bnb4":
        packed, rest, f32 = params // 2, params // 20, params // 2000
        return {"parameters": {"F32": f32, "BF16": rest, "U8": packed}, "total": packed + rest + f32}
    if kind == "mlx16":
        return {"parameters": {"BF16": params}, "total": params}
    return None


def synthetic_model(index: int, seed: int = 0, total: int = DEFAULT_TOTAL) -> dict:
    """Record ``index`` of a synthetic landscape of ``total`` models, as the Hub lists it.

    Deterministic per ``(index, seed, total)``; ``total`` spreads ``createdAt`` and bounds the
    lineage (bases always have a higher index, inside ``range(total)``). Every call returns a
    fresh dict that the caller may mutate.

    Example::

        >>> r = synthetic_model(0, seed=0, total=5000)
        >>> r["id"], r["baseModels"]["relation"], r["createdAt"]
        ('nguyenlabs/FLUX.1-schnell-instruct-ft-qlora-0', 'adapter', '2026-11-28T23:59:00.000Z')
        >>> synthetic_index(r["baseModels"]["models"][0]["id"], seed=0, total=5000)  # an older model
        210
    """
    _check(index, seed, total)
    return _record(index, seed, total)


def _record(index: int, seed: int, total: int) -> dict:
    who = _who(index, seed, total)
    _, role, author, name, root, bases, relation, detail, h = who
    h3 = _spin(h, 0xC0FFEE)
    created = _created_ts(index, total)
    modified = created + int((_END_TS - created) * (((h3 >> 8) & 0xFFFF) / 65536.0) ** 4)
    downloads, likes, trending = _popularity(who, total)
    months = (_END_TS - created) / 2_592_000
    all_time = downloads + int(downloads * months * (0.2 + ((h3 >> 24) & 0xFF) / 256.0)) + (h3 >> 32) % 50
    model_id = f"{author}/{name}"
    card: dict | None = {}
    tags: list[str]
    safetensors: dict | None = None
    gguf: dict | None = None
    gated: bool | str = False
    if role == _TAIL:
        _, library, pipeline_tag, params, dtype = _TAIL_KINDS[int(detail)]
        license_ = _TAIL_LICENSES[(h3 >> 40) % len(_TAIL_LICENSES)]
        license_name = "custom-license" if license_ == "other" else None
        tags = [library] if library else []
        if params and (h3 >> 48) % 10 < 2:
            safetensors = {"parameters": {dtype: params}, "total": params}
            tags.append("safetensors")
        if library == "gguf":
            gguf = {"total": 7_241_732_096, "architecture": "llama", "context_length": 4096}
        if (h3 >> 52) % 10 == 0:
            card = None  # no model card at all
        elif (h3 >> 52) % 10 == 1:
            card = {"datasets": [_DATASETS[(h3 >> 56) % len(_DATASETS)]]}
    else:
        family = root.family if root else _FAMILIES[0][0]
        library, pipeline_tag = family.library, family.pipeline_tag
        license_, license_name = (root.license, root.license_name) if root else ("other", None)
        params = root.params if root else 0
        tags = [library, "safetensors", family.arch]
        if role == _LAB:
            gated = family.gated
            if (h3 >> 48) % 20 < 17:
                dtype = "F32" if params < 500 * _M else "BF16"
                safetensors = {"parameters": {dtype: params}, "total": params}
            card = {"language": [family.language]}
        elif role == _QUANT:
            kind = detail
            safetensors = _safetensors(kind, params)
            if kind == "gguf":
                library = "gguf"
                tags = ["gguf", family.arch, "llama-cpp", "imatrix"] if (h3 >> 44) & 1 else ["gguf", family.arch]
                gguf = {"total": params, "architecture": family.arch, "context_length": family.context}
            elif kind.startswith("mlx"):
                library = "mlx"
                tags = ["mlx", "safetensors", family.arch, "4-bit" if kind == "mlx4" else "8-bit"]
            elif kind in ("gptq", "awq", "bnb4"):
                tags.append({"gptq": "4-bit", "awq": "awq", "bnb4": "bitsandbytes"}[kind])
            elif kind == "exl2":
                tags = ["exl2", family.arch]
                library = None
            card = {"quantized_by": author}
        elif role == _ADAPTER:
            library = "peft"
            tags = ["peft", "safetensors", "lora"]
            card = {"datasets": [_DATASETS[(h3 >> 56) % len(_DATASETS)]]}
        else:  # finetunes and merges keep the base's size; some push F32 or FP16 weights
            if (h3 >> 48) % 20 < (16 if role == _MERGE else 9):
                dtype = ("BF16", "BF16", "F16", "F32")[(h3 >> 53) & 3]
                safetensors = {"parameters": {dtype: params}, "total": params}
            if role == _MERGE:
                tags += ["mergekit", "merge"]
            elif (h3 >> 56) & 1:
                card = {"datasets": [_DATASETS[(h3 >> 57) % len(_DATASETS)]]}
        if role != _LAB and (h3 >> 60) == 0:  # 1 in 16 forgets to restate the licence
            license_, license_name = None, None
        elif role != _LAB and (h3 >> 60) == 1:  # and some declare the licence as a list
            license_ = (license_,) if license_ != "other" else license_
    if pipeline_tag:
        tags.append(pipeline_tag)
        if pipeline_tag == "text-generation" and role != _TAIL:
            tags += ["conversational", "text-generation-inference"]
    if license_ is None:
        license_value = None
    elif isinstance(license_, tuple):
        license_value = list(license_)
        tags += [f"license:{x}" for x in license_]
    else:
        license_value = license_
        tags.append(f"license:{license_}")
    base_models = None
    if bases:
        entries = []
        for b in bases:
            base = _who_cached(b, seed, total)
            base_id = f"{base.author}/{base.name}"
            entries.append({"_id": _object_id(_created_ts(b, total), base.h), "id": base_id})
            tags.append(f"base_model:{base_id}")
            tags.append(f"base_model:{relation}:{base_id}")
        base_models = {"relation": relation, "models": entries}
        if card is not None:
            ids = [e["id"] for e in entries]
            card["base_model"] = ids[0] if len(ids) == 1 and (h3 >> 62) else ids
            if (h3 >> 61) & 1 or relation != "finetune":
                card["base_model_relation"] = relation
    tags.append("region:us")
    if card is not None:
        if license_value is not None:
            card["license"] = license_value
            if license_value == "other" and license_name:
                card["license_name"] = license_name
        card["tags"] = tags[:3]
        if pipeline_tag and (h3 >> 5) & 1:
            card["pipeline_tag"] = pipeline_tag
    if role != _LAB and (h3 & 0x7F) < 3:
        gated = "auto" if (h3 & 0x7F) < 2 else "manual"
    record: dict = {
        "_id": _object_id(created, h),
        "id": model_id,
        "author": author,
        "createdAt": _iso(created),
        "lastModified": _iso(modified),
        "downloads": downloads,
        "downloadsAllTime": all_time,
        "likes": likes,
        "trendingScore": trending,
        "gated": gated,
        "private": False,
        "tags": tags,
        "cardData": card,
    }
    if library:
        record["library_name"] = library
    if pipeline_tag and (h3 >> 4) % 50:  # a few repositories never state their task
        record["pipeline_tag"] = pipeline_tag
    if safetensors is not None:
        record["safetensors"] = safetensors
    if gguf is not None:
        record["gguf"] = gguf
    if base_models is not None:
        record["baseModels"] = base_models
    if card is None:
        del record["cardData"]
    return record


def synthetic_models(count: int, seed: int = 0, start: int = 0) -> Iterator[dict]:
    """Yield records ``start … count-1`` of a landscape of ``count`` models, newest first.

    Memory stays flat: each record is built when asked for.

    Example::

        >>> ids = [r["id"] for r in synthetic_models(300, seed=2)]
        >>> len(set(ids))
        300
    """
    if count < 0:
        raise ValueError(f"count must be non-negative, got {count}")
    for index in range(start, count):
        yield _record(index, seed, count)


# --------------------------------------------------------------------------- ids → indices


@lru_cache(maxsize=4)
def _lab_directory(seed: int, total: int) -> tuple[dict[str, int], dict[str, int]]:
    """``(id → index, name → index)`` of the lab releases of one landscape.

    Lab ids carry no index token, but there are only ``total / BLOCK`` of them, so two dicts
    are cheap; the name-keyed one resolves repackaged ids, which drop the base's author.
    """
    lay = _layout(seed)
    by_id: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for block in range(-(-total // BLOCK)):
        index = block * BLOCK + lay.lab
        if index < total:
            lab = _lab(block, seed, total)
            by_id[f"{lab.author}/{lab.name}"] = index
            by_name.setdefault(lab.name, index)
    return by_id, by_name


def _token_index(name: str) -> int | None:
    # Community names end with their index in base 36 ("...-dpo-1k3f").
    token = name.rsplit("-", 1)[-1]
    if 0 < len(token) <= 8 and _BASE36.issuperset(token):
        return int(token, 36)
    return None


def synthetic_index(model_id: str, seed: int = 0, total: int = DEFAULT_TOTAL) -> int | None:
    """The index whose record has id ``model_id``, or ``None``: the inverse of :func:`synthetic_model_id`.

    Community ids end with their index in base 36; repackaged ids are their base's name plus
    a suffix; lab ids are looked up in a small per-landscape directory. Each candidate is
    checked by regenerating its id, so a lookalike never resolves.

    Example::

        >>> synthetic_index(synthetic_model_id(123, seed=4, total=9000), seed=4, total=9000)
        123
        >>> synthetic_index("nobody/nothing", total=9000) is None
        True
    """
    if not isinstance(model_id, str) or "/" not in model_id:
        return None
    author, _, name = model_id.partition("/")
    by_id, by_name = _lab_directory(seed, total)
    candidates: list[int] = []
    token = _token_index(name)
    if token is not None:
        candidates.append(token)
    if model_id in by_id:
        candidates.append(by_id[model_id])
    r = _REPACKAGER_INDEX.get(author)
    if r is not None:
        quant_offset = _layout(seed).quant[r]
        for suffix, _kind in _REPACKAGERS[r][1]:
            if not name.endswith(suffix):
                continue
            stem = name[: -len(suffix)]
            base = by_name.get(stem)
            if base is None:
                base = _token_index(stem)
            if base is not None and base >= BLOCK:
                candidates.append((base // BLOCK - 1) * BLOCK + quant_offset)
    for index in candidates:
        if 0 <= index < total and synthetic_model_id(index, seed, total) == model_id:
            return index
    return None

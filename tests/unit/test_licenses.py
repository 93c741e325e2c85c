"""Licence normalisation: Hub input shapes, canonical ids, families and commercial use."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform import licenses
from pipeline.transform.licenses import (
    KNOWN_LICENSES,
    LICENSE_ALIASES,
    LICENSE_FAMILIES,
    commercial_use_allowed,
    normalize_license,
)


def test_docstring_examples() -> None:
    assert doctest.testmod(licenses).failed == 0


@pytest.mark.parametrize(
    ("card_license", "expected"),
    [
        ("Apache 2.0", ("apache-2.0", "permissive")),
        ("apache-2.0", ("apache-2.0", "permissive")),
        ("Apache-2.0", ("apache-2.0", "permissive")),
        ("  apache_2.0 ", ("apache-2.0", "permissive")),
        ("Apache License, Version 2.0", ("apache-2.0", "permissive")),
        ("MIT", ("mit", "permissive")),
        ("mit-license-agreement", ("mit", "permissive")),
        ("apache", ("apache-2.0", "permissive")),
        ("apache-1.1", ("apache-1.1", "permissive")),
        ("cc-by-4.0", ("cc-by-4.0", "permissive")),
        ("CC BY 4.0", ("cc-by-4.0", "permissive")),
        ("cc-by-3.0", ("cc-by-3.0", "permissive")),
        ("cc0-1.0", ("cc0-1.0", "permissive")),
        ("bsd-3-clause", ("bsd-3-clause", "permissive")),
        ("bsd-4-clause", ("bsd-4-clause", "permissive")),
        ("unlicense", ("unlicense", "permissive")),
        ("wtfpl", ("wtfpl", "permissive")),
        ("openmdw-1.0", ("openmdw-1.0", "permissive")),
        ("cdla-permissive-2.0", ("cdla-permissive-2.0", "permissive")),
        ("gpl-3.0", ("gpl-3.0", "copyleft")),
        ("GPLv3", ("gpl-3.0", "copyleft")),
        ("agpl-3.0", ("agpl-3.0", "copyleft")),
        ("lgpl-2.1", ("lgpl-2.1", "copyleft")),
        ("cc-by-sa-4.0", ("cc-by-sa-4.0", "copyleft")),
        ("mpl-2.0", ("mpl-2.0", "copyleft")),
        ("eupl-1.2", ("eupl-1.2", "copyleft")),
        ("odbl", ("odbl", "copyleft")),
        ("gfdl", ("gfdl", "copyleft")),
        ("openrail", ("openrail", "open-rail")),
        ("openrail++", ("openrail++", "open-rail")),
        ("bigscience-openrail-m", ("bigscience-openrail-m", "open-rail")),
        ("creativeml-openrail-m", ("creativeml-openrail-m", "open-rail")),
        ("bigcode-openrail-m", ("bigcode-openrail-m", "open-rail")),
        ("bigscience-bloom-rail-1.0", ("bigscience-bloom-rail-1.0", "open-rail")),
        ("someorg-openrail-m", ("someorg-openrail-m", "open-rail")),
        ("llama2", ("llama2", "restricted")),
        ("llama3", ("llama3", "restricted")),
        ("llama3.1", ("llama3.1", "restricted")),
        ("llama3.2", ("llama3.2", "restricted")),
        ("llama3.3", ("llama3.3", "restricted")),
        ("llama4", ("llama4", "restricted")),
        ("gemma", ("gemma", "restricted")),
        ("cc-by-nd-4.0", ("cc-by-nd-4.0", "restricted")),
        ("cc-by-nc-4.0", ("cc-by-nc-4.0", "non-commercial")),
        ("CC BY-NC 4.0", ("cc-by-nc-4.0", "non-commercial")),
        ("cc-by-nc-sa-4.0", ("cc-by-nc-sa-4.0", "non-commercial")),
        ("cc-by-nc-nd-4.0", ("cc-by-nc-nd-4.0", "non-commercial")),
        ("cc-by-nc-2.5", ("cc-by-nc-2.5", "non-commercial")),
        ("c-uda", ("c-uda", "other")),
        ("other", ("other", "other")),
        ("unknown", ("unknown", "other")),
    ],
)
def test_card_license_ids(card_license: str, expected: tuple[str, str]) -> None:
    assert normalize_license(card_license) == expected


@pytest.mark.parametrize(
    ("license_name", "expected"),
    [
        ("llama3.1", ("llama3.1", "restricted")),
        ("llama-3.1", ("llama3.1", "restricted")),
        ("LLAMA 3.1 COMMUNITY LICENSE", ("llama3.1", "restricted")),
        ("meta-llama-3-community-license-agreement", ("llama3", "restricted")),
        ("llama-2-community-license", ("llama2", "restricted")),
        ("tongyi-qianwen", ("tongyi-qianwen", "restricted")),
        ("qwen", ("tongyi-qianwen", "restricted")),
        ("Qwen", ("tongyi-qianwen", "restricted")),
        ("qwen-research", ("qwen-research", "non-commercial")),
        ("deepseek", ("deepseek", "restricted")),
        ("deepseek-license", ("deepseek", "restricted")),
        ("gemma", ("gemma", "restricted")),
        ("gemma-terms-of-use", ("gemma", "restricted")),
        ("nvidia-open-model-license", ("nvidia-open-model-license", "restricted")),
        ("tencent-hunyuan", ("tencent-hunyuan", "restricted")),
        ("hunyuan", ("tencent-hunyuan", "restricted")),
        ("tencent-hunyuan-community-license", ("tencent-hunyuan", "restricted")),
        ("exaone", ("exaone", "non-commercial")),
        ("exaone-ai-model-license-agreement-1.1-nc", ("exaone", "non-commercial")),
        ("mrl", ("mrl", "non-commercial")),
        ("mistral-research-license", ("mrl", "non-commercial")),
        ("modified-mit", ("modified-mit", "restricted")),
        ("yi-license", ("yi-license", "restricted")),
        ("baichuan", ("baichuan", "restricted")),
        ("glm-4", ("glm-4", "restricted")),
        ("internlm", ("internlm", "restricted")),
        ("falcon-llm-license", ("falcon-llm-license", "restricted")),
        ("tii-falcon-license", ("tii-falcon-license", "restricted")),
        ("TII Falcon License 2.0", ("tii-falcon-license", "restricted")),
        ("gemma-2-license", ("gemma", "restricted")),
        ("fair-noncommercial-research-license", ("fair-noncommercial-research-license", "non-commercial")),
        ("apple-amlr", ("apple-amlr", "non-commercial")),
        ("deepfloyd-if-license", ("deepfloyd-if-license", "non-commercial")),
        ("flux-1-dev-non-commercial-license", ("flux-1-dev-non-commercial-license", "non-commercial")),
        ("Research-Only License", ("research-only-license", "non-commercial")),
        # A name saying non-commercial is not relabelled as the vendor's commercial licence.
        ("deepseek-noncommercial", ("deepseek-noncommercial", "non-commercial")),
        # Unknown names keep a sanitised slug.
        ("arsonai", ("arsonai", "other")),
        ("My Weird  License!!", ("my-weird-license", "other")),
        ("gemmaxyz", ("gemmaxyz", "other")),
    ],
)
def test_other_with_license_name(license_name: str, expected: tuple[str, str]) -> None:
    assert normalize_license("other", license_name) == expected


def test_unknown_uses_license_name_too() -> None:
    assert normalize_license("unknown", "gemma") == ("gemma", "restricted")


def test_unknown_name_slug_is_sanitised_and_capped() -> None:
    license_id, family = normalize_license("other", "<b>Ünïcode</b> & " + "x" * 200)
    assert family == "other"
    assert license_id == ("b-n-code-b-" + "x" * 200)[:64]
    assert len(license_id) == 64


def test_other_with_unsluggable_name_stays_other() -> None:
    assert normalize_license("other", "许可证") == ("other", "other")
    assert normalize_license("other", "   ") == ("other", "other")


def test_known_card_license_ignores_license_name() -> None:
    assert normalize_license("apache-2.0", "llama3") == ("apache-2.0", "permissive")


def test_unrecognised_card_id_takes_a_resolvable_name_only() -> None:
    assert normalize_license("custom", "llama3") == ("llama3", "restricted")
    assert normalize_license("custom", "foo") == ("custom", "other")


def test_list_takes_first_usable_entry() -> None:
    assert normalize_license(["", "  ", 3, "MIT", "gpl-3.0"]) == ("mit", "permissive")
    assert normalize_license([None, {"x": 1}]) == (None, "none")


@pytest.mark.parametrize("junk", [None, 42, 4.2, True, {"license": "mit"}, [], "", "   ", b"mit"])
def test_junk_card_license_is_absent(junk: object) -> None:
    assert normalize_license(junk) == (None, "none")
    assert normalize_license(junk, None, ["license:mit"]) == ("mit", "permissive")


def test_tag_fallback_uses_first_license_tag() -> None:
    tags = ["transformers", "license:", "license:llama3.2", "license:mit", "region:us"]
    assert normalize_license(None, None, tags) == ("llama3.2", "restricted")


def test_tag_other_resolves_with_license_name() -> None:
    assert normalize_license(None, "deepseek", ["license:other"]) == ("deepseek", "restricted")


def test_card_license_beats_tags() -> None:
    assert normalize_license("mit", None, ["license:gpl-3.0"]) == ("mit", "permissive")


@pytest.mark.parametrize("tags", [None, "license:mit", 7, {"license:mit": 1}, (t for t in ["license:mit"])])
def test_tag_shapes(tags: object) -> None:
    result = normalize_license(None, None, tags)  # type: ignore[arg-type]
    # A lone string is not a tag list; a dict iterates its keys; a generator is a fine iterable.
    expected = (
        ("mit", "permissive") if isinstance(tags, dict) or hasattr(tags, "__next__") else (None, "none")
    )
    assert result == expected


def test_license_name_list_and_junk() -> None:
    assert normalize_license("other", ["qwen"]) == ("tongyi-qianwen", "restricted")
    assert normalize_license("other", 12) == ("other", "other")


def test_every_known_id_resolves_to_itself() -> None:
    for license_id, family in KNOWN_LICENSES.items():
        assert family in LICENSE_FAMILIES
        assert normalize_license(license_id) == (license_id, family), license_id


def test_every_alias_targets_a_known_id() -> None:
    for alias, target in LICENSE_ALIASES.items():
        assert target in KNOWN_LICENSES
        assert normalize_license("other", alias) == (target, KNOWN_LICENSES[target])


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("permissive", True),
        ("copyleft", True),
        ("open-rail", True),
        ("restricted", True),
        ("non-commercial", False),
        ("other", None),
        ("none", None),
    ],
)
def test_commercial_use_allowed(family: str, expected: bool | None) -> None:
    assert commercial_use_allowed(family) is expected


def test_commercial_use_allowed_covers_every_family() -> None:
    assert {family for family in LICENSE_FAMILIES if commercial_use_allowed(family) is not None} == {
        "permissive",
        "copyleft",
        "open-rail",
        "restricted",
        "non-commercial",
    }


@pytest.mark.parametrize("bad", ["Permissive", "free", "", None])
def test_commercial_use_allowed_rejects_unknown_family(bad: object) -> None:
    with pytest.raises(ValueError):
        commercial_use_allowed(bad)  # type: ignore[arg-type]


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(card=json_like, name=json_like, tags=json_like)
def test_never_raises_and_family_is_known(card: object, name: object, tags: object) -> None:
    license_id, family = normalize_license(card, name, tags)  # type: ignore[arg-type]
    assert family in LICENSE_FAMILIES
    if license_id is None:
        assert family == "none"
    else:
        assert family != "none"
        assert 0 < len(license_id) <= 64
        assert set(license_id) <= set("abcdefghijklmnopqrstuvwxyz0123456789.+-")


@given(st.text())
def test_any_declared_text_gives_an_id(text: str) -> None:
    license_id, family = normalize_license("other", text)
    assert license_id is not None
    assert family in LICENSE_FAMILIES and family != "none"

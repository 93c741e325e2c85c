"""The curated organisation registry: the committed files pass the checks, and each check bites."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.errors import ConfigError
from pipeline.registry import COUNTRYLESS_KINDS, KINDS, check, curated_text, load_registry

HEADER = "namespace,organization,kind,country,parent,source,note\n"
PARENTS = "organization,parent,source\nGoogle DeepMind,Alphabet,https://abc.xyz/\n"
LEGACY = "prefix,namespace,source\n"


def checked(rows: str, parents: str = PARENTS, legacy: str = LEGACY):
    return check({"organizations.csv": HEADER + rows, "parents.csv": parents, "legacy_ids.csv": legacy})


def test_the_committed_registry_passes_and_covers_the_hub_as_it_is_used():
    registry = load_registry()
    assert len(registry.rows) >= 600
    kinds = Counter(r.kind for r in registry.rows)
    assert set(kinds) == set(KINDS), "every kind is used"
    assert all(r.source for r in registry.rows)
    assert all(r.country is None for r in registry.rows if r.kind == "individual")
    assert all(r.country for r in registry.rows if r.kind not in COUNTRYLESS_KINDS)
    # namespaces the issue names as missing before
    for namespace in ("liquidai", "arcee-ai", "ibm-research", "kyutai", "mistral-community"):
        assert namespace in registry.by_namespace, namespace


def test_renamed_namespaces_keep_their_attribution():
    registry = load_registry().by_namespace
    assert registry["cohereforai"].organization == registry["coherelabs"].organization
    assert registry["thudm"].organization == registry["zai-org"].organization
    legacy = dict(load_registry().legacy)
    assert legacy["bert-"] == "google-bert"


def test_parents_gather_a_group():
    registry = load_registry()
    assert registry.by_namespace["qwen"].group == "Alibaba"
    for name in ("Google DeepMind", "DeepMind", "Google Brain"):
        assert registry.parents[name] == "Alphabet", name


def test_a_valid_row_reads_back_whole():
    row, = checked("deepmind,Google DeepMind,lab,GB,Alphabet,https://deepmind.google/,London unit\n").rows
    assert (row.namespace, row.organization, row.kind, row.country, row.parent, row.group, row.note) == (
        "deepmind", "Google DeepMind", "lab", "GB", "Alphabet", "Alphabet", "London unit")


@pytest.mark.parametrize(("rows", "message"), [
    ("x,X,lab,XX,,https://x.example/,\n", r"line 2 \(x\): 'XX' is not an ISO 3166-1 alpha-2 code"),
    ("x,X,startup,US,,https://x.example/,\n", r"line 2 \(x\): kind 'startup' is not one of lab, "),
    ("x,X,lab,US,,https://x.example/,\nX,X2,lab,US,,https://x.example/,\n",
     r"line 3 \(X\): the namespace is already on line 2 \(ignoring case\)"),
    ("x,X,lab,US,,,\n", r"line 2 \(x\): no source"),
    ("x,X,lab,US,Nobody Inc,https://x.example/,\n", r"\(x\): the parent 'Nobody Inc' is neither"),
    ("someone,someone,individual,US,,https://x.example/,\n", r"an individual is never given a country"),
    ("x,X,company,,,https://x.example/,\n", r"a company needs a country"),
    ("x/y,X,lab,US,,https://x.example/,\n", r"not a Hub namespace"),
    ("x,,lab,US,,https://x.example/,\n", r"no organisation"),
    ("x,X,lab,US,,https://x.example/\n", r"line 2: 6 fields, 7 expected"),
])
def test_each_check_names_the_file_and_line(rows, message):
    with pytest.raises(ConfigError, match=message):
        checked(rows)


def test_parents_and_legacy_ids_are_checked_too():
    with pytest.raises(ConfigError, match=r"parents.csv line 3: 'A' is listed twice"):
        checked("", parents="organization,parent,source\nA,B,s\nA,C,s\n")
    with pytest.raises(ConfigError, match=r"legacy_ids.csv line 2: needs a prefix, a namespace of organizations.csv"):
        checked("x,X,lab,US,,https://x.example/,\n", legacy="prefix,namespace,source\nbert-,google-bert,s\n")
    with pytest.raises(ConfigError, match="the header must be"):
        check({"organizations.csv": "hf_author,organization,country\n"})


def test_the_committed_files_are_what_the_package_reads():
    assert curated_text("organizations.csv").startswith(HEADER)

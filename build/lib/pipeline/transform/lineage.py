"""Base-model lineage: which models a Hub repository declares it was built from, and how.

Example::

    >>> declared_bases(None, ["base_model:quantized:meta-llama/Llama-3.1-8B"], None, "me/llama-q4")
    (['meta-llama/Llama-3.1-8B'], 'quantized', 'tags')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pipeline.transform.repo_ids import is_repo_id

BASE_RELATIONS = ("finetune", "adapter", "quantized", "merge")
_RELATIONS = frozenset(BASE_RELATIONS)

# A card may link its base instead of naming it; only links to the Hub itself are accepted.
_HUB_URL = re.compile(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/", re.IGNORECASE)
_TAG_PREFIX = "base_model:"


def declared_bases(
    base_models: object, tags: Iterable[str], card_data: object, model_id: str
) -> tuple[list[str], str | None, str | None]:
    """Return ``(base ids, relation, evidence)`` for one Hub model record.

    Sources, first that yields a valid id wins: the API's ``baseModels`` field, then
    ``base_model:[<relation>:]<id>`` tags, then ``cardData.base_model`` (with
    ``cardData.base_model_relation``). ``evidence`` names the source: ``"baseModels"``, ``"tags"``,
    ``"cardData"``, or ``None`` when nothing is declared. Self-references and ids that are not
    plausible Hub repo ids are dropped; several bases without a relation are a ``"merge"``.

        >>> declared_bases({"relation": "finetune", "models": [{"id": "Qwen/Qwen2.5-7B"}]}, [], None, "a/b")
        (['Qwen/Qwen2.5-7B'], 'finetune', 'baseModels')
        >>> declared_bases(None, [], {"base_model": ["org/a", "org/b", "org/a"]}, "me/merged")
        (['org/a', 'org/b'], 'merge', 'cardData')
        >>> declared_bases(None, (), {"base_model": "me/self"}, "me/self")
        ([], None, None)
    """
    self_key = model_id.casefold() if isinstance(model_id, str) else ""

    if isinstance(base_models, dict):
        models = base_models.get("models")
        if isinstance(models, list):
            ids = _clean_ids((m.get("id") if isinstance(m, dict) else m for m in models), self_key)
            if ids:
                return ids, _relation(base_models.get("relation"), len(ids)), "baseModels"

    ids, relation = _from_tags(tags, self_key)
    if ids:
        return ids, _relation(relation, len(ids)), "tags"

    if isinstance(card_data, dict):
        declared = card_data.get("base_model")
        candidates = [declared] if isinstance(declared, str) else declared
        if isinstance(candidates, list):
            ids = _clean_ids(candidates, self_key)
            if ids:
                return ids, _relation(card_data.get("base_model_relation"), len(ids)), "cardData"

    return [], None, None


def _from_tags(tags: object, self_key: str) -> tuple[list[str], str | None]:
    """Base ids from ``base_model:`` tags, and the first relation given for one of them."""
    # A lone string is not a list of tags: iterating it would read single characters.
    if tags is None or isinstance(tags, (str, bytes)) or not isinstance(tags, Iterable):
        return [], None
    ids: list[str] = []
    seen: set[str] = set()
    relation: str | None = None
    for tag in tags:
        if not isinstance(tag, str) or not tag.startswith(_TAG_PREFIX):
            continue
        head, sep, tail = tag[len(_TAG_PREFIX) :].partition(":")
        # Repo ids never contain ":", so "base_model:<x>:<id>" always names the id after the colon;
        # <x> counts only when it is one of our relations.
        candidate, tag_relation = (tail, head if head in _RELATIONS else None) if sep else (head, None)
        base = _repo_id(candidate)
        if base is None or base.casefold() == self_key:
            continue
        if relation is None and tag_relation is not None:
            relation = tag_relation
        if base.casefold() not in seen:
            seen.add(base.casefold())
            ids.append(base)
    return ids, relation


def _clean_ids(candidates: Iterable[object], self_key: str) -> list[str]:
    """Valid, non-self base ids in order, without duplicates (Hub ids are case-insensitive)."""
    ids: list[str] = []
    seen = {self_key}
    for candidate in candidates:
        base = _repo_id(candidate) if isinstance(candidate, str) else None
        if base is not None and base.casefold() not in seen:
            seen.add(base.casefold())
            ids.append(base)
    return ids


@lru_cache(maxsize=65536)
def _repo_id(text: str) -> str | None:
    """``text`` as a Hub repo id (a Hub URL is reduced to its id), or None if it cannot be one."""
    text = text.strip()
    if _HUB_URL.match(text):
        text = _HUB_URL.sub("", text, count=1).rstrip("/")
    # the client's own rule (pipeline/transform/repo_ids.py): it forbids ".." too, a path traversal downstream
    return text if is_repo_id(text) else None


def _relation(value: object, n_bases: int) -> str | None:
    relation = value.strip().lower() if isinstance(value, str) else None
    if relation in _RELATIONS:
        return relation
    # Several parents and no stated relation can only be a merge.
    return "merge" if n_bases > 1 else None

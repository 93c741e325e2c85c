"""Which Hub models declare distillation, the evidence, and the teacher when it is declared.

The Hub has no "distilled from" relation, so the tracker rests on explicit, listed heuristics;
each tracked model records which rules matched. Rules:

- ``name``: the repository name says so: ``…-Distill-…`` / ``…-Distilled-…`` (``<teacher>-Distill-
  <student>``, e.g. ``DeepSeek-R1-Distill-Llama-70B``: teacher ``DeepSeek-R1``), or a ``distil``
  prefix (``distilbert-base-uncased``: teacher ``bert-base-uncased``) — unless a declared base
  model's name says it too: then the word is inherited (a fine-tune or a quantisation of a
  distilled model), and the distillation is its base's, not its own.
- ``tag``: a tag ``distillation``, ``knowledge-distillation``, ``distilled`` or ``distill``.
- ``dataset``: a declared training dataset known to hold a teacher model's outputs, from the
  curated ``data/registry/distillation_datasets.csv`` (each row cites its dataset card), which
  the caller passes in (:func:`pipeline.registry.teacher_datasets`).

The *student base* is the model's declared base model; the teacher is taken from the name
pattern or the dataset registry, never guessed otherwise.

Example::

    >>> distillation("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", [], [], {})
    Distillation(distilled=True, teacher='DeepSeek-R1', teacher_organization=None, teacher_country=None, evidence='name: DeepSeek-R1-Distill-Llama-70B')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

RULES = ("name", "tag", "dataset")
DISTILL_TAGS = frozenset({"distillation", "knowledge-distillation", "distilled", "distill"})
_TAG_MIN, _TAG_MAX = min(map(len, DISTILL_TAGS)), max(map(len, DISTILL_TAGS))
_TEACHER_IN_NAME = re.compile(r"^(?P<teacher>.+?)[-_.]distill(?:ed|ation)?(?:[-_.]|$)", re.IGNORECASE)
_DISTILL_WORD = re.compile(r"(?:^|[-_.])distill(?:ed|ation)?(?:[-_.]|$)", re.IGNORECASE)
_DISTIL_PREFIX = re.compile(r"^distil(?!l)[-_]?(?P<teacher>[a-z].*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Teacher:
    teacher: str                    # a Hub id ("deepseek-ai/DeepSeek-R1") or an API model's name
    organization: str | None
    country: str | None
    source: str


@dataclass(frozen=True)
class Distillation:
    distilled: bool
    teacher: str | None
    teacher_organization: str | None
    teacher_country: str | None
    evidence: str | None


NOT_DISTILLED = Distillation(False, None, None, None, None)


def _says_distilled(name: str) -> bool:
    # a plain substring test first: the regexes run for the few names that contain it
    return "distil" in name.lower() and bool(_DISTILL_WORD.search(name) or _DISTIL_PREFIX.match(name))


def distillation(model_id: str, tags: Iterable[str], datasets: Iterable[str],
                 teachers: Mapping[str, Teacher], bases: Iterable[str] = ()) -> Distillation:
    """Apply the rules to one model; :data:`NOT_DISTILLED` when none matches."""
    name = model_id.rsplit("/", 1)[-1]
    evidence: list[str] = []
    teacher: Teacher | None = None
    named_teacher: str | None = None
    if "distil" not in name.lower():
        pass  # millions of names: skip the regexes when the word is not there at all
    elif any(_says_distilled(base.rsplit("/", 1)[-1]) for base in bases):
        pass  # the name's "distill" is its base's (see the module docstring)
    elif _DISTILL_WORD.search(name):
        evidence.append(f"name: {name}")
        if match := _TEACHER_IN_NAME.match(name):
            named_teacher = match.group("teacher")
    elif match := _DISTIL_PREFIX.match(name):
        evidence.append(f"name: {name}")
        named_teacher = match.group("teacher")
    if not isinstance(tags, list | tuple | set | frozenset):
        tags = list(tags)
    # a tag that is not lower case can still lower-case to one of DISTILL_TAGS; lower-casing keeps
    # the length of any text that ends as one of them, so only tags of their lengths are looked at
    if not DISTILL_TAGS.isdisjoint(tags) or any(t.lower() in DISTILL_TAGS for t in tags
                                                if _TAG_MIN <= len(t) <= _TAG_MAX and not t.islower()):
        evidence.append("tag: " + ", ".join(sorted({t for t in tags if t.lower() in DISTILL_TAGS})))
    for dataset in datasets:
        found = teachers.get(dataset.strip().lower())
        if found is not None:
            evidence.append(f"dataset: {dataset} (outputs of {found.teacher}; {found.source})")
            teacher = teacher or found
    if not evidence:
        return NOT_DISTILLED
    if named_teacher is not None:
        # the name is the model's own statement: it wins over a dataset's teacher
        return Distillation(True, named_teacher, None, None, "; ".join(evidence))
    if teacher is not None:
        return Distillation(True, teacher.teacher, teacher.organization, teacher.country, "; ".join(evidence))
    return Distillation(True, None, None, None, "; ".join(evidence))

"""One Hub listing record → one typed row, or the reason it was quarantined.

Everything from the Hub is untrusted input: a record with a missing or implausible id, a
field of the wrong type, an unparsable date, a huge string, control characters or markup in a
field we store is not written to ``models``; it goes to ``quarantine`` with the reason, and the
run goes on.

Example::

    >>> row = hub_row({"id": "Qwen/Qwen3-8B", "cardData": {"license": "apache-2.0"}}, "top", NOW)
    >>> row[STAGING_COLUMNS.index("license_family")]
    'permissive'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache

from pipeline.transform.distillation import Teacher, distillation
from pipeline.transform.licenses import normalize_license
from pipeline.transform.lineage import declared_bases
from pipeline.transform.params import measured_params, params_from_name
from pipeline.transform.repo_ids import is_repo_id
from pipeline.transform.text import parse_timestamp, text_problem, texts_problem

# Columns of the staging table, in the order :func:`hub_row` returns them.
STAGING_COLUMNS: tuple[str, ...] = (
    "model_id", "author", "license", "license_family", "gated", "gated_mode",
    "params_measured", "params_measured_source", "params_undercounted", "params_name",
    "downloads_30d", "downloads_all_time", "likes", "trending_score",
    "pipeline_tag", "library", "tags", "created_at", "last_modified",
    "base_model", "base_models", "base_relation", "base_evidence", "card_datasets",
    "distilled", "teacher_hint", "teacher_hint_organization", "teacher_hint_country", "distill_evidence",
    "scope", "fetched_at",
)

_COUNT_FIELDS = (("downloads", "downloads_30d"), ("downloadsAllTime", "downloads_all_time"), ("likes", "likes"))
_SHORT_TEXT = 200      # pipeline tag, library, licence name
_TAG_TEXT = 300
_MAX_TAGS = 2000
_MAX_COUNT = 10**15


NO_TEACHERS: Mapping[str, Teacher] = {}


class Quarantined(str):
    """The reason a record was set aside (a ``str``, so it can be stored as is)."""


@lru_cache(maxsize=1 << 16)
def _label_problem(value: str) -> str | None:
    # Labels (task, library, author) come from small vocabularies: check each distinct one once.
    return text_problem(value, _SHORT_TEXT)


def _short_text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if type(value) is not str:
        raise _Bad(f"{key} is {type(value).__name__}, not text")
    if problem := _label_problem(value):
        raise _Bad(f"{key} {problem}")
    return value or None


class _Bad(Exception):
    pass


def _count(record: dict, key: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if type(value) is not int or not 0 <= value < _MAX_COUNT:  # bool is not a count
        raise _Bad(f"{key} is {value!r:.40}, not a count")
    return value


def _timestamp(record: dict, key: str) -> datetime | None:
    value = record.get(key)
    try:
        return parse_timestamp(value)
    except ValueError:
        raise _Bad(f"{key} {str(value)[:40]!r} is not a date") from None


def _object(record: dict, key: str) -> dict | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Bad(f"{key} is {type(value).__name__}, not an object")
    return value


def _tags(record: dict) -> list[str]:
    tags = record.get("tags")
    if tags is None:
        return []
    if not isinstance(tags, list):
        raise _Bad(f"tags is {type(tags).__name__}, not a list")
    if len(tags) > _MAX_TAGS:
        raise _Bad(f"tags has {len(tags)} entries")
    for tag in tags:
        if type(tag) is not str:
            raise _Bad(f"tags holds a {type(tag).__name__}")
    if problem := texts_problem(tags, _TAG_TEXT):
        raise _Bad(f"a tag {problem}")
    return tags


def _gated(value: object) -> tuple[bool | None, str | None]:
    if value is None:
        return None, None
    if value is False:
        return False, None
    if value is True:
        return True, "manual"
    if value in ("auto", "manual"):
        return True, value  # type: ignore[return-value]
    raise _Bad(f"gated is {value!r:.40}")


def _strings(value: object, key: str, limit: int = 50) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    texts = [v.strip()[:_SHORT_TEXT] for v in value[:limit] if isinstance(v, str) and v.strip()]
    if problem := texts_problem(texts, _SHORT_TEXT):  # the one markup rule of every stored text
        raise _Bad(f"{key} {problem}")
    return texts


def hub_row(record: object, scope: str, fetched_at: datetime,
            teachers: Mapping[str, Teacher] = NO_TEACHERS) -> tuple | Quarantined:
    """The staging row of one ``/api/models`` record, or a :class:`Quarantined` reason.

    ``teachers`` are the training datasets known to hold a teacher's outputs
    (:func:`pipeline.registry.teacher_datasets`), for the distillation rules.
    """
    if not isinstance(record, dict):
        return Quarantined(f"record is {type(record).__name__}, not an object")
    model_id = record.get("id", record.get("modelId"))
    if model_id is None:
        return Quarantined("missing id")
    if not isinstance(model_id, str):
        return Quarantined(f"id is {type(model_id).__name__}, not text")
    if not is_repo_id(model_id):
        problem = text_problem(model_id, 193) or "is not a Hub repo id"
        return Quarantined(f"id {problem}")
    try:
        author = _short_text(record, "author") or (model_id.split("/", 1)[0] if "/" in model_id else None)
        if author is not None and ("/" in author or not is_repo_id(author)):
            raise _Bad("author is not a Hub user or organisation name")
        tags = _tags(record)
        card = _object(record, "cardData") or {}
        safetensors = _object(record, "safetensors")
        gguf = _object(record, "gguf")
        base_models_field = _object(record, "baseModels")
        counts = [_count(record, key) for key, _ in _COUNT_FIELDS]
        trending = record.get("trendingScore")
        if trending is not None and (isinstance(trending, bool) or not isinstance(trending, int | float)):
            raise _Bad(f"trendingScore is {trending!r:.40}")
        gated, gated_mode = _gated(record.get("gated"))
        created_at = _timestamp(record, "createdAt")
        last_modified = _timestamp(record, "lastModified")
        pipeline_tag = _short_text(record, "pipeline_tag")
        library = _short_text(record, "library_name")
        license_name = card.get("license_name")
        if isinstance(license_name, str) and (problem := text_problem(license_name, _SHORT_TEXT)):
            raise _Bad(f"cardData.license_name {problem}")
        datasets = _strings(card.get("datasets"), "cardData.datasets")
    except _Bad as bad:
        return Quarantined(str(bad))

    license_id, family = normalize_license(card.get("license"), license_name, tags)
    params, params_source, undercounted = measured_params(safetensors, gguf)
    bases, relation, evidence = declared_bases(base_models_field, tags, card, model_id)
    distilled = distillation(model_id, tags, datasets, teachers, bases)
    return (
        model_id, author, license_id, family, gated, gated_mode,
        params, params_source, undercounted, params_from_name(model_id),
        counts[0], counts[1], counts[2], float(trending) if trending is not None else None,
        pipeline_tag, library, tags, created_at, last_modified,
        bases[0] if bases else None, bases, relation, evidence, datasets,
        distilled.distilled, distilled.teacher, distilled.teacher_organization, distilled.teacher_country,
        distilled.evidence,
        scope, fetched_at,
    )

"""One row of Epoch's ``all_ai_models.csv`` → one ``releases`` row, or the reason it was set aside.

Columns are read by name; stray whitespace and newlines inside cells are trimmed (Epoch has
model names like ``"Solar Open 100B\\n"``); countries become ISO codes; the accessibility value
is kept as Epoch wrote it, beside its group.

Example::

    >>> release_row(1, {"Model": "GLM-4.7", "Country (of organization)": "China",
    ...                 "Model accessibility": "Open weights (unrestricted)"})[4:5]
    ('CN',)
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.transform.accessibility import accessibility_group
from pipeline.transform.countries import country_codes
from pipeline.transform.hub_records import Quarantined
from pipeline.transform.text import (
    TextProblem,
    clean_cell,
    parse_date,
    parse_number,
    parse_timestamp,
    stored_text,
    text_problem,
)

RELEASE_COLUMNS: tuple[str, ...] = (
    "release_id", "model", "organization", "organizations", "country", "countries", "publication_date",
    "accessibility", "accessibility_group", "params", "training_compute_flop", "frontier", "notable",
    "hf_developer_id", "domain", "task", "organization_category", "base_model", "last_modified",
)

_NAME_LIMIT = 300
_TEXT_LIMIT = 1000
_TRUE = frozenset({"true", "yes", "1", "y"})


class _Bad(Exception):
    pass


def _number(raw: Mapping[str, str], column: str) -> float | None:
    try:
        value = parse_number(raw.get(column))
    except ValueError:
        raise _Bad(f"{column} {str(raw.get(column))[:40]!r} is not a number") from None
    if value is not None and value < 0:
        raise _Bad(f"{column} is negative")
    return value


def _text(raw: Mapping[str, str], column: str, limit: int = _TEXT_LIMIT) -> str | None:
    try:
        return stored_text(raw.get(column), limit, column)
    except TextProblem as problem:
        raise _Bad(str(problem)) from None


def release_row(number: int, raw: Mapping[str, str]) -> tuple | Quarantined:
    """The ``releases`` row of data row ``number`` (1-based), or a :class:`Quarantined` reason."""
    original = raw.get("Model")
    model = clean_cell(original, 10 * _NAME_LIMIT)
    if model is None:
        return Quarantined("no model name")
    if len(model) > _NAME_LIMIT:
        return Quarantined(f"model name longer than {_NAME_LIMIT} characters")
    if problem := text_problem(model, _NAME_LIMIT):
        return Quarantined(f"model name {problem}")
    try:
        codes, unknown = country_codes(raw.get("Country (of organization)"))
        if unknown:
            raise _Bad(f"unknown country {unknown[0][:60]!r}")
        try:
            published = parse_date(raw.get("Publication date"))
        except ValueError:
            raise _Bad(f"Publication date {str(raw.get('Publication date'))[:40]!r} is not a date") from None
        try:
            last_modified = parse_timestamp(clean_cell(raw.get("Last modified")))
        except ValueError:
            last_modified = None  # bookkeeping only: not worth losing the row for
        params = _number(raw, "Parameters")
        compute = _number(raw, "Training compute (FLOP)")
        hf_id = _text(raw, "Hugging Face developer id", 96)
        # one markup rule for every text field we store (pipeline/transform/text.py)
        accessibility = _text(raw, "Model accessibility", 100)
        organization = _text(raw, "Organization")
        domain, task = _text(raw, "Domain"), _text(raw, "Task")
        category, base = _text(raw, "Organization categorization"), _text(raw, "Base model", _NAME_LIMIT)
    except _Bad as bad:
        return Quarantined(str(bad))

    organizations = list(dict.fromkeys(o.strip() for o in (organization or "").split(",") if o.strip()))
    return (
        number, model, organization, organizations, codes[0] if codes else None, codes, published,
        accessibility, accessibility_group(accessibility), params, compute,
        (clean_cell(raw.get("Frontier model")) or "").lower() in _TRUE,
        clean_cell(raw.get("Notability criteria")) is not None,
        hf_id, domain, task, category, base, last_modified,
    )

"""Benchmark scores from Epoch's Benchmarking Hub and LMArena → one ``benchmark_scores`` row each.

Epoch's files change layout over time, so columns are found by *name*: the score column from a
list of known names (``eci``, ``ECI Score``, ``mean_score``, …), else the first mostly-numeric
column before ``Release date``; uncertainty from ``*_ci_low``/``*_ci_high``, ``CI_low``/``CI_high``,
``95% CI Low``/``High`` or a standard-error column (``stderr``, ``… Standard Error``, ``… SE``).

Model names differ between sources (``claude-opus-4-1-20250805_27K`` at Epoch,
``claude-opus-4-1-20250805`` at the Arena, ``Claude Opus 4.1`` in Epoch's models file);
:func:`release_key` reduces them to one key so they can be matched.

Example::

    >>> release_key("claude-opus-4-1-20250805_27K") == release_key("Claude Opus 4.1")
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

from pipeline.transform.accessibility import accessibility_from_license, accessibility_group
from pipeline.transform.countries import country_codes
from pipeline.transform.hub_records import Quarantined
from pipeline.transform.text import (
    TextProblem,
    clean_cell,
    parse_date,
    parse_number,
    stored_text,
    text_problem,
)

# Columns of the staging rows (facts as the source states them), in order.
FACT_COLUMNS: tuple[str, ...] = (
    "source", "benchmark", "model", "display_name", "organization", "country", "countries", "release_date",
    "score", "score_low", "score_high", "stderr", "metric", "accessibility", "accessibility_group",
    "license", "date_key", "release_key",
)

ECI_FILES = ("epoch_capabilities_index.csv", "eci_scores.csv")
SCORE_NAMES = ("eci", "ECI Score", "mean_score", "Score", "Accuracy", "EM", "% Resolved", "Average",
               "Arena Score", "Percent correct", "Overall accuracy")
NOT_SCORES = frozenset({"Training compute (FLOP)", "stderr", "Best score (across scorers)", "Shots", "Cost",
                        "Votes", "Total tasks"})
_BENCHMARK_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,80}$")
_DATE_IN_NAME = re.compile(r"(20\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])")
_SUFFIX = re.compile(
    r"(?:[-_](?:preview|latest|exp|experimental|thinking|reasoning|instruct|chat|it|hf|bf16|fp8|fp16|"
    r"high|medium|low|xhigh|minimal|none|nothink|\d+k|v\d+(?:\.\d+)?|\d{2}-\d{2}|\d{4}))+$")


@dataclass(frozen=True)
class ScoreColumns:
    """Which column of one file holds what (None: the file has no such column)."""

    model: str
    score: str
    date: str | None
    display: str | None = None
    organization: str | None = None
    country: str | None = None
    accessibility: str | None = None
    group: str | None = None
    low: str | None = None
    high: str | None = None
    stderr: str | None = None


def benchmark_of(member: str) -> tuple[str, str] | None:
    """``(source, benchmark)`` for a zip member, or None for files that hold no scores."""
    path = PurePosixPath(member)
    if path.suffix != ".csv" or "additional_eci_data" in path.parts or path.name.startswith("."):
        return None
    if path.name in ECI_FILES:
        return "eci", "eci"
    stem = path.stem.lower()
    if not _BENCHMARK_NAME.match(stem):
        return None  # a benchmark's name is shown and put in links: only plain names are taken
    if stem.endswith("_external"):
        return "external", stem.removesuffix("_external")
    return "epoch", stem


def _first(header: Sequence[str], *names: str) -> str | None:
    lowered = {h.lower(): h for h in header}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def _numeric_share(rows: Sequence[Mapping[str, str]], column: str) -> float:
    values = [r.get(column, "") for r in rows[:50] if (r.get(column) or "").strip()]
    if not values:
        return 0.0
    good = 0
    for v in values:
        try:
            good += parse_number(v) is not None
        except ValueError:
            pass
    return good / len(values)


def score_columns(header: Sequence[str], sample: Sequence[Mapping[str, str]]) -> ScoreColumns | None:
    """Find the columns of one benchmark file by name (None when it has no model or score column)."""
    model = _first(header, "Model version", "Model", "model")
    score = _first(header, *SCORE_NAMES)
    if score is None and model is not None:
        # the first mostly-numeric column between the model and the release date
        end = header.index("Release date") if "Release date" in header else len(header)
        for column in header[header.index(model) + 1:end]:
            if column not in NOT_SCORES and _numeric_share(sample, column) >= 0.8:
                score = column
                break
    if model is None or score is None:
        return None
    low = _first(header, f"{score}_ci_low", "eci_ci_low", "CI_low", "95% CI Low", "ci_low")
    high = _first(header, f"{score}_ci_high", "eci_ci_high", "CI_high", "95% CI High", "ci_high")
    stderr = _first(header, "stderr", f"{score} Standard Error", f"{score} SE", "Accuracy SE",
                    "Accuracy Standard Error", "Pass@1 Standard Error", "Average Standard error")
    return ScoreColumns(
        model=model, score=score, date=_first(header, "Release date", "date"),
        display=_first(header, "Display name", "Model name", "Name"),
        organization=_first(header, "Organization"),
        country=_first(header, "Country", "Country (of organization)"),
        accessibility=_first(header, "Model accessibility"), group=_first(header, "Accessibility group"),
        low=low, high=high, stderr=stderr)


def release_key(name: object) -> str | None:
    """A matching key for a model across sources: no case, no separators, no dates, no variant suffixes."""
    text = clean_cell(name, 300)
    if text is None:
        return None
    text = re.sub(r"\([^)]*\)", "", text)  # "GPT-5.4 (high)": the effort is not another model
    text = text.lower().strip().replace("_", "-").replace(" ", "-").replace(".", "-")
    text = _DATE_IN_NAME.sub("", text).rstrip("-")
    previous = None
    while previous != text:
        previous, text = text, _SUFFIX.sub("", text).rstrip("-")
    key = re.sub(r"[^a-z0-9]", "", text)
    return key or None


def date_in_name(name: str) -> date | None:
    """A full date written into a model key (``gpt-4o-2024-05-13``): the snapshot's release date."""
    match = _DATE_IN_NAME.search(name)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _number(raw: Mapping[str, str], column: str | None) -> float | None:
    if column is None:
        return None
    try:
        return parse_number(raw.get(column))
    except ValueError:
        return None  # an uncertainty we cannot read is treated as absent, not as a bad row


def score_row(source: str, benchmark: str, cols: ScoreColumns, raw: Mapping[str, str]) -> tuple | Quarantined | None:
    """The staging row of one file row; None for a row without a score."""
    try:
        score = parse_number(raw.get(cols.score))
    except ValueError:
        return Quarantined(f"{cols.score} {str(raw.get(cols.score))[:30]!r} is not a number")
    if score is None:
        return None  # Epoch lists models (and paper baselines) it has no score for yet
    model = clean_cell(raw.get(cols.model), 300)
    if model is None:
        return Quarantined("a score without a model version (cannot be attributed)")
    if problem := text_problem(model, 300):
        return Quarantined(f"model {problem}")
    try:
        released = parse_date(raw.get(cols.date)) if cols.date else None
    except ValueError:
        return Quarantined(f"release date {str(raw.get(cols.date))[:30]!r} is not a date")
    codes, unknown = country_codes(raw.get(cols.country)) if cols.country else ([], [])
    if unknown:
        return Quarantined(f"unknown country {unknown[0][:60]!r}")
    low, high, stderr = _number(raw, cols.low), _number(raw, cols.high), _number(raw, cols.stderr)
    if stderr is not None and low is None and high is None:
        low, high = score - stderr, score + stderr  # one standard error either side
    try:  # one markup rule for every text field we store (pipeline/transform/text.py)
        accessibility = stored_text(raw.get(cols.accessibility), 100, "accessibility") if cols.accessibility else None
        display = stored_text(raw.get(cols.display), 300, "display name") if cols.display else None
        organization = stored_text(raw.get(cols.organization), 500, "organization") if cols.organization else None
    except TextProblem as problem:
        return Quarantined(str(problem))
    group = accessibility_group(accessibility) or accessibility_group(raw.get(cols.group) if cols.group else None)
    return (source, benchmark, model, display or model, organization,
            codes[0] if codes else None, codes, released, score, low, high,
            stderr, cols.score, accessibility, group, None, date_in_name(model),
            release_key(display or model))


def arena_rows(leaderboard: object, catalog: object, category: str = "full") -> list[tuple | Quarantined]:
    """LMArena's text leaderboard (one category) joined with its catalog (organisation, licence).

    ``leaderboard`` is ``{category: {model_key: {rating, rating_q025, rating_q975}}}``; ``catalog``
    a list of ``{name, model_api_name, organization, license, …}``. "Proprietary" means closed.
    """
    if not isinstance(leaderboard, dict) or not isinstance(leaderboard.get(category), dict):
        raise ValueError(f"the Arena leaderboard has no {category!r} category")
    about = {}
    for entry in catalog if isinstance(catalog, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("model_api_name"), str):
            about[entry["model_api_name"]] = entry
    rows: list[tuple | Quarantined] = []
    for key, values in leaderboard[category].items():
        if not isinstance(key, str) or text_problem(key, 200):
            rows.append(Quarantined("model key is not usable text"))
            continue
        if not isinstance(values, dict) or not isinstance(values.get("rating"), int | float) \
                or isinstance(values.get("rating"), bool):
            rows.append(Quarantined(f"{key[:60]}: no numeric rating"))
            continue
        info = about.get(key, {})
        try:
            licence = stored_text(info.get("license"), 100, "licence")
            name = stored_text(info.get("name"), 300, "name") or key
            organization = stored_text(info.get("organization"), 200, "organization")
        except TextProblem as problem:
            rows.append(Quarantined(f"{key[:60]}: {problem}"))
            continue
        group = accessibility_from_license(licence)
        low, high = values.get("rating_q025"), values.get("rating_q975")
        rows.append(("arena", "arena_text", key, name, organization, None, [], None,
                     float(values["rating"]), float(low) if isinstance(low, int | float) else None,
                     float(high) if isinstance(high, int | float) else None, None, "rating",
                     None, group, licence, date_in_name(key), release_key(name) or release_key(key)))
    return rows

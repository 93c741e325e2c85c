"""The global filters: one specification, from which everything about them is derived.

Each entry of :data:`SPECS` owns, for one filter: its URL key (which is also the key of its
value in :class:`Filters`), its label and help, its ``export`` flags, the SQL condition it adds
to each table it applies to (values always bound as parameters), and the rule in words. From
this list come the link parsing and writing (:func:`parse_link`, :func:`to_link`), the sidebar
widgets (``dashboard/filters.py``), the file-name slugs, the command line's flags
(``pipeline/cli.py``), the "filters that do not apply on this page" caption (from the tables a
page's queries filter, see :func:`not_applying`) and the methodology page's table of filters.
Adding a global filter is one entry here, plus a column when its rule needs one.

Example::

    >>> condition(Filters(country=("CN",), license=("permissive",)), "releases")
    ('list_has_any(countries, ?::VARCHAR[])', [['CN']])
    >>> Filters(country=("CN", "US"), size=(7e9, None)).slug()
    'country-CN+US_min-7B'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pipeline.registry import KINDS
from pipeline.transform.countries import country_name
from pipeline.transform.licenses import LICENSE_FAMILIES

# The table a filter's SQL is written for → the columns it reads (for the methodology page).
TABLES = ("models", "releases", "model_snapshots", "benchmark_scores")
MODEL_KINDS = ("original", "derivative", "repackage")
MODEL_KIND_MEANING = {
    "original": "declares no base model, and is not a repackager's upload",
    "derivative": "declares a base model: a fine-tune, an adapter or a merge",
    "repackage": "a quantisation (declared relation `quantized`) or any upload of a repackager account",
}


@dataclass(frozen=True)
class ValuesFilter:
    """A filter keeping rows whose value is one of those chosen (a multiselect, a repeated URL key)."""

    key: str
    label: str
    noun: str                       # how a caption names it: "country China, United States"
    sql: Mapping[str, str]          # table → condition; ``{p}`` is the table alias prefix, each ``?`` the values
    rules: Mapping[str, str]        # table → the rule in words
    flag: str                       # the `export` flag (repeatable)
    metavar: str
    help: str = ""
    options: tuple[str, ...] | None = None   # fixed choices; None: the values present in the data
    upper: bool = False                       # values are codes compared in upper case
    cli_type: Callable[[str], str] = str      # checks one value given on the command line
    cli_help: str = ""

    empty = ()

    def clean(self, values: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip().upper() if self.upper else v.strip() for v in values if v.strip()))

    def conditions(self, value: tuple[str, ...], table: str, prefix: str) -> Iterator[tuple[str, list]]:
        template = self.sql[table]
        yield template.format(p=prefix), [list(value)] * template.count("?")

    def display(self, item: str) -> str:
        return f"{country_name(item)} ({item})" if self.key == "country" else item

    def describe(self, value: tuple[str, ...]) -> str:
        shown = ", ".join(country_name(v) for v in value) if self.key == "country" else ", ".join(value)
        return f"{self.noun} {shown}"

    def slug(self, value: tuple[str, ...]) -> str:
        return f"{self.key}-{'+'.join(value)}"

    def link(self, value: tuple[str, ...]) -> list[str]:
        return list(value)

    def from_link(self, values: list[str], choices: Sequence[str]) -> tuple[tuple[str, ...], str | None]:
        cleaned = self.clean(values)
        allowed = set(self.options if self.options is not None else choices)
        bad = [v for v in cleaned if v not in allowed]
        note = (f"unknown {self.key} value{'s' if len(bad) > 1 else ''} "
                + ", ".join(f"`{quoted(v)}`" for v in bad[:5])) if bad else None
        return tuple(v for v in cleaned if v in allowed), note

    def cli_values(self, value: tuple[str, ...]) -> list[str]:
        return [f"{self.flag} {v}" for v in value]


@dataclass(frozen=True)
class RangeFilter:
    """A filter keeping rows whose value lies in ``[low, high]`` (either end open: None)."""

    key: str
    label: str
    columns: Mapping[str, str]      # table → column compared
    rules: Mapping[str, str]
    flags: tuple[str, str]          # the `export` flags of the two ends
    metavar: str
    step_map: Callable[[], Mapping[str, Any]]  # the slider's steps in links and widgets: label → bound
    slugs: tuple[str, str]          # how a file name names each end: "min-7B", "from-2024-01-01"
    help: str = ""
    timestamps: frozenset[str] = frozenset()  # tables whose column is a timestamp compared with dates
    cli_type: Callable[[str], Any] = float    # reads one end given on the command line
    aliases: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # other flags for the two ends
    cli_help: tuple[str, str] = ("", "")

    empty = (None, None)

    @property
    def steps(self) -> Mapping[str, Any]:
        """The steps now (the years' grow with the calendar); the first and last are the open ends."""
        return self.step_map()

    def conditions(self, value: tuple[Any, Any], table: str, prefix: str) -> Iterator[tuple[str, list]]:
        column = f"{prefix}{self.columns[table]}"
        low, high = value
        # A timestamp column is compared with UTC instants, not cast to dates row by row: the cast
        # goes through the time-zone library and costs a scan of millions of rows many times over.
        stamp = table in self.timestamps
        if low is not None:
            yield f"{column} >= ?", [_utc(low) if stamp else low]
        if high is not None:
            yield (f"{column} < ?", [_utc(high + timedelta(days=1))]) if stamp else (f"{column} <= ?", [high])

    def label_of(self, bound: Any, lower: bool) -> str:
        """The step a bound stands at (the open ends for None)."""
        labels = list(self.steps)
        if bound is None:
            return labels[0] if lower else labels[-1]
        if isinstance(bound, date):
            return str(bound.year)
        return next((label for label, v in self.steps.items() if v == bound), _number(bound))

    def describe(self, value: tuple[Any, Any]) -> str:
        low, high = value
        if isinstance(low, date) or isinstance(high, date):
            return f"{self.key} {low.year if low else '…'}–{high.year if high else '…'}"
        return f"{self.key} {self.label_of(low, True)}–{self.label_of(high, False)}"

    def slug(self, value: tuple[Any, Any]) -> str:
        return "_".join(f"{name}-{bound.isoformat() if isinstance(bound, date) else _number(bound)}"
                        for name, bound in zip(self.slugs, value, strict=True) if bound is not None)

    def link(self, value: tuple[Any, Any]) -> list[str]:
        return [self.label_of(value[0], True), self.label_of(value[1], False)]

    def from_link(self, values: list[str], choices: Sequence[str]) -> tuple[tuple[Any, Any], str | None]:
        labels = list(self.steps)
        if len(values) != 2 or any(v not in self.steps for v in values) or labels.index(values[0]) > labels.index(
                values[1]):
            return self.empty, (f"malformed {self.key} range `{quoted('&'.join(values))}` (give two of "
                                f"{labels[0]}, {labels[1]}–{labels[-1]}, the smaller first)")
        return self.bounds(values[0], values[1]), None

    def bounds(self, first: str, last: str) -> tuple[Any, Any]:
        """The value of the steps ``first`` and ``last``: the slider's ends are open, and a year
        step stands for its whole year."""
        steps = self.steps
        labels = list(steps)
        low = None if first == labels[0] else steps[first]
        high = None if last == labels[-1] else steps[last]
        if isinstance(high, date):
            high = date(high.year, 12, 31)
        return low, high

    def cli_values(self, value: tuple[Any, Any]) -> list[str]:
        return [f"{flag} {bound.isoformat() if isinstance(bound, date) else f'{bound:g}'}"
                for flag, bound in zip(self.flags, value, strict=True) if bound is not None]


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _number(value: float) -> str:
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if value >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


def quoted(text: str) -> str:
    """A link's text as a note shows it, inside a code span (literal, never markup): short, and
    unable to close the span it sits in."""
    return text[:40].replace("`", "'")


FIRST_YEAR = 2015
EARLIER = "earlier"


def size_steps() -> dict[str, float | None]:
    return SIZE_STEPS


def year_steps(today: date | None = None) -> dict[str, date | None]:
    """``earlier``, 2016 … this year: the year slider's steps (its ends are open)."""
    this_year = (today or datetime.now(UTC).date()).year
    return {EARLIER: None, **{str(y): date(y, 1, 1) for y in range(FIRST_YEAR + 1, this_year + 1)}}


SIZE_STEPS: dict[str, float | None] = {
    "0": None, "100M": 1e8, "500M": 5e8, "1B": 1e9, "3B": 3e9, "7B": 7e9, "14B": 1.4e10, "32B": 3.2e10,
    "70B": 7e10, "150B": 1.5e11, "400B": 4e11, "1T": 1e12, "max": None,
}

def country_code(text: str) -> str:
    """A country as the command line takes it: an ISO 3166-1 alpha-2 code, any case."""
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"{text[:40]!r} is not an ISO 3166-1 alpha-2 code (e.g. US, CN, FR)")
    return code


def day(text: str) -> date:
    """A date as the command line takes it (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date (YYYY-MM-DD)") from None


def parameters(text: str) -> float:
    """A parameter count as the command line takes it (7e9, 70000000000)."""
    value = float(text)
    if not 0 <= value < float("inf"):
        raise ValueError(f"{text[:40]!r} is not a parameter count")
    return value


_UPLOADER_OR_ROOT = "(list_contains(?::VARCHAR[], {p}country) OR list_contains(?::VARCHAR[], {p}origin_country))"

# The global filters, in the sidebar's order.
SPECS: tuple[ValuesFilter | RangeFilter, ...] = (
    ValuesFilter(
        "country", "Country", "country",
        sql={"models": _UPLOADER_OR_ROOT, "model_snapshots": _UPLOADER_OR_ROOT,
             "releases": "list_has_any({p}countries, ?::VARCHAR[])",
             "benchmark_scores": "list_has_any({p}countries, ?::VARCHAR[])"},
        rules={"releases": "any of its organisations' countries (Epoch's rule)",
               "models": "its uploader's organisation's country or its root model's organisation's country",
               "benchmark_scores": "any of its organisations' countries"},
        flag="--country", metavar="CC", upper=True, cli_type=country_code,
        cli_help="ISO country code (US, CN, FR); repeat for several",
        help="Releases count for every country of their organisations; Hub models for their uploader's country "
             "and for their root model's country."),
    ValuesFilter(
        "license", "Licence family", "licence", sql={"models": "list_contains(?::VARCHAR[], {p}license_family)"},
        rules={"models": "the licence family of its declared licence"},
        flag="--license-family", metavar="F", options=LICENSE_FAMILIES, help="Hub models only.",
        cli_help=f"licence family ({', '.join(LICENSE_FAMILIES)}); repeat for several"),
    ValuesFilter(
        "org", "Organisation", "organisation",
        sql={"models": "(list_contains(?::VARCHAR[], {p}organization) "
                       "OR list_contains(?::VARCHAR[], {p}organization_group))",
             "releases": "(list_has_any({p}organizations, ?::VARCHAR[]) "
                         "OR list_has_any({p}organization_groups, ?::VARCHAR[]))"},
        rules={"releases": "any of its organisations, or their parent (Alphabet for Google DeepMind)",
               "models": "its attributed organisation (uploader), or its parent"},
        flag="--organization", metavar="NAME", cli_help="organisation, or parent organisation; repeat for several",
        help="An organisation, or a parent organisation (Alphabet, Meta, Alibaba, …), which keeps all of its own."),
    ValuesFilter(
        "task", "Task (pipeline tag)", "task", sql={"models": "list_contains(?::VARCHAR[], {p}pipeline_tag)"},
        rules={"models": "the Hub's `pipeline_tag`"}, flag="--task", metavar="TAG", help="Hub models only.",
        cli_help="Hub pipeline_tag; repeat for several"),
    ValuesFilter(
        "kind", "Model kind", "model kind", sql={"models": "list_contains(?::VARCHAR[], {p}model_kind)"},
        rules={"models": "original, derivative or repackage (see *Model kinds*)"},
        flag="--kind", metavar="K", options=MODEL_KINDS,
        cli_help=f"Hub model kind ({', '.join(MODEL_KINDS)}); repeat for several",
        help="Hub models only. **original**: declares no base model; **derivative**: a fine-tune, adapter or "
             "merge of a base; **repackage**: a quantisation, or any upload of a repackager account. Leave "
             "out repackages to count adoption as The ATOM Project does."),
    ValuesFilter(
        "uploader", "Uploader kind", "uploader kind",
        sql={"models": "list_contains(?::VARCHAR[], coalesce({p}author_kind, 'unknown'))"},
        rules={"models": "the kind of its uploader's account (the registry's), or unknown"},
        flag="--uploader-kind", metavar="K", options=(*KINDS, "unknown"),
        cli_help=f"Hub uploader kind ({', '.join((*KINDS, 'unknown'))}); repeat for several",
        help="Hub models only: who uploaded them (the organisation registry's kinds)."),
    RangeFilter(
        "size", "Parameters", columns={"models": "params", "releases": "params"},
        rules={"releases": "Epoch's parameter count, inclusive range",
               "models": "the parameter count (see *Parameter counts*), inclusive range"},
        flags=("--params-min", "--params-max"), metavar="N", step_map=size_steps, slugs=("min", "max"),
        cli_type=parameters, cli_help=("fewest parameters (e.g. 7e9)", "most parameters")),
    RangeFilter(
        "years", "Years", columns={"models": "created_at", "releases": "publication_date"},
        rules={"releases": "publication date", "models": "repository creation date (not a release date)"},
        flags=("--since", "--until"), metavar="DATE", step_map=year_steps, slugs=("from", "to"),
        timestamps=frozenset({"models"}), cli_type=day, aliases=(("--start",), ("--end",)),
        cli_help=("from this date (YYYY-MM-DD); the window start of the gap datasets",
                  "up to this date (YYYY-MM-DD); the window end of the gap datasets"),
        help="Publication year for releases, repository creation year for Hub models."),
)
BY_KEY: dict[str, ValuesFilter | RangeFilter] = {spec.key: spec for spec in SPECS}
GLOBAL_KEYS = tuple(BY_KEY)


@dataclass(frozen=True)
class Filters:
    """The active filters: each spec's key → its value (absent when it does not restrict).

    Values are tuples: the chosen values of a :class:`ValuesFilter`, ``(low, high)`` of a
    :class:`RangeFilter`. Immutable and hashable, so cached queries can key on it.

        >>> Filters(country=("cn",))["country"], Filters()["size"]
        (('CN',), (None, None))
    """

    values: tuple[tuple[str, tuple], ...] = field(default=())

    def __init__(self, **values: Iterable) -> None:
        kept = []
        for key, value in values.items():
            spec = BY_KEY.get(key)
            if spec is None:
                raise KeyError(f"no filter {key!r}; the filters are {', '.join(GLOBAL_KEYS)}")
            value = spec.clean(value) if isinstance(spec, ValuesFilter) else tuple(value)
            if value != spec.empty:
                kept.append((key, value))
        object.__setattr__(self, "values", tuple(sorted(kept)))

    def __getitem__(self, key: str) -> tuple:
        return dict(self.values).get(key, BY_KEY[key].empty)

    def active(self) -> dict[str, tuple]:
        """The filters that restrict, by key, in the specification's order."""
        have = dict(self.values)
        return {spec.key: have[spec.key] for spec in SPECS if spec.key in have}

    def replace(self, **values: Iterable) -> Filters:
        """These filters with some values changed (an empty value removes the filter)."""
        return Filters(**{**dict(self.values), **values})

    def only(self, tables: Iterable[str]) -> Filters:
        """These filters without those that apply to none of ``tables``."""
        tables = set(tables)
        return Filters(**{k: v for k, v in self.active().items() if tables & set(_tables_of(BY_KEY[k]))})

    def is_empty(self) -> bool:
        return not self.values

    def slug(self) -> str:
        """A file-name-safe summary of the active filters, e.g. ``country-CN+US_license-permissive``."""
        parts = [BY_KEY[k].slug(v) for k, v in self.active().items()]
        return re.sub(r"[^A-Za-z0-9+._-]+", "-", "_".join(parts)).strip("-")[:150]

    def describe(self, tables: Iterable[str] | None = None) -> str:
        """One line naming the active filters (that apply to ``tables``, when given), for captions."""
        chosen = self.only(tables) if tables is not None else self
        return "; ".join(BY_KEY[k].describe(v) for k, v in chosen.active().items()) or "none"

    def cli_args(self) -> list[str]:
        """The ``export`` flags that give the same filters."""
        return [arg for k, v in self.active().items() for arg in BY_KEY[k].cli_values(v)]

    def __repr__(self) -> str:
        return f"Filters({', '.join(f'{k}={v!r}' for k, v in self.values)})"


def _tables_of(spec: ValuesFilter | RangeFilter) -> tuple[str, ...]:
    return tuple(spec.sql if isinstance(spec, ValuesFilter) else spec.columns)


def applies(spec: ValuesFilter | RangeFilter, table: str) -> bool:
    return table in _tables_of(spec)


def condition(filters: Filters, table: str, alias: str = "") -> tuple[str, list]:
    """The condition (``true`` when nothing restricts) and its parameters for ``table``.

    Filters that do not apply to ``table`` are left out; see :func:`refused` to refuse them.
    """
    prefix = f"{alias}." if alias else ""
    clauses: list[str] = []
    params: list = []
    for key, value in filters.active().items():
        spec = BY_KEY[key]
        if applies(spec, table):
            for clause, bound in spec.conditions(value, table, prefix):
                clauses.append(clause)
                params += bound
    return " AND ".join(clauses) or "true", params


def refused(filters: Filters, table: str) -> list[str]:
    """Labels of the active filters that have no meaning for ``table`` (e.g. a licence for releases)."""
    return [BY_KEY[k].label for k in filters.active() if not applies(BY_KEY[k], table)]


def not_applying(tables: Iterable[str]) -> list[str]:
    """Labels of the filters that apply to none of ``tables``: the caption of a page reading them."""
    tables = set(tables)
    return [spec.label for spec in SPECS if not tables & set(_tables_of(spec))]


def parse_link(params: Mapping[str, list[str]], choices: Mapping[str, Sequence[str]]) -> tuple[Filters, list[str]]:
    """The filters a link asks for, and notes on the values in it that are ignored.

    ``choices`` holds the values a filter without fixed options may take (from the data).
    """
    values: dict[str, tuple] = {}
    notes: list[str] = []
    for spec in SPECS:
        if spec.key in params:
            value, note = spec.from_link([v for v in params[spec.key] if v], choices.get(spec.key, ()))
            values[spec.key] = value
            if note:
                notes.append(note)
    return Filters(**values), notes


def to_link(filters: Filters) -> dict[str, list[str]]:
    """The URL parameters of ``filters`` (no parameter for a filter that does not restrict)."""
    return {k: BY_KEY[k].link(v) for k, v in filters.active().items()}


def methodology_rows() -> list[dict[str, str]]:
    """The table of filters the methodology page shows: each rule, per kind of row."""
    return [{"filter": spec.label, "link key": spec.key,
             "command line": " / ".join(spec.flags) if isinstance(spec, RangeFilter) else spec.flag,
             "Epoch releases": spec.rules.get("releases", "does not apply"),
             "Hub models": spec.rules.get("models", "does not apply"),
             "benchmark scores": spec.rules.get("benchmark_scores", "does not apply")}
            for spec in SPECS]

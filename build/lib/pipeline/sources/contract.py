"""Source contracts: the columns (and their types) a source's file must have before anything is built.

Epoch reorders, adds and drops columns between releases, and a column the pipeline cannot do
without may be renamed: reading on would publish every release without, say, an accessibility
group. A contract names the required columns (with the other names a column is known by) and
what their values must look like; :func:`check_header` and :func:`check_values` stop the source
with one line naming the column, never quoting the file's contents.

Example::

    >>> contract = Contract("Epoch models file", (Column("Model"), Column("Publication date", "date")))
    >>> check_header(contract, ["Model", "Organization"])
    Traceback (most recent call last):
    ...
    pipeline.sources.contract.ContractError: Epoch models file lacks the required column 'Publication date' (renamed or removed? it has 2 columns)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pipeline.errors import SourceError
from pipeline.transform.accessibility import accessibility_group
from pipeline.transform.countries import country_codes
from pipeline.transform.text import clean_cell, parse_date, parse_number

# A typed column must hold values of its type in at least this share of its non-empty cells:
# enough to tolerate Epoch's odd typo, far from what a column holding something else gives.
MIN_TYPED_SHARE = 0.5


class ContractError(SourceError):
    """A source's file lacks a required column, or a column holds something else than it should."""


def _parses(parse: Callable[[object], object]) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        try:
            return parse(value) is not None
        except ValueError:
            return False
    return ok


KINDS: dict[str, tuple[str, Callable[[str], bool]]] = {  # kind → (what it holds, a test of one value)
    "text": ("text", lambda value: True),
    "date": ("dates", _parses(parse_date)),
    "number": ("numbers", _parses(parse_number)),
    "accessibility": ("accessibility values", lambda value: accessibility_group(value) is not None),
    "country": ("countries", lambda value: bool(country_codes(value)[0]) and not country_codes(value)[1]),
}


@dataclass(frozen=True)
class Column:
    """A required column: its name, the type of its values, and other names it is known by."""

    name: str
    kind: str = "text"
    aliases: tuple[str, ...] = ()

    def found_in(self, header: Sequence[str]) -> str | None:
        return next((n for n in (self.name, *self.aliases) if n in header), None)


@dataclass(frozen=True)
class Contract:
    """What one file of a source must hold."""

    label: str
    columns: tuple[Column, ...]


def check_header(contract: Contract, header: Sequence[str]) -> dict[str, str]:
    """The name each required column has in ``header``; :class:`ContractError` when one is missing."""
    found: dict[str, str] = {}
    for column in contract.columns:
        name = column.found_in(header)
        if name is None:
            raise ContractError(f"{contract.label} lacks the required column {column.name!r} (renamed or removed? "
                                f"it has {len(header)} column{'s' if len(header) != 1 else ''})")
        found[column.name] = name
    return found


def check_values(contract: Contract, rows: Iterable[Mapping[str, str]], found: Mapping[str, str]) -> None:
    """Each typed column must hold values of its type (see :data:`MIN_TYPED_SHARE`)."""
    typed = [c for c in contract.columns if c.kind != "text"]
    filled = dict.fromkeys((c.name for c in typed), 0)
    good = dict.fromkeys((c.name for c in typed), 0)
    for row in rows:
        for column in typed:
            value = clean_cell(row.get(found[column.name]))
            if value is not None:
                filled[column.name] += 1
                good[column.name] += KINDS[column.kind][1](value)
    for column in typed:
        if filled[column.name] and good[column.name] / filled[column.name] < MIN_TYPED_SHARE:
            raise ContractError(f"{contract.label}: column {column.name!r} holds {KINDS[column.kind][0]} in only "
                                f"{good[column.name]:,} of its {filled[column.name]:,} filled cells (has it "
                                "changed meaning?)")

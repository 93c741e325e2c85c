"""One colour and one label per category across every page: open vs closed, each country, each licence family.

Countries appear as ISO codes in query results, plus two buckets: ``OTHER`` (the countries
beyond the top ones a chart shows) and ``""`` (no country known). :func:`country_label` and
:func:`country_color` are the one place that names and colours them, so a country looks the
same on every page.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from landscape.queries import OTHER
from pipeline.registry import KINDS
from pipeline.transform.countries import country_name

ACCESS = {"open": "#1a9850", "closed": "#d73027", "unreleased": "#8073ac", "unknown": "#bdbdbd"}

# The countries that dominate the data get fixed, distinct colours; others a stable pick from
# a palette, so a country keeps its colour on every page and after every refresh.
COUNTRY = {
    "US": "#1f77b4", "CN": "#d62728", "FR": "#9467bd", "GB": "#17becf", "DE": "#7f7f7f",
    "CA": "#e377c2", "KR": "#ff7f0e", "JP": "#bcbd22", "IL": "#8c564b", "AE": "#2ca02c",
    "IN": "#f7b6d2", "RU": "#393b79", "CH": "#ad494a", "SG": "#637939", "HK": "#e7969c",
    "TW": "#7b4173",
}
UNATTRIBUTED_COLOR = "#c7c7c7"
OTHER_COLOR = "#8c8c8c"
_PALETTE = ["#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#dbdb8d", "#9edae5",
            "#6b6ecf", "#b5cf6b", "#e7ba52", "#d6616b", "#ce6dbd", "#5254a3", "#8ca252", "#bd9e39"]

LICENSE_FAMILY = {
    "permissive": "#1a9850", "copyleft": "#66bd63", "open-rail": "#a6d96a", "restricted": "#fdae61",
    "non-commercial": "#d73027", "other": "#969696", "none": "#d9d9d9",
}


# Regions of the adoption-share charts (landscape/queries/history.py REGIONS), coloured like their
# countries where there is one.
REGION_COLORS = {"China": COUNTRY["CN"], "United States": COUNTRY["US"], "Europe": COUNTRY["FR"],
                 "Rest of the world": OTHER_COLOR, "No country": UNATTRIBUTED_COLOR}


# Models with no country, by their uploader's kind (models.uploader_bucket / origin_bucket).
BUCKET_LABELS = {"individuals": "Individuals", "community": "Community", "repackagers": "Repackagers (no country)",
                 "": "Unknown"}
BUCKET_COLORS = {"individuals": "#e6c9a8", "community": "#b8d8be", "repackagers": "#cbc0de", "": UNATTRIBUTED_COLOR}


# Uploaders' kinds (pipeline/registry.py KINDS, ``unknown`` for a namespace not in the registry);
# the countryless kinds as their buckets above, so a community upload looks the same everywhere.
AUTHOR_KIND = {"lab": "#1f4e8c", "company": "#4e9ad6", "university": "#7b4173", "non-profit": "#2ca02c",
               "government": "#8c6d31", "individual": BUCKET_COLORS["individuals"],
               "community": BUCKET_COLORS["community"], "repackager": BUCKET_COLORS["repackagers"],
               "unknown": UNATTRIBUTED_COLOR}
assert set(AUTHOR_KIND) == {*KINDS, "unknown"}, "a kind without its colour"


def country_label(code: object) -> str:
    """How a country bucket is named on every page: the country, *Other countries*, *Individuals*,
    *Community*, *Repackagers (no country)* or *Unknown*."""
    if code == OTHER:
        return "Other countries"
    if not isinstance(code, str) or code in BUCKET_LABELS:
        return BUCKET_LABELS[code if isinstance(code, str) else ""]
    return country_name(code)


def country_color(code: object) -> str:
    """The colour of a country bucket: fixed for the main countries, a stable pick for the rest."""
    if code == OTHER:
        return OTHER_COLOR
    if not isinstance(code, str) or code in BUCKET_COLORS:
        return BUCKET_COLORS[code if isinstance(code, str) else ""]
    if code in COUNTRY:
        return COUNTRY[code]
    return _PALETTE[zlib.crc32(code.encode()) % len(_PALETTE)]


def country_color_map(codes: Iterable[object]) -> dict[str, str]:
    """A Plotly ``color_discrete_map`` keyed by the labels of ``codes``."""
    return {country_label(c): country_color(c) for c in dict.fromkeys(codes)}

"""One colour per category across every page: open vs closed, each country, each licence family."""

from __future__ import annotations

import zlib

ACCESS = {"open": "#1a9850", "closed": "#d73027", "unreleased": "#8073ac", "unknown": "#bdbdbd"}

# The countries that dominate the data get fixed, distinct colours; others a stable pick from
# a palette, so a country keeps its colour on every page and after every refresh.
COUNTRY = {
    "US": "#1f77b4", "CN": "#d62728", "FR": "#9467bd", "GB": "#17becf", "DE": "#7f7f7f",
    "CA": "#e377c2", "KR": "#ff7f0e", "JP": "#bcbd22", "IL": "#8c564b", "AE": "#2ca02c",
    "IN": "#f7b6d2", "RU": "#393b79", "CH": "#ad494a", "SG": "#637939", "HK": "#e7969c",
    "TW": "#7b4173", "": "#c7c7c7",
}
_PALETTE = ["#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#dbdb8d", "#9edae5",
            "#6b6ecf", "#b5cf6b", "#e7ba52", "#d6616b", "#ce6dbd", "#5254a3", "#8ca252", "#bd9e39"]

LICENSE_FAMILY = {
    "permissive": "#1a9850", "copyleft": "#66bd63", "open-rail": "#a6d96a", "restricted": "#fdae61",
    "non-commercial": "#d73027", "other": "#969696", "none": "#d9d9d9",
}


def country_color(code: str | None) -> str:
    code = code or ""
    if code in COUNTRY:
        return COUNTRY[code]
    return _PALETTE[zlib.crc32(code.encode()) % len(_PALETTE)]


def country_colors(codes) -> dict[str, str]:
    """A ``color_discrete_map`` for the given country codes (keys as given)."""
    return {c: country_color(c) for c in codes}

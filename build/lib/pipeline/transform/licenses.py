"""Licence normalisation: a Hub model's declared licence → (canonical id, licence family).

The canonical ids are the Hub's own licence vocabulary
(https://huggingface.co/docs/hub/repositories-licenses), extended with the custom community
licences that model cards declare as ``license: other`` plus a ``license_name``.

Example::

    >>> normalize_license("Apache 2.0")
    ('apache-2.0', 'permissive')
    >>> normalize_license("other", "LLAMA 3.1 COMMUNITY LICENSE")
    ('llama3.1', 'restricted')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

LICENSE_FAMILIES = ("permissive", "copyleft", "open-rail", "restricted", "non-commercial", "other", "none")

# Every canonical id we resolve to, with its family (the families are defined in the README). Hub ids first, then the custom
# community licences met as ``license_name``. Decisions the family rules leave open:
# - cc-by-nd-*: commercial use is allowed but derivatives are not, so it is "restricted";
# - c-uda and the bare "cc" do not say enough to classify, so they are "other";
# - ms-pl, ofl-1.1, lppl-1.3c and lgpl-lr carry share-alike conditions, so they are "copyleft".
KNOWN_LICENSES: dict[str, str] = {
    # permissive
    "apache-2.0": "permissive",
    "mit": "permissive",
    "afl-3.0": "permissive",
    "apple-ascl": "permissive",
    "artistic-2.0": "permissive",
    "bsl-1.0": "permissive",
    "bsd": "permissive",
    "bsd-2-clause": "permissive",
    "bsd-3-clause": "permissive",
    "bsd-3-clause-clear": "permissive",
    "cc0-1.0": "permissive",
    "cc-by-2.0": "permissive",
    "cc-by-2.5": "permissive",
    "cc-by-3.0": "permissive",
    "cc-by-4.0": "permissive",
    "cdla-permissive-1.0": "permissive",
    "cdla-permissive-2.0": "permissive",
    "ecl-2.0": "permissive",
    "etalab-2.0": "permissive",
    "isc": "permissive",
    "ncsa": "permissive",
    "odc-by": "permissive",
    "openmdw": "permissive",
    "openmdw-1.0": "permissive",
    "pddl": "permissive",
    "postgresql": "permissive",
    "unlicense": "permissive",
    "wtfpl": "permissive",
    "zlib": "permissive",
    # copyleft
    "agpl-3.0": "copyleft",
    "gpl": "copyleft",
    "gpl-2.0": "copyleft",
    "gpl-3.0": "copyleft",
    "lgpl": "copyleft",
    "lgpl-2.1": "copyleft",
    "lgpl-3.0": "copyleft",
    "lgpl-lr": "copyleft",
    "cc-by-sa-3.0": "copyleft",
    "cc-by-sa-4.0": "copyleft",
    "cdla-sharing-1.0": "copyleft",
    "epl-1.0": "copyleft",
    "epl-2.0": "copyleft",
    "eupl-1.1": "copyleft",
    "eupl-1.2": "copyleft",
    "gfdl": "copyleft",
    "lppl-1.3c": "copyleft",
    "mpl-2.0": "copyleft",
    "ms-pl": "copyleft",
    "odbl": "copyleft",
    "ofl-1.1": "copyleft",
    "osl-3.0": "copyleft",
    # open-rail: open weights with use-based restrictions
    "openrail": "open-rail",
    "openrail++": "open-rail",
    "bigscience-openrail-m": "open-rail",
    "bigscience-bloom-rail-1.0": "open-rail",
    "bigcode-openrail-m": "open-rail",
    "creativeml-openrail-m": "open-rail",
    # restricted: custom community licences that allow commercial use with conditions
    "llama2": "restricted",
    "llama3": "restricted",
    "llama3.1": "restricted",
    "llama3.2": "restricted",
    "llama3.3": "restricted",
    "llama4": "restricted",
    "gemma": "restricted",
    "tongyi-qianwen": "restricted",
    "deepseek": "restricted",
    "nvidia-open-model-license": "restricted",
    "tencent-hunyuan": "restricted",
    "modified-mit": "restricted",
    "yi-license": "restricted",
    "baichuan": "restricted",
    "glm-4": "restricted",
    "internlm": "restricted",
    "falcon-llm-license": "restricted",
    "tii-falcon-license": "restricted",
    "stabilityai-ai-community": "restricted",
    "jamba-open-model-license": "restricted",
    "health-ai-developer-foundations": "restricted",
    "cc-by-nd-2.0": "restricted",
    "cc-by-nd-3.0": "restricted",
    "cc-by-nd-4.0": "restricted",
    # non-commercial (including research-only)
    "cc-by-nc-2.0": "non-commercial",
    "cc-by-nc-3.0": "non-commercial",
    "cc-by-nc-4.0": "non-commercial",
    "cc-by-nc-nd-3.0": "non-commercial",
    "cc-by-nc-nd-4.0": "non-commercial",
    "cc-by-nc-sa-2.0": "non-commercial",
    "cc-by-nc-sa-3.0": "non-commercial",
    "cc-by-nc-sa-4.0": "non-commercial",
    "fair-noncommercial-research-license": "non-commercial",
    "apple-amlr": "non-commercial",
    "deepfloyd-if-license": "non-commercial",
    "qwen-research": "non-commercial",
    "exaone": "non-commercial",
    "mrl": "non-commercial",
    "mnpl": "non-commercial",
    "h-research": "non-commercial",
    "intel-research": "non-commercial",
    # declared, but too vague to classify
    "c-uda": "other",
    "cc": "other",
    "other": "other",
    "unknown": "other",
}

# Other spellings (already slugged) of the ids above, as written in model cards.
LICENSE_ALIASES: dict[str, str] = {
    "bsd-2": "bsd-2-clause",
    "bsd-3": "bsd-3-clause",
    "cc0": "cc0-1.0",
    "public-domain": "cc0-1.0",
    "qwen": "tongyi-qianwen",
    "tongyi-qianwen-research": "qwen-research",
    "hunyuan": "tencent-hunyuan",
    "mistral-research": "mrl",
    "mistral-ai-research": "mrl",
    "mistral-ai-non-production": "mnpl",
    "mistral-non-production": "mnpl",
    "yi": "yi-license",
    "glm4": "glm-4",
    "falcon-llm": "falcon-llm-license",
    "tii-falcon": "tii-falcon-license",
    "falcon": "falcon-llm-license",
    "nvidia-open-model": "nvidia-open-model-license",
    "kimi": "modified-mit",
    "stabilityai-community": "stabilityai-ai-community",
    "stability-ai-community": "stabilityai-ai-community",
    "jamba-open-model": "jamba-open-model-license",
    "fair-noncommercial-research": "fair-noncommercial-research-license",
    "deepfloyd-if": "deepfloyd-if-license",
    "hai-def": "health-ai-developer-foundations",
}

# Vendor names whose licence names come with many suffixes ("deepseek-v3-model-license",
# "exaone-ai-model-license-agreement-1.1"). Alternation order matters: longest first, so that
# "qwen-research" wins over "qwen"; the lookahead keeps "gemma" from matching "gemmaxyz".
_PREFIX_ALIASES: dict[str, str] = {
    "tongyi-qianwen-research": "qwen-research",
    "tongyi-qianwen": "tongyi-qianwen",
    "tencent-hunyuan": "tencent-hunyuan",
    "qwen-research": "qwen-research",
    "baichuan": "baichuan",
    "deepseek": "deepseek",
    "internlm": "internlm",
    "hunyuan": "tencent-hunyuan",
    "exaone": "exaone",
    "gemma": "gemma",
    "glm-4": "glm-4",
    "qwen": "tongyi-qianwen",
}
_PREFIX = re.compile("^(" + "|".join(re.escape(p) for p in _PREFIX_ALIASES) + r")(?=$|[-.\d])")

_LICENSE_TAG = "license:"

# Ids that say "look at license_name" rather than naming a licence.
_PLACEHOLDER_IDS = frozenset({"other", "unknown"})

_SLUG_BAD = re.compile(r"[^a-z0-9.+-]+")
_SLUG_DASHES = re.compile(r"-{2,}")
_MAX_SLUG = 64
_LLAMA = re.compile(r"^(?:meta-)?llama-?(\d)(?:[.-](\d)(?!\d))?(?:-|$)")
_CC = re.compile(r"^(?:creative-commons|cc)-?(?:attribution|by)((?:-(?:nc|sa|nd))*)(?:-v?(\d)(?:\.(\d))?)?$")
_APACHE = re.compile(r"^(?:the-)?apache(?:-software)?(?:-license)?(?:-v(?:ersion)?)?(?:-?2(?:\.0)?)?$")
_MIT = re.compile(r"^(?:the-)?mit(?:-license)?$")
_GPL = re.compile(r"^(?:gnu-)?([al]?)gpl-?v?(\d)(?:\.(\d))?(?:-only|-or-later|\+)?$")
# Tails that name the document rather than the licence: tried one by one, right to left.
_TAIL = re.compile(r"-(?:agreement|terms-of-use|terms|licen[cs]e|community|v?\d+(?:\.\d+)*)$")
_NON_COMMERCIAL = re.compile(r"non-?commercial|research-(?:use-)?only|(?:^|-)nc(?:-|$)")
# Family rules for ids outside the table (other versions of a known licence family).
_FAMILY_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^cc-by-nd(?:-|$)"), "restricted"),
    (re.compile(r"^cc-by-sa(?:-|$)"), "copyleft"),
    (re.compile(r"^cc-by(?:-\d|$)"), "permissive"),
    (re.compile(r"openrail|^bigscience-bloom-rail"), "open-rail"),
    (re.compile(r"^[al]?gpl(?:-|v|\d|\+|$)|^(?:epl|eupl|mpl|cdla-sharing)-"), "copyleft"),
    (re.compile(r"^(?:bsd|apache)(?:-|$)|^cdla-permissive-"), "permissive"),
)

_COMMERCIAL_USE: dict[str, bool | None] = {
    "permissive": True,
    "copyleft": True,
    "open-rail": True,
    # Allowed under the licence's conditions (user caps, acceptable-use policies); the dashboard
    # labels this "with conditions" rather than a plain yes.
    "restricted": True,
    "non-commercial": False,
    "other": None,
    "none": None,
}


def normalize_license(
    card_license: object, license_name: object = None, tags: Iterable[str] = ()
) -> tuple[str | None, str]:
    """Return ``(license_id, family)`` for a model's declared licence.

    ``card_license`` is ``cardData.license`` (a str, a list of str, or junk that counts as absent);
    when it gives nothing, the first ``license:<id>`` tag is used. ``license_name`` resolves
    ``other``/``unknown``. Nothing declared gives ``(None, "none")``.

        >>> normalize_license(["MIT", "apache-2.0"])
        ('mit', 'permissive')
        >>> normalize_license(None, None, ["region:us", "license:cc-by-nc-4.0"])
        ('cc-by-nc-4.0', 'non-commercial')
        >>> normalize_license("other")
        ('other', 'other')
        >>> normalize_license(None)
        (None, 'none')
    """
    declared = _first_text(card_license)
    if declared is None:
        declared = _license_tag(tags)
    if declared is None:
        return None, "none"
    return _resolve_declared(declared, _first_text(license_name))


def commercial_use_allowed(family: str) -> bool | None:
    """Whether a licence family allows commercial use; ``None`` when unknown.

    ``restricted`` counts as allowed, with conditions (the dashboard says so).
    Raises ``ValueError`` for a string that is not in :data:`LICENSE_FAMILIES`.

        >>> commercial_use_allowed("permissive"), commercial_use_allowed("non-commercial")
        (True, False)
        >>> commercial_use_allowed("other") is None
        True
    """
    try:
        return _COMMERCIAL_USE[family]
    except (KeyError, TypeError):
        raise ValueError(f"unknown licence family: {family!r}") from None


def _first_text(value: object) -> str | None:
    """The first non-blank string of a str or a list of them; anything else is absent."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, str) and item.strip():
                return item.strip()
    return None


def _license_tag(tags: object) -> str | None:
    # A lone string is not a list of tags: iterating it would read single characters.
    if tags is None or isinstance(tags, (str, bytes)) or not isinstance(tags, Iterable):
        return None
    for tag in tags:
        if isinstance(tag, str) and tag.startswith(_LICENSE_TAG):
            value = tag[len(_LICENSE_TAG) :].strip()
            if value:
                return value
    return None


@lru_cache(maxsize=16384)
def _resolve_declared(declared: str, name: str | None) -> tuple[str, str]:
    license_id, family = _resolve(declared)
    if name is not None and (license_id in _PLACEHOLDER_IDS or family == "other"):
        named_id, named_family = _resolve(name)
        # An unresolvable name still beats the bare placeholder, but not a real (if unknown) id.
        if license_id in _PLACEHOLDER_IDS or named_family != "other":
            return named_id, named_family
    return license_id, family


@lru_cache(maxsize=16384)
def _resolve(text: str) -> tuple[str, str]:
    """Resolve one licence id or name to ``(id, family)``; unresolvable → ``(slug, "other")``."""
    slug = _slug(text)
    if not slug:
        return "other", "other"
    canonical = _canonical(slug)
    if canonical is not None:
        return canonical, KNOWN_LICENSES[canonical]
    # Strip "-license", "-agreement", "-2.0", … one at a time: "tii-falcon-license-2.0". Stems are
    # only looked up, never parsed, so "cc-by-nc-2.5" cannot become "cc-by-nc" and then 4.0.
    stem = slug
    while True:
        shorter = _TAIL.sub("", stem)
        if shorter == stem or not shorter:
            break
        stem = shorter
        canonical = stem if stem in KNOWN_LICENSES else LICENSE_ALIASES.get(stem)
        if canonical is not None:
            return canonical, KNOWN_LICENSES[canonical]
    non_commercial = _NON_COMMERCIAL.search(slug) is not None
    if match := _PREFIX.match(slug):
        target = _PREFIX_ALIASES[match.group(1)]
        # A name that says "non-commercial" is not re-labelled as the vendor's commercial licence.
        if not non_commercial or KNOWN_LICENSES[target] == "non-commercial":
            return target, KNOWN_LICENSES[target]
    if non_commercial:
        return slug, "non-commercial"
    for pattern, family in _FAMILY_PATTERNS:
        if pattern.search(slug):
            return slug, family
    return slug, "other"


def _slug(text: str) -> str:
    # Spaces, underscores and anything else outside the id alphabet become a single "-".
    slug = _SLUG_DASHES.sub("-", _SLUG_BAD.sub("-", text.strip().lower()))
    return slug.strip("-.")[:_MAX_SLUG].rstrip("-.")


def _canonical(slug: str) -> str | None:
    """The canonical id for a slug that names a known licence, else None."""
    if slug in KNOWN_LICENSES:
        return slug
    alias = LICENSE_ALIASES.get(slug)
    if alias is not None:
        return alias
    if match := _LLAMA.match(slug):
        major, minor = match.groups()
        # "llama-3-8b" reads minor "8": fall back to the major version when x.y is not a licence.
        if minor is not None and f"llama{major}.{minor}" in KNOWN_LICENSES:
            return f"llama{major}.{minor}"
        return f"llama{major}" if f"llama{major}" in KNOWN_LICENSES else None
    if match := _CC.match(slug):
        modifiers, major, minor = match.groups()
        candidate = f"cc-by{modifiers}-{major or 4}.{minor or 0}"
        return candidate if candidate in KNOWN_LICENSES else None
    if _APACHE.match(slug):
        return "apache-2.0"
    if _MIT.match(slug):
        return "mit"
    if match := _GPL.match(slug):
        prefix, major, minor = match.groups()
        candidate = f"{prefix}gpl-{major}.{minor or (1 if prefix == 'l' and major == '2' else 0)}"
        return candidate if candidate in KNOWN_LICENSES else None
    return None

"""Countries: ISO 3166-1 alpha-2 codes, short display names, and Epoch's country cells.

Example::

    >>> country_codes("United States of America,China, United States of America")
    (['US', 'CN'], [])
    >>> country_name("KR")
    'South Korea'
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

# ISO 3166-1 alpha-2 → short English name for display. XK (Kosovo) is user-assigned but in
# common use.
COUNTRY_NAMES: dict[str, str] = {
    "AD": "Andorra",
    "AE": "United Arab Emirates",
    "AF": "Afghanistan",
    "AG": "Antigua and Barbuda",
    "AI": "Anguilla",
    "AL": "Albania",
    "AM": "Armenia",
    "AO": "Angola",
    "AQ": "Antarctica",
    "AR": "Argentina",
    "AS": "American Samoa",
    "AT": "Austria",
    "AU": "Australia",
    "AW": "Aruba",
    "AX": "Åland Islands",
    "AZ": "Azerbaijan",
    "BA": "Bosnia and Herzegovina",
    "BB": "Barbados",
    "BD": "Bangladesh",
    "BE": "Belgium",
    "BF": "Burkina Faso",
    "BG": "Bulgaria",
    "BH": "Bahrain",
    "BI": "Burundi",
    "BJ": "Benin",
    "BL": "Saint Barthélemy",
    "BM": "Bermuda",
    "BN": "Brunei",
    "BO": "Bolivia",
    "BQ": "Caribbean Netherlands",
    "BR": "Brazil",
    "BS": "Bahamas",
    "BT": "Bhutan",
    "BV": "Bouvet Island",
    "BW": "Botswana",
    "BY": "Belarus",
    "BZ": "Belize",
    "CA": "Canada",
    "CC": "Cocos (Keeling) Islands",
    "CD": "DR Congo",
    "CF": "Central African Republic",
    "CG": "Congo",
    "CH": "Switzerland",
    "CI": "Côte d'Ivoire",
    "CK": "Cook Islands",
    "CL": "Chile",
    "CM": "Cameroon",
    "CN": "China",
    "CO": "Colombia",
    "CR": "Costa Rica",
    "CU": "Cuba",
    "CV": "Cabo Verde",
    "CW": "Curaçao",
    "CX": "Christmas Island",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DJ": "Djibouti",
    "DK": "Denmark",
    "DM": "Dominica",
    "DO": "Dominican Republic",
    "DZ": "Algeria",
    "EC": "Ecuador",
    "EE": "Estonia",
    "EG": "Egypt",
    "EH": "Western Sahara",
    "ER": "Eritrea",
    "ES": "Spain",
    "ET": "Ethiopia",
    "FI": "Finland",
    "FJ": "Fiji",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "FO": "Faroe Islands",
    "FR": "France",
    "GA": "Gabon",
    "GB": "United Kingdom",
    "GD": "Grenada",
    "GE": "Georgia",
    "GF": "French Guiana",
    "GG": "Guernsey",
    "GH": "Ghana",
    "GI": "Gibraltar",
    "GL": "Greenland",
    "GM": "Gambia",
    "GN": "Guinea",
    "GP": "Guadeloupe",
    "GQ": "Equatorial Guinea",
    "GR": "Greece",
    "GS": "South Georgia and the South Sandwich Islands",
    "GT": "Guatemala",
    "GU": "Guam",
    "GW": "Guinea-Bissau",
    "GY": "Guyana",
    "HK": "Hong Kong",
    "HM": "Heard Island and McDonald Islands",
    "HN": "Honduras",
    "HR": "Croatia",
    "HT": "Haiti",
    "HU": "Hungary",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IL": "Israel",
    "IM": "Isle of Man",
    "IN": "India",
    "IO": "British Indian Ocean Territory",
    "IQ": "Iraq",
    "IR": "Iran",
    "IS": "Iceland",
    "IT": "Italy",
    "JE": "Jersey",
    "JM": "Jamaica",
    "JO": "Jordan",
    "JP": "Japan",
    "KE": "Kenya",
    "KG": "Kyrgyzstan",
    "KH": "Cambodia",
    "KI": "Kiribati",
    "KM": "Comoros",
    "KN": "Saint Kitts and Nevis",
    "KP": "North Korea",
    "KR": "South Korea",
    "KW": "Kuwait",
    "KY": "Cayman Islands",
    "KZ": "Kazakhstan",
    "LA": "Laos",
    "LB": "Lebanon",
    "LC": "Saint Lucia",
    "LI": "Liechtenstein",
    "LK": "Sri Lanka",
    "LR": "Liberia",
    "LS": "Lesotho",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "LY": "Libya",
    "MA": "Morocco",
    "MC": "Monaco",
    "MD": "Moldova",
    "ME": "Montenegro",
    "MF": "Saint Martin",
    "MG": "Madagascar",
    "MH": "Marshall Islands",
    "MK": "North Macedonia",
    "ML": "Mali",
    "MM": "Myanmar",
    "MN": "Mongolia",
    "MO": "Macao",
    "MP": "Northern Mariana Islands",
    "MQ": "Martinique",
    "MR": "Mauritania",
    "MS": "Montserrat",
    "MT": "Malta",
    "MU": "Mauritius",
    "MV": "Maldives",
    "MW": "Malawi",
    "MX": "Mexico",
    "MY": "Malaysia",
    "MZ": "Mozambique",
    "NA": "Namibia",
    "NC": "New Caledonia",
    "NE": "Niger",
    "NF": "Norfolk Island",
    "NG": "Nigeria",
    "NI": "Nicaragua",
    "NL": "Netherlands",
    "NO": "Norway",
    "NP": "Nepal",
    "NR": "Nauru",
    "NU": "Niue",
    "NZ": "New Zealand",
    "OM": "Oman",
    "PA": "Panama",
    "PE": "Peru",
    "PF": "French Polynesia",
    "PG": "Papua New Guinea",
    "PH": "Philippines",
    "PK": "Pakistan",
    "PL": "Poland",
    "PM": "Saint Pierre and Miquelon",
    "PN": "Pitcairn Islands",
    "PR": "Puerto Rico",
    "PS": "Palestine",
    "PT": "Portugal",
    "PW": "Palau",
    "PY": "Paraguay",
    "QA": "Qatar",
    "RE": "Réunion",
    "RO": "Romania",
    "RS": "Serbia",
    "RU": "Russia",
    "RW": "Rwanda",
    "SA": "Saudi Arabia",
    "SB": "Solomon Islands",
    "SC": "Seychelles",
    "SD": "Sudan",
    "SE": "Sweden",
    "SG": "Singapore",
    "SH": "Saint Helena",
    "SI": "Slovenia",
    "SJ": "Svalbard and Jan Mayen",
    "SK": "Slovakia",
    "SL": "Sierra Leone",
    "SM": "San Marino",
    "SN": "Senegal",
    "SO": "Somalia",
    "SR": "Suriname",
    "SS": "South Sudan",
    "ST": "São Tomé and Príncipe",
    "SV": "El Salvador",
    "SX": "Sint Maarten",
    "SY": "Syria",
    "SZ": "Eswatini",
    "TC": "Turks and Caicos Islands",
    "TD": "Chad",
    "TF": "French Southern Territories",
    "TG": "Togo",
    "TH": "Thailand",
    "TJ": "Tajikistan",
    "TK": "Tokelau",
    "TL": "Timor-Leste",
    "TM": "Turkmenistan",
    "TN": "Tunisia",
    "TO": "Tonga",
    "TR": "Türkiye",
    "TT": "Trinidad and Tobago",
    "TV": "Tuvalu",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "UA": "Ukraine",
    "UG": "Uganda",
    "UM": "U.S. Minor Outlying Islands",
    "US": "United States",
    "UY": "Uruguay",
    "UZ": "Uzbekistan",
    "VA": "Vatican City",
    "VC": "Saint Vincent and the Grenadines",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
    "VN": "Vietnam",
    "VU": "Vanuatu",
    "WF": "Wallis and Futuna",
    "WS": "Samoa",
    "XK": "Kosovo",
    "YE": "Yemen",
    "YT": "Mayotte",
    "ZA": "South Africa",
    "ZM": "Zambia",
    "ZW": "Zimbabwe",
}

# Other names for the same codes: Epoch's ISO-style long names, common short forms, old names.
# Display names and the codes themselves are accepted without being listed here.
COUNTRY_ALIASES: dict[str, str] = {
    "United States of America": "US",
    "USA": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Korea (Republic of)": "KR",
    "Korea, Republic of": "KR",
    "Republic of Korea": "KR",
    "Korea": "KR",
    "Korea (Democratic People's Republic of)": "KP",
    "Korea, Democratic People's Republic of": "KP",
    "Democratic People's Republic of Korea": "KP",
    "DPRK": "KP",
    "Iran (Islamic Republic of)": "IR",
    "Iran, Islamic Republic of": "IR",
    "Islamic Republic of Iran": "IR",
    "Russian Federation": "RU",
    "Viet Nam": "VN",
    "Turkey": "TR",
    "Turkiye": "TR",
    "Czech Republic": "CZ",
    "Hong Kong SAR": "HK",
    "Macau": "MO",
    "Macao SAR": "MO",
    "Taiwan, Province of China": "TW",
    "Taiwan (Province of China)": "TW",
    "Chinese Taipei": "TW",
    "People's Republic of China": "CN",
    "PRC": "CN",
    "Mainland China": "CN",
    "The Netherlands": "NL",
    "Netherlands (Kingdom of the)": "NL",
    "Holland": "NL",
    "UAE": "AE",
    "Bolivia (Plurinational State of)": "BO",
    "Venezuela (Bolivarian Republic of)": "VE",
    "Tanzania, United Republic of": "TZ",
    "United Republic of Tanzania": "TZ",
    "Moldova (Republic of)": "MD",
    "Moldova, Republic of": "MD",
    "Republic of Moldova": "MD",
    "Syrian Arab Republic": "SY",
    "Lao People's Democratic Republic": "LA",
    "Micronesia (Federated States of)": "FM",
    "Congo (Democratic Republic of the)": "CD",
    "Congo, The Democratic Republic of the": "CD",
    "Democratic Republic of the Congo": "CD",
    "DRC": "CD",
    "Republic of the Congo": "CG",
    "Brunei Darussalam": "BN",
    "Cape Verde": "CV",
    "Swaziland": "SZ",
    "Macedonia": "MK",
    "Republic of North Macedonia": "MK",
    "Burma": "MM",
    "Ivory Coast": "CI",
    "Palestine, State of": "PS",
    "State of Palestine": "PS",
    "Holy See": "VA",
    "Vatican": "VA",
    "East Timor": "TL",
    "Falkland Islands (Malvinas)": "FK",
    "Saint Martin (French part)": "MF",
    "Sint Maarten (Dutch part)": "SX",
    "Virgin Islands (British)": "VG",
    "Virgin Islands (U.S.)": "VI",
    "Bonaire, Sint Eustatius and Saba": "BQ",
    "The Bahamas": "BS",
    "The Gambia": "GM",
    "Slovak Republic": "SK",
}

# Values that are not a country and are not an error either: Epoch writes "Multinational" for
# organisations spread over several countries.
NON_COUNTRIES = frozenset({"multinational", "international", "global", "worldwide", "european union", "eu"})

_SEPARATORS = re.compile(r"[,;]")
_WHITESPACE = re.compile(r"\s+")
# For lookup keys: apostrophes and dots vanish ("U.S.A." → "usa", "People's" → "peoples"), any
# other run of punctuation or space is one space ("Korea (Republic of)" → "korea republic of").
_DROPPED = re.compile(r"['’.]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MAX_REPORTED = 100


def country_codes(value: object) -> tuple[list[str], list[str]]:
    """Parse an Epoch "Country (of organization)" cell into ``(ISO codes, unknown names)``.

    Codes are de-duplicated in order of first appearance; "Multinational" yields nothing and is
    not reported. Empty cells (None, NaN, blank) give ``([], [])``.

        >>> country_codes("United Kingdom of Great Britain and Northern Ireland,\\nKorea (Republic of)")
        (['GB', 'KR'], [])
        >>> country_codes("Multinational, Atlantis")
        ([], ['Atlantis'])
        >>> country_codes(float("nan"))
        ([], [])
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return [], []
    pieces = [_WHITESPACE.sub(" ", piece).strip() for piece in _SEPARATORS.split(str(value))]
    pieces = [piece for piece in pieces if piece]
    codes: list[str] = []
    unknown: list[str] = []
    i = 0
    while i < len(pieces):
        piece, step = pieces[i], 1
        code = _lookup(_key(piece))
        # ISO's inverted names hold a comma ("Korea, Republic of"): when the next piece is no
        # country by itself, try the two together.
        if i + 1 < len(pieces) and _lookup(_key(pieces[i + 1])) is None:
            joined = _lookup(_key(f"{piece} {pieces[i + 1]}"))
            if joined is not None:
                code, step = joined, 2
        if code is None:
            report = piece[:_MAX_REPORTED]
            if report not in unknown:
                unknown.append(report)
        elif code and code not in codes:
            codes.append(code)
        i += step
    return codes, unknown


def country_name(code: str | None) -> str:
    """Short English display name for an ISO code; ``""`` for None/empty, the code if unknown.

    >>> country_name("GB"), country_name("us"), country_name(None), country_name("ZZ")
    ('United Kingdom', 'United States', '', 'ZZ')
    """
    if not isinstance(code, str) or not code:
        return "" if not code else str(code)
    return COUNTRY_NAMES.get(code.strip().upper(), code)


def normalize_country_code(value: str) -> str | None:
    """ISO code for a code or a country name (as written in the curated registry), else None.

    >>> normalize_country_code("fr"), normalize_country_code("Republic of Korea")
    ('FR', 'KR')
    >>> normalize_country_code("Multinational") is None
    True
    """
    if not isinstance(value, str):
        return None
    return _lookup(_key(value)) or None


@lru_cache(maxsize=4096)
def _key(name: str) -> str:
    # Fold accents too, so "Türkiye", "Côte d'Ivoire" and "Curacao" find their entries.
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", _DROPPED.sub("", folded)).strip()


def _lookup(key: str) -> str | None:
    """ISO code for a lookup key; ``""`` for a known non-country; None when unknown."""
    return _LOOKUP.get(key)


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, name in COUNTRY_NAMES.items():
        lookup[_key(code)] = code
        lookup[_key(name)] = code
    for alias, code in COUNTRY_ALIASES.items():
        lookup[_key(alias)] = code
    for name in NON_COUNTRIES:
        lookup[_key(name)] = ""
    return lookup


_LOOKUP = _build_lookup()

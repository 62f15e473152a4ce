"""Typed access to the profile's reference data (spec/reference/).

Implements the reference data of spec/profile/09-standard-objects.md §9.3.3
(DISARM 1.6 techniques, tactics and counters) and of
spec/profile/11-vocabularies.md §11.2 and §11.3 (ISO 3166-1 country codes,
UN M.49 areas, ISO 639 codes and BCP 47 language tags). Each table is read
from spec/reference/ once per process.

Example::

    >>> from infoshare.reference import disarm_framework, is_country_code, is_language_tag
    >>> [t.shortname for t in disarm_framework().tactics_of("T0049.003")]
    ['maximise-exposure']
    >>> is_country_code("JP"), is_language_tag("zh-Hant")
    (True, True)
"""

from infoshare.reference._countries import (
    Country,
    M49Region,
    ReservedCountryCode,
    countries,
    country,
    country_code_problem,
    is_country_code,
    is_user_assigned_country_code,
    m49_region,
    reserved_country_code,
)
from infoshare.reference._disarm import (
    COUNTER_ID,
    DISARM_VERSION,
    TACTIC_ID,
    TECHNIQUE_ID,
    Counter,
    DisarmFramework,
    Tactic,
    Technique,
    disarm_framework,
)
from infoshare.reference._languages import (
    GRANDFATHERED,
    LanguageTag,
    is_iso639_code,
    is_language_tag,
    is_well_formed_language_tag,
    language_name,
    language_tag_problem,
    parse_language_tag,
    rfc5646_problem,
)

__all__ = [
    "COUNTER_ID",
    "DISARM_VERSION",
    "GRANDFATHERED",
    "TACTIC_ID",
    "TECHNIQUE_ID",
    "Counter",
    "Country",
    "DisarmFramework",
    "LanguageTag",
    "M49Region",
    "ReservedCountryCode",
    "Tactic",
    "Technique",
    "countries",
    "country",
    "country_code_problem",
    "disarm_framework",
    "is_country_code",
    "is_iso639_code",
    "is_language_tag",
    "is_user_assigned_country_code",
    "is_well_formed_language_tag",
    "language_name",
    "language_tag_problem",
    "m49_region",
    "parse_language_tag",
    "reserved_country_code",
    "rfc5646_problem",
]

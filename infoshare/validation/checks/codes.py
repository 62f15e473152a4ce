"""IS-411 and IS-412: country codes and language tags (spec/profile/11-vocabularies.md
§11.2, §11.3).

* IS-411: every country code is an assigned ISO 3166-1 alpha-2 code: the FIMI
  incident extension's ``target_countries`` and ``attribution.attributed_country``
  (upper case, §3.2, §3.3) and ``location.country`` (either case, as STIX 2.1
  allows, §9.2).
* IS-412: every language tag is a well-formed BCP 47 tag whose primary
  language subtag is an ISO 639 code: ``lang`` on any object and in
  ``granular_markings`` (a tag that is not RFC 5646 at all there is IS-119's
  finding), the FIMI incident extension's ``target_languages``
  (§3.2), a narrative's ``languages`` (§4.1), a media-content's ``language``
  (§6.1) and the keys of a language-content's ``contents`` (§9.5).

Values of the wrong JSON type are left to the schema checks (IS-102, IS-2xx).
The code tables and the tag parser live in :mod:`infoshare.reference`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from infoshare.profile import EXT_FIMI_INCIDENT, TYPE_MEDIA_CONTENT, TYPE_NARRATIVE
from infoshare.reference import country_code_problem, language_tag_problem, rfc5646_problem
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.privacy import property_extension
from infoshare.validation.checks.stix_languages import (
    has_stix_language_tags,
    stix_language_tags,
)

_FIMI: Final = ("extensions", EXT_FIMI_INCIDENT)
#: Where a code sits in the object; made into a JSON path only for a finding.
_Parts = tuple[str | int, ...]


def _strings(value: Any) -> Iterator[tuple[int, str]]:
    """The string members of a list, with their index (nothing if not a list)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield index, item


# --- IS-411 -------------------------------------------------------------------------------


def _country_codes(obj: StixDict) -> Iterator[tuple[_Parts, str, bool]]:
    """(path parts, code, upper case required) for every country code of ``obj``."""
    if obj["type"] == "location":
        code = obj.get("country")
        if isinstance(code, str):
            yield ("country",), code, False
        return
    fimi = property_extension(obj, EXT_FIMI_INCIDENT)
    if fimi is None:
        return
    for index, code in _strings(fimi.get("target_countries")):
        yield (*_FIMI, "target_countries", index), code, True
    attribution = fimi.get("attribution")
    if isinstance(attribution, dict):
        code = attribution.get("attributed_country")
        if isinstance(code, str):
            yield (*_FIMI, "attribution", "attributed_country"), code, True


@object_check("IS-411", types={"incident", "location"})
def country_codes(obj: StixDict, emit: Emit) -> None:
    for parts, code, upper_required in _country_codes(obj):
        problem = country_code_problem(
            code if upper_required or not code.isascii() else code.upper()
        )
        if problem is not None:
            emit(jpath(*parts), problem)


# --- IS-412 -------------------------------------------------------------------------------


def _language_tags(obj: StixDict) -> Iterator[tuple[_Parts, str]]:
    """(path parts, tag) for every language tag of ``obj`` that only the profile
    defines (the tags STIX 2.1 defines come from :func:`stix_language_tags`)."""
    kind = obj["type"]
    if kind == "incident":
        fimi = property_extension(obj, EXT_FIMI_INCIDENT)
        if fimi is not None:
            for index, tag in _strings(fimi.get("target_languages")):
                yield (*_FIMI, "target_languages", index), tag
    elif kind == TYPE_NARRATIVE:
        for index, tag in _strings(obj.get("languages")):
            yield ("languages", index), tag
    elif kind == TYPE_MEDIA_CONTENT:
        language = obj.get("language")
        if isinstance(language, str):
            yield ("language",), language


@object_check("IS-412")
def language_tags(obj: StixDict, emit: Emit) -> None:
    for parts, tag in stix_language_tags(obj) if has_stix_language_tags(obj) else ():
        # A tag that is not RFC 5646 at all is IS-119's finding; IS-412 adds what the
        # profile requires beyond RFC 5646 (an ISO 639 language, no private-use tag).
        if rfc5646_problem(tag) is None:
            problem = language_tag_problem(tag)
            if problem is not None:
                emit(jpath(*parts), problem)
    for parts, tag in _language_tags(obj):
        problem = language_tag_problem(tag)
        if problem is not None:
            emit(jpath(*parts), problem)

"""RFC 5646 language tags where STIX 2.1 requires them: check IS-119.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 3.2
(``lang``: "When present, it MUST be a language code conformant to
[RFC5646]"), section 7.2.3 (a granular marking's ``lang``) and section 7.1
(language-content: "The keys in the dictionary MUST be RFC 5646 language
codes"). The tag parser is :mod:`infoshare.reference`'s; the profile's stricter
rule for the same places and its own language properties is IS-412.
"""

from __future__ import annotations

from collections.abc import Iterator

from infoshare.reference import rfc5646_problem
from infoshare.validation._registry import Emit, StixDict, jpath, object_check

#: Where a tag sits in the object; made into a JSON path only for a finding.
Parts = tuple[str | int, ...]


def stix_language_tags(obj: StixDict) -> Iterator[tuple[Parts, str]]:
    """(path parts, tag) for every language tag STIX 2.1 defines on ``obj``."""
    lang = obj.get("lang")
    if isinstance(lang, str):
        yield ("lang",), lang
    markings = obj.get("granular_markings")
    if isinstance(markings, list):
        for index, marking in enumerate(markings):
            if isinstance(marking, dict) and isinstance(marking.get("lang"), str):
                yield ("granular_markings", index, "lang"), marking["lang"]
    if obj["type"] == "language-content":
        contents = obj.get("contents")
        if isinstance(contents, dict):
            for key in contents:
                yield ("contents", key), key


def has_stix_language_tags(obj: StixDict) -> bool:
    """Cheap test: could ``obj`` hold a tag :func:`stix_language_tags` yields?"""
    return "lang" in obj or "granular_markings" in obj or obj["type"] == "language-content"


@object_check("IS-119")
def check_language_tags(obj: StixDict, emit: Emit) -> None:
    if not has_stix_language_tags(obj):
        return
    for parts, tag in stix_language_tags(obj):
        problem = rfc5646_problem(tag)
        if problem is not None:
            emit(jpath(*parts), problem)

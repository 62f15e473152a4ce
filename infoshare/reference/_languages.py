"""BCP 47 language tags and ISO 639 language codes.

Implements the language rule of spec/profile/11-vocabularies.md §11.3: a
language tag is well-formed by the syntax of RFC 5646 §2.1
(``language[-extlang][-script][-region]*(-variant)*(-extension)[-privateuse]``,
plus the grandfathered tags of §2.2.8) and its primary language subtag is an
ISO 639 code (table spec/reference/iso639.json, read once per process).

Beyond syntax, :func:`language_tag_problem` applies the parts of RFC 5646
validity that the reference tables allow: the primary subtag is the code BCP
47 registers for the language (the ISO 639-1 code when there is one, never an
ISO 639-2/B code), a region is an assigned ISO 3166-1 code or a UN M.49 area
that BCP 47 accepts, and no variant or extension singleton is repeated.
Scripts and extlangs are checked for form only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from infoshare._spec_files import load_spec_json
from infoshare.errors import SpecDataError
from infoshare.reference._countries import country_code_problem, m49_region

_ISO639: Final = "reference/iso639.json"

_ALPHANUM_TAG: Final = re.compile(r"[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_ALPHA: Final = re.compile(r"[a-z]+")
_DIGITS: Final = re.compile(r"[0-9]+")
_VARIANT: Final = re.compile(r"[a-z0-9]{5,8}|[0-9][a-z0-9]{3}")

#: Grandfathered tags (RFC 5646 §2.2.8) and the preferred value the IANA
#: registry gives for each (None when it gives none). Lower case.
GRANDFATHERED: Final[Mapping[str, str | None]] = MappingProxyType(
    {
        # irregular: do not match the langtag syntax
        "en-gb-oed": "en-GB-oxendict",
        "i-ami": "ami",
        "i-bnn": "bnn",
        "i-default": None,
        "i-enochian": None,
        "i-hak": "hak",
        "i-klingon": "tlh",
        "i-lux": "lb",
        "i-mingo": None,
        "i-navajo": "nv",
        "i-pwn": "pwn",
        "i-tao": "tao",
        "i-tay": "tay",
        "i-tsu": "tsu",
        "sgn-be-fr": "sfb",
        "sgn-be-nl": "vgt",
        "sgn-ch-de": "sgg",
        # regular: match the syntax, but their subtags are not registered as such
        "art-lojban": "jbo",
        "cel-gaulish": None,
        "no-bok": "nb",
        "no-nyn": "nn",
        "zh-guoyu": "cmn",
        "zh-hakka": "hak",
        "zh-min": None,
        "zh-min-nan": "nan",
        "zh-xiang": "hsn",
    }
)
_IRREGULAR: Final = frozenset(
    tag
    for tag in GRANDFATHERED
    if tag.startswith("i-") or tag in {"en-gb-oed", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de"}
)


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """A well-formed BCP 47 tag split into its subtags (all in lower case).

    ``language`` is empty for a private-use tag (``x-…``) and for the
    irregular grandfathered tags that start with ``i-``.
    """

    tag: str
    language: str
    extlangs: tuple[str, ...] = ()
    script: str | None = None
    region: str | None = None
    variants: tuple[str, ...] = ()
    #: Each extension as one string, singleton first (``u-co-phonebk``).
    extensions: tuple[str, ...] = ()
    #: The private-use part, ``x`` first (``x-internal``).
    private_use: str | None = None
    grandfathered: bool = False


def parse_language_tag(tag: object) -> LanguageTag | None:
    """``tag`` split into subtags if it is a well-formed BCP 47 tag, else None.

    Checks the syntax of RFC 5646 §2.1 only (case-insensitively), never the
    registry. Never raises.
    """
    if not isinstance(tag, str) or not _ALPHANUM_TAG.fullmatch(tag):
        return None
    lower = tag.lower()
    if lower in _IRREGULAR:
        first = lower.split("-", 1)[0]
        return LanguageTag(tag, "" if first == "i" else first, grandfathered=True)
    subtags = lower.split("-")
    if subtags[0] == "x":
        # privateuse = "x" 1*("-" (1*8alphanum)): a bare "x" is not a tag.
        return LanguageTag(tag, "", private_use=lower) if len(subtags) > 1 else None
    return _parse_langtag(tag, subtags, grandfathered=lower in GRANDFATHERED)


def _parse_langtag(tag: str, subtags: list[str], *, grandfathered: bool) -> LanguageTag | None:
    language = subtags[0]
    if not _ALPHA.fullmatch(language) or len(language) < 2:
        return None
    pos = 1
    extlangs: list[str] = []
    if len(language) <= 3:
        while (
            pos < len(subtags)
            and len(extlangs) < 3
            and len(subtags[pos]) == 3
            and _ALPHA.fullmatch(subtags[pos])
        ):
            extlangs.append(subtags[pos])
            pos += 1
    script = region = None
    if pos < len(subtags) and len(subtags[pos]) == 4 and _ALPHA.fullmatch(subtags[pos]):
        script = subtags[pos]
        pos += 1
    if pos < len(subtags) and (
        (len(subtags[pos]) == 2 and _ALPHA.fullmatch(subtags[pos]))
        or (len(subtags[pos]) == 3 and _DIGITS.fullmatch(subtags[pos]))
    ):
        region = subtags[pos]
        pos += 1
    variants: list[str] = []
    while pos < len(subtags) and _VARIANT.fullmatch(subtags[pos]):
        variants.append(subtags[pos])
        pos += 1
    extensions: list[str] = []
    while pos < len(subtags) and len(subtags[pos]) == 1 and subtags[pos] != "x":
        end = pos + 1
        while end < len(subtags) and 2 <= len(subtags[end]) <= 8:
            end += 1
        if end == pos + 1:
            return None  # a singleton needs at least one subtag of 2-8 characters
        extensions.append("-".join(subtags[pos:end]))
        pos = end
    private_use = None
    if pos < len(subtags) and subtags[pos] == "x":
        if pos + 1 == len(subtags):
            return None
        private_use = "-".join(subtags[pos:])
        pos = len(subtags)
    if pos != len(subtags):
        return None
    return LanguageTag(
        tag,
        language,
        tuple(extlangs),
        script,
        region,
        tuple(variants),
        tuple(extensions),
        private_use,
        grandfathered,
    )


def is_well_formed_language_tag(tag: object) -> bool:
    """True if ``tag`` is a well-formed BCP 47 tag (syntax only)."""
    return parse_language_tag(tag) is not None


# --- ISO 639 ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Iso639:
    #: ISO 639-3 codes (superset of ISO 639-2/T) and ISO 639-5 collective codes -> name.
    alpha_3: Mapping[str, str]
    #: ISO 639-1 code -> its three-letter code.
    alpha_2: Mapping[str, str]
    #: three-letter code -> its ISO 639-1 code, when it has one.
    two_letter: Mapping[str, str]
    #: ISO 639-2/B code -> the terminology code.
    bibliographic: Mapping[str, str]
    local_use: tuple[str, str]


@functools.cache
def _iso639() -> _Iso639:
    data: Any = load_spec_json(_ISO639)
    try:
        alpha_3 = {**data["alpha_3"], **data["families"]}
        alpha_2 = dict(data["alpha_2"])
        low, high = data["local_use_range"]
        bibliographic = dict(data["bibliographic"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecDataError(f"spec file {_ISO639} malformed: {exc!r}") from exc
    return _Iso639(
        MappingProxyType(alpha_3),
        MappingProxyType(alpha_2),
        MappingProxyType({three: two for two, three in alpha_2.items()}),
        MappingProxyType(bibliographic),
        (low, high),
    )


def is_iso639_code(code: str) -> bool:
    """True if ``code`` (lower case) is an ISO 639-1, -2, -3 or -5 code, or in qaa-qtz."""
    table = _iso639()
    if len(code) == 2:
        return code in table.alpha_2
    if len(code) != 3:
        return False
    low, high = table.local_use
    return code in table.alpha_3 or code in table.bibliographic or low <= code <= high


def language_name(code: str) -> str | None:
    """The English name of an ISO 639 language code (lower case), or None."""
    table = _iso639()
    three = table.alpha_2.get(code, code)
    return table.alpha_3.get(table.bibliographic.get(three, three))


# --- validity for the profile -----------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def language_tag_problem(tag: str) -> str | None:
    """Why ``tag`` is not acceptable under §11.3, or None if it is.

    The reason says what is wrong and, when it can, which tag to write instead.
    """
    parsed = parse_language_tag(tag)
    if parsed is None:
        return _syntax_problem(tag)
    if parsed.grandfathered and not parsed.language:
        preferred = GRANDFATHERED[tag.lower()]
        instead = (
            f"use {preferred!r}" if preferred else "use a tag that starts with an ISO 639 code"
        )
        return f"{tag!r} is a grandfathered tag with no ISO 639 language subtag: {instead}"
    if not parsed.language:
        return (
            f"{tag!r} is a private-use tag and names no ISO 639 language: start with the "
            f"language, for example 'en-{parsed.private_use}'"
        )
    return (
        _primary_problem(tag, parsed.language)
        or _region_problem(tag, parsed.region)
        or _repetition_problem(tag, parsed)
    )


@functools.lru_cache(maxsize=4096)
def rfc5646_problem(tag: str) -> str | None:
    """Why ``tag`` is not an RFC 5646 language tag, or None if it is.

    The rule STIX 2.1 itself sets for ``lang`` and language-content keys: a
    well-formed tag whose subtags are valid as far as the reference tables tell
    (:func:`language_tag_problem`). Unlike the profile's §11.3 rule, private-use
    tags (``x-…``) and grandfathered tags are accepted: RFC 5646 allows them.
    """
    parsed = parse_language_tag(tag)
    if parsed is None:
        return _syntax_problem(tag)
    if not parsed.language:
        return None
    return language_tag_problem(tag)


def _syntax_problem(tag: str) -> str:
    hint = "write a tag such as 'en', 'pt-BR', 'zh-Hant' or 'es-419'"
    if "_" in tag and parse_language_tag(tag.replace("_", "-")) is not None:
        hint = f"separate subtags with hyphens: {tag.replace('_', '-')!r}"
    elif tag != tag.strip() and parse_language_tag(tag.strip()) is not None:
        hint = f"remove the surrounding spaces: {tag.strip()!r}"
    return f"{tag!r} is not a well-formed BCP 47 language tag (RFC 5646): {hint}"


def _primary_problem(tag: str, language: str) -> str | None:
    table = _iso639()
    if len(language) == 2:
        if language in table.alpha_2:
            return None
        return (
            f"the primary language subtag {language!r} of {tag!r} is not an ISO 639-1 code: "
            "use the language's ISO 639 code, for example 'en', 'ja' or 'fil'"
        )
    if len(language) == 3:
        bibliographic = table.bibliographic.get(language)
        if bibliographic is not None:
            better = table.two_letter.get(bibliographic, bibliographic)
            return (
                f"the primary language subtag {language!r} of {tag!r} is an ISO 639-2/B code, "
                f"which BCP 47 does not use: use {better!r}"
            )
        two = table.two_letter.get(language)
        if two is not None:
            return (
                f"the primary language subtag {language!r} of {tag!r} has an ISO 639-1 code, "
                f"which BCP 47 requires instead: use {two!r}"
            )
        if is_iso639_code(language):
            return None
    return (
        f"the primary language subtag {language!r} of {tag!r} is not an ISO 639 code: "
        "use the language's ISO 639 code, for example 'en', 'ja' or 'fil'"
    )


def _region_problem(tag: str, region: str | None) -> str | None:
    if region is None:
        return None
    if region.isdigit():
        if m49_region(region) is not None:
            return None
        return (
            f"the region subtag {region!r} of {tag!r} is not a UN M.49 area BCP 47 accepts: "
            "use the country's ISO 3166-1 alpha-2 code, or an area such as '419'"
        )
    problem = country_code_problem(region.upper())
    if problem is None:
        return None
    return f"the region subtag of {tag!r} is not valid: {problem}"


def _repetition_problem(tag: str, parsed: LanguageTag) -> str | None:
    if len(set(parsed.variants)) != len(parsed.variants):
        return f"{tag!r} repeats a variant subtag: give each variant once"
    singletons = [ext[0] for ext in parsed.extensions]
    if len(set(singletons)) != len(singletons):
        return f"{tag!r} repeats an extension singleton: merge the extensions"
    return None


def is_language_tag(tag: object) -> bool:
    """True if ``tag`` is acceptable under §11.3 (see :func:`language_tag_problem`)."""
    return isinstance(tag, str) and language_tag_problem(tag) is None

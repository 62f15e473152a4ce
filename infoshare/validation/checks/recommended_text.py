"""IS-155, IS-156 and IS-160: how text and references to outside sources SHOULD look.

* IS-155: an external reference with a ``url`` SHOULD carry ``hashes`` of
  the content at that url (STIX 2.1 §2.5), so a reader can tell whether the
  page changed since it was cited. A reference with an ``external_id`` names
  an entry of an outside catalogue (a DISARM technique, a CVE, an ATT&CK
  technique); its url only locates that living entry, whose content is
  expected to change, so it is not flagged.
* IS-156: an object whose type has translatable text (``name``,
  ``description`` …) SHOULD say its language in ``lang`` (§3.2). Without
  ``lang`` the text is English by the same section's default, so an English
  object without it is already read right, and flagging every such object
  would flag nearly all STIX data there is. The check reports the case a
  machine can tell for sure: text written in a script other than Latin
  (Cyrillic, Greek, Arabic, Hebrew, CJK …) with no ``lang``, where the
  default ``en`` is evidently wrong. Prose (``description``, ``content`` …)
  is judged; ``name`` only when the object has no prose, and ``aliases``
  never, since names are often kept in their own script. SCOs and meta objects, which have no
  ``lang``, are left alone, and so is an object whose granular markings give
  the language of its fields (§7.2.3).
* IS-160: ``kill_chain_name`` and ``phase_name`` SHOULD be lowercase with
  hyphens as word separators (§2.11); checked on the five STIX types that
  have kill chain phases.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Final

from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.core_types import META_TYPES, SCO_LIKE_TYPES, declared_kind

#: Properties of STIX 2.1 objects that hold prose in a human language.
PROSE_PROPERTIES: Final = (
    "description",
    "abstract",
    "content",
    "explanation",
    "objective",
    "goals",
    "contact_information",
)
#: A name is judged only when the object has no prose: names (and aliases)
#: are often given in their original script inside an English object.
NAME_PROPERTY: Final = "name"
_NO_LANG_TYPES: Final = SCO_LIKE_TYPES | META_TYPES


@object_check("IS-155")
def external_reference_hashes(obj: StixDict, emit: Emit) -> None:
    references = obj.get("external_references")
    if not isinstance(references, list):
        return
    for index, reference in enumerate(references):
        if not isinstance(reference, dict) or not isinstance(reference.get("url"), str):
            continue
        if reference.get("hashes") or "external_id" in reference:
            continue
        emit(
            jpath("external_references", index),
            "this external reference gives a url but no hashes of its content; add hashes"
            " (SHA-256 where you can) so readers can tell whether it changed (STIX 2.1 §2.5)",
        )


@lru_cache(maxsize=4096)
def _script(char: str) -> str | None:
    """The script of a letter (the first word of its Unicode name), or None."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else None


#: A character past ASCII and the Latin supplements (U+0000 to U+024F).
_BEYOND_LATIN: Final = re.compile("[^\u0000-\u024f]")


def non_latin_script(text: str) -> str | None:
    """The first script other than Latin that ``text`` writes a letter in, if any."""
    if text.isascii():
        return None
    for found in _BEYOND_LATIN.finditer(text):  # skips ASCII and the Latin supplements in C
        script = _script(found.group())
        if script is not None and script != "LATIN":
            return script.title()
    return None


def _foreign_text(obj: StixDict) -> tuple[str, str] | None:
    """(property, script) of the first text written in a non-Latin script."""
    has_prose = False
    for name in PROSE_PROPERTIES:
        value = obj.get(name)
        if value is not None:
            has_prose = True
            script = _script_of(value)
            if script is not None:
                return name, script
    if has_prose:
        return None
    script = _script_of(obj.get(NAME_PROPERTY))
    return None if script is None else (NAME_PROPERTY, script)


def _script_of(value: Any) -> str | None:
    if isinstance(value, str):
        return None if value.isascii() else non_latin_script(value)
    if isinstance(value, list):
        for text in value:
            if isinstance(text, str) and not text.isascii():
                script = non_latin_script(text)
                if script is not None:
                    return script
    return None


def _granular_lang(obj: StixDict) -> bool:
    markings = obj.get("granular_markings")
    return isinstance(markings, list) and any(isinstance(m, dict) and "lang" in m for m in markings)


@object_check("IS-156")
def language_of_text(obj: StixDict, emit: Emit) -> None:
    if "lang" in obj or obj["type"] in _NO_LANG_TYPES:
        return
    found = _foreign_text(obj)
    if found is None or _granular_lang(obj) or declared_kind(obj) == "new-sco":
        return
    name, script = found
    emit(
        jpath(name),
        f"{name} is written in {script} script but the object has no lang, so it reads as"
        " English (the default of STIX 2.1 §3.2): add lang with the RFC 5646 tag of its"
        " language",
    )


def _badly_formed(value: Any) -> bool:
    return isinstance(value, str) and (value != value.lower() or " " in value or "_" in value)


#: The STIX 2.1 types with kill_chain_phases (§4.1, §4.7, §4.8, §4.11, §4.18).
KILL_CHAIN_TYPES: Final = frozenset(
    {"attack-pattern", "indicator", "infrastructure", "malware", "tool"}
)


@object_check("IS-160", types=KILL_CHAIN_TYPES)
def kill_chain_phase_names(obj: StixDict, emit: Emit) -> None:
    phases = obj.get("kill_chain_phases")
    if not isinstance(phases, list):
        return
    for index, phase in enumerate(phases):
        if not isinstance(phase, dict):
            continue
        for name in ("kill_chain_name", "phase_name"):
            value = phase.get(name)
            if _badly_formed(value):
                better = "-".join(str(value).lower().replace("_", " ").split())
                emit(
                    jpath("kill_chain_phases", index, name),
                    f"{name} '{value}' should be lowercase with hyphens between words,"
                    f" e.g. '{better}' (STIX 2.1 §2.11)",
                )

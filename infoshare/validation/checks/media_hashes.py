"""Hashes of media items: checks IS-221 and IS-222.

Implements spec/profile/19-synthetic-media.md §19.3. A media item is found
again by its hashes: SHA-256 proves which bytes were captured, and the
perceptual hashes PDQ and pHash (images, video frames) and TMK+PDQF (videos)
match the same picture or video after it was re-encoded, cropped or
re-uploaded. The keys and their value forms are the vocabulary
spec/vocabularies/media-hash-algorithm-ov.json.

* IS-221 (profile preset): the keys of ``hashes`` come from STIX 2.1
  hash-algorithm-ov or from media-hash-algorithm-ov, spelled exactly. It
  replaces IS-154 in the profile preset; IS-154 still applies STIX 2.1's rule
  as it stands in the ``stix`` preset. STIX 2.1 admits other keys (§2.7: "SHOULD
  come from"), so this is a recommendation, and IS-126 (the key's form) is
  met by every name of the vocabulary: TMK+PDQF is keyed ``TMK-PDQF`` because
  ``+`` is not allowed in a hash key.
* IS-222: a perceptual hash has the form of its algorithm: PDQ 256 bits as
  64 hexadecimal digits, pHash 64 bits as 16 hexadecimal digits, TMK+PDQF
  the TMK feature-vector file (magic ``TMK1`` then ``FVEC``) in base64.
"""

from __future__ import annotations

import re
from typing import Any, Final

from infoshare._spec_files import load_spec_json
from infoshare.profile import TYPE_MEDIA_CONTENT
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.recommended_vocabularies import (
    HASH_ALGORITHMS,
    hash_dictionaries,
    report_unlisted_hash_names,
)

MEDIA_HASH_VOCABULARY: Final = "media-hash-algorithm-ov"
#: The profile's media hash names, as spelled in its vocabulary.
MEDIA_HASH_ALGORITHMS: Final[tuple[str, ...]] = tuple(
    term["value"] for term in load_spec_json(f"vocabularies/{MEDIA_HASH_VOCABULARY}.json")["terms"]
)
#: Every hash name the profile preset accepts without a warning.
PROFILE_HASH_ALGORITHMS: Final = frozenset(HASH_ALGORITHMS) | frozenset(MEDIA_HASH_ALGORITHMS)
#: The SCO types whose hashes are judged: STIX's hashing types and media-content.
HASHING_TYPES: Final = frozenset({"artifact", "file", "x509-certificate", TYPE_MEDIA_CONTENT})

#: base64 of the first ten characters' worth of ``TMK1FVEC``, the TMK file's magic.
_TMK_PREFIX: Final = "VE1LMUZWRU"
_BASE64: Final = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")
#: The form of each perceptual hash (spec/profile/19-synthetic-media.md §19.3).
PERCEPTUAL_HASH_FORMS: Final = {
    "PDQ": (re.compile(r"[0-9a-fA-F]{64}\Z"), "256 bits written as 64 hexadecimal digits"),
    "pHash": (re.compile(r"[0-9a-fA-F]{16}\Z"), "64 bits written as 16 hexadecimal digits"),
}


def perceptual_hash_problem(algorithm: str, value: Any) -> str | None:
    """Why ``value`` is not a hash of the form ``algorithm`` gives, or None (other keys pass)."""
    if not isinstance(value, str):
        return None  # the schema or IS-102 reports a value that is not a string
    shown = value if len(value) <= 40 else value[:37] + "..."
    if algorithm == "TMK-PDQF":
        if value.startswith(_TMK_PREFIX) and _BASE64.match(value):
            return None
        return (
            f"{shown!r} is not a TMK+PDQF hash: give the TMK feature-vector file (.tmk) in "
            f"base64, which begins with {_TMK_PREFIX}"
        )
    form = PERCEPTUAL_HASH_FORMS.get(algorithm)
    if form is None or form[0].match(value):
        return None
    return f"{shown!r} is not a {algorithm} hash: it must be {form[1]}"


@object_check("IS-221", types=HASHING_TYPES)
def media_hash_names(obj: StixDict, emit: Emit) -> None:
    report_unlisted_hash_names(
        obj,
        emit,
        PROFILE_HASH_ALGORITHMS,
        "hash-algorithm-ov or media-hash-algorithm-ov (§19.3)",
    )


@object_check("IS-222", types=HASHING_TYPES)
def perceptual_hash_values(obj: StixDict, emit: Emit) -> None:
    for where, hashes in hash_dictionaries(obj):
        if not isinstance(hashes, dict):
            continue
        for key, value in hashes.items():
            problem = perceptual_hash_problem(key, value)
            if problem is not None:
                emit(jpath(*where, key), problem)

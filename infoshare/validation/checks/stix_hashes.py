"""Hash keys and hash values: checks IS-126 and IS-127.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 2.7
(hashes: "Dictionary keys MUST be unique in each hashes property, MUST be in
ASCII, and are limited to the characters a-z (lowercase ASCII), A-Z (uppercase
ASCII), numerals 0-9, hyphen (-), and underscore (_). Dictionary keys MUST have
a minimum length of 3 ASCII characters and MUST be no longer than 250") and
section 2.5.1 (external reference ``hashes``: "Dictionary keys MUST come from
one of the entries listed in the hash-algorithm-ov open vocabulary").

Elsewhere (file, artifact, x509-certificate …) STIX 2.1 says the keys "MUST
come from the hash-algorithm-ov open vocabulary", and an open vocabulary
admits any value (section 2.14; section 2.7: the name "SHOULD come from" it),
so a custom algorithm name there is not an error. Only an external reference
names "the entries listed", which this check enforces.

IS-127 applies section 10.7: for each entry of hash-algorithm-ov, "The
corresponding hash string for this value MUST be a valid" digest of that
algorithm (MD5 32 hexadecimal digits, SHA-1 40, SHA-256 and SHA3-256 64,
SHA-512 and SHA3-512 128, SSDEEP blocksize:hash:hash, TLSH 35 bytes). Whether
the digest is the content's is beyond any validator.

External references are checked on every object; an SCO's ``hashes``, and
the ``hashes`` / ``*_hashes`` dictionaries inside the predefined extensions
(ntfs-ext, windows-pebinary-ext), where STIX 2.1 defines them.
"""

from __future__ import annotations

import re
from typing import Any, Final

from infoshare.validation._registry import Emit, StixDict, object_check
from infoshare.validation._schema import PathChain, render_path
from infoshare.validation.checks.core_types import PREDEFINED_EXTENSIONS, object_kind

#: The entries of hash-algorithm-ov (STIX 2.1 section 10.7).
HASH_ALGORITHMS: Final = (
    "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH",
)  # fmt: skip
_BY_FOLDED: Final = {re.sub(r"[-_]", "", name).upper(): name for name in HASH_ALGORITHMS}
_KEY: Final = re.compile(r"[A-Za-z0-9_-]{3,250}\Z")


def hash_key_problem(key: str, vocabulary_only: bool) -> str | None:
    """Why ``key`` may not key a hashes dictionary, or None."""
    if not _KEY.match(key):
        return (
            f"hash key {key[:60]!r} must be 3-250 ASCII characters of a-z, A-Z, 0-9,"
            " hyphen and underscore"
        )
    if vocabulary_only and key not in HASH_ALGORITHMS:
        known = _BY_FOLDED.get(re.sub(r"[-_]", "", key).upper())
        hint = f"write {known!r}" if known else f"use one of {', '.join(HASH_ALGORITHMS)}"
        return (
            f"hash key {key!r} of an external reference must be an entry of"
            f" hash-algorithm-ov (STIX 2.1 section 2.5.1): {hint}"
        )
    return None


_HEX: Final = "[0-9A-Fa-f]"
#: The form of the digest each entry of hash-algorithm-ov names (STIX 2.1 section 10.7).
HASH_VALUE_FORMS: Final = {
    "MD5": (re.compile(f"{_HEX}{{32}}\\Z"), "32 hexadecimal digits"),
    "SHA-1": (re.compile(f"{_HEX}{{40}}\\Z"), "40 hexadecimal digits"),
    "SHA-256": (re.compile(f"{_HEX}{{64}}\\Z"), "64 hexadecimal digits"),
    "SHA-512": (re.compile(f"{_HEX}{{128}}\\Z"), "128 hexadecimal digits"),
    "SHA3-256": (re.compile(f"{_HEX}{{64}}\\Z"), "64 hexadecimal digits"),
    "SHA3-512": (re.compile(f"{_HEX}{{128}}\\Z"), "128 hexadecimal digits"),
    "SSDEEP": (
        re.compile(r"[0-9]+:[A-Za-z0-9/+]+:[A-Za-z0-9/+]+\Z"),
        "blocksize:hash:hash, e.g. 3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C",
    ),
    "TLSH": (
        re.compile(f"(?:T1)?{_HEX}{{70}}\\Z"),
        "35 bytes as 70 hexadecimal digits, optionally after the version prefix T1",
    ),
}


def hash_value_problem(algorithm: str, value: Any) -> str | None:
    """Why ``value`` is not a digest of the form ``algorithm`` produces, or None.

    Only the entries of hash-algorithm-ov have a known form; other keys pass.
    """
    form = HASH_VALUE_FORMS.get(algorithm)
    if form is None or not isinstance(value, str) or form[0].match(value):
        return None
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"{shown!r} is not a valid {algorithm} digest: it must be {form[1]}"


def _check_hashes(hashes: dict[str, Any], chain: PathChain, vocabulary_only: bool,
                  emit: Emit) -> None:  # fmt: skip
    for key, value in hashes.items():
        if key in HASH_ALGORITHMS:
            problem = hash_value_problem(key, value)
            if problem is not None:
                emit(render_path((chain, key)), problem, "IS-127")
            continue  # a vocabulary key has the allowed form
        problem = hash_key_problem(key, vocabulary_only)
        if problem is not None:
            emit(render_path((chain, key)), problem)


def _nested_hashes(node: dict[str, Any], chain: PathChain, emit: Emit) -> None:
    """Check every ``hashes`` / ``*_hashes`` dictionary in ``node``, at any depth."""
    for key, value in node.items():
        if isinstance(value, dict):
            if key == "hashes" or key.endswith("_hashes"):
                _check_hashes(value, (chain, key), False, emit)
            else:
                _nested_hashes(value, (chain, key), emit)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    _nested_hashes(item, ((chain, key), index), emit)


@object_check("IS-126", also_emits=("IS-127",))
def check_hash_keys(obj: StixDict, emit: Emit) -> None:
    references = obj.get("external_references")
    if isinstance(references, list):
        for index, reference in enumerate(references):
            if isinstance(reference, dict):
                hashes = reference.get("hashes")
                if isinstance(hashes, dict):
                    chain: PathChain = (((None, "external_references"), index), "hashes")
                    _check_hashes(hashes, chain, True, emit)
    hashes = obj.get("hashes")
    if isinstance(hashes, dict) and object_kind(obj) == "sco":
        _check_hashes(hashes, (None, "hashes"), False, emit)
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        # The predefined file extensions (ntfs-ext, windows-pebinary-ext) nest further
        # hashes; only SCOs have them, so the walk is skipped for everything else.
        for key, value in extensions.items():
            if key in PREDEFINED_EXTENSIONS and isinstance(value, dict):
                _nested_hashes(value, ((None, "extensions"), key), emit)

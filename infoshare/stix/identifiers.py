"""STIX identifiers and type names: the one grammar infoshare accepts.

Implements STIX 2.1 Errata 01 §2.9 (identifier) and §3.1 (type names)
(https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html):

* an identifier is ``<object-type>--<UUID>``; the UUID MUST be an
  RFC 4122-compliant UUID: the variant bits are ``10`` and the version is
  1 to 8 (RFC 9562, which updates RFC 4122, adds versions 6 to 8);
* a type name is 3 to 250 characters of a-z, 0-9 and hyphen, with no hyphen
  at either end and never two in a row (so that ``--`` only ever separates
  the type from the UUID).

**Upper-case UUIDs are refused.** STIX 2.1 §2.9 requires an RFC 4122-compliant
UUID, and RFC 4122 §3 says the hexadecimal digits "are output as lower case
characters"; a STIX document is such output. STIX 2.1 §3.1 also requires
literals to be lower case. And identifiers are compared as strings
everywhere (references, versions, TAXII ``match[id]``), so
``indicator--ABC…`` and ``indicator--abc…`` would be two different objects
for every consumer. The models and the validator both apply this decision
through this module.

The second half of §2.9 is the SHOULD rule for UUID versions: SDOs, SROs,
meta objects and bundles use UUIDv4; an SCO uses UUIDv5 in the STIX namespace
over its "ID Contributing Properties" (STIX 2.1 §6, per object type),
serialised as RFC 8785 canonical JSON. :func:`expected_sco_id` computes that
id.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, Final

from infoshare.profile import TYPE_MEDIA_CONTENT

__all__ = [
    "ID_CONTRIBUTING_PROPERTIES",
    "STIX_NAMESPACE",
    "canonical_json",
    "expected_sco_id",
    "expected_sco_ids",
    "identifier_type",
    "identifier_uuid_version",
    "is_identifier",
    "is_type_name",
    "is_uuid4_identifier",
]

#: The UUIDv5 namespace of STIX 2.1 §2.9 for deterministic SCO ids.
STIX_NAMESPACE: Final = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

_TYPE = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
_IDENTIFIER: Final = re.compile(rf"({_TYPE})--{_UUID}")
_TYPE_NAME: Final = re.compile(_TYPE)

#: SCO type -> its ID Contributing Properties (STIX 2.1 §6.1 to §6.18; for
#: media-content, spec/profile/06-media-content.md). Process (§6.13) has
#: none: every process id is a UUIDv4.
ID_CONTRIBUTING_PROPERTIES: Final[dict[str, tuple[str, ...]]] = {
    "process": (),
    "artifact": ("hashes", "payload_bin"),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "email-message": ("from_ref", "subject", "body"),
    "file": ("hashes", "name", "extensions", "parent_directory_ref"),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "mutex": ("name",),
    "network-traffic": (
        "start",
        "end",
        "src_ref",
        "dst_ref",
        "src_port",
        "dst_port",
        "protocols",
        "extensions",
    ),
    "software": ("name", "cpe", "swid", "vendor", "version"),
    "url": ("value",),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
    TYPE_MEDIA_CONTENT: ("url",),
}

#: "If the hashes property is present, include only one hash", chosen in
#: this order of preference (STIX 2.1 §6.1, §6.7, §6.18).
_HASH_PREFERENCE: Final = ("MD5", "SHA-1", "SHA-256", "SHA-512")


def is_type_name(value: str) -> bool:
    """True for a STIX type name: 3-250 of a-z, 0-9 and single inner hyphens."""
    return 3 <= len(value) <= 250 and _TYPE_NAME.fullmatch(value) is not None


def identifier_type(value: str) -> str | None:
    """The type part of a well-formed identifier, or None when ``value`` is not one.

    ``identifier_type("identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11")`` is ``"identity"``.
    """
    match = _IDENTIFIER.fullmatch(value)
    if match is None or not 3 <= match.end(1) <= 250:
        return None
    return match[1]


def is_identifier(value: str) -> bool:
    """True for ``<type>--<UUID>`` with a valid type name and a lower-case RFC 4122 UUID."""
    match = _IDENTIFIER.fullmatch(value)
    return match is not None and 3 <= match.end(1) <= 250


def identifier_uuid_version(value: str) -> int | None:
    """The UUID version (1-8) of a well-formed identifier, or None when it is not one."""
    if not is_identifier(value):
        return None
    return int(value[-22], 16)  # the first digit of the third group


def is_uuid4_identifier(value: str) -> bool:
    """True when ``value`` is a well-formed identifier whose UUID is version 4."""
    return identifier_uuid_version(value) == 4


def expected_sco_ids(obj: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The ids STIX 2.1 §2.9 computes for this SCO, best first.

    Each id is ``<type>--<UUIDv5>`` in :data:`STIX_NAMESPACE` over the
    object's ID Contributing Properties that are present, as an RFC 8785
    canonical JSON object. ``hashes`` contributes one hash only: MD5, else
    SHA-1, else SHA-256, else SHA-512. When it holds none of these the spec
    leaves the choice open, so there is one acceptable id per hash listed.

    ``()`` means the object is of an SCO type but none of its ID Contributing
    Properties is present (process never has any): STIX then requires a
    UUIDv4. None means the rule sets no expectation: the type is not an SCO
    type of STIX or the profile, or a value cannot be serialised (not JSON, or
    a non-finite number); other checks report such values.
    """
    kind = obj.get("type")
    names = _SORTED_ID_PROPERTIES.get(kind) if isinstance(kind, str) else None
    if names is None:
        return None
    present = [name for name in names if name in obj]
    if not present:
        return ()
    try:
        hashes = obj.get("hashes") if "hashes" in present else None
        if not (isinstance(hashes, Mapping) and hashes):
            return (f"{kind}--{_uuid5(_canonical_members(obj, present))}",)
        preferred = next((h for h in _HASH_PREFERENCE if h in hashes), None)
        chosen = [preferred] if preferred is not None else list(hashes)
        return tuple(
            f"{kind}--{_uuid5(_canonical_members({**obj, 'hashes': {h: hashes[h]}}, present))}"
            for h in chosen
        )
    except ValueError:
        return None


#: ID Contributing Properties sorted as RFC 8785 sorts member names (they are
#: ASCII, so their text order is their UTF-16 order).
_SORTED_ID_PROPERTIES: Final = {
    kind: tuple(sorted(names)) for kind, names in ID_CONTRIBUTING_PROPERTIES.items()
}

#: A JSON string as ECMAScript's JSON.stringify writes it (short escapes, other control
#: characters as \\u00xx, everything else as itself): what json.dumps does with
#: ensure_ascii=False, called directly.
_json_string: Final[Callable[[str], str]] = encode_basestring

#: The namespace's 16 bytes, prefixed to every name hashed for a UUIDv5.
_NAMESPACE_BYTES: Final = STIX_NAMESPACE.bytes


def _uuid5(name: str) -> str:
    """``str(uuid.uuid5(STIX_NAMESPACE, name))`` (RFC 4122 §4.3), without building
    UUID objects: the validator computes one per SCO."""
    text = hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).hexdigest()
    # The version digit becomes 5; the variant digit keeps its two low bits under 10xx.
    return (
        f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{_VARIANT_DIGIT[text[16]]}{text[17:20]}"
        f"-{text[20:32]}"
    )


#: Hex digit -> the digit with the RFC 4122 variant bits (10xx) set.
_VARIANT_DIGIT: Final = {f"{d:x}": f"{(d & 0x3) | 0x8:x}" for d in range(16)}


def _canonical_members(obj: Mapping[str, Any], names: list[str]) -> str:
    """:func:`canonical_json` of the members ``names`` of ``obj``, which are ASCII
    property names already in sorted order (their UTF-16 order)."""
    parts = []
    for name in names:
        value = obj[name]
        # Strings are the usual case: ASCII ones need no check for lone surrogates.
        text = _json_string(value) if type(value) is str and value.isascii() else None
        parts.append(f'"{name}":{text if text is not None else canonical_json(value)}')
    return "{" + ",".join(parts) + "}"


def expected_sco_id(obj: Mapping[str, Any]) -> str | None:
    """The id STIX 2.1 §2.9 says an SCO should have, or None when it names none.

    The first of :func:`expected_sco_ids` (with several hashes and none of the
    preferred ones, the first one listed); None also when the object has no ID
    Contributing Properties, as its id is then a UUIDv4.
    """
    ids = expected_sco_ids(obj)
    return ids[0] if ids else None


def canonical_json(value: Any) -> str:
    """``value`` serialised per RFC 8785 (JSON Canonicalization Scheme).

    Object members are sorted by the UTF-16 code units of their names,
    there is no whitespace, strings are escaped minimally and numbers are
    written as ECMAScript writes them (``1.0`` becomes ``1``, ``1e21``
    becomes ``1e+21``). Raises :class:`ValueError` for what JSON cannot
    hold: NaN, infinities, integers beyond a double, lone surrogates,
    non-string keys and non-JSON values.
    """
    if value is None or value is True or value is False:
        return json.dumps(value)
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("a string with a lone surrogate is not valid Unicode") from None
        return _json_string(value)
    if isinstance(value, int):
        if abs(value) < 2**53:  # exact as a double: ECMAScript prints the digits
            return str(value)
        try:
            return _es_number(float(value))
        except OverflowError:
            raise ValueError("an integer too large for a JSON number") from None
    if isinstance(value, float):
        return _es_number(value)
    if isinstance(value, Mapping):
        members = []
        for key in sorted(value, key=_utf16_key):
            members.append(f"{canonical_json(key)}:{canonical_json(value[key])}")
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    raise ValueError(f"{type(value).__name__} is not a JSON value")


def _utf16_key(key: Any) -> bytes:
    if not isinstance(key, str):
        raise ValueError(f"JSON object keys are strings, not {type(key).__name__}")
    return key.encode("utf-16-be", "surrogatepass")


def _es_number(number: float) -> str:
    """ECMAScript's Number.prototype.toString for a finite double (RFC 8785 §3.2.2.3)."""
    if not math.isfinite(number):
        raise ValueError(f"{number} is not a JSON number")
    if number == 0:
        return "0"
    sign, digit_tuple, exponent = Decimal(repr(number)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    # The value is 0.<digits> x 10**point.
    point = exponent + len(digit_tuple)
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1)}"
    return ("-" if sign else "") + text

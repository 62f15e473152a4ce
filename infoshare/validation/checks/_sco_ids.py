"""Deterministic SCO identifiers: STIX 2.1 sections 2.9 and 3.4.

An SCO id SHOULD be ``<type>--<UUIDv5>``, the UUIDv5 taken in the STIX
namespace over the object's "ID Contributing Properties" (listed in each SCO
section of STIX 2.1 section 6), written as a JSON object and serialised as
RFC 8785 canonical JSON (JCS). Of a ``hashes`` property only one hash counts,
chosen in the order MD5, SHA-1, SHA-256, SHA-512.

This module only computes; the check that uses it is IS-152
(infoshare.validation.checks.recommended_ids). It holds no state, so nothing
grows with the input.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from typing import Any, Final

#: The UUIDv5 namespace STIX 2.1 section 2.9 fixes for SCO ids.
STIX_NAMESPACE: Final = "00abedb4-aa42-466c-9c01-fed23315a9b7"
_NAMESPACE_BYTES: Final = bytes.fromhex(STIX_NAMESPACE.replace("-", ""))

#: SCO type -> its ID Contributing Properties (STIX 2.1 sections 6.1 to 6.18).
#: ``process`` has none: all its properties are optional, so its id is a UUIDv4 (§6.13).
ID_CONTRIBUTING_PROPERTIES: Final[dict[str, tuple[str, ...]]] = {
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
    "process": (),
    "software": ("name", "cpe", "swid", "vendor", "version"),
    "url": ("value",),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
}

#: The hash the id is computed from, in the order of preference of STIX 2.1 §6.
PREFERRED_HASHES: Final = ("MD5", "SHA-1", "SHA-256", "SHA-512")


class NotCanonical(ValueError):
    """The value cannot be written as RFC 8785 canonical JSON (e.g. NaN or a lone surrogate)."""


def expected_sco_ids(obj: dict[str, Any]) -> tuple[str, ...] | None:
    """The ids STIX 2.1 §2.9 computes for this SCO, best first.

    Returns ``()`` when the object has none of its ID Contributing Properties
    (its id is then a UUIDv4), and None when the type is not one of STIX's SCO
    types or the properties cannot be canonicalised. More than one id is
    returned only when ``hashes`` holds none of the preferred algorithms: the
    spec then leaves the choice of hash open, so each one is acceptable.
    """
    kind = obj.get("type")
    names = ID_CONTRIBUTING_PROPERTIES.get(kind) if isinstance(kind, str) else None
    if names is None:
        return None
    present = {name: obj[name] for name in names if name in obj}
    if not present:
        return ()
    try:
        return tuple(
            f"{kind}--{uuid5(canonical_json(choice))}" for choice in _hash_choices(present)
        )
    except NotCanonical:
        return None


def uuid5(name: str) -> str:
    """RFC 4122 §4.3: the name-based (SHA-1) UUID of ``name`` in the STIX namespace.

    Written out here rather than with the uuid module, which costs start-up
    time and builds an object per call: this runs once per SCO.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _hash_choices(present: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``present`` with ``hashes`` cut down to the one hash that contributes."""
    hashes = present.get("hashes")
    if not isinstance(hashes, dict) or not hashes:
        yield present
        return
    for name in PREFERRED_HASHES:
        if name in hashes:
            yield {**present, "hashes": {name: hashes[name]}}
            return
    for name, value in hashes.items():
        yield {**present, "hashes": {name: value}}


# --- RFC 8785 (JSON Canonicalization Scheme) -------------------------------------------


def canonical_json(value: Any) -> str:
    """``value`` serialised as RFC 8785 canonical JSON.

    Object members are sorted by the UTF-16 code units of their names,
    strings are escaped as ECMAScript's JSON.stringify does, and numbers are
    written in ECMAScript's shortest form (``1.0`` is ``1``, ``1e21`` is ``1e+21``).
    """
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int | float):
        out.append(_number(value))
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for index, key in enumerate(sorted(value, key=_utf16_key)):
            if index:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    else:
        raise NotCanonical(f"{type(value).__name__} is not a JSON value")


def _utf16_key(name: Any) -> bytes:
    if not isinstance(name, str):
        raise NotCanonical("object member names must be strings")
    return name.encode("utf-16-be", "surrogatepass")


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _string(text: str) -> str:
    """A JSON string as ECMAScript writes it: the json module's escaping with
    ``ensure_ascii=False`` is the same (short escapes for quote, backslash,
    backspace, form feed, newline, return and tab; ``\\u00xx`` for other
    control characters; everything else as itself)."""
    if not text.isascii() and _SURROGATE.search(text):
        raise NotCanonical("a lone UTF-16 surrogate has no UTF-8 form")
    return json.dumps(text, ensure_ascii=False)


def _number(number: int | float) -> str:
    """ECMAScript's Number::toString, which RFC 8785 §3.2.2.3 prescribes."""
    if isinstance(number, int):
        if abs(number) < 2**53:
            return str(number)
        try:
            number = float(number)  # JCS numbers are IEEE 754 doubles
        except OverflowError:
            raise NotCanonical("an integer too large for a JSON number") from None
    if not math.isfinite(number):
        raise NotCanonical("NaN and infinities are not JSON numbers")
    if number == 0:
        return "0"
    from decimal import Decimal  # lazily: floats among ID properties are rare

    sign = "-" if number < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(number))).as_tuple()[1:]
    digits = "".join(map(str, digits_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    # value = 0.d1d2...dk x 10**point
    point = exponent + len(digits_tuple)
    size = len(digits)
    if size <= point <= 21:
        body = digits + "0" * (point - size)
    elif 0 < point <= 21:
        body = f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        body = "0." + "0" * -point + digits
    else:
        power = point - 1
        mantissa = digits if size == 1 else f"{digits[0]}.{digits[1:]}"
        body = f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + body

"""Value types shared by the models: identifiers, timestamps, codes, ranges.

Implements the common data types of STIX 2.1 section 2 as used by
spec/profile/03-fimi-incident.md to spec/profile/12-markings.md. The
grammars of identifiers and timestamps are those of :mod:`infoshare.stix`,
the same the validator applies.

Timestamps are kept as the original ``str`` (checked with
:func:`infoshare.stix.timestamps.is_timestamp`), never parsed into
``datetime``: a read followed by a write must give back the same text, and
STIX allows any number of fraction digits. Compare them with
:func:`infoshare.stix.timestamps.timestamp_key`.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from infoshare.stix.identifiers import identifier_type
from infoshare.stix.timestamps import EXAMPLE, is_timestamp

__all__ = [
    "Confidence",
    "CountryCode",
    "Identifier",
    "MarkingRef",
    "NonNegativeInt",
    "Percent",
    "Timestamp",
    "check_identifier",
    "identifier_ref",
]

_COUNTRY = re.compile(r"[A-Z]{2}")


def check_identifier(value: str) -> str:
    """Accept ``<type>--<UUID>`` (STIX 2.1 §2.9); raise ``ValueError`` with a fix otherwise."""
    if identifier_type(value) is None:
        raise ValueError(
            f"{value!r} is not a STIX identifier; write <type>--<UUID> with a lowercase"
            " RFC 4122 UUID, e.g. identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"
        )
    return value


def _check_timestamp(value: str) -> str:
    if not is_timestamp(value):
        raise ValueError(
            f"{value!r} is not a STIX timestamp; write an RFC 3339 UTC time with Z, e.g. {EXAMPLE}"
        )
    return value


def _check_country(value: str) -> str:
    if not _COUNTRY.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 code; write two upper-case letters, e.g. JP"
        )
    return value


def identifier_ref(*types: str) -> AfterValidator:
    """A validator for a reference that must point at one of ``types``."""
    allowed = frozenset(types)

    def check(value: str) -> str:
        check_identifier(value)
        prefix = value.split("--", 1)[0]
        if prefix not in allowed:
            wanted = " or ".join(sorted(allowed))
            raise ValueError(f"{value!r} must reference a {wanted}, not a {prefix}")
        return value

    return AfterValidator(check)


Identifier = Annotated[str, AfterValidator(check_identifier)]
Timestamp = Annotated[str, AfterValidator(_check_timestamp)]
CountryCode = Annotated[str, AfterValidator(_check_country)]
MarkingRef = Annotated[str, identifier_ref("marking-definition")]
Confidence = Annotated[int, Field(ge=0, le=100, strict=True)]
Percent = Confidence
NonNegativeInt = Annotated[int, Field(ge=0, strict=True)]

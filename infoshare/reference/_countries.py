"""ISO 3166-1 country codes and the UN M.49 areas usable in language tags.

Implements the reference data of spec/profile/11-vocabularies.md §11.2: the
tables spec/reference/iso3166-1.json and spec/reference/un-m49-regions.json,
read once per process. Only the 249 *assigned* alpha-2 codes are country
codes; exceptionally reserved codes (UK, EU, …) are known only so that a
message can name the code to use instead.
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

_COUNTRIES: Final = "reference/iso3166-1.json"
_REGIONS: Final = "reference/un-m49-regions.json"

#: ISO 3166-1 leaves these alpha-2 codes to its users; they never name a country.
_USER_ASSIGNED: Final = re.compile(r"AA|Q[M-Z]|X[A-Z]|ZZ")


@dataclass(frozen=True, slots=True)
class Country:
    """An officially assigned ISO 3166-1 country code."""

    alpha_2: str
    alpha_3: str
    numeric: str
    name: str


@dataclass(frozen=True, slots=True)
class ReservedCountryCode:
    """An alpha-2 code ISO 3166/MA has exceptionally reserved (not a country code)."""

    alpha_2: str
    name: str
    #: The assigned code to use instead, when there is one (UK -> GB).
    use_instead: str | None


@dataclass(frozen=True, slots=True)
class M49Region:
    """A UN M.49 area code that BCP 47 accepts as a region subtag (``419``)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class _Tables:
    countries: Mapping[str, Country]
    reserved: Mapping[str, ReservedCountryCode]
    regions: Mapping[str, M49Region]


def _list(relative: str, key: str) -> list[dict[str, Any]]:
    data = load_spec_json(relative)
    rows = data.get(key) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise SpecDataError(f"spec file {relative} has no list {key!r}")
    return rows


@functools.cache
def _tables() -> _Tables:
    try:
        countries = {
            row["alpha_2"]: Country(row["alpha_2"], row["alpha_3"], row["numeric"], row["name"])
            for row in _list(_COUNTRIES, "countries")
        }
        reserved = {
            row["alpha_2"]: ReservedCountryCode(row["alpha_2"], row["name"], row["use_instead"])
            for row in _list(_COUNTRIES, "exceptionally_reserved")
        }
        regions = {
            row["code"]: M49Region(row["code"], row["name"]) for row in _list(_REGIONS, "regions")
        }
    except (KeyError, TypeError) as exc:
        raise SpecDataError(f"country or region reference table malformed: {exc!r}") from exc
    return _Tables(
        MappingProxyType(countries), MappingProxyType(reserved), MappingProxyType(regions)
    )


def countries() -> Mapping[str, Country]:
    """Every assigned ISO 3166-1 country, keyed by its alpha-2 code."""
    return _tables().countries


def country(code: str) -> Country | None:
    """The country whose assigned alpha-2 code is ``code`` (upper case), or None."""
    return _tables().countries.get(code)


def is_country_code(code: object) -> bool:
    """True if ``code`` is an assigned ISO 3166-1 alpha-2 code in upper case (``JP``)."""
    return isinstance(code, str) and code in _tables().countries


def reserved_country_code(code: str) -> ReservedCountryCode | None:
    """The exceptionally reserved code ``code`` (upper case), or None."""
    return _tables().reserved.get(code)


def is_user_assigned_country_code(code: str) -> bool:
    """True for the alpha-2 codes ISO 3166-1 leaves to users (AA, QM-QZ, XA-XZ, ZZ)."""
    return _USER_ASSIGNED.fullmatch(code) is not None


def m49_region(code: str) -> M49Region | None:
    """The UN M.49 area with this three-digit code, if BCP 47 accepts it as a region."""
    return _tables().regions.get(code)


def country_code_problem(code: str) -> str | None:
    """Why ``code`` is not an assigned ISO 3166-1 alpha-2 code, or None if it is one.

    The code must already be in the case the caller requires; the reason names
    the code to use instead when one is known.
    """
    if code in _tables().countries:
        return None
    upper = code.upper()
    if upper != code and upper in _tables().countries:
        return f"{code!r} must be written in upper case: {upper!r}"
    reserved = _tables().reserved.get(upper)
    if reserved is not None:
        instead = (
            f"use {reserved.use_instead!r}"
            if reserved.use_instead is not None
            else "list the countries concerned, or use a location with a region"
        )
        return (
            f"{code!r} ({reserved.name}) is exceptionally reserved, not an assigned "
            f"ISO 3166-1 country code: {instead}"
        )
    if len(upper) == 2 and is_user_assigned_country_code(upper):
        return (
            f"{code!r} is a user-assigned code, not an ISO 3166-1 country code; partners "
            "cannot rely on it: use an assigned code, or agree an extension of the profile"
        )
    if re.fullmatch(r"[A-Za-z]{3}", code) and any(
        c.alpha_3 == upper for c in _tables().countries.values()
    ):
        two = next(c.alpha_2 for c in _tables().countries.values() if c.alpha_3 == upper)
        return f"{code!r} is an alpha-3 code; the profile uses alpha-2 codes: {two!r}"
    return (
        f"{code!r} is not an assigned ISO 3166-1 alpha-2 country code: use the "
        "two-letter upper-case code, for example 'JP' or 'PH'"
    )

"""STIX 2.1 meta objects: marking-definition, extension-definition, language-content.

Implements STIX 2.1 sections 7.1-7.3 and the TLP 2.0 markings the profile
requires (spec/profile/12-markings.md).
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field, model_validator

from infoshare.models._base import (
    ExternalReference,
    IdentityRef,
    StixModel,
    StixObject,
    VersionedObject,
)
from infoshare.models._types import Identifier, Timestamp
from infoshare.models._vocab import ExtensionType, TlpLevel
from infoshare.profile import EXT_TLP_2_0, TLP_2_0_LEVELS

__all__ = [
    "ExtensionDefinition",
    "LanguageContent",
    "MarkingDefinition",
    "MarkingExtensions",
    "Tlp2Extension",
]

_SEMVER = r"^\d+\.\d+\.\d+$"


class Tlp2Extension(StixModel):
    """The OASIS TLP 2.0 property-extension of a marking-definition."""

    extension_type: Literal["property-extension"]
    tlp_2_0: TlpLevel


class MarkingExtensions(StixModel):
    """``extensions`` of a marking-definition: TLP 2.0 typed, others kept as read."""

    tlp: Tlp2Extension | None = Field(default=None, alias=EXT_TLP_2_0)


class MarkingDefinition(StixObject):
    """STIX 2.1 section 7.2.1: a data marking (the profile requires TLP 2.0 ones)."""

    stix_type = "marking-definition"

    spec_version: Literal["2.1"]
    created_by_ref: IdentityRef | None = None
    created: Timestamp
    name: str | None = None
    definition_type: str | None = None
    definition: dict[str, Any] | None = None
    external_references: list[ExternalReference] | None = Field(default=None, min_length=1)
    extensions: MarkingExtensions | None = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_kind(self) -> Self:
        if (self.definition_type is None) != (self.definition is None):
            raise ValueError("definition_type and definition go together; give both or neither")
        if self.definition_type is None and not self.extensions:
            raise ValueError(
                "a marking-definition needs definition_type and definition, or an extension "
                "such as TLP 2.0"
            )
        return self

    @property
    def tlp_level(self) -> str | None:
        """``clear``…``red`` for a TLP 2.0 marking, else None."""
        if self.extensions is not None and self.extensions.tlp is not None:
            return self.extensions.tlp.tlp_2_0
        return TLP_2_0_LEVELS.get(self.id) if self.definition_type is None else None


class ExtensionDefinition(VersionedObject):
    """STIX 2.1 section 7.3: the definition of an extension (new type or properties)."""

    stix_type = "extension-definition"

    created_by_ref: IdentityRef
    name: str
    description: str | None = None
    schema_: str = Field(alias="schema")
    version: str = Field(pattern=_SEMVER)
    extension_types: list[ExtensionType] = Field(min_length=1)
    extension_properties: list[str] | None = Field(default=None, min_length=1)


class LanguageContent(VersionedObject):
    """STIX 2.1 section 7.1: translations of another object's text properties."""

    stix_type = "language-content"

    object_ref: Identifier
    object_modified: Timestamp | None = None
    contents: dict[str, dict[str, Any]]

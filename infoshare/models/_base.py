"""Base classes of every model: common properties of STIX 2.1 objects.

Implements STIX 2.1 section 3 (common properties) and section 2.9
(identifiers) as profiled by spec/profile/03-fimi-incident.md to
spec/profile/12-markings.md.

Round trips are lossless: every model accepts unknown and custom properties
(``extra="allow"``), remembers which properties it was given, and
:meth:`StixModel.to_dict` writes back exactly those, with the same values.
Timestamps stay strings (see :mod:`infoshare.models._types`). Models are
frozen: a change is a new version (:func:`infoshare.models.builders.new_version`).
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from infoshare.errors import ModelError
from infoshare.models._types import (
    Confidence,
    Identifier,
    MarkingRef,
    Timestamp,
    identifier_ref,
)
from infoshare.stix.timestamps import timestamp_key

__all__ = [
    "ExternalReference",
    "GranularMarking",
    "KillChainPhase",
    "ModelProblems",
    "StixCyberObservable",
    "StixDomainObject",
    "StixModel",
    "StixObject",
    "StixRelationshipObject",
    "VersionedObject",
    "describe_validation_error",
]

IdentityRef = Annotated[str, identifier_ref("identity")]


Loc = tuple[int | str, ...]


def _location(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _is_union_tag(part: int | str) -> bool:
    return isinstance(part, str) and part.startswith(("function-", "constrained-"))


class ModelProblems(ModelError):
    """A :class:`ModelError` that lists each problem with its property path."""

    def __init__(self, model_name: str, problems: list[tuple[Loc, str]]) -> None:
        self.model_name = model_name
        self.problems = problems
        parts = [f"{_location(loc)}: {msg}" if loc else msg for loc, msg in problems]
        super().__init__(
            f"invalid {model_name}: " + "; ".join(parts),
            hint="see spec/profile for the properties of this object and their values",
        )


def _problems(exc: ValidationError) -> list[tuple[Loc, str]]:
    out: list[tuple[Loc, str]] = []
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(p for p in error["loc"] if not _is_union_tag(p))
        inner = (error.get("ctx") or {}).get("error")
        if isinstance(inner, ModelProblems):
            out.extend((loc + sub, msg) for sub, msg in inner.problems)
            continue
        if isinstance(inner, ModelError):
            out.append((loc, inner.message))
            continue
        kind = error["type"]
        message = error["msg"].removeprefix("Value error, ")
        if kind == "missing":
            message = "is required but missing; add it"
        elif kind == "literal_error" or kind.endswith(("_type", "_parsing")) or "than" in kind:
            message = f"{message} (got {error.get('input')!r})"
        elif kind == "too_short":
            message = f"{message}; give at least one item, or leave an optional property out"
        out.append((loc, message))
    return out


def describe_validation_error(model_name: str, exc: ValidationError) -> str:
    """One readable line: ``invalid <Model>: <property path>: <what is wrong>; ...``."""
    return str(ModelProblems(model_name, _problems(exc)))


#: Properties written first and last when an object was built, not read (STIX habit).
_HEAD = ("type", "spec_version", "id", "created_by_ref", "created", "modified")
_TAIL = (
    "revoked",
    "labels",
    "confidence",
    "lang",
    "external_references",
    "object_marking_refs",
    "granular_markings",
    "defanged",
    "extensions",
)


class StixModel(BaseModel):
    """A pydantic model that round-trips STIX JSON without loss.

    Construction failures raise :class:`infoshare.errors.ModelError` whose
    message names the property path and what to write instead.
    """

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        populate_by_name=True,
    )

    #: Key order of the dict this model was read from (None when built in code).
    _key_order: tuple[str, ...] | None = PrivateAttr(default=None)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ModelProblems(type(self).__name__, _problems(exc)) from None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from STIX JSON. ``data`` is copied, never changed."""
        if not isinstance(data, dict):
            raise ModelError(
                f"{cls.__name__} needs a JSON object (dict), got {type(data).__name__}"
            )
        model = cls(**copy.deepcopy(data))
        model._key_order = tuple(data)
        return model

    def to_dict(self) -> dict[str, Any]:
        """The STIX JSON of this object: exactly the properties it was built with.

        Keys come in the order they were read; an object built in code puts
        type, spec_version, id, created and modified first and markings and
        extensions last.
        """
        data = self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        order = self._key_order if self._key_order is not None else self._canonical_order()
        out = {key: data[key] for key in order if key in data}
        out.update((key, value) for key, value in data.items() if key not in out)
        return out

    @classmethod
    def _canonical_order(cls) -> tuple[str, ...]:
        declared = [info.alias or name for name, info in cls.model_fields.items()]
        middle = [key for key in declared if key not in _HEAD and key not in _TAIL]
        return (*_HEAD, *middle, *_TAIL)


class ExternalReference(StixModel):
    """STIX 2.1 section 2.5: a pointer to non-STIX information."""

    source_name: str
    description: str | None = None
    url: str | None = None
    hashes: dict[str, str] | None = None
    external_id: str | None = None


class KillChainPhase(StixModel):
    """STIX 2.1 section 2.8: a phase of a kill chain (the profile uses ``disarm``)."""

    kill_chain_name: str
    phase_name: str


class GranularMarking(StixModel):
    """STIX 2.1 section 7.2.3: a marking on some properties of an object."""

    lang: str | None = None
    marking_ref: MarkingRef | None = None
    selectors: list[str] = Field(min_length=1)


def _check_extension_key(key: str) -> None:
    if key.startswith("extension-definition--") or key.endswith("-ext"):
        return
    raise ValueError(
        f"extension key {key!r} must be an extension-definition id or a predefined *-ext name"
    )


class StixObject(StixModel):
    """Properties every STIX 2.1 object has (SDO, SRO, SCO and meta objects)."""

    #: The STIX ``type`` this model stands for (None: any type).
    stix_type: ClassVar[str | None] = None

    type: str
    id: Identifier
    spec_version: Literal["2.1"] | None = None
    object_marking_refs: list[MarkingRef] | None = Field(default=None, min_length=1)
    granular_markings: list[GranularMarking] | None = Field(default=None, min_length=1)
    extensions: dict[str, dict[str, Any]] | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and "type" not in data and cls.stix_type is not None:
            data = {"type": cls.stix_type, **data}
        return data

    @model_validator(mode="after")
    def _check_common(self) -> Self:
        if self.stix_type is not None and self.type != self.stix_type:
            raise ValueError(f"type must be {self.stix_type!r} for {type(self).__name__}")
        prefix = self.id.split("--", 1)[0]
        if prefix != self.type:
            raise ValueError(
                f"id {self.id!r} must start with {self.type}-- (the prefix equals the type)"
            )
        extensions = self.__dict__.get("extensions")
        if isinstance(extensions, dict):
            for key in extensions:
                _check_extension_key(key)
        elif isinstance(extensions, BaseModel):
            for key in extensions.model_dump(by_alias=True, exclude_unset=True):
                _check_extension_key(key)
        return self

    @property
    def tlp_marking_refs(self) -> list[str]:
        """The object's marking references (empty list when it has none)."""
        return list(self.object_marking_refs or [])


class VersionedObject(StixObject):
    """Common properties of versioned objects (SDOs, SROs, language-content...).

    STIX 2.1 section 3.2: ``spec_version``, ``created`` and ``modified`` are
    required, and ``modified`` is never earlier than ``created``.
    """

    spec_version: Literal["2.1"]
    created_by_ref: IdentityRef | None = None
    created: Timestamp
    modified: Timestamp
    revoked: bool | None = None
    labels: list[str] | None = Field(default=None, min_length=1)
    confidence: Confidence | None = None
    lang: str | None = None
    external_references: list[ExternalReference] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if timestamp_key(self.modified) < timestamp_key(self.created):
            raise ValueError(
                f"modified ({self.modified}) is earlier than created ({self.created}); "
                "modified must be the same as or later than created"
            )
        return self


class StixDomainObject(VersionedObject):
    """A STIX Domain Object (STIX 2.1 section 4) or a new-sdo of an extension."""


class StixRelationshipObject(VersionedObject):
    """A STIX Relationship Object (STIX 2.1 section 5)."""


class StixCyberObservable(StixObject):
    """A STIX Cyber-observable Object (STIX 2.1 section 6): no created/modified."""

    defanged: bool | None = None

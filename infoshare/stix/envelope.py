"""The envelopes STIX objects travel in: the STIX bundle and the TAXII envelope.

Implements STIX 2.1 Errata 01 §8 (bundle: ``type`` is ``"bundle"``, ``id`` is
a ``bundle--<UUID>`` identifier, ``objects`` is an optional list of STIX
objects) (https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html) and the
``objects`` member of the TAXII 2.1 envelope (§3.7,
https://docs.oasis-open.org/cti/taxii/v2.1/taxii-v2.1.html), which a node
receives on Add Objects.

Every function returns the problems it finds, each with a JSONPath and a
message that says what to write instead, and never raises on bad input: the
validator's reader turns them into findings (IS-005, IS-006), the models into
a :class:`~infoshare.errors.ModelError`, the node into an HTTP 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from infoshare.stix.identifiers import identifier_type

__all__ = [
    "BUNDLE_EXAMPLE",
    "EnvelopeProblem",
    "bundle_problems",
    "member_problem",
    "objects_problems",
    "taxii_envelope_problems",
]

#: The shape of a bundle, for messages that tell a user what to write.
BUNDLE_EXAMPLE: Final = '{"type": "bundle", "id": "bundle--<UUID>", "objects": [...]}'


@dataclass(frozen=True, slots=True)
class EnvelopeProblem:
    """One defect of an envelope: where it is (a JSONPath from ``$``) and what is wrong."""

    path: str
    message: str


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def bundle_problems(value: object, *, objects_read_apart: bool = False) -> list[EnvelopeProblem]:
    """What keeps ``value`` from being a STIX bundle envelope (empty: nothing).

    Checks that ``value`` is a JSON object with ``type`` ``"bundle"`` and a
    ``bundle--<UUID>`` id, and, when it has ``objects``, that it is a list of
    JSON objects (:func:`objects_problems`). A JSON object of another type
    without ``objects`` is named as a single object that needs wrapping.

    ``objects_read_apart`` is for a streaming reader that takes ``objects``
    out of ``value`` and checks its members as it reads them: ``value`` is
    then treated as having ``objects`` and its members are not looked at.
    """
    if not isinstance(value, Mapping):
        return [
            EnvelopeProblem(
                "$",
                f"the top-level value is a JSON {_json_kind(value)}, not a STIX bundle;"
                f" write {BUNDLE_EXAMPLE}",
            )
        ]
    kind = value.get("type")
    if kind != "bundle":
        has_objects = objects_read_apart or "objects" in value
        if isinstance(kind, str) and not has_objects:
            message = (
                f"the input is a single {kind!r} object, not a bundle; wrap it in a bundle"
                f" ({BUNDLE_EXAMPLE})"
            )
        else:
            message = f'the bundle\'s type must be "bundle", got {_show(kind)}'
        return [EnvelopeProblem("$.type", message)]
    problems: list[EnvelopeProblem] = []
    bundle_id = value.get("id")
    if not isinstance(bundle_id, str) or identifier_type(bundle_id) != "bundle":
        problems.append(
            EnvelopeProblem(
                "$.id",
                "the bundle's id must be 'bundle--' followed by a lowercase RFC 4122 UUID,"
                f" got {_show(bundle_id)}",
            )
        )
    if "objects" in value and not objects_read_apart:
        problems.extend(objects_problems(value["objects"]))
    return problems


def objects_problems(objects: object, path: str = "$.objects") -> list[EnvelopeProblem]:
    """What keeps ``objects`` from being a list of JSON objects (empty: nothing)."""
    if not isinstance(objects, list):
        return [
            EnvelopeProblem(
                path,
                f"objects must be a JSON array of STIX objects, got a JSON {_json_kind(objects)}",
            )
        ]
    return [
        EnvelopeProblem(
            f"{path}[{index}]",
            f"objects[{index}] is a JSON {_json_kind(item)}; every member of objects must be"
            " a STIX object (a JSON object)",
        )
        for index, item in enumerate(objects)
        if not isinstance(item, Mapping)
    ]


def member_problem(value: object) -> str | None:
    """Why ``value`` cannot be a STIX object at all, or None.

    The least any STIX object has (STIX 2.1 §3.2): it is a JSON object and
    its ``type`` is a string. Everything else is for the object's own checks.
    """
    if not isinstance(value, Mapping):
        return f"a STIX object must be a JSON object, got a JSON {_json_kind(value)}"
    if not isinstance(value.get("type"), str):
        return "a STIX object must be a JSON object with a string 'type'; add one"
    return None


def taxii_envelope_problems(value: object) -> list[EnvelopeProblem]:
    """What keeps ``value`` from being a TAXII 2.1 envelope with objects (empty: nothing).

    A TAXII envelope is a JSON object whose ``objects`` is a list of JSON
    objects; a STIX bundle is also accepted as one (its ``type`` and ``id``
    are then ignored, as TAXII 2.1 §3.7 sets no rule for them).
    """
    if not isinstance(value, Mapping):
        return [
            EnvelopeProblem(
                "$",
                f"the body is a JSON {_json_kind(value)}; send a TAXII envelope: a JSON object"
                ' with an objects list, {"objects": [ ... ]}',
            )
        ]
    if "objects" not in value:
        return [EnvelopeProblem("$", 'the envelope has no objects list; send {"objects": [ ... ]}')]
    return objects_problems(value["objects"])


def _json_kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__

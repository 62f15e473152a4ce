"""STIX bundles: the :class:`Bundle` model and reading and writing bundle files.

Implements STIX 2.1 section 8 (bundle) for spec/profile/14-conformance.md §14.4
(producers and consumers).
Writing is deterministic: UTF-8, non-ASCII kept as is, keys in model order,
a final newline. The same objects always give the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from infoshare.errors import InputError, ModelError
from infoshare.models._base import StixModel, StixObject
from infoshare.models._parse import parse_object
from infoshare.stix.envelope import bundle_problems

__all__ = ["Bundle", "bundle_to_json", "read_bundle", "write_bundle"]


class Bundle(StixModel):
    """A STIX bundle: an envelope of objects (it is not itself a STIX object)."""

    type: Literal["bundle"] = "bundle"
    id: str
    objects: list[StixObject] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _check_envelope(cls, data: Any) -> Any:
        if isinstance(data, dict):
            problems = bundle_problems({"type": "bundle", **data}, objects_read_apart=True)
            if problems:
                raise ValueError("; ".join(problem.message for problem in problems))
        return data

    @field_validator("objects", mode="before")
    @classmethod
    def _parse_members(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [item if isinstance(item, StixObject) else parse_object(item) for item in value]
        return value

    @classmethod
    def of(cls, bundle_id: str, objects: list[StixObject]) -> Self:
        """A bundle with this id holding ``objects`` in the given order."""
        return cls(type="bundle", id=bundle_id, objects=list(objects))

    def to_dict(self) -> dict[str, Any]:
        """The bundle JSON, each object exactly as it was read or built."""
        out = self.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"objects"})
        out = {"type": "bundle", **out}
        if "objects" in self.model_fields_set:
            out["objects"] = [obj.to_dict() for obj in self.objects]
        return out

    def get(self, object_id: str) -> StixObject | None:
        """The first object with ``object_id``, or None."""
        return next((obj for obj in self.objects if obj.id == object_id), None)


def bundle_to_json(bundle: Bundle, *, indent: int | None = 2) -> str:
    """The JSON text of ``bundle``: deterministic, non-ASCII kept, final newline."""
    return json.dumps(bundle.to_dict(), ensure_ascii=False, indent=indent) + "\n"


def read_bundle(source: str | Path | bytes) -> Bundle:
    """Read a bundle from a path or from bytes into models.

    Raises :class:`InputError` when the file cannot be read or is not JSON, and
    :class:`ModelError` when an object breaks a rule (the message names which).
    """
    if isinstance(source, bytes):
        raw, name = source, "<bytes>"
    else:
        path = Path(source)
        name = str(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8", hint="save the file as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not JSON ({exc.msg} at line {exc.lineno})") from None
    problems = bundle_problems(data)
    if problems:
        raise ModelError(f"{name}: " + "; ".join(f"{p.path}: {p.message}" for p in problems))
    objects = data.get("objects", [])
    parsed = []
    for index, item in enumerate(objects):
        try:
            parsed.append(parse_object(item))
        except ModelError as exc:
            raise ModelError(f"{name}: objects[{index}]: {exc.message}", hint=exc.hint) from None
    header = {key: value for key, value in data.items() if key != "objects"}
    if "objects" in data:
        header["objects"] = parsed
    return Bundle(**header)


def write_bundle(
    bundle: Bundle, path: str | Path | None = None, *, indent: int | None = 2
) -> bytes:
    """Serialise ``bundle`` as UTF-8 JSON; write it to ``path`` when given. Returns the bytes."""
    data = bundle_to_json(bundle, indent=indent).encode("utf-8")
    if path is not None:
        Path(path).write_bytes(data)
    return data

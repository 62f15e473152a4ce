"""Objects the HTTP suite posts: fictional, and valid for the collection they go to.

The profile collection gets whole example cases (examples/*.json) and an
object that breaks IS-501 (no TLP marking). The plain-STIX collections get
identities of invented organisations, in as many versions as a test needs.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Obj = dict[str, Any]


def example_objects(name: str = "01-treated-water-disinformation.json") -> list[Obj]:
    bundle = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return list(bundle["objects"])


def unmarked_copy(objects: list[Obj], object_type: str = "narrative") -> Obj:
    """A new object of ``object_type`` copied from ``objects`` without its TLP marking."""
    original = next(o for o in objects if o["type"] == object_type)
    broken = copy.deepcopy(original)
    broken["id"] = f"{object_type}--{uuid.uuid4()}"
    broken.pop("object_marking_refs", None)
    broken.pop("granular_markings", None)
    return broken


def identity(
    name: str,
    *,
    object_id: str | None = None,
    created: str = "2026-02-01T09:00:00.000Z",
    modified: str | None = None,
) -> Obj:
    """An organisation's identity (plain STIX 2.1)."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": object_id or f"identity--{uuid.uuid4()}",
        "created": created,
        "modified": modified or created,
        "name": name,
        "identity_class": "organization",
    }


def location(name: str, country: str = "NO") -> Obj:
    return {
        "type": "location",
        "spec_version": "2.1",
        "id": f"location--{uuid.uuid4()}",
        "created": "2026-02-01T09:00:00.000Z",
        "modified": "2026-02-01T09:00:00.000Z",
        "name": name,
        "country": country,
    }


def envelope(*objects: Obj) -> dict[str, Any]:
    return {"objects": list(objects)}

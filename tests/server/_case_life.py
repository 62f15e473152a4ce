"""Objects of a case's life for the node's tests: SCOs, revocations, withdrawals.

The ``withdrawal`` object is built as a plain dict in the shape of
spec/profile/20-withdrawal.md (the node checks what it relies on itself);
the rest are plain STIX 2.1 objects. Ids are random, so tests sharing a node
never collide.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from infoshare.profile import TLP_GREEN

#: The extension-definition of the withdrawal object (spec/extension-definitions/).
WITHDRAWAL_EXTENSION = "extension-definition--8eb8ed65-5365-4b3d-bb6b-3d94a13b852e"
#: The STIX 2.1 namespace of deterministic SCO ids (§2.9).
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")


def withdrawal(
    created_by_ref: str,
    refs: object,
    *,
    marking: str = TLP_GREEN,
    when: str = "2026-06-01T08:00:00.000Z",
    **extra: Any,
) -> dict[str, Any]:
    """A withdrawal of ``refs`` by the identity ``created_by_ref``."""
    obj: dict[str, Any] = {
        "type": "withdrawal",
        "spec_version": "2.1",
        "id": f"withdrawal--{uuid.uuid4()}",
        "created": when,
        "modified": when,
        "created_by_ref": created_by_ref,
        "withdrawn_refs": refs,
        "reason": "false-positive",
        "description": "Fictional account wrongly attributed to the operation.",
        "object_marking_refs": [marking],
        "extensions": {WITHDRAWAL_EXTENSION: {"extension_type": "new-sdo"}},
    }
    obj.update(extra)
    return obj


def user_account(login: str, **extra: Any) -> dict[str, Any]:
    """A user-account SCO whose id follows from its platform and login (§2.9)."""
    contributing = {"account_login": login, "account_type": "twitter"}
    name = json.dumps(contributing, sort_keys=True, separators=(",", ":"))
    obj: dict[str, Any] = {
        "type": "user-account",
        "spec_version": "2.1",
        "id": f"user-account--{uuid.uuid5(SCO_NAMESPACE, name)}",
        "account_type": "twitter",
        "account_login": login,
        "display_name": f"Fictional {login}",
        "object_marking_refs": [TLP_GREEN],
    }
    obj.update(extra)
    return obj


def unique_login() -> str:
    return f"fictional_{uuid.uuid4().hex[:12]}"

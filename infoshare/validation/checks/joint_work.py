"""Joint authorship: check IS-216.

Implements spec/profile/18-joint-work.md §18.2: the joint authorship extension
that an incident, report, note or opinion carries to name the organisations
that wrote it together with its creator. Whether each co-author is an
identity of class ``organization`` needs the identities themselves: that is
IS-308 (:mod:`infoshare.validation.checks.identity_roles`).
"""

from __future__ import annotations

from typing import Final

from infoshare.profile import EXT_JOINT_AUTHORSHIP
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation._schemas_loaded import schema_set
from infoshare.validation.checks.profile_schemas import schema_uri, validate_extension

JOINT_AUTHORSHIP_SCHEMA: Final = "joint-authorship-extension.json"
#: The objects that may carry the extension: the case and what is written about it.
AUTHORED_TYPES: Final = frozenset({"incident", "report", "note", "opinion"})

_URI: Final = schema_uri(JOINT_AUTHORSHIP_SCHEMA)
_CHECK: Final = schema_set().compile(_URI)
_TITLE: Final[str] = schema_set().document(_URI)["title"]


@object_check("IS-216")
def joint_authorship(obj: StixDict, emit: Emit) -> None:
    """The joint authorship extension conforms to its schema, on a type that may carry it."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict) or EXT_JOINT_AUTHORSHIP not in extensions:
        return
    if obj["type"] not in AUTHORED_TYPES:
        emit(
            jpath("extensions", EXT_JOINT_AUTHORSHIP),
            f"an object of type {obj['type']} cannot carry the joint authorship extension, "
            f"only {', '.join(sorted(AUTHORED_TYPES))} can: name the co-authors on the "
            "incident or report it belongs to instead",
        )
        return
    value = extensions[EXT_JOINT_AUTHORSHIP]
    validate_extension(_CHECK, _TITLE, value, EXT_JOINT_AUTHORSHIP, emit)
    creator = obj.get("created_by_ref")
    coauthors = value.get("coauthor_refs") if isinstance(value, dict) else None
    if isinstance(coauthors, list) and creator in coauthors:
        emit(
            jpath("extensions", EXT_JOINT_AUTHORSHIP, "coauthor_refs", coauthors.index(creator)),
            f"{creator} is the creator (created_by_ref), not a co-author: remove it from "
            "coauthor_refs",
        )

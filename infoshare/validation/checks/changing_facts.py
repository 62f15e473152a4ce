"""Changing facts and coordinated networks: checks IS-210 to IS-214 and IS-604.

Implements spec/profile/16-changing-facts.md: the account-state (§16.3) and
engagement (§16.4) objects and the coordinated network extension on a channel
(§16.6) conform to their schemas (IS-210, IS-211, IS-212); values that change
over time are not put on an account or post SCO (IS-213, §16.2); a network's
estimated size is not smaller than its listed members (IS-214, §16.6); and
the time a state, a measurement or an estimate refers to is not later than
the ``modified`` of the version that records it (IS-604, §16.5).

The target types of the new reference properties are IS-110
(:mod:`.core_references`); malformed timestamps are IS-104's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any, Final

from infoshare.profile import (
    EXT_COORDINATED_NETWORK,
    TYPE_ACCOUNT_STATE,
    TYPE_CHANNEL,
    TYPE_ENGAGEMENT,
    TYPE_MEDIA_CONTENT,
)
from infoshare.stix.timestamps import is_timestamp, timestamp_key
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.profile_schemas import _EXTENSIONS, _OBJECTS, _validate

_ACCOUNT_STATE: Final = _OBJECTS[TYPE_ACCOUNT_STATE]
_ENGAGEMENT: Final = _OBJECTS[TYPE_ENGAGEMENT]
_NETWORK: Final = _EXTENSIONS[EXT_COORDINATED_NETWORK]


def _network_extension(obj: StixDict) -> Any:
    extensions = obj.get("extensions")
    return extensions.get(EXT_COORDINATED_NETWORK) if isinstance(extensions, dict) else None


@object_check("IS-210", types={TYPE_ACCOUNT_STATE})
def account_state_schema(obj: StixDict, emit: Emit) -> None:
    """An account-state conforms to its schema (§16.3)."""
    _validate(*_ACCOUNT_STATE, obj, None, emit)


@object_check("IS-211", types={TYPE_ENGAGEMENT})
def engagement_schema(obj: StixDict, emit: Emit) -> None:
    """An engagement conforms to its schema (§16.4)."""
    _validate(*_ENGAGEMENT, obj, None, emit)


@object_check("IS-212", types={TYPE_CHANNEL})
def coordinated_network_schema(obj: StixDict, emit: Emit) -> None:
    """The coordinated network extension, when a channel carries it, conforms (§16.6)."""
    value = _network_extension(obj)
    if value is None:
        return
    check, title = _NETWORK
    _validate(check, title, value, ((None, "extensions"), EXT_COORDINATED_NETWORK), emit)


# --- IS-213: changing values stay off SCOs --------------------------------------------------

#: Name parts that mark a count that changes over time, and those that mark a state.
_COUNT_WORDS: Final = frozenset(
    {
        "count", "counts", "followers", "following", "friends", "likes", "shares", "views",
        "reposts", "retweets", "replies", "quotes", "reactions", "subscribers", "engagement",
        "impressions", "reach",
    }
)  # fmt: skip
_STATE_WORDS: Final = frozenset(
    {
        "state", "status", "suspended", "suspension", "banned", "ban", "restricted",
        "restriction", "deleted", "removed", "removal", "deactivated", "disabled", "locked",
        "restored", "reinstated", "active", "inactive",
    }
)  # fmt: skip
_WORD: Final = re.compile(r"[a-z]+")

#: Properties the SCO's definition gives it, which the check leaves alone: the STIX 2.1
#: user-account properties (§6.16) and media-content's own properties, its capture counts
#: among them (§6.1, §16.2). None of their names reads as a changing value but the counts,
#: so listing them only spares the name test; a test holds this list to the schema.
DEFINED: Final[dict[str, frozenset[str]]] = {
    "user-account": frozenset(
        {
            "type", "spec_version", "id", "object_marking_refs", "granular_markings",
            "defanged", "extensions", "user_id", "credential", "account_login",
            "account_type", "display_name", "is_service_account", "is_privileged",
            "can_escalate_privs", "is_disabled", "account_created", "account_expires",
            "credential_last_changed", "account_first_login", "account_last_login",
        }
    ),
    TYPE_MEDIA_CONTENT: frozenset(
        {
            "type", "spec_version", "id", "object_marking_refs", "granular_markings",
            "defanged", "extensions", "url", "archive_url", "title", "description", "content",
            "media_category", "publication_date", "platform", "author_ref", "language",
            "hashes", "is_synthetic",
            "share_count", "like_count", "quote_count", "reply_count", "view_count",
        }
    ),
}  # fmt: skip


@functools.lru_cache(maxsize=4096)
def changing_kind(name: str) -> str | None:
    """``"count"`` or ``"state"`` when a property name reads as a value that changes.

    Remembered: the same few property names recur on every account and post."""
    words = set(_WORD.findall(name.lower()))
    if words & _COUNT_WORDS:
        return "count"
    if words & _STATE_WORDS:
        return "state"
    return None


def _advice(kind: str, owner: str) -> str:
    if kind == "count":
        return (
            f"record it as a measurement in an engagement whose subject_ref is the {owner}, "
            "one version per measurement (§16.4)"
        )
    if owner == "post":
        return (
            "record what happened to the post in a dated note about it (§9.5), and the state "
            "of its author's account in an account-state (§16.3)"
        )
    return (
        "record it as an account-state whose account_ref is the account, one version per "
        "change (§16.3)"
    )


@object_check("IS-213", types=set(DEFINED))
def no_changing_values_on_scos(obj: StixDict, emit: Emit) -> None:
    """Counts and states that change are not custom properties of an account or a post."""
    kind = obj["type"]
    owner = "account" if kind == "user-account" else "post"
    defined = DEFINED[kind]
    if defined.issuperset(obj):
        names: Iterable[str] = ()  # the usual object: only properties its type defines
    else:
        names = [name for name in obj if name not in defined]
    for name in names:
        found = changing_kind(name)
        if found is not None:
            emit(
                jpath(name),
                f"{name!r} looks like a {found} that changes over time, but an SCO has no "
                f"versions to carry its changes: remove it and {_advice(found, owner)}",
            )
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return
    for key, value in extensions.items():
        if not isinstance(value, dict):
            continue
        for name in value:
            found = changing_kind(name)
            if found is not None:
                emit(
                    jpath("extensions", key, name),
                    f"{name!r} in an extension looks like a {found} that changes over time; "
                    f"an SCO has no versions: remove it and {_advice(found, owner)}",
                )


# --- IS-214: a network is at least as large as its listed members --------------------------


@object_check("IS-214", types={TYPE_CHANNEL})
def network_size_covers_members(obj: StixDict, emit: Emit) -> None:
    """A network's estimated_size is not smaller than the members it lists (§16.6)."""
    value = _network_extension(obj)
    members = obj.get("account_refs")
    if not isinstance(value, dict) or not isinstance(members, list):
        return
    size = value.get("estimated_size")
    if not isinstance(size, int) or isinstance(size, bool):
        return  # IS-212 reports a missing or malformed size
    listed = len(set(m for m in members if isinstance(m, str)))
    if size < listed:
        emit(
            jpath("extensions", EXT_COORDINATED_NETWORK, "estimated_size"),
            f"estimated_size is {size} but account_refs lists {listed} distinct member "
            "accounts: the estimate covers the whole network, so raise it to at least "
            f"{listed}, or remove the accounts that are not members",
        )


# --- IS-604: a state, measurement or estimate is not recorded before it happened -----------


def _key(value: Any) -> tuple[str, ...] | None:
    return timestamp_key(value) if isinstance(value, str) and is_timestamp(value) else None


def _not_after(
    holder: dict[str, Any], name: str, limit: Any, limit_name: str, at: tuple[str, ...],
    emit: Emit,
) -> None:  # fmt: skip
    when, bound = _key(holder.get(name)), _key(limit)
    if when is None or bound is None or when <= bound:
        return
    emit(
        jpath(*at, name),
        f"{name} ({holder[name]}) is later than {limit_name} ({limit}): a version cannot "
        f"record what had not happened yet; correct {name}, or give the version a later "
        f"{limit_name}",
    )


@object_check("IS-604", types={TYPE_ACCOUNT_STATE, TYPE_ENGAGEMENT, TYPE_CHANNEL})
def as_of_not_after_modified(obj: StixDict, emit: Emit) -> None:
    """The time a state, measurement or estimate refers to is not after ``modified``."""
    kind, modified = obj["type"], obj.get("modified")
    if kind == TYPE_ACCOUNT_STATE:
        _not_after(obj, "state_since", modified, "modified", (), emit)
    elif kind == TYPE_ENGAGEMENT:
        _not_after(obj, "measured_at", modified, "modified", (), emit)
        _not_after(obj, "counted_from", obj.get("measured_at"), "measured_at", (), emit)
    else:
        value = _network_extension(obj)
        if isinstance(value, dict):
            at = ("extensions", EXT_COORDINATED_NETWORK)
            _not_after(value, "estimated_at", modified, "modified", at, emit)

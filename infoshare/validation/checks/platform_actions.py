"""Requests to platforms and referrals to databases: checks IS-215, IS-307 and IS-607.

Implements spec/profile/17-platform-actions.md: the platform action extension
that a ``task`` carries (§17.2 to §17.6).

* IS-215: only a task carries the extension, and it conforms to its JSON
  Schema (what it must hold, and the types its references may point at);
* IS-307: the extension is consistent in itself: every per-item outcome names a
  targeted item, once; an item decided (anything but ``pending``) has its
  ``decided`` time, and so has the request once any item is decided; an item
  ``appealed`` carries its appeal, and a decided appeal its ``decided`` time;
  jurisdictions are assigned ISO 3166-1 codes;
* IS-608 (recommended): the task's own OASIS ``outcome`` does not contradict
  the items' outcomes (§17.1);
* IS-607: its times are in order: ``submitted`` <= ``acknowledged`` <=
  ``decided``; each item decided no earlier than the request was submitted;
  each appeal lodged no earlier than the item's decision, and decided no
  earlier than it was lodged.

Whether the platform, the database and the co-authors are identities of the
right class needs the identities themselves: that is IS-308
(:mod:`infoshare.validation.checks.identity_roles`); whether later versions
continue the same request is IS-609
(:mod:`infoshare.validation.checks.platform_action_versions`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from infoshare.profile import EXT_PLATFORM_ACTION, TYPE_TASK
from infoshare.reference import country_code_problem
from infoshare.stix.timestamps import is_timestamp, timestamp_key
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation._schema import Check
from infoshare.validation._schemas_loaded import schema_set
from infoshare.validation.checks.profile_schemas import schema_uri, validate_extension

PLATFORM_ACTION_SCHEMA: Final = "platform-action-extension.json"

PENDING: Final = "pending"
APPEALED: Final = "appealed"
#: Item outcomes that mean nothing was done about the item (§17.1).
NOTHING_DONE: Final = frozenset({"refused", "no-action"})

_PREFIX: Final = ("extensions", EXT_PLATFORM_ACTION)


def _compiled() -> tuple[Check, str]:
    uri = schema_uri(PLATFORM_ACTION_SCHEMA)
    return schema_set().compile(uri), schema_set().document(uri)["title"]


_SCHEMA: Final = _compiled()


def platform_action(obj: StixDict) -> dict[str, Any] | None:
    """The platform action extension of a task, when present and an object."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return None
    ext = extensions.get(EXT_PLATFORM_ACTION)
    return ext if isinstance(ext, dict) else None


def _items(ext: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    outcomes = ext.get("item_outcomes")
    if isinstance(outcomes, list):
        for index, item in enumerate(outcomes):
            if isinstance(item, dict):
                yield index, item


def _time(holder: dict[str, Any], name: str) -> str | None:
    value = holder.get(name)
    return value if isinstance(value, str) and is_timestamp(value) else None


# --- IS-215 ---------------------------------------------------------------------------------


@object_check("IS-215")
def platform_action_schema(obj: StixDict, emit: Emit) -> None:
    """The platform action extension is carried by a task only, and conforms to its schema."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict) or EXT_PLATFORM_ACTION not in extensions:
        return
    if obj["type"] != TYPE_TASK:
        emit(
            jpath(*_PREFIX),
            f"an object of type {obj['type']} cannot carry the platform action extension, "
            "only a task can: record the request as a task and list it in the incident's "
            "Incident Core tasks (§17.1)",
        )
        return
    check, title = _SCHEMA
    validate_extension(check, title, extensions[EXT_PLATFORM_ACTION], EXT_PLATFORM_ACTION, emit)


# --- IS-307 ---------------------------------------------------------------------------------


def _jurisdictions(ext: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    bases = ext.get("legal_basis")
    if isinstance(bases, list):
        for index, basis in enumerate(bases):
            if isinstance(basis, dict) and isinstance(basis.get("jurisdiction"), str):
                yield ("legal_basis", index, "jurisdiction"), basis["jurisdiction"]
    referral = ext.get("referral")
    agreement = referral.get("agreement") if isinstance(referral, dict) else None
    if isinstance(agreement, dict) and isinstance(agreement.get("jurisdiction"), str):
        yield ("referral", "agreement", "jurisdiction"), agreement["jurisdiction"]


def _check_items(ext: dict[str, Any], emit: Emit) -> None:
    targets = ext.get("target_refs")
    targeted = {t for t in targets if isinstance(t, str)} if isinstance(targets, list) else set()
    seen: set[str] = set()
    any_decided = False
    for index, item in _items(ext):
        at = (*_PREFIX, "item_outcomes", index)
        ref = item.get("target_ref")
        if isinstance(ref, str):
            if ref not in targeted:
                emit(
                    jpath(*at, "target_ref"),
                    f"{ref} has an outcome but is not among target_refs: add it to "
                    "target_refs, or remove this outcome",
                )
            elif ref in seen:
                emit(
                    jpath(*at, "target_ref"),
                    f"{ref} has more than one outcome: keep one per item, and record a "
                    "later change as a new version of the task (§17.1)",
                )
            seen.add(ref)
        outcome = item.get("outcome")
        if isinstance(outcome, str) and outcome != PENDING:
            any_decided = True
            if "decided" not in item:
                emit(
                    jpath(*at),
                    f"the outcome is {outcome!r}, a decision: add decided, the time the "
                    "platform decided on the item",
                )
        appeal = item.get("appeal")
        if outcome == APPEALED and not isinstance(appeal, dict):
            emit(
                jpath(*at),
                "the outcome is 'appealed': add appeal, saying who appealed and when",
            )
        if isinstance(appeal, dict):
            result = appeal.get("outcome")
            if isinstance(result, str) and result != PENDING and "decided" not in appeal:
                emit(
                    jpath(*at, "appeal"),
                    f"the appeal's outcome is {result!r}: add decided, the time the appeal "
                    "was decided",
                )
    if any_decided and "decided" not in ext:
        emit(
            jpath(*_PREFIX),
            "an item has been decided but the request has no decided time: add decided, "
            "the time of the platform's answer",
        )


@object_check("IS-307", types={TYPE_TASK})
def platform_action_consistency(obj: StixDict, emit: Emit) -> None:
    """The outcomes, appeals and jurisdictions of a platform action agree with the request."""
    ext = platform_action(obj)
    if ext is None:
        return
    _check_items(ext, emit)
    for path, code in _jurisdictions(ext):
        problem = country_code_problem(code)
        if problem is not None:
            emit(
                jpath(*_PREFIX, *path),
                f"{problem}; a jurisdiction is an ISO 3166-1 alpha-2 code such as 'JP' or 'VN'",
            )


# --- IS-607 ---------------------------------------------------------------------------------


#: A time of the lifecycle: (how the message names it, its property, its value).
_Step = tuple[str, str, str | None]


def _in_order(earlier: _Step, later: _Step, at: tuple[str | int, ...], emit: Emit) -> None:
    """Report ``later`` when it is before ``earlier`` (equal is allowed)."""
    (first_name, _, first), (second_name, prop, second) = earlier, later
    if first is None or second is None or timestamp_key(second) >= timestamp_key(first):
        return
    emit(
        jpath(*at, prop),
        f"{second_name} ({second}) is earlier than {first_name} ({first}); correct whichever "
        f"is wrong so that {first_name} <= {second_name}",
    )


def _step(holder: dict[str, Any], name: str, label: str | None = None) -> _Step:
    return (label or name, name, _time(holder, name))


@object_check("IS-607", types={TYPE_TASK})
def platform_action_time_order(obj: StixDict, emit: Emit) -> None:
    """The steps of a platform action follow each other in time."""
    ext = platform_action(obj)
    if ext is None:
        return
    submitted, acknowledged = _step(ext, "submitted"), _step(ext, "acknowledged")
    _in_order(submitted, acknowledged, _PREFIX, emit)
    _in_order(acknowledged if acknowledged[2] else submitted, _step(ext, "decided"), _PREFIX, emit)
    for index, item in _items(ext):
        at = (*_PREFIX, "item_outcomes", index)
        item_decided = _step(item, "decided", "the item's decided")
        _in_order(submitted, item_decided, at, emit)
        appeal = item.get("appeal")
        if not isinstance(appeal, dict):
            continue
        appealed = _step(appeal, "appealed", "appeal.appealed")
        _in_order(item_decided, appealed, (*at, "appeal"), emit)
        _in_order(appealed, _step(appeal, "decided", "appeal.decided"), (*at, "appeal"), emit)


# --- IS-608 ---------------------------------------------------------------------------------


def _contradiction(outcome: str, decided: list[str]) -> str | None:
    """Why the OASIS ``outcome`` contradicts the decided items' outcomes, if it does."""
    acted = [o for o in decided if o not in NOTHING_DONE]
    if outcome == PENDING and decided:
        return "the task is 'pending' but the recipient has decided on some items"
    if outcome == "successful" and not acted:
        return "the task is 'successful' but nothing was done about any item"
    if outcome == "failed" and acted:
        return f"the task is 'failed' but an item was acted on ({acted[0]!r})"
    return None


@object_check("IS-608", types={TYPE_TASK})
def platform_action_sums_up(obj: StixDict, emit: Emit) -> None:
    """The task's OASIS outcome agrees with the outcomes of its items."""
    ext = platform_action(obj)
    outcome = obj.get("outcome")
    if ext is None or not isinstance(outcome, str):
        return
    decided = [
        item["outcome"]
        for _, item in _items(ext)
        if isinstance(item.get("outcome"), str) and item["outcome"] != PENDING
    ]
    problem = _contradiction(outcome, decided)
    if problem is not None:
        emit(
            jpath("outcome"),
            f"{problem}: set outcome to sum up the items (pending until acknowledged, ongoing "
            "while an item or appeal is open, failed when nothing was done, successful when "
            "something was) (§17.1)",
        )

"""Building requests to platforms and referrals to databases, step by step.

Implements spec/profile/17-platform-actions.md: a request is one OASIS
``task`` with the platform action extension, and each step of its life (the
platform acknowledges it, decides on the items, an item is appealed, the
appeal is decided) is a new version of that task (§17.1), made here with
:func:`infoshare.models.builders.new_version`. Each step also brings the
task's own OASIS ``outcome`` and ``end_time`` up to date (§17.1), so that
tools that know only the OASIS task read the same story.

Also :func:`joint_authorship` (spec/profile/18-joint-work.md §18.2), the
``extensions`` entry that names co-authoring organisations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from infoshare.errors import ModelError
from infoshare.models._oasis import Task
from infoshare.models._platform_actions import (
    APPEALED,
    NOTHING_DONE,
    PENDING,
    Appeal,
    ItemOutcome,
    LegalBasis,
    PlatformActionExtension,
    Referral,
)
from infoshare.models.builders import create, new_version
from infoshare.profile import EXT_JOINT_AUTHORSHIP, EXT_PLATFORM_ACTION

__all__ = [
    "acknowledge_request",
    "decide_appeal",
    "decide_items",
    "joint_authorship",
    "legal_basis",
    "platform_request",
    "record_appeal",
    "referral_request",
    "task_outcome",
]

PROPERTY_EXTENSION: Final = "property-extension"


def legal_basis(
    kind: str,
    instrument: str,
    *,
    provision: str | None = None,
    jurisdiction: str | None = None,
    reference: str | None = None,
    url: str | None = None,
) -> LegalBasis:
    """One legal basis (§17.3): ``kind`` from legal-basis-ov, e.g. ``law``."""
    given = {
        "provision": provision,
        "jurisdiction": jurisdiction,
        "reference": reference,
        "url": url,
    }
    return LegalBasis(kind=kind, instrument=instrument, **{k: v for k, v in given.items() if v})


def task_outcome(action: PlatformActionExtension) -> str:
    """The OASIS task ``outcome`` that sums up the items' outcomes (§17.1).

    ``pending`` until the recipient acknowledges; ``ongoing`` while an item
    or an appeal is undecided; ``failed`` when nothing was done about any
    item; ``successful`` when something was done about at least one.
    """
    items = action.item_outcomes or []
    open_items = [
        i
        for i in items
        if i.outcome in (PENDING, APPEALED)
        or (i.appeal is not None and i.appeal.outcome in (None, PENDING))
    ]
    if not items or open_items or len(items) < len(action.target_refs):
        return "ongoing" if action.acknowledged or action.decided else "pending"
    if all(i.outcome in NOTHING_DONE for i in items):
        return "failed"
    return "successful"


def _request(
    *,
    marking: str,
    task_types: list[str],
    extension: dict[str, Any],
    **properties: Any,
) -> Task:
    action = PlatformActionExtension(extension_type=PROPERTY_EXTENSION, **extension)
    extensions = dict(properties.pop("extensions", None) or {})
    extensions[EXT_PLATFORM_ACTION] = action
    properties.setdefault("start_time", action.submitted)
    return create(
        Task,
        marking=marking,
        task_types=task_types,
        outcome=task_outcome(action),
        extensions=extensions,
        **properties,
    )


def platform_request(
    *,
    marking: str,
    platform_ref: str,
    legal_basis: Iterable[LegalBasis],
    requested_actions: Iterable[str],
    target_refs: Iterable[str],
    submitted: str,
    agency_reference: str | None = None,
    task_types: Iterable[str] = ("takedown-request",),
    **properties: Any,
) -> Task:
    """A new request to a platform (§17.2), as the task's first version.

    ``properties`` are further task properties (``id``, ``name``,
    ``created_by_ref``, ``created`` …). ``start_time`` defaults to ``submitted``.
    """
    extension: dict[str, Any] = {
        "legal_basis": list(legal_basis),
        "requested_actions": list(requested_actions),
        "target_refs": list(target_refs),
        "platform_ref": platform_ref,
        "submitted": submitted,
    }
    if agency_reference is not None:
        extension["agency_reference"] = agency_reference
    return _request(marking=marking, task_types=list(task_types), extension=extension, **properties)


def referral_request(
    *,
    marking: str,
    database_ref: str,
    agreement: LegalBasis,
    target_refs: Iterable[str],
    submitted: str,
    legal_basis: Iterable[LegalBasis] | None = None,
    requested_actions: Iterable[str] = ("record",),
    record_id: str | None = None,
    agency_reference: str | None = None,
    **properties: Any,
) -> Task:
    """A new referral to a national database (§17.6), as the task's first version.

    The agreement is also the referral's legal basis unless ``legal_basis`` is given.
    """
    referral: dict[str, Any] = {"database_ref": database_ref, "agreement": agreement}
    if record_id is not None:
        referral["record_id"] = record_id
    extension: dict[str, Any] = {
        "legal_basis": list(legal_basis) if legal_basis is not None else [agreement],
        "requested_actions": list(requested_actions),
        "target_refs": list(target_refs),
        "referral": Referral(**referral),
        "submitted": submitted,
    }
    if agency_reference is not None:
        extension["agency_reference"] = agency_reference
    return _request(
        marking=marking, task_types=["database-referral"], extension=extension, **properties
    )


def _action(task: Task) -> PlatformActionExtension:
    action = task.platform_action
    if action is None:
        raise ModelError(
            f"{task.id} carries no platform action extension",
            hint="build it with platform_request() or referral_request()",
        )
    return action


def _step(task: Task, changes: Mapping[str, Any], modified: str | None) -> Task:
    """A new version of ``task`` whose platform action has ``changes``."""
    data = _action(task).to_dict()
    data.update({key: value for key, value in changes.items() if value is not None})
    action = PlatformActionExtension.from_dict({key: _dump(value) for key, value in data.items()})
    extensions = task.to_dict()["extensions"]
    extensions[EXT_PLATFORM_ACTION] = action.to_dict()
    properties: dict[str, Any] = {"extensions": extensions, "outcome": task_outcome(action)}
    if action.decided is not None:
        properties["end_time"] = action.decided
    if modified is not None:
        properties["modified"] = modified
    return new_version(task, **properties)


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [_dump(item) for item in value]
    return value.to_dict() if hasattr(value, "to_dict") else value


def acknowledge_request(
    task: Task,
    *,
    acknowledged: str,
    platform_reference: str | None = None,
    modified: str | None = None,
) -> Task:
    """The recipient confirmed receipt, perhaps with its own reference (a new version)."""
    changes = {"acknowledged": acknowledged, "platform_reference": platform_reference}
    return _step(task, changes, modified)


def _items_with(task: Task, updated: Mapping[str, ItemOutcome]) -> list[ItemOutcome]:
    """The task's item outcomes, with ``updated`` replacing or adding, in target order."""
    action = _action(task)
    current = {i.target_ref: i for i in action.item_outcomes or ()}
    current.update(updated)
    return [current[ref] for ref in action.target_refs if ref in current]


def decide_items(
    task: Task,
    outcomes: Mapping[str, tuple[str, str | None]],
    *,
    decided: str,
    modified: str | None = None,
) -> Task:
    """The recipient's answer: ``outcomes`` maps each decided item to (outcome, reason).

    Each item decided (anything but ``pending``) gets ``decided`` as its time; so
    does the request. A new version.
    """
    updated = {}
    for ref, (outcome, reason) in outcomes.items():
        item: dict[str, Any] = {"target_ref": ref, "outcome": outcome}
        if outcome != PENDING:
            item["decided"] = decided
        if reason:
            item["reason"] = reason
        updated[ref] = ItemOutcome(**item)
    changes = {"item_outcomes": _items_with(task, updated), "decided": decided}
    return _step(task, changes, modified)


def record_appeal(
    task: Task,
    target_ref: str,
    *,
    appellant: str,
    appealed: str,
    appellant_ref: str | None = None,
    reason: str | None = None,
    modified: str | None = None,
) -> Task:
    """An appeal against the decision on one item: its outcome becomes ``appealed``."""
    item = _action(task).outcome_of(target_ref)
    if item is None or item.decided is None:
        raise ModelError(f"{target_ref} has no decision to appeal against yet")
    appeal = {"appellant": appellant, "appealed": appealed, "outcome": PENDING}
    appeal.update({k: v for k, v in (("appellant_ref", appellant_ref), ("reason", reason)) if v})
    changed = item.to_dict() | {"outcome": APPEALED, "appeal": appeal}
    changes = {"item_outcomes": _items_with(task, {target_ref: ItemOutcome(**changed)})}
    return _step(task, changes, modified)


def decide_appeal(
    task: Task,
    target_ref: str,
    *,
    outcome: str,
    decided: str,
    item_outcome: str,
    reason: str | None = None,
    modified: str | None = None,
) -> Task:
    """The decision on an appeal, and the item's outcome that follows from it."""
    item = _action(task).outcome_of(target_ref)
    if item is None or item.appeal is None:
        raise ModelError(f"{target_ref} has no appeal to decide")
    appeal = item.appeal.to_dict() | {"outcome": outcome, "decided": decided}
    if reason is not None:
        appeal["reason"] = reason
    changed = item.to_dict() | {"outcome": item_outcome, "appeal": Appeal(**appeal).to_dict()}
    changes = {"item_outcomes": _items_with(task, {target_ref: ItemOutcome(**changed)})}
    return _step(task, changes, modified)


def joint_authorship(*coauthor_refs: str) -> dict[str, dict[str, Any]]:
    """The ``extensions`` entry naming the co-authoring organisations (§18.2).

    Merge it into an incident's, report's, note's or opinion's ``extensions``.
    """
    if not coauthor_refs:
        raise ModelError("name at least one co-author (an identity of class organization)")
    return {
        EXT_JOINT_AUTHORSHIP: {
            "extension_type": PROPERTY_EXTENSION,
            "coauthor_refs": list(coauthor_refs),
        }
    }

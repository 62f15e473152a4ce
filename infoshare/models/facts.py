"""Builders for facts that change over time and for coordinated networks.

Implements spec/profile/16-changing-facts.md: an account's state (§16.3) and
engagement measurements (§16.4) are series of versions of one object; each
builder here starts a series or adds its next version, and :func:`series`
reads the versions back in order. :func:`coordinated_network` builds the
channel of §16.6.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from infoshare.errors import ModelError
from infoshare.models._base import VersionedObject
from infoshare.models._changing_facts import COUNT_PROPERTIES, AccountState, EngagementMeasurement
from infoshare.models._disinformation import Channel
from infoshare.models.builders import create, new_version
from infoshare.profile import EXT_CHANNEL, EXT_COORDINATED_NETWORK
from infoshare.stix.timestamps import timestamp_key

__all__ = [
    "account_state",
    "coordinated_network",
    "engagement",
    "measurement",
    "series",
    "state_change",
]

V = TypeVar("V", bound=VersionedObject)


def _given(**values: Any) -> dict[str, Any]:
    """The optional properties a caller gave (None means not given)."""
    return {key: value for key, value in values.items() if value is not None}


def account_state(
    account_ref: str,
    state: str,
    state_since: str,
    *,
    marking: str,
    decided_by_ref: str | None = None,
    reason: str | None = None,
    **properties: Any,
) -> AccountState:
    """The first version of an account's state: ``state`` since ``state_since``."""
    given = _given(decided_by_ref=decided_by_ref, reason=reason)
    return create(
        AccountState,
        marking=marking,
        account_ref=account_ref,
        state=state,
        state_since=state_since,
        **given,
        **properties,
    )


def state_change(
    previous: AccountState,
    state: str,
    state_since: str,
    *,
    decided_by_ref: str | None = None,
    reason: str | None = None,
    **changes: Any,
) -> AccountState:
    """The next version of an account's state. The decision and reason are this change's
    own: those of ``previous`` are not carried over."""
    return new_version(
        previous,
        state=state,
        state_since=state_since,
        decided_by_ref=decided_by_ref,
        reason=reason,
        **changes,
    )


def _counts(counts: Mapping[str, int]) -> dict[str, int]:
    unknown = sorted(set(counts) - set(COUNT_PROPERTIES))
    if unknown:
        raise ModelError(
            f"unknown count {', '.join(unknown)}",
            hint=f"use {', '.join(COUNT_PROPERTIES)}",
        )
    return dict(counts)


def engagement(
    subject_ref: str,
    measured_at: str,
    counts: Mapping[str, int],
    *,
    marking: str,
    measured_by_ref: str | None = None,
    measurement_method: str | None = None,
    amplifier_ref: str | None = None,
    counted_from: str | None = None,
    **properties: Any,
) -> EngagementMeasurement:
    """The first measurement of a series: ``counts`` of ``subject_ref`` at ``measured_at``.

    ``counts`` maps count names (``like_count`` …) to values. Give the source as
    ``measured_by_ref``, ``measurement_method`` or both; ``amplifier_ref`` names the
    network whose interactions are counted (§16.6).
    """
    given = _given(
        measured_by_ref=measured_by_ref,
        measurement_method=measurement_method,
        amplifier_ref=amplifier_ref,
        counted_from=counted_from,
    )
    return create(
        EngagementMeasurement,
        marking=marking,
        subject_ref=subject_ref,
        measured_at=measured_at,
        **_counts(counts),
        **given,
        **properties,
    )


def measurement(
    previous: EngagementMeasurement,
    measured_at: str,
    counts: Mapping[str, int],
    **changes: Any,
) -> EngagementMeasurement:
    """The next measurement of a series. ``counts`` replaces every count of ``previous``:
    a count not measured this time is left out rather than repeated."""
    replaced: dict[str, Any] = dict.fromkeys(COUNT_PROPERTIES)
    replaced.update(_counts(counts))
    return new_version(previous, measured_at=measured_at, **replaced, **changes)


def coordinated_network(
    name: str,
    coordination_indicators: Sequence[str],
    *,
    marking: str,
    account_refs: Sequence[str] | None = None,
    estimated_size: int | None = None,
    estimate_method: str | None = None,
    estimated_at: str | None = None,
    channel_types: Sequence[str] = ("bot-network",),
    **properties: Any,
) -> Channel:
    """A bot or troll network: a channel with the coordinated network extension.

    ``account_refs`` are the member accounts known (usually a sample);
    ``estimated_size`` the estimate for the whole network, as of ``estimated_at``.
    """
    extension: dict[str, Any] = {
        "extension_type": "property-extension",
        "coordination_indicators": list(coordination_indicators),
    }
    extension.update(
        _given(
            estimated_size=estimated_size,
            estimate_method=estimate_method,
            estimated_at=estimated_at,
        )
    )
    extensions = {EXT_CHANNEL: {"extension_type": "new-sdo"}}
    extensions.update(properties.pop("extensions", None) or {})
    extensions[EXT_COORDINATED_NETWORK] = extension
    if account_refs is not None:
        properties["account_refs"] = list(account_refs)
    return create(
        Channel,
        marking=marking,
        name=name,
        channel_types=list(channel_types),
        extensions=extensions,
        **properties,
    )


def series(objects: Iterable[Any], object_id: str, kind: type[V]) -> list[V]:
    """Every version of ``object_id`` among ``objects``, in order of ``modified``.

    For an engagement this is the measurement series, for an account-state the
    account's history (§16.5). Objects of other ids are skipped; a version of
    ``object_id`` that is not a ``kind`` is an error.
    """
    found: list[V] = []
    for obj in objects:
        if getattr(obj, "id", None) != object_id:
            continue
        if not isinstance(obj, kind):
            raise ModelError(f"{object_id} has a version that is not a {kind.__name__}")
        found.append(obj)
    return sorted(found, key=lambda version: timestamp_key(version.modified))

"""Paired timestamps in order: checks IS-115 (STIX 2.1) and IS-601 (the profile).

* IS-115 applies the order rules STIX 2.1 itself states (spec/profile/14-conformance.md
  §14.3): ``last_seen`` >= ``first_seen`` on campaign, infrastructure,
  intrusion-set, malware, threat-actor and sighting (sections 4.2, 4.8, 4.9,
  4.10, 4.17, 5.2), ``last_observed`` >= ``first_observed`` on observed-data
  (4.14), and the strict ``valid_until`` > ``valid_from`` on indicator (4.7) and
  ``stop_time`` > ``start_time`` on relationship (5.1): equal values break those two.
* IS-601 applies the same rule to the profile's own objects (spec/profile/ §9.4):
  narrative, channel, the FIMI incident extension and OpenCTI's top-level incident
  copy, and the OASIS incident suite's event, impact and task.

Malformed timestamps are skipped: IS-104 reports them.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.profile import EXT_FIMI_INCIDENT
from infoshare.stix.timestamps import is_timestamp, timestamp_key
from infoshare.validation._registry import Emit, StixDict, jpath, object_check

_SEEN: Final = ("first_seen", "last_seen")
_TIME: Final = ("start_time", "end_time")

#: (earlier, later, later may equal earlier) for each type STIX 2.1 gives an order rule.
STIX_TIME_PAIRS: Final[dict[str, tuple[str, str, bool]]] = {
    "campaign": (*_SEEN, True),
    "infrastructure": (*_SEEN, True),
    "intrusion-set": (*_SEEN, True),
    "malware": (*_SEEN, True),
    "threat-actor": (*_SEEN, True),
    "sighting": (*_SEEN, True),
    "observed-data": ("first_observed", "last_observed", True),
    "indicator": ("valid_from", "valid_until", False),
    "relationship": ("start_time", "stop_time", False),
}

#: Object type -> the (earlier, later) pair the profile orders (equal values allowed).
TIME_PAIRS: Final[dict[str, tuple[str, str]]] = {
    "narrative": _SEEN,
    "channel": _SEEN,
    "incident": _SEEN,  # OpenCTI's top-level copy; the FIMI extension's is checked too
    "event": _TIME,
    "impact": _TIME,
    "task": _TIME,
}


def _timestamp(value: Any) -> str | None:
    return value if isinstance(value, str) and is_timestamp(value) else None


def _check_pair(
    holder: dict[str, Any],
    earlier: str,
    later: str,
    prefix: tuple[str, ...],
    emit: Emit,
    equal_allowed: bool = True,
) -> None:
    start = _timestamp(holder.get(earlier))
    end = _timestamp(holder.get(later))
    if start is None or end is None:
        return
    start_key, end_key = timestamp_key(start), timestamp_key(end)
    if end_key > start_key or (equal_allowed and end_key == start_key):
        return
    if end_key == start_key:
        emit(
            jpath(*prefix, later),
            f"{later} ({end}) equals {earlier} ({start}); STIX 2.1 requires {later} to be"
            f" later than {earlier}: correct whichever is wrong, or omit {later}",
        )
        return
    relation = "<=" if equal_allowed else "<"
    emit(
        jpath(*prefix, later),
        f"{later} ({end}) is earlier than {earlier} ({start}); correct whichever is wrong "
        f"so that {earlier} {relation} {later}",
    )


@object_check("IS-115", types=STIX_TIME_PAIRS)
def stix_time_order(obj: StixDict, emit: Emit) -> None:
    """The order rules of STIX 2.1 itself (IS-115)."""
    earlier, later, equal_allowed = STIX_TIME_PAIRS[obj["type"]]
    _check_pair(obj, earlier, later, (), emit, equal_allowed)


@object_check("IS-601", types=TIME_PAIRS)
def time_order(obj: StixDict, emit: Emit) -> None:
    """The order rule of the profile's own objects (IS-601)."""
    kind = obj["type"]
    _check_pair(obj, *TIME_PAIRS[kind], (), emit)
    if kind == "incident":
        extensions = obj.get("extensions")
        if isinstance(extensions, dict):
            fimi = extensions.get(EXT_FIMI_INCIDENT)
            if isinstance(fimi, dict):
                _check_pair(fimi, *_SEEN, ("extensions", EXT_FIMI_INCIDENT), emit)

"""IS-601: paired timestamps are in order (spec/profile/ §9.4).

first_seen <= last_seen, start_time <= end_time, valid_from <= valid_until and
first_observed <= last_observed, on the types that carry them and inside the
FIMI incident extension. Malformed timestamps are skipped: IS-104 reports them.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.profile import EXT_FIMI_INCIDENT
from infoshare.stix.timestamps import is_timestamp, timestamp_key
from infoshare.validation._registry import Emit, StixDict, jpath, object_check

_SEEN: Final = ("first_seen", "last_seen")
_TIME: Final = ("start_time", "end_time")

#: Object type -> the (earlier, later) pairs of its top-level properties.
TIME_PAIRS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "campaign": (_SEEN,),
    "intrusion-set": (_SEEN,),
    "threat-actor": (_SEEN,),
    "infrastructure": (_SEEN,),
    "malware": (_SEEN,),
    "sighting": (_SEEN,),
    "narrative": (_SEEN,),
    "channel": (_SEEN,),
    "incident": (_SEEN,),  # OpenCTI's top-level copy; the FIMI extension's is checked too
    "event": (_TIME,),
    "impact": (_TIME,),
    "task": (_TIME,),
    "indicator": (("valid_from", "valid_until"),),
    "observed-data": (("first_observed", "last_observed"),),
}


def _timestamp(value: Any) -> str | None:
    return value if isinstance(value, str) and is_timestamp(value) else None


def _check_pair(
    holder: dict[str, Any], earlier: str, later: str, prefix: tuple[str, ...], emit: Emit
) -> None:
    start = _timestamp(holder.get(earlier))
    end = _timestamp(holder.get(later))
    if start is None or end is None or timestamp_key(start) <= timestamp_key(end):
        return
    emit(
        jpath(*prefix, later),
        f"{later} ({end}) is earlier than {earlier} ({start}); correct whichever is wrong "
        f"so that {earlier} <= {later}",
    )


@object_check("IS-601", types=TIME_PAIRS)
def time_order(obj: StixDict, emit: Emit) -> None:
    kind = obj["type"]
    for earlier, later in TIME_PAIRS[kind]:
        _check_pair(obj, earlier, later, (), emit)
    if kind == "incident":
        extensions = obj.get("extensions")
        if isinstance(extensions, dict):
            fimi = extensions.get(EXT_FIMI_INCIDENT)
            if isinstance(fimi, dict):
                _check_pair(fimi, *_SEEN, ("extensions", EXT_FIMI_INCIDENT), emit)

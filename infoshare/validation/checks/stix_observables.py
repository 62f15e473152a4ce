"""Observable value rules: check IS-125 (registry hives).

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 6.17
(windows-registry-key ``key``): "The hive portion of the key MUST be fully
expanded and not truncated; e.g., HKEY_LOCAL_MACHINE must be used instead of
HKLM."
"""

from __future__ import annotations

from typing import Final

from infoshare.validation._registry import Emit, StixDict, object_check

#: The predefined registry hives, by their full names (upper case).
FULL_HIVES: Final = frozenset(
    {
        "HKEY_CLASSES_ROOT",
        "HKEY_CURRENT_CONFIG",
        "HKEY_CURRENT_USER",
        "HKEY_CURRENT_USER_LOCAL_SETTINGS",
        "HKEY_DYN_DATA",
        "HKEY_LOCAL_MACHINE",
        "HKEY_PERFORMANCE_DATA",
        "HKEY_PERFORMANCE_NLSTEXT",
        "HKEY_PERFORMANCE_TEXT",
        "HKEY_USERS",
    }
)
#: Common abbreviations of the hives -> the full name to write instead.
HIVE_ABBREVIATIONS: Final = {
    "HKCR": "HKEY_CLASSES_ROOT",
    "HKCC": "HKEY_CURRENT_CONFIG",
    "HKCU": "HKEY_CURRENT_USER",
    "HKDD": "HKEY_DYN_DATA",
    "HKLM": "HKEY_LOCAL_MACHINE",
    "HKPD": "HKEY_PERFORMANCE_DATA",
    "HKU": "HKEY_USERS",
}


def hive_problem(key: str) -> str | None:
    """Why the hive part of registry key ``key`` is not fully expanded, or None."""
    hive = key.split("\\", 1)[0].rstrip(":").upper()
    full = HIVE_ABBREVIATIONS.get(hive)
    if full is not None:
        return f"the hive {key.split(chr(92), 1)[0]!r} is abbreviated; write {full}"
    if hive.startswith("HKEY_") and hive not in FULL_HIVES:
        candidates = sorted(name for name in FULL_HIVES if name.startswith(hive))
        instead = f"; write {candidates[0]}" if len(candidates) == 1 else ""
        return f"the hive {key.split(chr(92), 1)[0]!r} is not a full hive name{instead}"
    return None


@object_check("IS-125", types={"windows-registry-key"})
def check_registry_hive(obj: StixDict, emit: Emit) -> None:
    key = obj.get("key")
    if isinstance(key, str):
        problem = hive_problem(key)
        if problem is not None:
            emit(
                ".key",
                f"{problem} (STIX 2.1 section 6.17: the hive MUST be fully expanded,"
                " e.g. HKEY_LOCAL_MACHINE, not HKLM)",
            )

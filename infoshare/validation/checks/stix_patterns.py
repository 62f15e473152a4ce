"""STIX patterns: check IS-120.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 4.7
(indicator ``pattern``: "The value of this property MUST match the type of
pattern data included in the pattern property") and section 9 (STIX
Patterning). A ``pattern`` whose ``pattern_type`` is ``stix`` is parsed with
the OASIS reference grammar, the ``stix2-patterns`` package, never with a
grammar of our own: syntax errors, unknown operators and text in another
pattern language (YARA, Sigma, …) are findings carrying the parser's message
and position.

The parser is imported on the first indicator, so runs without indicators
never load it, and each distinct pattern is parsed once per process (bounded
cache): bundles often repeat a pattern across versions of an indicator.
"""

from __future__ import annotations

import functools
from typing import Final

from infoshare.validation._registry import Emit, StixDict, object_check

#: Patterns longer than this are not handed to the parser (its cost grows quickly
#: with the input); real indicators stay far below it.
MAX_PATTERN_LENGTH: Final = 100_000


@functools.lru_cache(maxsize=2048)
def pattern_problems(pattern: str, stix_version: str = "2.1") -> tuple[str, ...]:
    """The reference grammar's objections to ``pattern``, or ``()`` when it is valid."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return (
            f"the pattern is {len(pattern):,} characters long; this validator parses"
            f" patterns of up to {MAX_PATTERN_LENGTH:,} characters",
        )
    from stix2patterns.validator import run_validator

    if not pattern.strip():
        return ("the pattern is empty",)
    try:
        messages = run_validator(pattern, stix_version=stix_version)
    except RecursionError:
        return ("the pattern is nested too deeply to parse",)
    except Exception as exc:  # the reference parser fails on some malformed input
        return (f"the reference parser cannot read it ({type(exc).__name__}: {exc})",)
    return tuple(dict.fromkeys(_plain(message) for message in messages))


def _plain(message: str) -> str:
    return message.removeprefix("FAIL: ").strip()


@object_check("IS-120", types={"indicator"})
def check_stix_pattern(obj: StixDict, emit: Emit) -> None:
    """The pattern of a ``pattern_type: stix`` indicator parses with the reference grammar."""
    pattern = obj.get("pattern")
    if obj.get("pattern_type") != "stix" or not isinstance(pattern, str):
        return
    version = "2.0" if obj.get("pattern_version") == "2.0" else "2.1"
    problems = pattern_problems(pattern, version)
    if problems:
        emit(
            ".pattern",
            f"the pattern is not a valid STIX {version} pattern: {'; '.join(problems)}."
            " Fix the pattern, or set pattern_type to the language it is written in"
            " (e.g. yara, sigma, snort)",
        )

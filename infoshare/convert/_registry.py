"""Which conversions exist, and the module and function that performs each.

A direction is imported only when it is used, so that ``infoshare validate``
never pays for misp-stix, and so that a bridge whose module or dependency is
missing from an installation fails with a :class:`~infoshare.errors.UsageError`
that says what to install, instead of an ImportError.

A conversion between two formats that are not the profile goes through the
profile: source → profile → target (docs/bridges.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, Final

from infoshare.convert._model import FORMATS, Conversion, ConversionOptions, Format
from infoshare.errors import UsageError

Direction = Callable[[Mapping[str, Any], ConversionOptions], Conversion]

#: (source, target) -> (module, function). Every entry has one side "profile".
DIRECTIONS: Final[dict[tuple[Format, Format], tuple[str, str]]] = {
    ("disinfox", "profile"): ("infoshare.convert.disinfox", "disinfox_to_profile"),
    ("misp", "profile"): ("infoshare.convert.misp", "misp_to_profile"),
    ("profile", "misp"): ("infoshare.convert.misp", "profile_to_misp"),
    ("opencti", "profile"): ("infoshare.convert.opencti", "opencti_to_profile"),
    ("profile", "opencti"): ("infoshare.convert.opencti", "profile_to_opencti"),
    ("profile", "navigator"): ("infoshare.convert.navigator", "profile_to_navigator"),
}

#: What to install when a bridge's third-party dependency is missing.
_EXTRA_HINT: Final = "install the bridges with: pip install 'infoshare[bridges]'"

#: Formats only ever written, and formats only ever read.
TARGET_ONLY: Final[frozenset[str]] = frozenset({"navigator"})
SOURCE_ONLY: Final[frozenset[str]] = frozenset({"disinfox"})


def check_format(name: str, role: str) -> Format:
    """``name`` as a :data:`Format`, or a UsageError naming the formats there are."""
    for known in FORMATS:
        if name == known:
            return known
    raise UsageError(
        f"unknown {role} format {name!r}",
        hint="use one of: " + ", ".join(FORMATS),
    )


def route(source: Format, target: Format) -> tuple[tuple[Format, Format], ...]:
    """The steps from ``source`` to ``target``: one, or two through the profile."""
    if source == target:
        raise UsageError(
            f"--from and --to are both {source!r}: there is nothing to convert",
            hint="to check a bundle against the profile, use: infoshare validate",
        )
    if source in TARGET_ONLY:
        raise UsageError(
            f"{source!r} can only be written, not read",
            hint="a DISARM Navigator layer holds scores per technique, not a case",
        )
    if target in SOURCE_ONLY:
        raise UsageError(
            f"{target!r} can only be read, not written",
            hint="convert DISINFOX data to the profile (--to profile) and share that",
        )
    if (source, target) in DIRECTIONS:
        return ((source, target),)
    return ((source, "profile"), ("profile", target))


def direction(source: Format, target: Format) -> Direction:
    """The function that converts ``source`` to ``target`` (one step)."""
    module_name, function_name = DIRECTIONS[(source, target)]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module_name or module_name.startswith(missing + "."):
            raise UsageError(
                f"the {source} → {target} conversion is not part of this installation",
                hint="upgrade infoshare to a version that has it",
            ) from exc
        raise UsageError(
            f"the {source} → {target} conversion needs the package {missing!r}",
            hint=_EXTRA_HINT,
        ) from exc
    function: Direction = getattr(module, function_name)
    return function

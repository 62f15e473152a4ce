"""Conversions between the profile and OpenCTI, MISP, DISINFOX and the DISARM Navigator.

See :mod:`infoshare.convert._model` for the shape every direction shares and
docs/bridges.md for what each direction maps, keeps aside and needs.

>>> from infoshare.convert import ConversionOptions, convert
>>> result = convert(event, source="misp", target="profile",
...                  options=ConversionOptions(tlp="amber"))  # doctest: +SKIP
>>> result.report.kept_aside  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infoshare.convert._model import (
    FORMATS,
    Conversion,
    ConversionOptions,
    ConversionReport,
    Format,
    KeptAside,
    Needed,
)
from infoshare.convert._registry import DIRECTIONS, check_format, direction, route
from infoshare.errors import ConversionError, InfoshareError

__all__ = [
    "DIRECTIONS",
    "FORMATS",
    "Conversion",
    "ConversionOptions",
    "ConversionReport",
    "Format",
    "KeptAside",
    "Needed",
    "convert",
]


def convert(
    data: Mapping[str, Any],
    *,
    source: str,
    target: str,
    options: ConversionOptions | None = None,
) -> Conversion:
    """Convert one document of ``source`` format to ``target`` format.

    ``data`` is the parsed JSON document (a STIX bundle, a MISP event, a
    DISINFOX bundle) and is never modified. A conversion between two formats
    that are not the profile goes through the profile, and its report holds
    what both steps kept aside and need.

    Raises :class:`~infoshare.errors.UsageError` for an unknown format or a
    direction that does not exist or is not installed, and
    :class:`~infoshare.errors.ConversionError` (naming the JSON path) for input
    that is not a document of the ``source`` format.
    """
    options = options if options is not None else ConversionOptions()
    steps = route(check_format(source, "source"), check_format(target, "target"))
    results: list[Conversion] = []
    current: Mapping[str, Any] = data
    for step_source, step_target in steps:
        convert_step = direction(step_source, step_target)
        try:
            result = convert_step(current, options)
        except InfoshareError:
            raise
        except (TypeError, KeyError, AttributeError, ValueError, IndexError) as exc:
            # A value of a type the direction did not expect, deep in the input.
            raise _unexpected(step_source, current, exc) from None
        results.append(result)
        current = result.output
    if len(results) == 1:
        return results[0]
    return Conversion(output=current, report=_chain([r.report for r in results]))


#: Sources that are STIX bundles, whose defects the validator can locate.
_STIX_SOURCES = ("profile", "opencti", "disinfox")


def _unexpected(source: str, data: Mapping[str, Any], exc: Exception) -> ConversionError:
    """A ConversionError for input whose shape a direction did not expect.

    For a STIX source, the validator (plain STIX mode) names the first defect and
    its JSON path; otherwise the message says what was unexpected.
    """
    if source in _STIX_SOURCES and isinstance(data, Mapping):
        from infoshare.validation import validate

        try:
            report = validate(dict(data), mode="stix")
        except InfoshareError:
            report = None
        if report is not None:
            for finding in report.sorted_findings():
                if finding.severity.value == "error":
                    return ConversionError(
                        f"{source} input at {finding.json_path}: {finding.message}",
                        hint="fix this, or check the file with: infoshare validate --mode stix",
                    )
    return ConversionError(
        f"{source} input: a value has a type or form the conversion cannot read"
        f" ({type(exc).__name__}: {str(exc)[:200]})",
        hint="check the file with: infoshare validate --mode stix (for STIX input)",
    )


def _chain(reports: list[ConversionReport]) -> ConversionReport:
    """One report for a conversion made of several steps, in their order."""
    return ConversionReport(
        source=reports[0].source,
        target=reports[-1].target,
        converted=dict(reports[-1].converted),
        kept_aside=tuple(k for r in reports for k in r.kept_aside),
        needed=tuple(n for r in reports for n in r.needed),
        notes=tuple(f"({r.source} → {r.target}) {note}" for r in reports for note in r.notes),
    )

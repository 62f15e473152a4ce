"""The layered validator of the FIMI profile (spec/profile/14-conformance.md)."""

from infoshare.validation._catalogue import CheckInfo, catalogue, resolve_selection
from infoshare.validation._findings import FileSummary, Finding, Severity, ValidationReport
from infoshare.validation._registry import ValidationOptions
from infoshare.validation._sources import Source
from infoshare.validation._validator import READER_CHECK_IDS, Validator, validate, validate_text

__all__ = [
    "READER_CHECK_IDS",
    "CheckInfo",
    "FileSummary",
    "Finding",
    "Severity",
    "Source",
    "ValidationOptions",
    "ValidationReport",
    "Validator",
    "catalogue",
    "resolve_selection",
    "validate",
    "validate_text",
]

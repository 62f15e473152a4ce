"""infoshare: the FIMI exchange profile for STIX 2.1, as a Python library.

The public surface is re-exported here; everything else is private.
"""

from infoshare.errors import InfoshareError, InputError, ModelError, SpecDataError, UsageError
from infoshare.profile import PROFILE_VERSION, STIX_SPEC_VERSION
from infoshare.validation import Finding, Report, Severity, ValidationOptions, Validator, validate

__version__ = "0.1.0"

__all__ = [
    "PROFILE_VERSION",
    "STIX_SPEC_VERSION",
    "Finding",
    "InfoshareError",
    "InputError",
    "ModelError",
    "Report",
    "Severity",
    "SpecDataError",
    "UsageError",
    "ValidationOptions",
    "Validator",
    "__version__",
    "validate",
]

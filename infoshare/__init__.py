"""infoshare: the FIMI exchange profile for STIX 2.1, as a Python library.

The public surface is re-exported here (``__all__``, sorted); everything else
is private. The reference of each name is docs/api.md, generated from these
docstrings by ``python -m infoshare._apidoc``.

Example::

    >>> import infoshare
    >>> report = infoshare.validate("case.json")  # doctest: +SKIP
    >>> report.passed, report.errors  # doctest: +SKIP
    (True, 0)
"""

from infoshare.errors import InfoshareError, InputError, ModelError, SpecDataError, UsageError
from infoshare.profile import PROFILE_VERSION, STIX_SPEC_VERSION
from infoshare.validation import (
    Finding,
    Severity,
    Source,
    ValidationOptions,
    ValidationReport,
    Validator,
    validate,
    validate_text,
)

__version__ = "0.1.0"

__all__ = [
    "PROFILE_VERSION",
    "STIX_SPEC_VERSION",
    "Finding",
    "InfoshareError",
    "InputError",
    "ModelError",
    "Severity",
    "Source",
    "SpecDataError",
    "UsageError",
    "ValidationOptions",
    "ValidationReport",
    "Validator",
    "__version__",
    "validate",
    "validate_text",
]

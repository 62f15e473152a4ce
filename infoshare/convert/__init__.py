"""Conversions between the profile and OpenCTI, MISP, DISINFOX and the DISARM Navigator.

See :mod:`infoshare.convert._model` for the shape every direction shares and
docs/bridges.md for what each direction maps, keeps aside and needs.
"""

from infoshare.convert._model import (
    FORMATS,
    Conversion,
    ConversionOptions,
    ConversionReport,
    Format,
    KeptAside,
    Needed,
)

__all__ = [
    "FORMATS",
    "Conversion",
    "ConversionOptions",
    "ConversionReport",
    "Format",
    "KeptAside",
    "Needed",
]

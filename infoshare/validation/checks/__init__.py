"""Implementations of the numbered checks, one module per concern.

Every module in this package registers its checks on import (see
infoshare.validation._registry); :func:`load_all` imports them all.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every check module so that its checks are registered."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")

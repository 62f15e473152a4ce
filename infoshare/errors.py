"""The one error hierarchy of the infoshare library.

::

    InfoshareError                 base: every error the library raises on purpose
    ├── InputError                 a file or stream cannot be read at all
    ├── ModelError (ValueError)    an object breaks a rule of the profile on construction
    ├── SpecDataError              the shipped spec/ data is missing or broken
    ├── UsageError                 the caller asked for something that cannot be done
    └── ConversionError            a document cannot be converted between formats

Every error carries a one-line message and can render a longer, human
explanation with :meth:`InfoshareError.diagnostics`. The CLI catches only the
base class and prints the diagnostics; users never see a traceback.
"""

from __future__ import annotations


class InfoshareError(Exception):
    """Base class of every error raised on purpose by infoshare."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> str:
        """A multi-line explanation for a person: what is wrong and what to do."""
        lines = [f"error: {self.message}"]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class InputError(InfoshareError):
    """A file or stream could not be opened or read (missing, unreadable, a directory...)."""


class ModelError(InfoshareError, ValueError):
    """An object breaks a rule of STIX 2.1 or of the profile when it is built."""


class SpecDataError(InfoshareError):
    """The profile's data files (schemas, vocabularies, reference tables) are missing or invalid."""


class UsageError(InfoshareError):
    """The caller asked for something that cannot be done (unknown check id, bad option...)."""


class ConversionError(InfoshareError):
    """A document cannot be converted between formats (malformed, truncated, not the format).

    The message names the input and the JSON path where conversion stopped, so the
    user can find the offending part; nothing is written when this is raised.
    """

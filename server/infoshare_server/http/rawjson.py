"""Stored JSON text spliced into responses as it is, without parsing and re-encoding.

Implements "Stored JSON goes out unchanged" of docs/architecture.md ("The
node") and the read part of "Performance" in docs/adr/0004-sql-storage.md.
The backend hands medallion's views each stored object as a :class:`RawJSON`;
the app's JSON provider (``protocol.StrictJSONProvider``) writes its text
verbatim into the envelope. Stored bodies were produced by the node's own
JSON encoder at ingest (``ingest.py``), so the envelope stays valid JSON.

A :class:`RawJSON` is also a read-only mapping: code that looks inside it
(library use of the backend, tests) gets the parsed object, parsed once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any


class RawJSON(Mapping[str, Any]):
    """A JSON object kept as its text; parsed only if someone reads a member."""

    __slots__ = ("_parsed", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._parsed: dict[str, Any] | None = None

    def _value(self) -> dict[str, Any]:
        if self._parsed is None:
            parsed = json.loads(self.text)
            if not isinstance(parsed, dict):
                raise TypeError("RawJSON holds a JSON object")
            self._parsed = parsed
        return self._parsed

    def __getitem__(self, key: str) -> Any:
        return self._value()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._value())

    def __len__(self) -> int:
        return len(self._value())

    def __repr__(self) -> str:
        return f"RawJSON({self.text[:60]!r}…)" if len(self.text) > 60 else f"RawJSON({self.text!r})"


def contains_raw(value: Any) -> bool:
    """True if ``value`` is, or is a dict or list directly holding, a :class:`RawJSON`."""
    if isinstance(value, RawJSON):
        return True
    if isinstance(value, dict):
        return any(
            isinstance(v, RawJSON) or (isinstance(v, list) and any_raw(v)) for v in value.values()
        )
    return isinstance(value, list) and any_raw(value)


def any_raw(items: list[Any]) -> bool:
    return any(isinstance(item, RawJSON) for item in items)


def encode(value: Any, dumps: Callable[[Any], str]) -> str:
    """``value`` as JSON text; :class:`RawJSON` members as their text, the rest via ``dumps``."""
    if isinstance(value, RawJSON):
        return value.text
    if not contains_raw(value):
        return dumps(value)
    if isinstance(value, dict):
        members = (f"{dumps(str(key))}: {encode(item, dumps)}" for key, item in value.items())
        return "{" + ", ".join(members) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(encode(item, dumps) for item in value) + "]"
    return dumps(value)

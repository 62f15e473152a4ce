"""Hostile inputs for the validator, made by mutating real bundles.

Used by the bounded fuzz test (tests/test_fuzz_validator.py, driven by
hypothesis) and by the longer run (benchmarks/fuzz_validator.py). Every
mutation is a pure function of a ``random.Random``, so a seed reproduces a
case. The seeds are the example bundles and the conformance fixtures.

Two kinds of case come out:

* text cases (bytes): truncation, byte flips, splices, deep nesting, huge
  numbers, repeated member names, and values of the wrong type at any path;
* object cases (lists of dicts, as the node's ingest hands them over):
  values of the wrong type at any path, including what JSON text cannot
  carry (NaN, infinities, integers of any length, deep nesting).

Spec: spec/profile/14-conformance.md section 14.2 (what the reader refuses)
and section 14.1 (a defect in the input is a finding, never an exception).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Seeds larger than this are left out, so one case stays quick to validate.
MAX_SEED_BYTES = 200_000

_NUMBER = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_MEMBER = re.compile(rb'"[a-z_][a-z0-9_-]*"\s*:')


@dataclass(frozen=True)
class Seed:
    name: str
    text: bytes
    document: Any  # the parsed text, or None when the seed is not JSON


def load_seeds(root: Path = ROOT) -> list[Seed]:
    """The example bundles and every conformance fixture small enough."""
    paths = sorted((root / "examples").glob("*.json"))
    paths += sorted((root / "spec" / "conformance").rglob("*.json"))
    seeds = []
    for path in paths:
        if path.name == "index.json" or path.stat().st_size > MAX_SEED_BYTES:
            continue
        text = path.read_bytes()
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        seeds.append(Seed(path.relative_to(root).as_posix(), text, document))
    return seeds


def _nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"x_inner": value}
    return value


def weird_values(rng: random.Random, *, json_only: bool) -> list[Any]:
    """Values that break assumptions: wrong types, extremes, odd strings."""
    values: list[Any] = [
        None, True, False, 0, -1, 10**400, -(10**400), 2**64, 2**53 + 1,
        1e308, -1e308, 5e-324, -0.0, 0.5, "", "x" * 5000, "\x00", "\ud800", "\U0001f600",
        "\uff12\uff10\uff12\uff14-01-01T00:00:00.000Z", "2024-02-30T25:61:61.000Z",
        "2024-06-30T23:59:60.000Z", "--", "identity--",
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "identity--91e512ac-205a-45d5-9dab-10d1ecd87042", "[x:y = 'a'] AND", [], {}, [None],
        [[]], [{}], [10**400], {"": None}, {"extension_type": ["new-sdo"]}, ["a", "a"],
        {"x": {"y": [1.5e300, -0.0]}}, _nested(rng.randint(1, 40)),
    ]  # fmt: skip
    if not json_only:
        values += [float("nan"), float("inf"), float("-inf"), 10**5000, _nested(200)]
    return values


def _paths(document: Any) -> list[tuple[Any, Any]]:
    """(container, key) for every member and item, so a value can be replaced."""
    out: list[tuple[Any, Any]] = []
    stack = [document]
    while stack:
        node = stack.pop()
        members = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in members:
            out.append((node, key))
            if isinstance(value, dict | list):
                stack.append(value)
    return out


def _names(document: Any) -> list[str]:
    return sorted({key for node, key in _paths(document) if isinstance(key, str)}) or ["type"]


class Mutator:
    """Makes one hostile case at a time from the seeds, reproducibly."""

    def __init__(self, rng: random.Random, seeds: list[Seed]) -> None:
        self.rng = rng
        self.seeds = seeds
        self.parsed = [s for s in seeds if isinstance(s.document, dict)]
        self._text_mutations: list[tuple[str, Callable[[bytes], bytes]]] = [
            ("truncate", self.truncate),
            ("flip bytes", self.flip_bytes),
            ("splice", self.splice),
            ("deep nesting", self.deep_nesting),
            ("huge number", self.huge_number),
            ("repeated name", self.repeated_name),
            ("wrong value", self.wrong_value_text),
            ("second objects array", self.second_objects_array),
        ]

    # --- text cases -------------------------------------------------------------------

    def text_case(self) -> tuple[str, bytes]:
        """A mutated seed: (what was done, the bytes)."""
        seed = self.rng.choice(self.seeds)
        data = seed.text
        done = []
        for _ in range(self.rng.choice((1, 1, 1, 2, 3))):
            name, mutation = self.rng.choice(self._text_mutations)
            data = mutation(data)
            done.append(name)
        return f"{seed.name}: {', '.join(done)}", data

    def truncate(self, data: bytes) -> bytes:
        return data[: self.rng.randrange(len(data) + 1)]

    def flip_bytes(self, data: bytes) -> bytes:
        if not data:
            return bytes([self.rng.randrange(256)])
        out = bytearray(data)
        for _ in range(self.rng.randint(1, 8)):
            out[self.rng.randrange(len(out))] = self.rng.randrange(256)
        return bytes(out)

    def splice(self, data: bytes) -> bytes:
        other = self.rng.choice(self.seeds).text
        a, b = sorted(self.rng.randrange(len(other) + 1) for _ in range(2))
        at = self.rng.randrange(len(data) + 1)
        return data[:at] + other[a:b] + data[at:]

    def deep_nesting(self, data: bytes) -> bytes:
        depth = self.rng.choice((60, 63, 64, 65, 66, 200, 3000, 100_000))
        opener, closer = self.rng.choice(((b"[", b"]"), (b'{"x_a":', b"}")))
        nest = opener * depth + b"1" + closer * depth
        return self._replace_a_value(data, nest)

    def huge_number(self, data: bytes) -> bytes:
        digits = self.rng.choice((17, 309, 400, 4300, 4301, 10_000))
        sign = self.rng.choice((b"", b"-"))
        body = self.rng.choice(
            (b"9" * digits, b"1e" + str(digits).encode(), b"1." + b"5" * digits, b"-0", b"1e-400")
        )
        return self._replace_a_value(data, sign + body if body[:1] != b"-" else body)

    def repeated_name(self, data: bytes) -> bytes:
        members = list(_MEMBER.finditer(data))
        if not members:
            return data
        member = self.rng.choice(members)
        value = json.dumps(self.rng.choice(weird_values(self.rng, json_only=True))).encode()
        return data[: member.start()] + member[0] + b" " + value + b", " + data[member.start() :]

    def second_objects_array(self, data: bytes) -> bytes:
        end = data.rfind(b"}")
        if end < 0:
            return data
        objects = b"[]"
        if self.parsed:
            objs = self.rng.choice(self.parsed).document.get("objects")
            if isinstance(objs, list):
                objects = json.dumps(objs).encode()
        return data[:end] + b', "objects": ' + objects + data[end:]

    def wrong_value_text(self, data: bytes) -> bytes:
        value = self.rng.choice(weird_values(self.rng, json_only=True))
        return self._replace_a_value(data, json.dumps(value).encode())

    def _replace_a_value(self, data: bytes, new: bytes) -> bytes:
        """Put ``new`` where a member's value or a number starts (text level)."""
        spots = [m.end() for m in _MEMBER.finditer(data)] or [
            m.start() for m in _NUMBER.finditer(data)
        ]
        if not spots:
            return new
        at = self.rng.choice(spots)
        rest = data[at:].lstrip()
        old = _NUMBER.match(rest) or re.match(rb'"(?:[^"\\]|\\.)*"|true|false|null', rest)
        cut = len(data) - len(rest) + (old.end() if old else 0)
        return data[:at] + b" " + new + data[cut:]

    # --- object cases -----------------------------------------------------------------

    def object_case(self) -> tuple[str, list[Any]]:
        """Parsed objects with wrong values put in: (what was done, the objects)."""
        seed = self.rng.choice(self.parsed)
        document = json.loads(seed.text)
        objects = document.get("objects")
        if not isinstance(objects, list) or not objects:
            objects = [document]
        done = []
        for _ in range(self.rng.randint(1, 4)):
            done.append(self._wrong_value_object(objects))
        return f"{seed.name}: {', '.join(done)}", objects

    def _wrong_value_object(self, objects: list[Any]) -> str:
        value = self.rng.choice(weird_values(self.rng, json_only=False))
        spots = _paths(objects)
        if self.rng.random() < 0.3:  # add a known name where it may not belong
            containers = [node for node, _ in spots if isinstance(node, dict)] or [objects[0]]
            target = self.rng.choice(containers)
            if isinstance(target, dict):
                name = self.rng.choice(_names(self.rng.choice(self.parsed).document))
                target[name] = value
                return f"set {name} to {type(value).__name__}"
        node, key = self.rng.choice(spots)
        node[key] = value
        return f"replaced {key!r} by {type(value).__name__}"

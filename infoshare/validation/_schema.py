"""Compile the profile's JSON Schemas (2020-12) once into fast Python checks.

The normative artefacts are the JSON Schema files under spec/schemas/. The
general-purpose ``jsonschema`` package validates them correctly but spends
most of its time on dispatch, which at 100,000 objects dominates a run. This
module compiles each schema once per process into a tree of closures that
does only the work its keywords ask for, and builds JSON paths only when a
value fails. The test suite checks that the compiled form and ``jsonschema``
agree on the conformance corpus and on generated instances.

Supported keywords are the ones the profile's schemas use; an unknown keyword
is an error at compile time, so a schema can never be half-enforced.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from infoshare.errors import SpecDataError
from infoshare.stix.timestamps import is_timestamp

#: A path is built lazily: a chain of (parent, key) pairs, rendered on failure.
PathChain = tuple[Any, str | int] | None
SchemaEmit = Callable[[PathChain, str, str], None]  # (path, message, keyword)
Check = Callable[[Any, PathChain, SchemaEmit], None]

_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "$comment", "$defs", "title", "description", "examples",
        "default", "deprecated", "readOnly", "writeOnly", "$anchor",
    }
)  # fmt: skip

_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def render_path(chain: PathChain) -> str:
    """``(( None, 'a'), 0)`` -> ``.a[0]``: the JSONPath suffix of a chain."""
    parts: list[str] = []
    while chain is not None:
        chain, key = chain
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _SIMPLE_KEY.match(key):
            parts.append(f".{key}")
        else:
            parts.append("['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(reversed(parts))


def _describe(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except ValueError:  # it holds an integer too long to write out as text
        return "an array" if isinstance(value, list) else "an object"
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "null":
        return value is None
    raise SpecDataError(f"unknown JSON Schema type {name!r}")


def _is_uri(value: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$", value))


_FORMATS: dict[str, Callable[[str], bool]] = {
    "date-time": is_timestamp,
    "uri": _is_uri,
}


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0 but True != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


class SchemaSet:
    """Every schema below a folder, indexed by its ``$id``, compiled on demand.

    With ``deferred``, :meth:`compile` returns at once a check that compiles
    its schema when it is first called, so a process compiles only the
    schemas of the object types it meets: a run on a one-object bundle (what
    pre-commit starts once per file) does not pay for the others. A
    schema the compiler cannot handle then fails on first use; the test
    suite compiles every shipped schema.
    """

    def __init__(self, folder: Path, *, deferred: bool = False) -> None:
        self._deferred = deferred
        self._documents: dict[str, Any] = {}
        self._compiled: dict[str, Check] = {}
        for path in sorted(folder.rglob("*.json")):
            try:
                document = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise SpecDataError(f"schema {path.name} is unreadable: {exc}") from exc
            if not isinstance(document, dict) or "$id" not in document:
                continue
            self._documents[document["$id"]] = document

    @property
    def ids(self) -> list[str]:
        return sorted(self._documents)

    def document(self, schema_id: str) -> Any:
        return self._documents[schema_id]

    def compile(self, uri: str) -> Check:
        """The check for a schema (or a ``#/...`` pointer into one); see ``deferred``."""
        if not self._deferred or uri in self._compiled:
            return self.compile_now(uri)
        compiled: list[Check] = []

        def on_first_use(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if not compiled:
                compiled.append(self.compile_now(uri))
            compiled[0](value, path, emit)

        return on_first_use

    def compile_now(self, uri: str) -> Check:
        """The compiled check for a schema (or a ``#/...`` pointer into one)."""
        if uri in self._compiled:
            return self._compiled[uri]
        slot: list[Check] = []

        def forward(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            slot[0](value, path, emit)

        self._compiled[uri] = forward  # breaks cycles of $ref
        try:
            compiled = self._compile_uri(uri)
        except SpecDataError as exc:
            del self._compiled[uri]  # nothing half-compiled stays behind
            problem = exc

            def broken(value: Any, path: PathChain, emit: SchemaEmit) -> None:
                raise problem  # a cycle back to this schema was compiled before it failed

            slot.append(broken)
            raise
        slot.append(compiled)
        self._compiled[uri] = compiled
        return compiled

    def _compile_uri(self, uri: str) -> Check:
        base, fragment = urldefrag(uri)
        if base not in self._documents:
            raise SpecDataError(f"schema {base!r} is referenced but not found in spec/schemas/")
        node = self._documents[base]
        for token in [t for t in fragment.split("/") if t]:
            token = token.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError):
                raise SpecDataError(f"schema pointer {uri!r} leads nowhere") from None
        return self._compile_node(node, base)

    # --- the compiler -----------------------------------------------------------

    def _compile_node(self, schema: Any, base: str) -> Check:
        if schema is True or schema == {}:
            return _accept
        if schema is False:
            return _reject
        if not isinstance(schema, dict):
            raise SpecDataError(f"a schema must be an object or boolean, got {schema!r}")
        if "$id" in schema and isinstance(schema["$id"], str):
            base = urljoin(base, schema["$id"])
        checks: list[Check] = []
        type_check: Check | None = None
        for keyword, arg in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            builder = _BUILDERS.get(keyword)
            if builder is None:
                if keyword in _HANDLED_BY_OTHERS:
                    continue
                raise SpecDataError(f"schema keyword {keyword!r} is not supported by the compiler")
            check = builder(self, schema, arg, base)
            if check is not _accept:
                checks.append(check)
            if keyword == "type":
                type_check = check
        if not checks:
            return _accept
        if len(checks) == 1:
            return checks[0]
        sequence = tuple(checks)
        if type_check is not None:
            return _typed_sequence(schema["type"], type_check, sequence)

        def all_of_keywords(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            for check in sequence:
                check(value, path, emit)

        return all_of_keywords


def _typed_sequence(type_arg: Any, type_check: Check, sequence: tuple[Check, ...]) -> Check:
    """Run the keywords of a schema with a ``type``: when the value has the type
    (the usual case) the type keyword is skipped, as it would report nothing;
    otherwise every keyword runs in order, exactly as without this shortcut."""
    names = (type_arg,) if isinstance(type_arg, str) else tuple(type_arg)
    rest = tuple(check for check in sequence if check is not type_check)
    python_type = _PYTHON_TYPES.get(names[0]) if len(names) == 1 else None
    if python_type is not None:  # the same as below, with the test inlined

        def typed_instance(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if isinstance(value, python_type):
                for check in rest:
                    check(value, path, emit)
            else:
                for check in sequence:
                    check(value, path, emit)

        return typed_instance
    test = _type_test(names)
    if len(rest) == 1:
        (only,) = rest

        def typed_one(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if test(value):
                only(value, path, emit)
            else:
                for check in sequence:
                    check(value, path, emit)

        return typed_one

    def typed(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if test(value):
            for check in rest:
                check(value, path, emit)
        else:
            for check in sequence:
                check(value, path, emit)

    return typed


def _accept(value: Any, path: PathChain, emit: SchemaEmit) -> None:
    return None


def _reject(value: Any, path: PathChain, emit: SchemaEmit) -> None:
    emit(path, "is not allowed here", "false")


_Builder = Callable[[SchemaSet, dict[str, Any], Any, str], Check]
_BUILDERS: dict[str, _Builder] = {}
#: Keywords read by another keyword's builder (then and else, by if).
_HANDLED_BY_OTHERS = frozenset({"then", "else"})


def _builder(*keywords: str) -> Callable[[_Builder], _Builder]:
    def register(fn: _Builder) -> _Builder:
        for keyword in keywords:
            _BUILDERS[keyword] = fn
        return fn

    return register


def _is_valid(check: Check, value: Any) -> bool:
    failed: list[bool] = []

    def note(path: PathChain, message: str, keyword: str) -> None:
        failed.append(True)

    check(value, None, note)
    return not failed


def _is_integer(value: Any) -> bool:
    if isinstance(value, int):
        return not isinstance(value, bool)
    return isinstance(value, float) and value.is_integer()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _type_test(names: tuple[str, ...]) -> Callable[[Any], bool]:
    """The fastest exact test for ``"type": names``."""
    if len(names) == 1:
        name = names[0]
        python_type = _PYTHON_TYPES.get(name)
        if python_type is not None:
            return lambda value: isinstance(value, python_type)
        if name == "integer":
            return _is_integer
        if name == "number":
            return _is_number
    return lambda value: any(_is_type(value, name) for name in names)


#: JSON types that are exactly one Python type (bool is not an int here: JSON
#: true is parsed as bool, and "boolean" is tested with isinstance(…, bool)).
_PYTHON_TYPES: dict[str, type] = {
    "string": str,
    "object": dict,
    "array": list,
    "boolean": bool,
    "null": type(None),
}


@_builder("type")
def _type(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    names = (arg,) if isinstance(arg, str) else tuple(arg)
    for name in names:
        _is_type(None, name)  # validates the name itself
    wanted = " or ".join(names)
    if names == ("string",):

        def is_string(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if not isinstance(value, str):
                emit(path, f"expected a string, got {_json_type(value)}", "type")

        return is_string
    python_type = _PYTHON_TYPES.get(names[0]) if len(names) == 1 else None
    if python_type is not None:

        def is_instance(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if not isinstance(value, python_type):
                emit(path, f"expected {wanted}, got {_json_type(value)}", "type")

        return is_instance
    test = _type_test(names)

    def is_type(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if not test(value):
            emit(path, f"expected {wanted}, got {_json_type(value)}", "type")

    return is_type


@_builder("enum")
def _enum(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    allowed = list(arg)
    hashable = frozenset(v for v in allowed if isinstance(v, str))
    listing = ", ".join(str(v) for v in allowed)

    def in_enum(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if isinstance(value, str) and value in hashable:
            return
        if not any(_equal(value, v) for v in allowed):
            emit(path, f"{_describe(value)} is not one of the allowed values: {listing}", "enum")

    return in_enum


@_builder("const")
def _const(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    def equals(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if not _equal(value, arg):
            emit(path, f"must be {_describe(arg)}, got {_describe(value)}", "const")

    return equals


@_builder("required")
def _required(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    names = tuple(arg)

    def has_required(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if isinstance(value, dict):
            for name in names:
                if name not in value:
                    emit(path, f"missing required property {name!r}", "required")

    return has_required


@_builder("dependentRequired")
def _dependent_required(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    rules = {k: tuple(v) for k, v in arg.items()}

    def has_dependents(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if isinstance(value, dict):
            for trigger, needed in rules.items():
                if trigger in value:
                    for name in needed:
                        if name not in value:
                            emit(
                                path,
                                f"{name!r} is required when {trigger!r} is present",
                                "required",
                            )

    return has_dependents


@_builder("properties")
def _properties(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    known = {name: ss._compile_node(sub, base) for name, sub in arg.items()}
    patterns = [
        (re.compile(p), ss._compile_node(sub, base))
        for p, sub in schema.get("patternProperties", {}).items()
    ]
    extra = schema.get("additionalProperties", True)
    extra_check = None if extra is True else ss._compile_node(extra, base)
    closed = extra is False
    lookup = known.get

    if not patterns and extra_check is None:  # the common, open case: only named properties
        # Properties any value passes need no call.
        lookup = {name: check for name, check in known.items() if check is not _accept}.get

        def named_properties(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    check = lookup(key)
                    if check is not None:
                        check(item, (path, key), emit)

        return named_properties

    def object_properties(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if not isinstance(value, dict):
            return
        for key, item in value.items():
            check = lookup(key)
            matched = check is not None
            if check is not None:
                check(item, (path, key), emit)
            # A key may match "properties" and patternProperties: both apply.
            for pattern, pattern_check in patterns:
                if pattern.search(key):
                    matched = True
                    pattern_check(item, (path, key), emit)
            if matched or extra_check is None:
                continue
            if closed:
                emit(
                    (path, key),
                    f"unexpected property {key!r}: the schema does not define it",
                    "additionalProperties",
                )
            else:
                extra_check(item, (path, key), emit)

    return object_properties


@_builder("propertyNames")
def _property_names(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    check = ss._compile_node(arg, base)

    def names(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if isinstance(value, dict):
            for key in value:
                check(key, (path, key), emit)

    return names


@_builder("items")
def _items(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    check = ss._compile_node(arg, base)

    def each_item(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                check(item, (path, index), emit)

    return each_item


def _bound(
    keyword: str,
    kinds: tuple[type, ...],
    measure: Callable[[Any], float],
    ok: Callable[[float, float], bool],
    text: str,
) -> _Builder:
    def build(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
        limit = arg

        def bounded(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if (
                isinstance(value, kinds)
                and not isinstance(value, bool)
                and not ok(measure(value), limit)
            ):
                emit(path, text.format(limit=limit, value=_describe(value)), keyword)

        return bounded

    _BUILDERS[keyword] = build
    return build


_NUM = (int, float)


def _as_number(value: float) -> float:
    """Numbers are compared as they are: Python compares an int with a float
    exactly, where float() would overflow on an integer of 309 digits or more."""
    return value


_bound("minimum", _NUM, _as_number, operator.ge, "{value} is less than the minimum {limit}")
_bound("maximum", _NUM, _as_number, operator.le, "{value} is more than the maximum {limit}")
_bound("exclusiveMinimum", _NUM, _as_number, operator.gt, "{value} must be more than {limit}")
_bound("exclusiveMaximum", _NUM, _as_number, operator.lt, "{value} must be less than {limit}")
_bound("minLength", (str,), len, operator.ge, "must be at least {limit} characters long")
_bound("maxLength", (str,), len, operator.le, "must be at most {limit} characters long")
_bound("minItems", (list,), len, operator.ge, "must have at least {limit} item(s)")
_bound("maxItems", (list,), len, operator.le, "must have at most {limit} item(s)")
_bound(
    "minProperties",
    (dict,),
    len,
    operator.ge,
    "must have at least {limit} propert(ies)",
)
_bound("maxProperties", (dict,), len, operator.le, "must have at most {limit} propert(ies)")


@_builder("multipleOf")
def _multiple_of(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    def multiple(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if numeric and not _is_multiple(value, arg):
            emit(path, f"{_describe(value)} is not a multiple of {arg}", "multipleOf")

    return multiple


def _is_multiple(value: float, divisor: float) -> bool:
    """``value`` is a whole multiple of ``divisor``, without overflowing on huge
    integers or on quotients too large for a float."""
    if isinstance(value, int) and isinstance(divisor, int):
        return value % divisor == 0
    try:
        quotient = value / divisor
    except OverflowError:
        return False
    return math.isfinite(quotient) and math.isclose(quotient, round(quotient))


@_builder("uniqueItems")
def _unique_items(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    if not arg:
        return _accept

    def unique(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if isinstance(value, list) and len(value) > 1:
            seen = [json.dumps(v, sort_keys=True) for v in value]
            if len(set(seen)) != len(seen):
                emit(path, "items must be unique", "uniqueItems")

    return unique


@_builder("pattern")
def _pattern(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    regex = re.compile(arg)

    def matches(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if isinstance(value, str) and not regex.search(value):
            emit(path, f"{_describe(value)} does not match the pattern {arg}", "pattern")

    return matches


@_builder("format")
def _format(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    test = _FORMATS.get(arg)
    if test is None:
        raise SpecDataError(f"schema format {arg!r} is not supported by the compiler")

    def formatted(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if isinstance(value, str) and not test(value):
            emit(path, f"{_describe(value)} is not a valid {arg}", "format")

    return formatted


@_builder("$ref")
def _ref(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    target = urljoin(base, arg)
    try:
        # Resolved now, so a $ref costs nothing per value; inside a cycle of
        # $ref this is the target's forwarding stub (see SchemaSet.compile).
        return ss.compile_now(target)
    except SpecDataError:
        pass  # a dangling or unsupported target is reported when first used
    resolved: list[Check] = []

    def follow(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if not resolved:
            resolved.append(ss.compile_now(target))
        resolved[0](value, path, emit)

    return follow


@_builder("allOf")
def _all_of(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    parts = tuple(ss._compile_node(sub, base) for sub in arg)

    def all_of(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        for part in parts:
            part(value, path, emit)

    return all_of


@_builder("anyOf", "oneOf")
def _any_of(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    one = "oneOf" in schema and schema["oneOf"] is arg
    keyword = "oneOf" if one else "anyOf"
    parts = tuple(ss._compile_node(sub, base) for sub in arg)
    # Alternatives that only list required properties ("one of region, country
    # or latitude and longitude") fail as a missing property, with a message to match.
    choices = _required_choices(arg)
    missing_keyword = "required" if choices else keyword
    missing_text = f"needs {'exactly' if one else 'at least'} one of: {choices}" if choices else ""

    if choices and not one:
        name_sets = tuple(tuple(a["required"]) for a in arg)

        def any_of_required(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if not isinstance(value, dict):
                return  # "required" holds for anything but an object
            for names in name_sets:  # stops at the first form present: the usual case
                for name in names:
                    if name not in value:
                        break
                else:
                    return
            emit(path, missing_text, "required")

        return any_of_required
    if choices:
        name_sets = tuple(tuple(a["required"]) for a in arg)

        def one_of_required(value: Any, path: PathChain, emit: SchemaEmit) -> None:
            if isinstance(value, dict):
                passing = sum(1 for names in name_sets if all(n in value for n in names))
            else:
                passing = len(name_sets)  # "required" holds for anything but an object
            if passing == 0:
                emit(path, missing_text, "required")
            elif one and passing > 1:
                forms = "more than one of the exclusive forms"
                emit(path, f"{_describe(value)} matches {forms}", keyword)

        return one_of_required

    def alternatives(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        passing = sum(1 for part in parts if _is_valid(part, value))
        if passing == 0:
            text = missing_text or f"{_describe(value)} does not match any of the allowed forms"
            emit(path, text, missing_keyword)
        elif one and passing > 1:
            emit(path, f"{_describe(value)} matches more than one of the exclusive forms", keyword)

    return alternatives


def _required_choices(alternatives: Any) -> str:
    """``'a', 'b' or 'c' and 'd'`` when every alternative is ``{"required": [...]}``, else ''."""
    if not all(isinstance(a, dict) and list(a) == ["required"] for a in alternatives):
        return ""
    forms = [" and ".join(repr(name) for name in a["required"]) for a in alternatives]
    return ", ".join(forms[:-1]) + " or " + forms[-1] if len(forms) > 1 else "".join(forms)


@_builder("not")
def _not(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    part = ss._compile_node(arg, base)

    def negated(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        if _is_valid(part, value):
            emit(path, f"{_describe(value)} is not allowed here", "not")

    return negated


@_builder("if")
def _if(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    condition = ss._compile_node(arg, base)
    then = ss._compile_node(schema.get("then", True), base)
    otherwise = ss._compile_node(schema.get("else", True), base)

    def conditional(value: Any, path: PathChain, emit: SchemaEmit) -> None:
        (then if _is_valid(condition, value) else otherwise)(value, path, emit)

    return conditional


# "properties" handles additionalProperties and patternProperties; without it
# these keywords still apply on their own.
def _standalone_extra(ss: SchemaSet, schema: dict[str, Any], arg: Any, base: str) -> Check:
    if "properties" in schema:
        return _accept
    if (
        "additionalProperties" in schema
        and "patternProperties" in schema
        and arg is schema["patternProperties"]
    ):
        return _accept  # compiled once, under additionalProperties
    return _properties(ss, schema, {}, base)


_BUILDERS["additionalProperties"] = _standalone_extra
_BUILDERS["patternProperties"] = _standalone_extra

"""Deferred schema compilation (infoshare/validation/_schema.py, ``deferred=True``).

The validator's process-wide schema set compiles a schema when a check first
uses it, so start-up does not grow with the number of schemas. A broken
schema must still never go unnoticed: every shipped schema is compiled here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infoshare.errors import SpecDataError
from infoshare.validation._schema import SchemaSet
from infoshare.validation._schemas_loaded import schema_set


def test_every_shipped_schema_compiles() -> None:
    schemas = schema_set()
    assert len(schemas.ids) > 50
    for schema_id in schemas.ids:
        schemas.compile_now(schema_id)


def _write(folder: Path, schema: dict[str, object]) -> str:
    uri = "https://t.example/main.json"
    (folder / "main.json").write_text(json.dumps({"$id": uri, **schema}))
    return uri


def test_a_deferred_schema_compiles_on_first_use(tmp_path: Path) -> None:
    uri = _write(tmp_path, {"type": "object", "required": ["name"]})
    schemas = SchemaSet(tmp_path, deferred=True)
    check = schemas.compile(uri)
    assert uri not in schemas._compiled  # nothing compiled yet
    failures: list[str] = []
    check({}, None, lambda path, message, keyword: failures.append(keyword))
    check({"name": "x"}, None, lambda path, message, keyword: failures.append(keyword))
    assert failures == ["required"]
    assert uri in schemas._compiled


def test_a_broken_deferred_schema_fails_when_used(tmp_path: Path) -> None:
    uri = _write(tmp_path, {"unknownKeyword": 1})
    check = SchemaSet(tmp_path, deferred=True).compile(uri)  # no error yet
    with pytest.raises(SpecDataError, match="not supported"):
        check({}, None, lambda path, message, keyword: None)
    with pytest.raises(SpecDataError, match="not supported"):
        SchemaSet(tmp_path).compile(uri)  # eager by default

"""Stored JSON spliced into responses (http/rawjson.py, http.protocol.StrictJSONProvider)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from infoshare_server.http.protocol import StrictJSONProvider
from infoshare_server.http.rawjson import RawJSON

_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=20,
)
_OBJECTS = st.dictionaries(st.text(max_size=8), _VALUES, max_size=5)


@given(objects=st.lists(_OBJECTS, max_size=4), more=st.booleans())
def test_an_envelope_of_stored_objects_is_the_json_of_those_objects(
    objects: list[dict[str, Any]], more: bool
) -> None:
    provider = StrictJSONProvider(Flask(__name__))
    stored = [json.dumps(obj, ensure_ascii=False, separators=(",", ":")) for obj in objects]
    envelope = {"more": more, "next": "token", "objects": [RawJSON(text) for text in stored]}
    text = provider.dumps(envelope)
    assert json.loads(text) == {"more": more, "next": "token", "objects": objects}
    for text_of_one in stored:  # the stored text itself, not a re-encoding of it
        assert text_of_one in text


def test_a_stored_object_reads_like_a_mapping() -> None:
    raw = RawJSON('{"type":"indicator","id":"indicator--1"}')
    assert raw["type"] == "indicator"
    assert dict(raw) == {"type": "indicator", "id": "indicator--1"}
    assert raw == {"type": "indicator", "id": "indicator--1"}
    assert len(raw) == 2


def test_other_responses_are_encoded_as_before() -> None:
    provider = StrictJSONProvider(Flask(__name__))
    resource = {"title": "Node", "api_roots": ["https://node.example/fimi/"]}
    assert json.loads(provider.dumps(resource)) == resource

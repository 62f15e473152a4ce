"""The IS-103 walk collects exactly the references the STIX reference walk finds.

IS-301 reads the references the IS-103 walk collected instead of walking each
object again, so the two walks must agree on every input, however odd.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.stix.references import reference_ids
from infoshare.validation._object_references import object_references
from infoshare.validation.checks.core_forms import check_identifiers_and_timestamps

_NAMES = st.sampled_from(
    [
        "created_by_ref",  # defined by STIX
        "object_refs",
        "object_marking_refs",
        "sighting_of_ref",
        "x_acme_ref",  # only named like a reference
        "x_acme_refs",
        "name",
        "created",
        "extensions",
        "granular_markings",
        "marking_ref",
        "actor_refs",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(["", "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11", "not-an-id"]),
    st.text(max_size=5),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_NAMES, _VALUES, max_size=6))
def test_the_is103_walk_collects_what_the_reference_walk_finds(members: dict[str, Any]) -> None:
    obj = {"type": "indicator", "id": "indicator--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11", **members}
    check_identifiers_and_timestamps(obj, lambda *args: None)
    assert sorted(object_references(obj)) == sorted(reference_ids(obj))


def test_another_object_is_walked_afresh() -> None:
    seen = {"type": "note", "id": "note--1", "object_refs": ["identity--a"]}
    other = {"type": "note", "id": "note--2", "object_refs": ["identity--b"]}
    check_identifiers_and_timestamps(seen, lambda *args: None)
    assert object_references(other) == ["identity--b"]
    assert object_references(seen) == ["identity--a"]

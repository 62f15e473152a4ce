"""IS-301's resolver (``ValidationOptions.resolve_ids``): asked once, after the pass.

A TAXII node lets the validator ask it about the references nothing in the
input resolved, and answers from what the submitter may see. These tests pin
the contract: the resolver is called at most once, with exactly the
unresolved references (never ids of the input, context or well-known set),
what it returns resolves, what it does not is reported where it appears, and
the same holds when the check has spilled its state to disk.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare import profile as P
from infoshare.validation import ValidationOptions, Validator

POOL = [f"note--00000000-0000-4000-8000-{i:012d}" for i in range(12)]
OUTSIDE = [f"note--11111111-0000-4000-8000-{i:012d}" for i in range(6)]


class Recorder:
    """A resolver that knows ``known`` and records every call."""

    def __init__(self, known: set[str]) -> None:
        self.known = frozenset(known)
        self.calls: list[frozenset[str]] = []

    def __call__(self, refs: frozenset[str]) -> frozenset[str]:
        self.calls.append(refs)
        return self.known & refs | frozenset({"note--ffffffff-0000-4000-8000-000000000000"})


def _notes(present: list[bool], edges: list[list[int]]) -> list[dict[str, object]]:
    targets = POOL + OUTSIDE + [P.TLP_GREEN]
    return [
        {
            "type": "note",
            "id": POOL[i],
            "content": "fictional",
            "object_refs": [targets[j % len(targets)] for j in chosen],
        }
        for i, chosen in enumerate(edges)
        if i < len(present) and present[i]
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=12),
    st.lists(st.lists(st.integers(0, 18), max_size=5), min_size=1, max_size=12),
    st.sets(st.sampled_from(POOL + OUTSIDE)),
    st.sampled_from([None, 2]),
)
def test_the_resolver_is_asked_once_about_exactly_the_unresolved_references(
    present: list[bool], edges: list[list[int]], known: set[str], spill: int | None
) -> None:
    notes = _notes(present, edges)
    resolver = Recorder(known)
    options = ValidationOptions(
        select=frozenset({"IS-301"}), resolve_ids=resolver, spill_threshold=spill
    )
    findings = Validator(options).validate_objects(notes).findings
    in_input = {str(note["id"]) for note in notes}
    refs = {ref for note in notes for ref in note["object_refs"]}  # type: ignore[attr-defined]
    unresolved = {ref for ref in refs if ref not in in_input and ref != P.TLP_GREEN}
    assert resolver.calls == ([frozenset(unresolved)] if unresolved else [])
    expected = sorted(
        (position, k, ref)
        for position, note in enumerate(notes)
        for k, ref in enumerate(note["object_refs"])  # type: ignore[arg-type]
        if ref in unresolved and ref not in known
    )
    found = sorted(
        (f.object_index, int(f.json_path.rsplit("[", 1)[1].rstrip("]")), f.message.split()[0])
        for f in findings
    )
    assert found == expected


def test_a_resolver_answer_outside_the_question_resolves_nothing() -> None:
    """Ids the resolver volunteers beyond the references it was asked about are ignored."""
    note = {"type": "note", "id": POOL[0], "content": "x", "object_refs": [OUTSIDE[0]]}
    resolver = Recorder(set())
    options = ValidationOptions(select=frozenset({"IS-301"}), resolve_ids=resolver)
    findings = Validator(options).validate_objects([note]).findings
    assert [f.json_path for f in findings] == ["$.objects[0].object_refs[0]"]
    assert resolver.calls == [frozenset({OUTSIDE[0]})]

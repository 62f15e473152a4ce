"""docs/bridges-retention.md is what the conversions of the fixtures actually do."""

from __future__ import annotations

from infoshare.convert._retention import TABLE, Fate, found_in, render


def test_the_committed_table_is_current() -> None:
    assert TABLE.read_text("utf-8") == render(), (
        "docs/bridges-retention.md is stale: run python -m infoshare.convert._retention --write"
    )


def test_values_are_found_as_whole_json_values_or_inside_longer_text() -> None:
    text = '{"a": "2", "b": "The ferry sank off Lantern Island", "n": 12}'
    assert found_in("2", text)
    assert not found_in("1", text)  # a short value must be a whole value
    assert found_in("ferry sank off Lantern", text)
    assert found_in(12, text) and not found_in(1, text)
    assert found_in(["2", {"x": 12}], text) and not found_in([], text)


def test_a_cell_says_how_often_each_fate_happened() -> None:
    assert Fate(kept=3).cell() == "kept"
    fate = Fate(kept=2, lost=1)
    fate.aside["note"] += 1
    assert fate.cell() == "kept (2) · kept aside: note (1) · lost (1)"


def test_a_tlp_marking_is_kept_when_its_level_is() -> None:
    from infoshare.markings import TLP_1_0_SUCCESSORS

    one, (_, two) = next(iter(TLP_1_0_SUCCESSORS.items()))
    assert found_in(one, f'{{"object_marking_refs": ["{two}"]}}')
    assert not found_in(one, '{"object_marking_refs": []}')

"""Whatever JSON a direction is given, it converts or says clearly why not: never a traceback."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare.convert import ConversionOptions, convert
from infoshare.errors import ConversionError, UsageError
from tests._convert import BRIDGES, EXAMPLES, load

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                  max_size=4),
    max_leaves=20,
)  # fmt: skip

SAMPLES = {
    "misp": load(BRIDGES / "misp" / "ferry-bot-network.json"),
    "disinfox": load(BRIDGES / "disinfox" / "harbour-vaccines.json"),
    "profile": load(EXAMPLES[0]),
}
TARGETS = {"misp": "profile", "disinfox": "profile", "profile": "navigator"}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    value[path[0]] = _replace(value[path[0]], path[1:], new)
    return value


def _converts_or_says_why(data: Any, source: str, target: str) -> None:
    try:
        convert(data, source=source, target=target, options=ConversionOptions(tlp="red"))
    except (ConversionError, UsageError) as exc:
        assert exc.message and "Traceback" not in exc.message


@pytest.mark.parametrize("source", sorted(SAMPLES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), new=JSON)
def test_one_value_replaced_anywhere(source: str, data: st.DataObject, new: Any) -> None:
    sample = copy.deepcopy(SAMPLES[source])
    path = data.draw(st.sampled_from(_paths(sample)))
    _converts_or_says_why(_replace(sample, path, new), source, TARGETS[source])


@pytest.mark.parametrize("source", sorted(SAMPLES))
@settings(max_examples=30, deadline=None)
@given(value=JSON)
def test_arbitrary_documents(source: str, value: Any) -> None:
    _converts_or_says_why(value, source, TARGETS[source])


def test_profile_to_misp_with_a_damaged_object() -> None:
    bundle = copy.deepcopy(SAMPLES["profile"])
    bundle["objects"][5]["created"] = 12
    _converts_or_says_why(bundle, "profile", "misp")

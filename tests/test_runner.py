"""The straight-line runners run exactly the plan, guard each call, and stay few."""

from __future__ import annotations

import json

from infoshare.validation import ValidationOptions, Validator
from infoshare.validation._runner import compile_runner


class _Sink:
    def __init__(self) -> None:
        self.check_id = ""
        self.file, self.index, self.line, self.object_id = "<t>", 0, None, None
        self.errors: list[tuple[str, str]] = []

    def internal_error(self, check_id: str, exc: Exception, where: object) -> None:
        self.errors.append((check_id, type(exc).__name__))


def test_checks_run_in_order_and_a_failing_one_does_not_stop_the_rest() -> None:
    ran: list[str] = []

    def first(obj: object, emit: object) -> None:
        ran.append("first")

    def broken(obj: object, emit: object) -> None:
        raise KeyError("x")

    def last(obj: object, emit: object) -> None:
        ran.append("last")

    sink = _Sink()
    runner = compile_runner([("IS-1", first), ("IS-2", broken), ("IS-3", last)], [], "t")
    runner({}, print, sink, [])
    assert ran == ["first", "last"]
    assert sink.errors == [("IS-2", "KeyError")]
    assert sink.check_id == "IS-3"


def test_invented_type_names_share_one_runner_and_a_bounded_table() -> None:
    objects = [
        {"type": f"x-made-up-{n}", "id": f"x-made-up-{n}--6ba7b810-9dad-41d1-80b4-00c04fd430c8"}
        for n in range(2000)
    ]
    bundle = {"type": "bundle", "id": "bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8"}
    validator = Validator(ValidationOptions(mode="stix"))
    report = validator.validate_bytes(json.dumps({**bundle, "objects": objects}).encode())
    assert report.objects_checked == 2000
    assert not report.internal_errors
    made_up = [kind for kind in validator._runners if kind and kind.startswith("x-made-up")]
    assert 0 < len(made_up) < 512
    assert len({id(validator._runners[kind]) for kind in made_up}) == 1

"""Straight-line runners: the checks of one object type as one function.

The validator runs some thirty object checks and a few cross-object
observers on every object (spec/profile/14-conformance.md §14.1, layers 3 to
5). Driven by a loop over (check id, function) pairs, the loop itself costs
more than most checks: about 8 µs per object of iteration, unpacking and
bookkeeping. So the validator builds, for each object type it meets, one
function that calls that type's checks in catalogue order, one statement after
another, as the standard library's ``dataclasses`` and ``namedtuple`` build
their methods. The generated source holds only fixed statements and
generated local names; every check id, function and observer reaches it as a
value, never as text, so no input and no catalogue entry can change the code.

Each call is guarded on its own: a check that raises is reported as an
internal error of that check (exit code 4), and the other checks still run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from infoshare.validation._registry import CrossObjectCheck, ObjectCheckFn, ObjectRef

__all__ = ["Runner", "compile_runner"]

#: ``runner(obj, emit, sink, observers)``: run every check of one type on ``obj``.
#: ``sink`` is the validator's sink (``check_id``, ``file``, ``index``, ``line``,
#: ``object_id`` and ``internal_error``); ``observers`` the cross-object checks of
#: this pass, in the order the plan's observer positions refer to.
Runner = Callable[[dict[str, Any], Callable[..., None], Any, Sequence[CrossObjectCheck]], None]


def compile_runner(
    checks: Sequence[tuple[str, ObjectCheckFn]], observers: Sequence[int], name: str
) -> Runner:
    """One function that runs ``checks`` (check id, function), then shows the
    object to the observers at positions ``observers`` of the pass's list."""
    namespace: dict[str, Any] = {"ObjectRef": ObjectRef}
    lines = ["def run(obj, emit, sink, observers):"]
    for number, (check_id, fn) in enumerate(checks):
        namespace[f"id_{number}"] = check_id
        namespace[f"check_{number}"] = fn
        lines += [
            f"    sink.check_id = id_{number}",
            "    try:",
            f"        check_{number}(obj, emit)",
            "    except Exception as exc:",
            f"        sink.internal_error(id_{number}, exc, None)",
        ]
    if observers:
        lines.append("    where = ObjectRef(sink.file, sink.index, sink.line, sink.object_id)")
    for number, position in enumerate(observers):
        lines += [
            f"    observer_{number} = observers[{int(position)}]",
            "    try:",
            f"        observer_{number}.observe(obj, where)",
            "    except Exception as exc:",
            f"        sink.internal_error(observer_{number}.check_id, exc, where)",
        ]
    if len(lines) == 1:
        lines.append("    return None")
    code = compile("\n".join(lines), f"<checks of {name}>", "exec")
    exec(code, namespace)
    runner: Runner = namespace["run"]
    return runner

"""Read ``--context`` bundles: the ids of the collection a bundle will join.

References from the validated inputs to these ids count as resolved
(check IS-301, spec/profile section 10.1). Context bundles
are read with the validator's streaming reader, so they may be large.
"""

from __future__ import annotations

from pathlib import Path

from infoshare.errors import InputError
from infoshare.validation._reader import BundleReader


def read_context_ids(paths: list[str]) -> frozenset[str]:
    """The ids of every object in the given bundles.

    A context bundle that cannot be opened or parsed is an :class:`InputError`:
    validating against half a context would report references as broken that
    are not.
    """
    ids: set[str] = set()
    for name in paths:
        problems: list[str] = []

        def problem(
            check_id: str,
            message: str,
            line: int | None,
            column: int | None,
            path: str,
            name: str = name,
            problems: list[str] = problems,
        ) -> None:
            where = ":".join(str(p) for p in (name, line, column) if p is not None)
            problems.append(f"{where}: {message} ({check_id})")

        try:
            with Path(name).open("rb") as stream:
                for _index, _line, obj in BundleReader(stream, problem):
                    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                        ids.add(obj["id"])
        except IsADirectoryError:
            raise InputError(
                f"context {name} is a directory", hint="--context takes a bundle file"
            ) from None
        except FileNotFoundError:
            raise InputError(f"context {name}: no such file") from None
        except OSError as exc:
            raise InputError(f"context {name}: cannot be read ({exc.strerror or exc})") from None
        if problems:
            raise InputError(
                f"context bundle {problems[0]}",
                hint="--context needs a readable STIX bundle; fix it or leave it out",
            )
    return frozenset(ids)

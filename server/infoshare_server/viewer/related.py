"""Related cases: other cases the reader may see that share something with this one."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from infoshare_server.access import Policy
from infoshare_server.viewer.model import RelatedCase


def related_cases(
    connection: Connection, policy: Policy, readable: Sequence[object], gathered: object
) -> list[RelatedCase]:
    return []

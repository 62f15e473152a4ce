"""HTTP fuzzing of the real node from docs/openapi.yaml: no 5xx, never HTML.

A bounded run in the suite (see benchmarks/http_fuzz.py for the long one):
on SQLite and PostgreSQL, a node with partners (``_access.py``) gets a few
hundred generated requests (schemathesis, valid and invalid ones), each sent
as a partner with an API token or as an operator with a password, most of
them aimed at API roots, collections, objects and statuses that exist. Every
response must be free of 5xx and HTML (``_fuzz.problem``), and the node's log
must show no request that reached the catch-all for unexpected errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _access import access_node
from _databases import BACKENDS
from _fuzz import fuzz, prepare

pytestmark = pytest.mark.slow

#: Requests per database kind; about a minute in all on a quiet machine.
REQUESTS = 300
MAX_SECONDS = 90.0


@pytest.mark.parametrize("kind", BACKENDS)
def test_fuzzed_requests_get_no_5xx_and_no_html(kind: str, tmp_path: Path) -> None:
    with access_node(kind, tmp_path) as node:
        target = prepare(node)
        result = fuzz(
            target.base_url,
            target.identities,
            target.real_values,
            max_requests=REQUESTS,
            max_seconds=MAX_SECONDS,
        )
    assert not result.failures, "\n".join(result.failures[:20])
    assert result.server_errors == 0
    assert result.requests >= REQUESTS // 2, result  # the run was not cut short
    # The generated requests reach past refusals into the served resources.
    assert result.statuses[200] > 0 and sum(result.statuses.values()) == result.requests

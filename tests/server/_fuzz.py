"""HTTP fuzzing of a running node from its OpenAPI description (docs/openapi.yaml).

Used by the suite's bounded fuzz test (test_http_fuzz.py) and by the long
run of benchmarks/http_fuzz.py. schemathesis turns each operation of the
description into a hypothesis strategy of requests (valid ones, and with
``negative`` also ones that break the description); four times in five each
path parameter is replaced by a real API root, collection, object or status
id of the node, so requests reach past the 404s into the filters, paging,
ingest and delete code. Each request goes out over real HTTP with the credentials of
one of the given identities (a partner's API token, an operator's password).

Every response must be free of server errors (no 5xx) and never HTML: it
carries the TAXII media type (``/healthz``: plain JSON) and, when it has a
body, that body is JSON. Requests the HTTP client itself refuses to send
(a header value it cannot encode, say) are counted apart, not as failures.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis
from _access import OPERATOR, ROOT_OF, AccessNode, marked_identity, password_of
from _node import OTHER_COLLECTION, STIX_COLLECTION
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
TAXII = "application/taxii+json;version=2.1"
TIMEOUT = 60


@dataclass
class FuzzResult:
    """What a fuzz run sent and what came back."""

    requests: int = 0
    unsendable: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    #: One line per bad response: "METHOD path -> what was wrong".
    failures: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def _header(headers: Mapping[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value[0] if isinstance(value, list) else value)
    return ""


def problem(path: str, status: int, headers: Mapping[str, Any], content: bytes) -> str | None:
    """Why a response breaks the rules (5xx, HTML, not TAXII JSON), or None."""
    if status >= 500:
        return f"HTTP {status}: {content[:200]!r}"
    content_type = _header(headers, "Content-Type").replace(" ", "").lower()
    expected = "application/json" if path == "/healthz" else TAXII
    if "html" in content_type or content.lstrip()[:1] == b"<":
        return f"HTML answer ({content_type or 'no Content-Type'})"
    if content and content_type != expected:
        return f"Content-Type {content_type or 'none'}, not {expected}"
    if content:
        try:
            json.loads(content)
        except ValueError:
            return f"body is not JSON: {content[:200]!r}"
    return None


def fuzz(
    base_url: str,
    identities: Mapping[str, Mapping[str, str]],
    real_values: Mapping[str, Sequence[str]],
    *,
    max_requests: int,
    max_seconds: float,
    negative: bool = True,
    derandomize: bool = True,
) -> FuzzResult:
    """Send up to ``max_requests`` generated requests (stopping after ``max_seconds``).

    ``identities``: name -> headers (an Authorization header each).
    ``real_values``: path parameter name -> values that exist on the node.
    ``derandomize``: the same requests on every run (the suite); False draws new
    ones each time (the long run).
    """
    schema = schemathesis.openapi.from_path(str(OPENAPI))
    operations = [result.ok() for result in schema.get_all_operations()]
    modes = [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if negative else [])]
    cases = st.sampled_from(
        [(operation, mode) for operation in operations for mode in modes]
    ).flatmap(lambda pair: pair[0].as_strategy(generation_mode=pair[1]))
    result = FuzzResult()
    session = requests.Session()
    start = time.monotonic()
    names = sorted(identities)

    @settings(
        max_examples=max_requests,
        deadline=None,
        database=None,
        derandomize=derandomize,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, data=st.data())
    def send(case: Any, data: st.DataObject) -> None:
        if result.requests >= max_requests or time.monotonic() - start > max_seconds:
            return
        for name in list(case.path_parameters or {}):
            if name in real_values and data.draw(st.integers(0, 4)) > 0:
                case.path_parameters[name] = data.draw(st.sampled_from(real_values[name]))
        who = data.draw(st.sampled_from(names))
        try:
            response = case.call(
                base_url=base_url,
                session=session,
                headers=dict(identities[who]),
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        except (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL,
                UnicodeEncodeError, ValueError):  # fmt: skip
            result.unsendable += 1
            return
        except requests.RequestException as exc:
            result.requests += 1
            result.failures.append(f"{case.method} {case.formatted_path} -> no answer: {exc}")
            return
        result.requests += 1
        result.statuses[response.status_code] += 1
        found = problem(case.operation.path, response.status_code, response.headers,
                        response.content or b"")  # fmt: skip
        if found is not None:
            result.failures.append(f"{case.method} {case.formatted_path} as {who} -> {found}")

    send()
    session.close()
    result.seconds = time.monotonic() - start
    return result


@dataclass(frozen=True)
class Target:
    """A node ready to fuzz: its URL, who sends, and the path values that exist."""

    base_url: str
    identities: dict[str, dict[str, str]]
    real_values: dict[str, list[str]]


def prepare(node: AccessNode) -> Target:
    """Add a few objects to the partner-access node and name its fuzzing identities:
    a partner and an administrator with API tokens, an operator with a password."""
    objects = [marked_identity(level) for level in ("green", "amber", "red")]
    status = node.add("amber-reader", STIX_COLLECTION, objects)
    node.add("amber-reader", OTHER_COLLECTION, [marked_identity("green")])
    basic = base64.b64encode(f"{OPERATOR}:{password_of(OPERATOR)}".encode()).decode()
    return Target(
        node.node.base_url,
        {
            "partner": {"Authorization": f"Bearer {node.tokens['amber-reader']}"},
            "admin": {"Authorization": f"Bearer {node.tokens['admin-deleter']}"},
            "operator": {"Authorization": f"Basic {basic}"},
        },
        {
            "api_root": sorted(set(ROOT_OF.values())),
            "collection_id": sorted(ROOT_OF),
            "object_id": [o["id"] for o in objects],
            "status_id": [status["id"]],
        },
    )

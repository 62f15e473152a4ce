"""Raw HTTP helpers for the suite: TAXII headers, credentials, error assertions."""

from __future__ import annotations

import json
from typing import Any

import requests
from _node import PASSWORD, USER, RunningNode

TAXII = "application/taxii+json;version=2.1"
TIMEOUT = 60


def get(
    node: RunningNode,
    path: str,
    params: dict[str, str] | list[tuple[str, str]] | None = None,
    *,
    accept: str | None = TAXII,
    auth: tuple[str, str] | None = (USER, PASSWORD),
) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return requests.get(node.url(path), params=params, headers=headers, auth=auth, timeout=TIMEOUT)


def post(
    node: RunningNode,
    path: str,
    body: Any,
    *,
    content_type: str | None = TAXII,
    accept: str = TAXII,
    auth: tuple[str, str] | None = (USER, PASSWORD),
) -> requests.Response:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    headers = {"Accept": accept}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return requests.post(node.url(path), data=data, headers=headers, auth=auth, timeout=TIMEOUT)


def delete(node: RunningNode, path: str, params: dict[str, str] | None = None) -> requests.Response:
    return requests.delete(
        node.url(path),
        params=params,
        headers={"Accept": TAXII},
        auth=(USER, PASSWORD),
        timeout=TIMEOUT,
    )


def assert_taxii_error(response: requests.Response, status: int) -> dict[str, Any]:
    """The response is a TAXII error message with ``status``; returns its body."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].replace(" ", "") == TAXII
    body = response.json()
    assert body["http_status"] == str(status)
    assert body["title"]
    return dict(body)


def objects_path(root: str, collection: str) -> str:
    return f"{root}/collections/{collection}/objects/"

"""Helpers of the case viewer's web tests: a browser-like HTTP client of the real node.

The node is ``_viewer_data.viewer_node`` (the real node as an HTTP process,
with every example case ingested through its ingest path and the suite's
partners). :func:`signed_in` signs in through the sign-in form exactly as a
browser does: it fetches the form, sends back its CSRF token with the
account and password, and keeps the session cookie.
"""

from __future__ import annotations

import html
import re
from typing import Any

import requests
from _node import RunningNode

TIMEOUT = 60
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: str) -> str:
    """The CSRF token of the first form of ``page``."""
    found = _CSRF.search(page)
    assert found is not None, page[:2000]
    return html.unescape(found.group(1))


def sign_in_form(node: RunningNode, client: requests.Session, account: str, password: str,
                 next_path: str = "/") -> requests.Response:  # fmt: skip
    form = client.get(node.url("/viewer/sign-in"), timeout=TIMEOUT)
    assert form.status_code == 200, form.text[:500]
    return client.post(
        node.url("/viewer/sign-in"),
        data={"csrf": csrf_of(form.text), "account": account, "password": password,
              "next": next_path},
        allow_redirects=False,
        timeout=TIMEOUT,
    )  # fmt: skip


def signed_in(node: RunningNode, account: str, password: str) -> requests.Session:
    """A client signed in as ``account``."""
    client = requests.Session()
    response = sign_in_form(node, client, account, password)
    assert response.status_code == 303, response.text[:1000]
    return client


def page(
    client: requests.Session, node: RunningNode, path: str, **kwargs: Any
) -> requests.Response:
    return client.get(node.url(path), timeout=TIMEOUT, allow_redirects=False, **kwargs)


def incident_ids(text: str) -> set[str]:
    """The incidents a case-list page links to."""
    return set(re.findall(r'data-incident="(incident--[0-9a-f-]{36})"', text))

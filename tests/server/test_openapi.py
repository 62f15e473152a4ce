"""docs/openapi.yaml describes exactly the node's URL map, so it cannot rot.

Every route the node's Flask app serves (with its methods; HEAD and OPTIONS,
which Flask adds, left out; the HTML pages for people, such as /spec/, left out)
is an operation of the OpenAPI description, and
every operation is a route; path parameters carry the route's names; and
every filter the backend applies on an endpoint (TAXII 2.1 §3.4) is a
documented query parameter of it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from infoshare_server.access import hash_password
from infoshare_server.app import create_app
from infoshare_server.config import parse_config
from medallion.backends.base import Backend

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
#: Blueprints that serve HTML pages for people, not the API: described in the operator
#: guide, not in the OpenAPI description (and not fuzzed as TAXII endpoints).
PAGES = ("spec_site", "viewer")
METHODS = ("get", "post", "delete", "put", "patch")


def _description() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    return loaded


def _routes() -> set[tuple[str, str]]:
    config = parse_config(
        {
            "node": {"title": "T", "secret_env": "UNUSED"},
            "api_roots": [{"name": "fimi", "title": "F"}],
            "users": [{"name": "analyst", "password_hash": hash_password("x" * 16)}],
        }
    )
    app = create_app(config, backend=Backend())
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.split(".")[0] in PAGES:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                routes.add((path, method.lower()))
    return routes


def _operations(description: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in description["paths"].items()
        for method in item
        if method in METHODS
    }


def test_the_description_matches_the_url_map() -> None:
    assert _operations(_description()) == _routes()


def _parameters(description: dict[str, Any], path: str, method: str) -> list[dict[str, Any]]:
    item = description["paths"][path]
    params = [*item.get("parameters", []), *item[method].get("parameters", [])]
    resolved = []
    for param in params:
        if "$ref" in param:
            name = param["$ref"].rsplit("/", 1)[1]
            param = description["components"]["parameters"][name]
        resolved.append(param)
    return resolved


def test_path_parameters_are_the_routes() -> None:
    description = _description()
    for path, method in _operations(description):
        declared = {p["name"] for p in _parameters(description, path, method) if p["in"] == "path"}
        assert declared == set(re.findall(r"{([a-z_]+)}", path)), (path, method)


#: The filters medallion's views pass to the backend, per endpoint (TAXII 2.1 §3.4.1).
PAGING = {"added_after", "limit", "next"}
FILTERS = {
    ("/{api_root}/collections/{collection_id}/manifest/", "get"): PAGING
    | {"match[id]", "match[type]", "match[version]", "match[spec_version]"},
    ("/{api_root}/collections/{collection_id}/objects/", "get"): PAGING
    | {"match[id]", "match[type]", "match[version]", "match[spec_version]"},
    ("/{api_root}/collections/{collection_id}/objects/{object_id}/", "get"): PAGING
    | {"match[version]", "match[spec_version]"},
    ("/{api_root}/collections/{collection_id}/objects/{object_id}/", "delete"): {
        "match[version]",
        "match[spec_version]",
    },
    ("/{api_root}/collections/{collection_id}/objects/{object_id}/versions/", "get"): PAGING
    | {"match[spec_version]"},
}


def test_every_filter_is_documented_where_it_applies() -> None:
    description = _description()
    for (path, method), expected in FILTERS.items():
        query = {p["name"] for p in _parameters(description, path, method) if p["in"] == "query"}
        assert query == expected, (path, method)
    others = _operations(description) - set(FILTERS)
    for path, method in others:
        assert not [p for p in _parameters(description, path, method) if p["in"] == "query"]

"""No side channel tells a partner about objects it may not see, over real HTTP.

On SQLite and PostgreSQL, with the partner-access suite's node
(``_access.py``):

* **references**: in a profile collection, a reference to an object hidden
  from the submitter fails IS-301 with exactly the text of a reference to an
  id the node never held; references to what it may see (or submitted) pass;
* **next tokens**: opaque (no position, id or partner in their bytes);
  altered, truncated or foreign tokens get a TAXII 400 that says so;
* **date_added**: the objects of one add request share one ``date_added``,
  so the values a partner sees are the same whether or not hidden objects
  were added with them, and paging by ``added_after`` misses nothing.
"""

from __future__ import annotations

import base64
import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _access import OPERATOR, AccessNode, access_node, collection_path, marked_identity
from _cases import example_objects
from _databases import BACKENDS
from _http import assert_taxii_error
from _node import OTHER_COLLECTION, PROFILE_COLLECTION
from infoshare_server.access import Directory, Rights

from infoshare import profile as P

#: Writes in the profile collection and sees GREEN there (granted by this module).
WRITER = "green-reader"


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"oracles-{request.param}")
    with access_node(request.param, folder) as running:
        key = running.keys[(collection_path(PROFILE_COLLECTION).split("/")[0], PROFILE_COLLECTION)]
        Directory(running.store).grant(WRITER, key.collection_pk, Rights(read=True, write=True))
        yield running


# -- references ------------------------------------------------------------------------


def _case() -> dict[str, dict[str, Any]]:
    objects = example_objects()
    producer = next(o for o in objects if o["type"] == "identity" and "created_by_ref" not in o)
    note = next(o for o in objects if o["type"] == "note")
    location = next(o for o in objects if o["type"] == "location")
    return {"producer": producer, "note": note, "location": location}


def _copy(obj: dict[str, Any], marking: str, **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["id"] = f"{obj['type']}--{uuid.uuid4()}"
    out["object_marking_refs"] = [marking]
    out.update(changes)
    return out


def _failure(node: AccessNode, partner: str, obj: dict[str, Any]) -> str:
    response = node.post(partner, collection_path(PROFILE_COLLECTION, "objects/"), [obj])
    assert response.status_code == 202, response.text
    status = response.json()
    assert status["failure_count"] == 1, status
    message: str = status["failures"][0]["message"]
    return message


def test_a_hidden_reference_fails_exactly_like_an_unknown_one(node: AccessNode) -> None:
    case = _case()
    node.add(OPERATOR, PROFILE_COLLECTION, [case["producer"]])  # GREEN: everyone sees it
    hidden = _copy(case["location"], P.TLP_RED)
    visible = _copy(case["location"], P.TLP_GREEN)
    node.add(OPERATOR, PROFILE_COLLECTION, [hidden, visible])
    unknown = f"location--{uuid.uuid4()}"

    def note_about(target: str) -> dict[str, Any]:
        return _copy(case["note"], P.TLP_GREEN, object_refs=[target])

    to_hidden = _failure(node, WRITER, note_about(hidden["id"]))
    to_unknown = _failure(node, WRITER, note_about(unknown))
    assert to_hidden.startswith("IS-301: ")
    assert to_hidden.replace(hidden["id"], "<id>") == to_unknown.replace(unknown, "<id>")
    # What the writer may see resolves; the submitter of the hidden object resolves it too.
    node.add(WRITER, PROFILE_COLLECTION, [note_about(visible["id"])])
    node.add(OPERATOR, PROFILE_COLLECTION, [note_about(hidden["id"])])


# -- next tokens -----------------------------------------------------------------------


def _page(node: AccessNode, partner: str, params: dict[str, str]) -> Any:
    return node.get(partner, collection_path(OTHER_COLLECTION, "objects/"), params)


def test_next_tokens_are_opaque_and_checked(node: AccessNode) -> None:
    node.add("amber-reader", OTHER_COLLECTION, [marked_identity("green") for _ in range(3)])
    response = _page(node, "amber-reader", {"limit": "1"})
    assert response.status_code == 200, response.text
    body = response.json()
    token = body["next"]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for needle in ("amber-reader", OTHER_COLLECTION, body["objects"][0]["id"], '"s"'):
        assert needle.encode() not in raw
    assert _page(node, "amber-reader", {"limit": "1", "next": token}).status_code == 200
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    cases = {
        altered: "the next token is not valid: it was altered or issued by another node",
        token[:40]: "the next token cannot be read (truncated, or from an older node version)",
        "x" * 3000: "the next token cannot be read",
    }
    for bad, reason in cases.items():
        error = assert_taxii_error(_page(node, "amber-reader", {"limit": "1", "next": bad}), 400)
        assert error["description"] == (
            f"{reason}; send the next value of the previous response unchanged, with the same"
            " filters, or start again without next"
        )
    stolen = _page(node, "green-reader", {"limit": "1", "next": token})
    assert "issued to another partner" in assert_taxii_error(stolen, 400)["description"]


# -- date_added ------------------------------------------------------------------------


def _manifest(node: AccessNode, partner: str, params: dict[str, str]) -> list[dict[str, Any]]:
    response = node.get(partner, collection_path(OTHER_COLLECTION, "manifest/"), params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json().get("objects", [])
    return items


def test_date_added_reveals_no_hidden_object(node: AccessNode) -> None:
    """A RED object added between two GREEN ones in one request leaves no gap."""
    before = _manifest(node, "green-reader", {})
    since = {"added_after": before[-1]["date_added"]} if before else {}
    mixed = [marked_identity("green"), marked_identity("red"), marked_identity("green")]
    plain = [marked_identity("green"), marked_identity("green")]
    node.add("amber-reader", OTHER_COLLECTION, mixed)
    node.add("amber-reader", OTHER_COLLECTION, plain)
    seen = _manifest(node, "green-reader", since)
    assert [item["id"] for item in seen] == [
        mixed[0]["id"], mixed[2]["id"], plain[0]["id"], plain[1]["id"]
    ]  # fmt: skip
    assert seen[0]["date_added"] == seen[1]["date_added"] < seen[2]["date_added"]
    assert seen[2]["date_added"] == seen[3]["date_added"]
    # added_after the first request's date_added gives exactly the second request.
    later = _manifest(node, "green-reader", {"added_after": seen[0]["date_added"]})
    assert [item["id"] for item in later] == [plain[0]["id"], plain[1]["id"]]

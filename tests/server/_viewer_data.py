"""The example cases in a running node, read back by the case viewer's data layer.

The suite's partner node (``_access.access_node``: the real node as an HTTP
process, on SQLite or PostgreSQL) receives every example case in
``examples/`` through its own ingest path (TAXII POST), the way the demo
loads them: the operator posts them to the profile collection, except the
example holding a withdrawal, which its author's organisation posts (only
the originator may withdraw). One partner of the suite also posts an AMBER
case of its own to the STIX collection, so TLP by origin is at work. The
tests then call the viewer's functions in-process on the node's database,
with the policy the node's own access control builds for each requester.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from _access import OPERATOR, AccessNode, access_node, objects_path
from _node import OTHER_COLLECTION, PROFILE_COLLECTION, STIX_COLLECTION
from infoshare_server.access import AccessControl, Directory, Policy, Rights, hash_password
from infoshare_server.access._policy import operator_account
from infoshare_server.app import access_control
from infoshare_server.config import load_config
from infoshare_server.paging import PageSigner
from infoshare_server.viewer.cases import Collections

from infoshare.profile import TLP_AMBER, TLP_GREEN

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: The example that withdraws its own records, and the partner bound to its author.
WITHDRAWING_EXAMPLE = "10-false-positive-withdrawal.json"
PRODUCER = "withdrawing-office"
PRODUCER_PASSWORD = "withdrawing office long passphrase"
#: The incident example 10 withdraws.
WITHDRAWN_INCIDENT = "incident--c7c6f40c-98c9-442a-88d7-67791315f0b4"
#: The only example case marked GREEN (every other incident is AMBER).
GREEN_INCIDENT = "incident--3e4171eb-d0dd-42e2-bb44-4a199ec234d6"
SEAFOOD_INCIDENT = "incident--5a7929c4-c70c-4f37-8a4d-c16e1dd5879f"
TAKEDOWN_INCIDENT = "incident--c6df79f9-2dbc-4cf5-88ee-a11caa666ceb"
SCAM_INCIDENT = "incident--59421b15-eaa6-4d3c-b9e5-9835e8d707fe"
#: The identity of amber-reader's organisation, which posts a case of its own.
OWN_ORGANISATION = "identity--0a0a0a0a-0000-4000-8000-00000000a0a0"
SIGNER = PageSigner(b"viewer-data-test-paging-secret-0123")


@dataclass
class ViewerNode:
    """The node with the examples in it, and what the viewer's functions need."""

    node: AccessNode
    access: AccessControl
    collections: Collections
    own_incident: str
    own_post: str
    sibling_incident: str
    twin_incident: str

    @property
    def store(self) -> Any:
        return self.node.store

    def policy(self, who: str) -> Policy:
        if who == OPERATOR:
            return self.access.policy_for(operator_account(who))
        record = Directory(self.node.store).get(who)
        assert record is not None, who
        return self.access.policy_for(record.partner())


def example_objects(name: str) -> list[dict[str, Any]]:
    data = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return list(data["objects"])


def example_incidents() -> dict[str, dict[str, Any]]:
    """incident id -> its latest version across the examples."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(EXAMPLES.glob("*.json")):
        for obj in example_objects(path.name):
            if obj["type"] == "incident":
                known = out.get(obj["id"])
                if known is None or obj["modified"] >= known["modified"]:
                    out[obj["id"]] = obj
    return out


def own_case() -> tuple[list[dict[str, Any]], str, str]:
    """An AMBER case of amber-reader's organisation: its objects, incident id and a post id
    (the post is a GREEN copy of a post of example 01, so cases can share it)."""
    incident_id = f"incident--{uuid.uuid4()}"
    seafood_post = next(
        o for o in example_objects("01-treated-water-disinformation.json")
        if o["type"] == "media-content"
    )  # fmt: skip
    identity = {
        "type": "identity", "spec_version": "2.1", "id": OWN_ORGANISATION,
        "created": "2026-08-01T00:00:00.000Z", "modified": "2026-08-01T00:00:00.000Z",
        "name": "Amber Reader Agency (fictional)", "identity_class": "organization",
        "object_marking_refs": [TLP_GREEN],
    }  # fmt: skip
    incident = {
        "type": "incident", "spec_version": "2.1", "id": incident_id,
        "created_by_ref": OWN_ORGANISATION,
        "created": "2026-08-02T00:00:00.000Z", "modified": "2026-08-02T00:00:00.000Z",
        "name": "Amber-only case of one partner (fictional)",
        "object_marking_refs": [TLP_AMBER],
    }  # fmt: skip
    relationship = {
        "type": "relationship", "spec_version": "2.1", "id": f"relationship--{uuid.uuid4()}",
        "created_by_ref": OWN_ORGANISATION,
        "created": "2026-08-02T00:00:00.000Z", "modified": "2026-08-02T00:00:00.000Z",
        "relationship_type": "related-to", "source_ref": incident_id,
        "target_ref": seafood_post["id"], "object_marking_refs": [TLP_AMBER],
    }  # fmt: skip
    return [identity, incident, seafood_post, relationship], incident_id, seafood_post["id"]


def _stamp(obj: dict[str, Any], level: str, **extra: Any) -> dict[str, Any]:
    out = {
        "spec_version": "2.1", "created": "2026-11-20T00:00:00.000Z",
        "modified": "2026-11-20T00:00:00.000Z", "object_marking_refs": [level], **extra, **obj,
    }  # fmt: skip
    return out


def _rel(source: str, target: str, level: str, kind: str = "related-to") -> dict[str, Any]:
    return _stamp(
        {"type": "relationship", "id": f"relationship--{uuid.uuid4()}",
         "relationship_type": kind, "source_ref": source, "target_ref": target},
        level,
    )  # fmt: skip


SIBLING_CAMPAIGN_V1: Final = _stamp(
    {"type": "campaign", "id": "campaign--5b5b5b5b-0000-4000-8000-00000000b5b5",
     "name": "Campaign as first shared (GREEN)"},
    TLP_GREEN,
)  # fmt: skip
SIBLING_CAMPAIGN_V2: Final = {
    **SIBLING_CAMPAIGN_V1,
    "modified": "2026-11-21T00:00:00.000Z",
    "name": "Campaign as revised (AMBER)",
    "object_marking_refs": [TLP_AMBER],
}


def sibling_case() -> tuple[list[dict[str, Any]], str, str, str]:
    """A GREEN case of the operator in the other API root that shares with the GREEN example
    (11) its account, through a GREEN relationship, and the address of one of its posts,
    through an AMBER one: a reader cleared for GREEN sees only the first shared thing.

    Returns the objects, the incident id, the account's login and the shared URL.
    """
    eleven = {o["id"]: o for o in example_objects("11-deepfake-per-item-evidence.json")}
    account = next(o for o in eleven.values() if o["type"] == "user-account")
    post = next(o for o in eleven.values() if o["type"] == "media-content" and "0002" in o["url"])
    url_value = post["url"]
    url = {
        "type": "url", "spec_version": "2.1", "id": f"url--{uuid.uuid4()}",
        "value": url_value, "object_marking_refs": [TLP_AMBER],
    }  # fmt: skip
    incident_id = f"incident--{uuid.uuid4()}"
    incident = _stamp(
        {"type": "incident", "id": incident_id, "name": "Sibling case (fictional)"}, TLP_GREEN
    )
    plain_account = {k: v for k, v in account.items() if k != "extensions"}
    objects = [
        incident, plain_account, url,
        _rel(incident_id, account["id"], TLP_GREEN),
        _rel(incident_id, url["id"], TLP_AMBER),
        # A campaign whose later version is AMBER: a GREEN reader sees the first one.
        SIBLING_CAMPAIGN_V1, SIBLING_CAMPAIGN_V2,
        _rel(incident_id, SIBLING_CAMPAIGN_V1["id"], TLP_GREEN),
    ]  # fmt: skip
    return objects, incident_id, str(account["account_login"]), url_value


def twin_case() -> tuple[list[dict[str, Any]], str]:
    """An AMBER case of the operator in the other API root that uses exactly the DISARM
    techniques of example 02, through attack-patterns of its own (other ids)."""
    incident_id = f"incident--{uuid.uuid4()}"
    objects: list[dict[str, Any]] = [
        _stamp({"type": "incident", "id": incident_id, "name": "Technique twin (fictional)"},
               TLP_AMBER)
    ]  # fmt: skip
    for obj in example_objects("02-election-bot-amplification.json"):
        if obj["type"] != "attack-pattern":
            continue
        copy = {k: v for k, v in obj.items() if k not in ("created_by_ref",)}
        copy["id"] = f"attack-pattern--{uuid.uuid4()}"
        copy["object_marking_refs"] = [TLP_GREEN]
        objects += [copy, _rel(incident_id, copy["id"], TLP_AMBER, "uses")]
    return objects, incident_id


def _post(node: AccessNode, who: tuple[str, str], collection: str, objects: list[Any]) -> None:
    import requests
    from _http import TAXII, TIMEOUT

    response = requests.post(
        node.node.url(objects_path(collection)),
        data=json.dumps({"objects": objects}),
        headers={"Accept": TAXII, "Content-Type": TAXII},
        auth=who,
        timeout=TIMEOUT * 4,
    )
    assert response.status_code == 202, response.text
    status = response.json()
    assert status["failure_count"] == 0, status.get("failures")


@contextmanager
def viewer_node(kind: str, folder: Path) -> Iterator[ViewerNode]:
    """A running node of ``kind`` with every example case ingested (see the module doc)."""
    from _access import password_of

    with access_node(kind, folder) as node:
        directory = Directory(node.store)
        profile = node.keys[("fimi", PROFILE_COLLECTION)].collection_pk
        # Readers of the profile collection, cleared for GREEN, AMBER and AMBER+STRICT.
        directory.grant("green-reader", profile, Rights(read=True))
        directory.grant("amber-reader", profile, Rights(read=True))
        directory.grant("strict-red", profile, Rights(read=True))
        directory.update("amber-reader", identity_id=OWN_ORGANISATION)
        withdrawal = next(
            o for o in example_objects(WITHDRAWING_EXAMPLE) if o["type"] == "withdrawal"
        )
        directory.add(
            PRODUCER, "Withdrawing office (fictional)",
            identity_id=withdrawal["created_by_ref"], is_admin=False, clearance="amber",
        )  # fmt: skip
        directory.set_password(PRODUCER, hash_password(PRODUCER_PASSWORD))
        directory.grant(PRODUCER, profile, Rights(read=True, write=True))
        for path in sorted(EXAMPLES.glob("*.json")):
            who = (
                (PRODUCER, PRODUCER_PASSWORD)
                if path.name == WITHDRAWING_EXAMPLE
                else (OPERATOR, password_of(OPERATOR))
            )
            _post(node, who, PROFILE_COLLECTION, example_objects(path.name))
        objects, own_incident, own_post = own_case()
        _post(node, ("amber-reader", password_of("amber-reader")), STIX_COLLECTION, objects)
        operator = (OPERATOR, password_of(OPERATOR))
        sibling, sibling_incident, _, _ = sibling_case()
        _post(node, operator, OTHER_COLLECTION, sibling)
        twin, twin_incident = twin_case()
        _post(node, operator, OTHER_COLLECTION, twin)
        config = load_config(node.node.config_path)
        yield ViewerNode(
            node, access_control(config, node.store), dict(node.keys), own_incident, own_post,
            sibling_incident, twin_incident,
        )  # fmt: skip

"""SqlBackend reads against SQLite and PostgreSQL: filters, versions, headers, errors.

TAXII 2.1 §3.4 (filtering) and §5.3-5.8, called on the backend directly (the
HTTP suite is test_http*.py).
"""

from __future__ import annotations

import pytest
from _backend_cases import ALL, add, key_of, organisation, place, put, read_all, stamp
from infoshare_server.errors import RequestError


@pytest.fixture
def backend(make_backend):  # type: ignore[no-untyped-def]
    return make_backend()


def _ids(items: list[dict[str, object]]) -> list[object]:
    return [item["id"] for item in items]


def test_objects_come_back_unchanged_in_date_added_order(backend) -> None:  # type: ignore[no-untyped-def]
    first = organisation("Quayside Reading Circle (fictional)")
    first["x_custom_note"] = {"nested": [1, 2.5, None, "ünïcødé"], "z": True}
    second = place()
    assert add(backend, [first, second])["success_count"] == 2
    assert read_all(backend) == [first, second]
    root, collection, _ = key_of(backend)
    envelope, headers = backend.get_objects(root, collection, {}, ALL, 10)
    assert envelope["more"] is False and "next" not in envelope
    manifest = read_all(backend, endpoint="manifest")
    assert [m["id"] for m in manifest] == [first["id"], second["id"]]
    assert headers == {
        "X-TAXII-Date-Added-First": manifest[0]["date_added"],
        "X-TAXII-Date-Added-Last": manifest[1]["date_added"],
    }
    # One request, one date_added; its order is seq's.
    assert manifest[0]["date_added"] == manifest[1]["date_added"]
    third = place()
    add(backend, [third])
    assert read_all(backend, endpoint="manifest")[2]["date_added"] > manifest[1]["date_added"]
    assert manifest[0]["media_type"] == "application/stix+json;version=2.1"
    assert manifest[0]["version"] == first["modified"]


def test_match_id_and_type_take_comma_lists(backend) -> None:  # type: ignore[no-untyped-def]
    a, b, c = organisation("A (fictional)"), organisation("B (fictional)"), place()
    add(backend, [a, b, c])
    assert _ids(read_all(backend, {"match[id]": f"{a['id']},{c['id']}"})) == [a["id"], c["id"]]
    assert _ids(read_all(backend, {"match[type]": "location"})) == [c["id"]]
    assert _ids(read_all(backend, {"match[type]": "location,identity"})) == _ids([a, b, c])
    both = {"match[type]": "identity", "match[id]": f"{a['id']},{c['id']}"}
    assert _ids(read_all(backend, both)) == [a["id"]]
    assert read_all(backend, {"match[type]": "malware"}) == []


def test_version_selection(backend) -> None:  # type: ignore[no-untyped-def]
    object_id = organisation()["id"]
    v = [organisation(object_id=object_id, modified=m) for m in (10, 0, 20)]  # added out of order
    add(backend, v)
    other = organisation()
    add(backend, [other])

    def versions(value: str | None) -> list[tuple[object, object]]:
        filters = {"match[id]": object_id} if value is None else {
            "match[id]": object_id, "match[version]": value}  # fmt: skip
        return [item["modified"] for item in read_all(backend, filters)]

    assert versions(None) == [stamp(20)]  # default: last
    assert versions("last") == [stamp(20)]
    assert versions("first") == [stamp(0)]
    assert versions("all") == [stamp(10), stamp(0), stamp(20)]  # date_added order
    assert versions("first,last") == [stamp(0), stamp(20)]
    assert versions(stamp(10)) == [stamp(10)]
    assert versions("2026-03-01T12:10:00Z") == [stamp(10)]  # same instant, other spelling
    assert versions(f"{stamp(10)},first") == [stamp(10), stamp(0)]
    assert versions(stamp(99)) == []
    assert len(read_all(backend)) == 2  # one version per object by default


def test_spec_version_default_is_the_latest_per_object(backend) -> None:  # type: ignore[no-untyped-def]
    object_id = organisation()["id"]
    old = organisation(object_id=object_id, modified=5, spec_version="2.0")
    new = organisation(object_id=object_id, modified=1, spec_version="2.1")
    only_old = organisation(spec_version="2.0")
    put(backend, [old, new, only_old])
    assert read_all(backend) == [new, only_old]
    assert read_all(backend, {"match[spec_version]": "2.0"}) == [old, only_old]
    assert read_all(backend, {"match[spec_version]": "2.0,2.1", "match[version]": "all"}) == [
        old, new, only_old]  # fmt: skip
    manifest = read_all(backend, {"match[spec_version]": "2.0"}, endpoint="manifest")
    assert {m["media_type"] for m in manifest} == {"application/stix+json;version=2.0"}


def test_added_after_is_strict_and_checked(backend) -> None:  # type: ignore[no-untyped-def]
    a, b = organisation(), organisation()
    add(backend, [a])
    add(backend, [b])
    first, second = read_all(backend, endpoint="manifest")
    assert _ids(read_all(backend, {"added_after": first["date_added"]})) == [b["id"]]
    assert read_all(backend, {"added_after": second["date_added"]}) == []
    assert len(read_all(backend, {"added_after": "2000-01-01T00:00:00Z"})) == 2
    assert len(read_all(backend, {"added_after": "2000-01-01T01:00:00+01:00"})) == 2
    root, collection, _ = key_of(backend)
    for bad in ("yesterday", "2026-13-01T00:00:00Z", "", "2026-03-01", "' OR 1=1 --"):
        with pytest.raises(RequestError, match="added_after") as caught:
            backend.get_objects(root, collection, {"added_after": bad}, ALL, 10)
        assert caught.value.status == 400


def test_bad_match_version_and_limit_are_400(backend) -> None:  # type: ignore[no-untyped-def]
    root, collection, _ = key_of(backend)
    with pytest.raises(RequestError, match=r"match\[version\]") as caught:
        backend.get_objects(root, collection, {"match[version]": "newest"}, ALL, 10)
    assert caught.value.status == 400
    for limit in (0, -1):
        with pytest.raises(RequestError, match="limit") as caught:
            backend.get_objects(root, collection, {}, ALL, limit)
        assert caught.value.status == 400


def test_limit_is_capped_at_the_page_size(make_backend) -> None:  # type: ignore[no-untyped-def]
    backend = make_backend(max_page_size=3)
    add(backend, [organisation() for _ in range(5)])
    root, collection, _ = key_of(backend)
    envelope, _ = backend.get_objects(root, collection, {}, ALL, 1000)
    assert len(envelope["objects"]) == 3 and envelope["more"] is True and envelope["next"]


def test_unknown_filters_and_unsupported_fields_are_ignored(backend) -> None:  # type: ignore[no-untyped-def]
    a = organisation()
    add(backend, [a])
    assert read_all(backend, {"match[name]": "nothing", "sort": "desc", "x": "1"}) == [a]
    root, collection, _ = key_of(backend)
    # the object endpoint does not support match[type]: it is ignored there
    envelope, _ = backend.get_object(
        root, collection, a["id"], {"match[type]": "malware"}, ("version", "spec_version"), 10
    )
    assert envelope["objects"] == [a]


def test_get_object_versions_and_404(backend) -> None:  # type: ignore[no-untyped-def]
    object_id = organisation()["id"]
    add(backend, [organisation(object_id=object_id, modified=m) for m in (0, 30, 15)])
    root, collection, _ = key_of(backend)
    allowed = ("version", "spec_version")
    envelope, headers = backend.get_object(root, collection, object_id, {}, allowed, 10)
    assert [o["modified"] for o in envelope["objects"]] == [stamp(30)]
    assert headers["X-TAXII-Date-Added-First"] == headers["X-TAXII-Date-Added-Last"]
    envelope, _ = backend.get_object(
        root, collection, object_id, {"match[version]": "all"}, allowed, 10
    )
    assert len(envelope["objects"]) == 3
    versions, headers = backend.get_object_versions(
        root, collection, object_id, {}, ("spec_version",), 10
    )
    assert versions["versions"] == [stamp(0), stamp(30), stamp(15)]  # date_added order
    # The three versions came in one request: they share one date_added.
    assert headers["X-TAXII-Date-Added-First"] == headers["X-TAXII-Date-Added-Last"]
    page, _ = backend.get_object_versions(root, collection, object_id, {}, ("spec_version",), 2)
    assert page["versions"] == [stamp(0), stamp(30)] and page["more"] and page["next"]
    rest, _ = backend.get_object_versions(
        root, collection, object_id, {"next": page["next"]}, ("spec_version",), 2
    )
    assert rest == {"more": False, "versions": [stamp(15)]}
    missing = organisation()["id"]
    for call in (
        lambda: backend.get_object(root, collection, missing, {"limit": "5"}, allowed, 10),
        lambda: backend.get_object_versions(root, collection, missing, {}, ("spec_version",), 10),
        lambda: backend.delete_object(root, collection, missing, {}, allowed),
    ):
        with pytest.raises(RequestError, match="not found") as caught:
            call()
        assert caught.value.status == 404


def test_delete_removes_all_versions_or_the_selected_ones(backend) -> None:  # type: ignore[no-untyped-def]
    object_id = organisation()["id"]
    keep = organisation()
    add(backend, [organisation(object_id=object_id, modified=m) for m in (0, 10, 20)] + [keep])
    root, collection, _ = key_of(backend)
    allowed = ("version", "spec_version")
    backend.delete_object(root, collection, object_id, {"match[version]": "first"}, allowed)
    assert [o["modified"] for o in read_all(backend, {"match[version]": "all",
            "match[id]": object_id})] == [stamp(10), stamp(20)]  # fmt: skip
    backend.delete_object(root, collection, object_id, {}, allowed)
    assert read_all(backend, {"match[version]": "all"}) == [keep]
    manifest = read_all(backend, endpoint="manifest")
    assert _ids(manifest) == [keep["id"]]


def test_collections_discovery_and_api_root(make_backend) -> None:  # type: ignore[no-untyped-def]
    backend = make_backend(description="Fictional node", base_url="https://node.example/")
    root, collection, key = key_of(backend, "profile")
    assert backend.server_discovery() == {
        "title": "Test node",
        "description": "Fictional node",
        "api_roots": [f"https://node.example/{root}/"],
    }
    info = backend.get_api_root_information(root)
    assert info is not None and info["versions"] == ["application/taxii+json;version=2.1"]
    assert backend.get_api_root_information("nope") is None
    collections = backend.get_collections(root)
    assert collections is not None
    assert [c["id"] for c in collections["collections"]] == [
        c.id for c in backend.api_roots[root].collections
    ]
    assert backend.get_collection(root, collection) == key.settings.resource()
    assert backend.get_collection(root, "not-a-collection") is None
    assert backend.get_collections("nope") is None
    assert backend.get_status(root, "00000000-0000-4000-8000-000000000000") is None


NASTY = [
    "' OR '1'='1",
    "identity--x'); DROP TABLE objects; --",
    '"; DELETE FROM statuses; --',
    "%' OR 1=1 --",
    "\\",
    "_%",
    "\x00",
    "identity--" + "a" * 5000,
    "ü" * 300,
    ",,,",
]


@pytest.mark.parametrize("value", NASTY)
def test_sql_metacharacters_and_long_values_in_every_filter(backend, value: str) -> None:  # type: ignore[no-untyped-def]
    a = organisation()
    add(backend, [a])
    root, collection, _ = key_of(backend)
    for name in ("match[id]", "match[type]", "match[spec_version]", "match[unknown]", value):
        envelope, _ = backend.get_objects(root, collection, {name: value}, ALL, 10)
        assert envelope in ({}, {"more": False, "objects": [a]})
        backend.get_object_manifest(root, collection, {name: value}, ALL, 10)
    for name in ("match[version]", "added_after", "next"):
        with pytest.raises(RequestError) as caught:
            backend.get_objects(root, collection, {name: value}, ALL, 10)
        assert caught.value.status == 400
    with pytest.raises(RequestError) as caught:
        backend.get_object(root, collection, value, {}, ("version", "spec_version"), 10)
    assert caught.value.status == 404
    with pytest.raises(RequestError) as caught:
        backend.get_object_versions(root, collection, value, {}, ("spec_version",), 10)
    assert caught.value.status == 404
    with pytest.raises(RequestError) as caught:
        backend.delete_object(root, collection, value, {}, ("version", "spec_version"))
    assert caught.value.status == 404
    assert backend.get_status(root, value) is None
    assert read_all(backend) == [a]  # nothing was changed


def test_the_visibility_hook_hides_rows_everywhere(make_backend) -> None:  # type: ignore[no-untyped-def]
    """A visibility clause applies to results, to version selection and to 404s."""
    cutoff = stamp(15)
    backend = make_backend(
        visibility=lambda o: (o.c.object_type != "location") & (o.c.version <= cutoff)
    )
    object_id = organisation()["id"]
    versions = [organisation(object_id=object_id, modified=m) for m in (0, 10, 20)]
    hidden_place = place()
    add(backend, [*versions, hidden_place])
    assert read_all(backend) == [versions[1]]  # "last" among the visible versions
    assert read_all(backend, {"match[version]": "all"}) == versions[:2]
    assert read_all(backend, endpoint="manifest", limit=1) == read_all(
        backend, {"match[version]": "last"}, endpoint="manifest"
    )
    root, collection, _ = key_of(backend)
    with pytest.raises(RequestError) as caught:
        backend.get_object(root, collection, hidden_place["id"], {}, ("version",), 10)
    assert caught.value.status == 404
    page, _ = backend.get_object_versions(root, collection, object_id, {}, ("spec_version",), 10)
    assert page["versions"] == [stamp(0), stamp(10)]

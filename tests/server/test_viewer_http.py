"""The case viewer over HTTP, against the real node (docs/adr/0015-case-viewer.md).

One node per database kind (SQLite and PostgreSQL), with every example case
ingested through the node's own ingest path (``_viewer_data``). The tests
talk to it like a browser (``_viewer_web``): sign-in and sign-out, session
expiry and revocation, CSRF refusal, cookie flags, security headers, the
case list's filters and paging, the language switch, and hostile input that
must get a clear HTML answer and never reach the node's catch-all for
unexpected errors.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from _access import OPERATOR, password_of
from _databases import BACKENDS
from _node import PROFILE_COLLECTION
from _viewer_data import GREEN_INCIDENT, SEAFOOD_INCIDENT, ViewerNode, viewer_node
from _viewer_web import TIMEOUT, csrf_of, incident_ids, page, sign_in_form, signed_in
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from infoshare_server.access import Directory, Rights, hash_password
from infoshare_server.storage._viewer_migration import viewer_sessions
from infoshare_server.viewer.web import CSP

CASE_PATH = f"/viewer/cases/fimi/{PROFILE_COLLECTION}/"


@pytest.fixture(scope="module", params=BACKENDS)
def viewer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ViewerNode]:
    folder: Path = tmp_path_factory.mktemp(f"viewer-http-{request.param}")
    with viewer_node(str(request.param), folder) as node:
        yield node


def _rows(viewer: ViewerNode) -> list[dict[str, object]]:
    with viewer.store.reading() as connection:
        return [dict(r._mapping) for r in connection.execute(sa.select(viewer_sessions))]


def _session_cookie(client: requests.Session) -> str:
    value = client.cookies.get("infoshare_session")
    assert value, client.cookies
    return str(value)


def _all_cases(viewer: ViewerNode, client: requests.Session, query: str = "") -> list[str]:
    """Every incident of the case list, following the next-page links (limit 3)."""
    found: list[str] = []
    path = f"/?limit=3{'&' + query if query else ''}"
    for _ in range(50):
        response = page(client, viewer.node.node, path)
        assert response.status_code == 200, response.text[:500]
        found.extend(re.findall(r'data-incident="(incident--[0-9a-f-]{36})"', response.text))
        nxt = re.search(r'id="next-page" href="([^"]+)"', response.text)
        if nxt is None:
            return found
        path = nxt.group(1).replace("&amp;", "&")
    raise AssertionError("the case list never ended")


def test_the_root_asks_for_sign_in_with_security_headers(viewer: ViewerNode) -> None:
    node = viewer.node.node
    response = requests.get(node.url("/"), allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 303
    assert response.headers["Location"] == "/viewer/sign-in?next=/"
    form = requests.get(node.url("/viewer/sign-in"), timeout=TIMEOUT)
    assert form.status_code == 200
    assert form.headers["Content-Type"].startswith("text/html")
    assert form.headers["Content-Security-Policy"] == CSP
    assert "script-src" not in CSP and "default-src 'none'" in CSP
    assert form.headers["X-Frame-Options"] == "DENY"
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert form.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in form.headers["Cache-Control"]
    assert "<script" not in form.text and " style=" not in form.text
    assert 'name="csrf"' in form.text and 'autocomplete="current-password"' in form.text
    css = requests.get(node.url("/viewer/static/viewer.css"), timeout=TIMEOUT)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")


def test_sign_in_sets_a_strict_http_only_cookie_and_stores_only_a_digest(
    viewer: ViewerNode,
) -> None:
    node = viewer.node.node
    client = requests.Session()
    response = sign_in_form(
        node, client, "green-reader", password_of("green-reader"), "/?tlp=green"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/?tlp=green"
    cookie = next(c for c in response.headers["Set-Cookie"].split(", infoshare") if "session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain-HTTP loopback: see docs/viewer.md
    session_id = _session_cookie(client)
    digests = {row["id_digest"] for row in _rows(viewer)}
    assert hashlib.sha256(session_id.encode()).hexdigest() in digests
    assert session_id not in digests
    listing = page(client, node, "/")
    assert listing.status_code == 200
    assert "Signed in as" in listing.text and 'id="sign-out"' in listing.text


def test_a_wrong_password_is_refused_audited_and_sets_no_session(viewer: ViewerNode) -> None:
    node = viewer.node.node
    for account in ("green-reader", "nobody-at-all", "", OPERATOR):
        client = requests.Session()
        response = sign_in_form(node, client, account, "wrong password, long enough")
        assert response.status_code == 401
        assert 'id="sign-in-error"' in response.text
        assert "infoshare_session" not in client.cookies
        assert "Basic" not in response.headers.get("WWW-Authenticate", "")
    with viewer.store.reading() as connection:
        tried = connection.execute(
            sa.text(
                "SELECT count(*) FROM audit_log WHERE action = 'auth_failure'"
                " AND partner_id = 'nobody-at-all' AND path = '/viewer/sign-in'"
            )
        ).scalar()
    assert tried and tried >= 1


def test_operators_and_partners_sign_in_with_their_node_credentials(viewer: ViewerNode) -> None:
    node = viewer.node.node
    operator = signed_in(node, OPERATOR, password_of(OPERATOR))
    assert "Signed in as analyst" in page(operator, node, "/").text
    amber = signed_in(node, "amber-reader", password_of("amber-reader"))
    assert page(amber, node, "/").status_code == 200


def test_forms_without_a_valid_csrf_token_are_refused_with_a_403_page(viewer: ViewerNode) -> None:
    node = viewer.node.node
    # Sign-in without the form's token (a login-CSRF attempt from another site).
    bare = requests.post(
        node.url("/viewer/sign-in"),
        data={"account": "green-reader", "password": password_of("green-reader")},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert bare.status_code == 403
    assert "security token" in bare.text
    assert "infoshare_session" not in bare.cookies
    client = signed_in(node, "green-reader", password_of("green-reader"))
    for path, data in (
        ("/viewer/sign-out", {}),
        ("/viewer/sign-out", {"csrf": "0" * 64}),
        ("/viewer/language", {"lang": "ja"}),
        ("/viewer/language", {"lang": "ja", "csrf": "x" * 5000}),
    ):
        refused = client.post(node.url(path), data=data, allow_redirects=False, timeout=TIMEOUT)
        assert refused.status_code == 403, (path, data)
        assert refused.headers["Content-Type"].startswith("text/html")
    # The pre-sign-in token is not the session's: it is refused once signed in.
    other = requests.Session()
    token = csrf_of(other.get(node.url("/viewer/sign-in"), timeout=TIMEOUT).text)
    refused = client.post(
        node.url("/viewer/sign-out"), data={"csrf": token}, allow_redirects=False, timeout=TIMEOUT
    )
    assert refused.status_code == 403
    assert page(client, node, "/").status_code == 200  # still signed in


def test_sign_out_deletes_the_session(viewer: ViewerNode) -> None:
    node = viewer.node.node
    client = signed_in(node, "green-reader", password_of("green-reader"))
    session_id = _session_cookie(client)
    listing = page(client, node, "/")
    out = client.post(
        node.url("/viewer/sign-out"),
        data={"csrf": csrf_of(listing.text)},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert out.status_code == 303 and out.headers["Location"].startswith("/viewer/sign-in")
    assert "infoshare_session" not in client.cookies
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    assert digest not in {row["id_digest"] for row in _rows(viewer)}
    replay = requests.get(
        node.url("/"), cookies={"infoshare_session": session_id}, allow_redirects=False,
        timeout=TIMEOUT,
    )  # fmt: skip
    assert replay.status_code == 303


@pytest.mark.parametrize("column", ["expires_at", "seen_at"])
def test_an_expired_or_idle_session_ends(viewer: ViewerNode, column: str) -> None:
    node = viewer.node.node
    client = signed_in(node, "green-reader", password_of("green-reader"))
    digest = hashlib.sha256(_session_cookie(client).encode()).hexdigest()
    with viewer.store.writing() as connection:
        connection.execute(
            sa.update(viewer_sessions)
            .where(viewer_sessions.c.id_digest == digest)
            .values({column: "2020-01-01T00:00:00.000000Z"})
        )
    response = page(client, node, "/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/viewer/sign-in")
    assert digest not in {row["id_digest"] for row in _rows(viewer)}


def test_a_revoked_partner_loses_its_sessions_at_once(viewer: ViewerNode) -> None:
    node = viewer.node.node
    directory = Directory(viewer.store)
    directory.add("short-lived", "Short-lived partner (fictional)", clearance="amber")
    directory.set_password("short-lived", hash_password("short-lived long passphrase"))
    directory.grant(
        "short-lived", viewer.collections[("fimi", PROFILE_COLLECTION)].collection_pk,
        Rights(read=True),
    )  # fmt: skip
    client = signed_in(node, "short-lived", "short-lived long passphrase")
    assert page(client, node, "/").status_code == 200
    directory.revoke("short-lived")
    response = page(client, node, "/")
    assert response.status_code == 303
    assert not [row for row in _rows(viewer) if row["account"] == "short-lived"]


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(viewer: ViewerNode) -> None:
    node = viewer.node.node
    directory = Directory(viewer.store)
    directory.add("rotating", "Rotating partner (fictional)", clearance="green")
    directory.set_password("rotating", hash_password("the first long passphrase"))
    client = signed_in(node, "rotating", "the first long passphrase")
    assert page(client, node, "/").status_code == 200
    directory.set_password("rotating", hash_password("the second long passphrase"))
    assert page(client, node, "/").status_code == 303
    assert not [row for row in _rows(viewer) if row["account"] == "rotating"]
    again = signed_in(node, "rotating", "the second long passphrase")
    assert page(again, node, "/").status_code == 200


def test_a_green_reader_never_sees_an_amber_case(viewer: ViewerNode) -> None:
    node = viewer.node.node
    green = signed_in(node, "green-reader", password_of("green-reader"))
    seen = _all_cases(viewer, green)
    assert GREEN_INCIDENT in seen
    assert SEAFOOD_INCIDENT not in seen and viewer.own_incident not in seen
    listing = page(green, node, "/?limit=100").text
    assert "TLP:AMBER" not in listing
    hidden = page(green, node, CASE_PATH + SEAFOOD_INCIDENT)
    unknown = page(green, node, CASE_PATH + "incident--00000000-0000-4000-8000-000000000000")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.text.replace(SEAFOOD_INCIDENT, "X") == unknown.text.replace(
        "incident--00000000-0000-4000-8000-000000000000", "X"
    )
    amber = signed_in(node, "amber-reader", password_of("amber-reader"))
    assert SEAFOOD_INCIDENT in _all_cases(viewer, amber)
    shown = page(amber, node, CASE_PATH + SEAFOOD_INCIDENT)
    assert shown.status_code == 200
    assert "TLP:AMBER" in shown.text and 'id="graph-svg"' in shown.text


def test_the_case_page_shows_every_section(viewer: ViewerNode) -> None:
    node = viewer.node.node
    operator = signed_in(node, OPERATOR, password_of(OPERATOR))
    shown = page(operator, node, CASE_PATH + SEAFOOD_INCIDENT)
    assert shown.status_code == 200
    for section in ("summary", "timeline", "graph", "techniques", "texts", "actions",
                    "opinions", "related", "exports"):  # fmt: skip
        assert f'<section id="{section}"' in shown.text, section
    assert "<svg" in shown.text and 'id="graph-table"' in shown.text
    assert shown.text.count('<tr class="heat-') == 16  # every DISARM tactic, in order
    assert "<script" not in shown.text and " style=" not in shown.text


def test_paging_follows_the_keyset_and_tokens_are_bound(viewer: ViewerNode) -> None:
    node = viewer.node.node
    operator = signed_in(node, OPERATOR, password_of(OPERATOR))
    paged = _all_cases(viewer, operator)
    whole = re.findall(
        r'data-incident="(incident--[0-9a-f-]{36})"', page(operator, node, "/?limit=100").text
    )
    assert paged == whole and len(paged) == len(set(paged)) and len(paged) > 3
    first = page(operator, node, "/?limit=2").text
    token = re.search(r"next=([^\"&]+)", first)
    assert token is not None
    green = signed_in(node, "green-reader", password_of("green-reader"))
    stolen = page(green, node, f"/?limit=2&next={token.group(1)}")
    assert stolen.status_code == 400 and "out of date" in stolen.text
    other_filters = page(operator, node, f"/?limit=2&tlp=green&next={token.group(1)}")
    assert other_filters.status_code == 400
    tampered = page(operator, node, "/?next=AAAA" + "B" * 60)
    assert tampered.status_code == 400


def test_filters_narrow_the_list(viewer: ViewerNode) -> None:
    node = viewer.node.node
    operator = signed_in(node, OPERATOR, password_of(OPERATOR))
    everything = set(_all_cases(viewer, operator))
    green = set(_all_cases(viewer, operator, "tlp=green"))
    assert green and green < everything and GREEN_INCIDENT in green
    assert not set(_all_cases(viewer, operator, "until=2000-01-01"))
    assert set(_all_cases(viewer, operator, "since=2000-01-01")) == everything
    listing = page(operator, node, "/").text
    assert 'id="f-country"' in listing and 'for="f-country"' in listing
    assert incident_ids(page(operator, node, "/?country=ZZ").text) == set()


@pytest.mark.parametrize(
    "path",
    [
        "/?since=not-a-date",
        "/?until=2026-13-45",
        "/?limit=0",
        "/?limit=-5",
        "/?limit=99999999999999999999",
        "/?next=%00%01%02",
        "/?next=" + "A" * 5000,
        "/?country=" + "x" * 5000,
        "/?tlp=%3Cscript%3Ealert(1)%3C/script%3E",
        "/?origin=%27%20OR%201%3D1--",
        "/viewer/cases/fimi/x/incident--x",
        "/viewer/cases/%3Cb%3E/%00/..%2F..",
        "/viewer/cases/fimi/" + PROFILE_COLLECTION + "/" + "i" * 5000,
        "/viewer/cases/fimi/" + PROFILE_COLLECTION + "/relationship--" + "0" * 36,
        "/viewer/nothing-here",
        "/viewer/static/%2e%2e/%2e%2e/config.py",
        "/viewer/static/..%2fweb.py",
    ],
)
def test_hostile_input_gets_a_clear_page_never_a_500(viewer: ViewerNode, path: str) -> None:
    node = viewer.node.node
    client = signed_in(node, "green-reader", password_of("green-reader"))
    response = page(client, node, path)
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<script>alert" not in response.text
    assert response.headers["Content-Security-Policy"] == CSP
    assert "Traceback" not in response.text
    assert "internal error" not in node.log()


def test_hostile_sign_in_fields_are_refused_cleanly(viewer: ViewerNode) -> None:
    node = viewer.node.node
    for account, password in (
        ("a" * 100_000, "b"),
        ("green-reader:extra", password_of("green-reader")),
        ("\x00\x01", "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")),
        ("<img src=x onerror=alert(1)>", "password"),
    ):
        client = requests.Session()
        response = sign_in_form(node, client, account, password)
        assert response.status_code in (401, 413), response.status_code
        assert "<img src=x" not in response.text
    get_out = requests.get(node.url("/viewer/sign-out"), timeout=TIMEOUT, allow_redirects=False)
    assert get_out.status_code in (404, 405) and get_out.headers["Content-Type"].startswith(
        "text/html"
    )
    open_redirect = sign_in_form(
        node, requests.Session(), "green-reader", password_of("green-reader"), "//evil.example/x"
    )
    assert open_redirect.status_code == 303 and open_redirect.headers["Location"] == "/"
    assert "internal error" not in node.log()


def test_the_language_follows_the_browser_and_the_switch(viewer: ViewerNode) -> None:
    node = viewer.node.node
    japanese = requests.get(
        node.url("/viewer/sign-in"), headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"},
        timeout=TIMEOUT,
    )  # fmt: skip
    assert '<html lang="ja">' in japanese.text and "サインイン" in japanese.text
    client = signed_in(node, "green-reader", password_of("green-reader"))
    listing = page(client, node, "/")
    assert '<html lang="en">' in listing.text
    switched = client.post(
        node.url("/viewer/language"),
        data={"csrf": csrf_of(listing.text), "lang": "ja", "next": "/"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert switched.status_code == 303 and switched.headers["Location"] == "/"
    assert "事案一覧" in page(client, node, "/").text
    unknown = client.post(
        node.url("/viewer/language"),
        data={"csrf": csrf_of(listing.text), "lang": "xx-unknown"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert unknown.status_code == 400


def test_the_taxii_api_is_unchanged_beside_the_viewer(viewer: ViewerNode) -> None:
    node = viewer.node.node
    response = requests.get(
        node.url("/taxii2/"),
        headers={"Accept": "application/taxii+json;version=2.1"},
        auth=(OPERATOR, password_of(OPERATOR)),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200 and "api_roots" in response.json()
    anonymous = requests.get(node.url("/taxii2/"), timeout=TIMEOUT)
    assert anonymous.status_code == 401


def test_exports_hold_only_what_the_reader_may_see(viewer: ViewerNode) -> None:
    from infoshare.profile import TLP_AMBER

    node = viewer.node.node
    green = signed_in(node, "green-reader", password_of("green-reader"))
    for export in ("bundle.json", "layer.json", "brief.pdf"):
        hidden = page(green, node, CASE_PATH + SEAFOOD_INCIDENT + "/" + export)
        assert hidden.status_code == 404, export
        assert hidden.headers["Content-Type"].startswith("text/html")
    bundle = page(green, node, CASE_PATH + GREEN_INCIDENT + "/bundle.json")
    assert bundle.status_code == 200
    assert bundle.headers["Content-Disposition"].startswith("attachment;")
    data = bundle.json()
    assert data["type"] == "bundle" and data["objects"]
    assert GREEN_INCIDENT in {o["id"] for o in data["objects"]}
    assert TLP_AMBER not in bundle.text
    layer = page(green, node, CASE_PATH + GREEN_INCIDENT + "/layer.json").json()
    assert "techniques" in layer and "domain" in layer
    brief = page(green, node, CASE_PATH + GREEN_INCIDENT + "/brief.pdf")
    assert brief.status_code == 200 and brief.content.startswith(b"%PDF")
    assert brief.headers["Content-Type"] == "application/pdf"
    unknown = page(green, node, CASE_PATH + GREEN_INCIDENT + "/secrets.txt")
    assert unknown.status_code == 404


def test_reading_a_case_is_audited_under_its_collection(viewer: ViewerNode) -> None:
    node = viewer.node.node
    amber = signed_in(node, "amber-reader", password_of("amber-reader"))
    assert page(amber, node, CASE_PATH + SEAFOOD_INCIDENT).status_code == 200
    with viewer.store.reading() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT api_root, collection_id, object_ids, object_count FROM audit_log"
                " WHERE action = 'read' AND partner_id = 'amber-reader' AND path LIKE '/viewer/%'"
            )
        ).all()
    assert rows
    api_root, collection_id, object_ids, count = rows[-1]
    assert (api_root, collection_id) == ("fimi", PROFILE_COLLECTION)
    assert SEAFOOD_INCIDENT in object_ids and count > 1


def test_repeated_failed_sign_ins_are_slowed_down(tmp_path: Path) -> None:
    """With the node's rate limits on, an address whose sign-ins keep failing gets a 429
    page (with Retry-After) before any more passwords are checked."""
    from _node import USER, config_text, free_port, running_node

    port = free_port()
    config = config_text(f"sqlite:///{tmp_path / 'node.db'}", port).replace(
        "rate_per_partner = 0", "rate_per_partner = 0.05\nburst = 3"
    )
    config_path = tmp_path / "node.toml"
    config_path.write_text(config, encoding="utf-8")
    with running_node(config_path, port, tmp_path / "node.log") as node:
        statuses = []
        for _ in range(8):
            client = requests.Session()
            form = client.get(node.url("/viewer/sign-in"), timeout=TIMEOUT)
            response = form
            if form.status_code == 200:
                response = client.post(
                    node.url("/viewer/sign-in"),
                    data={"csrf": csrf_of(form.text), "account": USER, "password": "wrong!"},
                    allow_redirects=False,
                    timeout=TIMEOUT,
                )
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert response.headers["Content-Type"].startswith("text/html")
                assert int(response.headers["Retry-After"]) >= 1
                assert "Too many requests" in response.text
                break
        assert statuses[0] == 401 and statuses[-1] == 429, statuses


def test_collection_layers_count_only_visible_cases(viewer: ViewerNode) -> None:
    from _node import READ_ONLY_COLLECTION

    node = viewer.node.node
    path = f"/viewer/layers/fimi/{PROFILE_COLLECTION}/layer.json"
    green = signed_in(node, "green-reader", password_of("green-reader"))
    operator = signed_in(node, OPERATOR, password_of(OPERATOR))
    assert path in page(green, node, "/").text
    green_layer = page(green, node, path)
    assert green_layer.status_code == 200
    assert green_layer.headers["Content-Disposition"].startswith("attachment;")
    full = page(operator, node, path).json()

    def scores(layer: dict[str, object]) -> dict[str, int]:
        techniques = layer["techniques"]
        assert isinstance(techniques, list)
        return {t["techniqueID"]: int(t.get("score", 0)) for t in techniques}

    seen, everything = scores(green_layer.json()), scores(full)
    assert sum(everything.values()) > sum(seen.values())
    assert all(everything.get(t, 0) >= n for t, n in seen.items())
    amber = signed_in(node, "amber-reader", password_of("amber-reader"))
    refused = page(amber, node, f"/viewer/layers/fimi/{READ_ONLY_COLLECTION}/layer.json")
    unknown = page(amber, node, "/viewer/layers/fimi/no-such-collection/layer.json")
    assert refused.status_code == unknown.status_code == 404
    assert refused.text.replace(READ_ONLY_COLLECTION, "X") == unknown.text.replace(
        "no-such-collection", "X"
    )


def test_over_https_the_session_cookie_is_secure_and_host_bound(tmp_path: Path) -> None:
    """On a node with TLS, every viewer cookie is Secure and carries the __Host- prefix."""
    from _node import USER, RunningNode
    from _transport import make_pki, node_config, started_node

    pki = make_pki(tmp_path / "pki")
    url = f"sqlite:///{tmp_path / 'node.db'}"
    tls = {"certificate": str(pki.node.cert_path), "key": str(pki.node.key_path)}
    verify = str(pki.node_ca.cert_path)

    def ready(node: RunningNode) -> bool:
        return requests.get(node.url("healthz"), verify=verify, timeout=2).status_code == 200

    def config(port: int) -> str:
        return node_config(url, port, limits={"rate_per_partner": 0}, tls=tls)

    with started_node(tmp_path / "node", config, ready, scheme="https") as node:
        client = requests.Session()
        form = client.get(node.url("/viewer/sign-in"), verify=verify, timeout=TIMEOUT)
        form_cookie = form.headers["Set-Cookie"]
        assert form_cookie.startswith("__Host-infoshare_form=") and "Secure" in form_cookie
        response = client.post(
            node.url("/viewer/sign-in"),
            data={"csrf": csrf_of(form.text), "account": USER, "password": password_of(USER)},
            allow_redirects=False,
            verify=verify,
            timeout=TIMEOUT,
        )
        assert response.status_code == 303
        cookie = next(
            part for part in response.headers["Set-Cookie"].split(", __Host-")
            if "infoshare_session=" in part
        )  # fmt: skip
        for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            assert flag in cookie, (flag, cookie)
        assert "Domain" not in cookie
        assert client.get(node.url("/"), verify=verify, timeout=TIMEOUT).status_code == 200
        assert "__Host-infoshare_session" in client.cookies


def test_behind_a_tls_proxy_the_public_https_address_makes_cookies_secure(
    tmp_path: Path,
) -> None:
    """A node whose base_url is HTTPS sits behind a TLS-terminating proxy: the hop to the
    node is plain HTTP, but the browser's is not, so the cookies are Secure anyway."""
    from _node import config_text, free_port, running_node

    port = free_port()
    config = config_text(f"sqlite:///{tmp_path / 'node.db'}", port).replace(
        f'base_url = "http://127.0.0.1:{port}"', 'base_url = "https://viewer.example"'
    )
    config_path = tmp_path / "node.toml"
    config_path.write_text(config, encoding="utf-8")
    with running_node(config_path, port, tmp_path / "node.log") as node:
        form = requests.get(node.url("/viewer/sign-in"), timeout=TIMEOUT)
        cookie = form.headers["Set-Cookie"]
        assert cookie.startswith("__Host-infoshare_form=") and "Secure" in cookie


_FIELDS = ("country", "fimi_type", "determination", "status", "tlp", "origin", "since",
           "until", "limit", "next", "lang", "signed-out")  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(_FIELDS), st.text(max_size=300)),
        max_size=6,
    ),
    st.sampled_from(["/", "/viewer/sign-in", CASE_PATH + GREEN_INCIDENT]),
)
def test_any_query_gets_a_page_or_a_clear_refusal(
    viewer: ViewerNode, query: list[tuple[str, str]], path: str
) -> None:
    node = viewer.node.node
    client = _GREEN_CLIENTS.get(node.base_url)
    if client is None:
        client = _GREEN_CLIENTS[node.base_url] = signed_in(
            node, "green-reader", password_of("green-reader")
        )
    response = client.get(node.url(path), params=query, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code in (200, 303, 400), (response.status_code, query)
    assert response.headers["Content-Type"].startswith("text/html")
    if response.status_code == 200 and path == "/":
        assert "TLP:AMBER" not in response.text


_GREEN_CLIENTS: dict[str, requests.Session] = {}


def test_withdrawn_cases_are_flagged_for_operators_and_hidden_from_partners(
    viewer: ViewerNode,
) -> None:
    from _viewer_data import WITHDRAWN_INCIDENT

    node = viewer.node.node
    operator = signed_in(node, OPERATOR, password_of(OPERATOR))
    listing = page(operator, node, "/?limit=100").text
    row = listing[listing.index(f'data-incident="{WITHDRAWN_INCIDENT}"') :]
    assert 'class="badge withdrawn"' in row[: row.index("</tr>")]
    shown = page(operator, node, CASE_PATH + WITHDRAWN_INCIDENT)
    assert shown.status_code == 200 and "was withdrawn by its author" in shown.text
    amber = signed_in(node, "amber-reader", password_of("amber-reader"))
    assert WITHDRAWN_INCIDENT not in page(amber, node, "/?limit=100").text
    assert page(amber, node, CASE_PATH + WITHDRAWN_INCIDENT).status_code == 404

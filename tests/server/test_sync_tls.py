"""Sync over HTTPS with mutual TLS: the remote is verified with a CA file, and this node
presents a client certificate that the remote maps to a partner (no password).

Issue 5 "Remote partners, with their URLs and credentials", docs/adr/0007-sync.md
and docs/operator-guide.md §13.1 (``ca_file``, ``client_certificate``,
``client_key``). Certificates are made inside the test
(tests/server/_transport.py). JP serves HTTPS and accepts client
certificates from the partners' CA; TH pulls from JP with its certificate
only. Without the certificate JP refuses TH (401, retried, reported); with a
CA file that does not vouch for JP's certificate the TLS handshake fails and
is reported; both leave TH as it was.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests
from _node import INFOSHARE, PASSWORD, PROFILE_COLLECTION, USER, free_port
from _sync import PartnerNode, Remote, bundle_objects, db_rows, run_sync, running, sync_env
from _transport import RunningNode, make_pki, node_config, started_node
from infoshare_server.tls import certificate_of

pytestmark = pytest.mark.slow

CASE = bundle_objects("03-deepfake-investment-scam.json")
TAXII = "application/taxii+json;version=2.1"


def _partner(node: RunningNode, *args: str) -> None:
    subprocess.run(
        [str(INFOSHARE), "partner", *args, "--config", str(node.config_path)],
        check=True,
        capture_output=True,
        env=sync_env(),
        timeout=120,
    )


def test_pull_over_mutual_tls_with_a_certificate_instead_of_a_password(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    url = f"sqlite:///{tmp_path / 'jp' / 'jp.db'}"
    tls = {
        "certificate": str(pki.node.cert_path),
        "key": str(pki.node.key_path),
        "client_ca": str(pki.partner_ca.cert_path),
        "client_certificates": "optional",
    }
    ca = str(pki.node_ca.cert_path)

    def ready(node: RunningNode) -> bool:
        return requests.get(node.url("healthz"), verify=ca, timeout=2).status_code == 200

    def config(port: int) -> str:
        return node_config(url, port, limits={"rate_per_partner": 0}, tls=tls)

    with started_node(tmp_path / "jp", config, ready, scheme="https") as jp:
        response = requests.post(
            jp.url(f"fimi/collections/{PROFILE_COLLECTION}/objects/"),
            data=json.dumps({"objects": CASE}),
            headers={"Accept": TAXII, "Content-Type": TAXII},
            auth=(USER, PASSWORD),
            verify=ca,
            timeout=60,
        )
        assert response.status_code == 202 and response.json()["failure_count"] == 0
        fingerprint = certificate_of(pki.partner.der).fingerprint_sha256
        _partner(jp, "add", "th", "--clearance", "amber", "--no-password", "--no-token")
        _partner(jp, "grant", "th", PROFILE_COLLECTION, "--read")
        _partner(jp, "add-certificate", "th", "--fingerprint", fingerprint)

        th = PartnerNode("th", free_port(), tmp_path / "th")
        api_root = f"{jp.base_url}/fimi/"

        def point(extra: str) -> None:
            th.remotes = [Remote("jp", api_root, PROFILE_COLLECTION, user=None, extra=extra)]
            th.write_config()

        client = (
            f'client_certificate = "{pki.partner.cert_path}"\n'
            f'client_key = "{pki.partner.key_path}"\n'
        )
        with running({"th": th}):
            point(f'ca_file = "{ca}"\n')  # no client certificate: nobody
            refused = run_sync(th)
            assert refused.returncode == 1
            assert "refused this node's credentials (HTTP 401)" in refused.stderr, refused.stderr
            assert "retry 2 in" in refused.stderr

            point(f'ca_file = "{pki.stranger_ca.cert_path}"\n' + client)  # wrong CA
            untrusted = run_sync(th)
            assert untrusted.returncode == 1
            assert "cannot reach the remote node: SSLError" in untrusted.stderr
            assert db_rows(th, "SELECT count(*) FROM objects") == [(0,)]

            point(f'ca_file = "{ca}"\n' + client)
            result = run_sync(th)
            assert result.returncode == 0, result.stderr
            stored = {json.loads(row[0])["id"] for row in db_rows(th, "SELECT body FROM objects")}
            assert stored == {o["id"] for o in CASE}
            remotes = db_rows(th, "SELECT DISTINCT remote, remote_collection FROM provenance")
            assert remotes == [("jp", f"{api_root}collections/{PROFILE_COLLECTION}/")]

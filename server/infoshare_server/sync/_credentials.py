"""How sync authenticates to a remote node: secrets from the environment or a file.

Implements the "secrets read from the environment or a file rather than
inline" rule of issue 5 (docs/adr/0007-sync.md, docs/operator-guide.md
"Node-to-node sync"). ``[[remotes]]`` names where the secret is
(``password_env``/``password_file`` with ``user`` for HTTP Basic,
``token_env``/``token_file`` for an HTTP Bearer token); this module reads it
when a run starts and never logs or stores it.
"""

from __future__ import annotations

import os
from pathlib import Path

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from infoshare_server.config import RemoteSection
from infoshare_server.sync._errors import SyncError


class BearerAuth(AuthBase):
    """``Authorization: Bearer <token>`` (RFC 6750) on every request."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:  # never show the token
        return "BearerAuth(<hidden>)"


def _read_secret(remote: RemoteSection, env: str | None, file: Path | None, base: Path) -> str:
    key_prefix = f"remotes.{remote.name}"
    if env is not None:
        value = os.environ.get(env, "")
        if not value:
            raise SyncError(
                f"{key_prefix}: environment variable {env} is not set or empty",
                hint=f"export {env} with the secret the remote node gave this node",
            )
        return value
    assert file is not None
    path = file if file.is_absolute() else base / file
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise SyncError(f"{key_prefix}: cannot read the secret file {path}: {reason}") from None
    if not value:
        raise SyncError(f"{key_prefix}: the secret file {path} is empty")
    return value


def remote_auth(remote: RemoteSection, base_dir: Path) -> AuthBase | None:
    """The ``requests`` authentication for ``remote`` (None: anonymous)."""
    if remote.user is not None:
        password = _read_secret(remote, remote.password_env, remote.password_file, base_dir)
        return HTTPBasicAuth(remote.user, password)
    if remote.token_env is not None or remote.token_file is not None:
        return BearerAuth(_read_secret(remote, remote.token_env, remote.token_file, base_dir))
    return None


def remote_verify(remote: RemoteSection, base_dir: Path) -> bool | str:
    """What ``requests`` verifies the remote's TLS certificate against."""
    if remote.ca_file is None:
        return True
    path = remote.ca_file if remote.ca_file.is_absolute() else base_dir / remote.ca_file
    if not path.is_file():
        raise SyncError(f"remotes.{remote.name}.ca_file: {path} does not exist")
    return str(path)


def remote_client_certificate(remote: RemoteSection, base_dir: Path) -> tuple[str, str] | None:
    """This node's (certificate, key) files for mutual TLS with ``remote``, if configured."""
    if remote.client_certificate is None or remote.client_key is None:
        return None
    files = []
    for key, path in (
        ("client_certificate", remote.client_certificate),
        ("client_key", remote.client_key),
    ):
        full = path if path.is_absolute() else base_dir / path
        if not full.is_file():
            raise SyncError(f"remotes.{remote.name}.{key}: {full} does not exist")
        files.append(str(full))
    return files[0], files[1]

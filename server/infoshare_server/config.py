"""The node's configuration: one typed model, loaded from one TOML file.

Implements the "Configuration and running" part of the TAXII 2.1 node issue;
the reference for operators is docs/operator-guide.md. Every error names the
file and the dotted key (``api_roots[0].collections[1].id``) and is an
:class:`~infoshare_server.errors.NodeError`, so the CLI prints it without a
traceback.

Secrets are never written in the file: the key that signs paging tokens comes
from an environment variable (``node.secret_env``) or a file
(``node.secret_file``), and users carry only an argon2id password hash (see access/_secrets.py).
"""

from __future__ import annotations

import os
import re
import tomllib
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from infoshare_server.access import PasswordHashError, check_password_hash
from infoshare_server.errors import NodeError

#: The STIX media type a collection holds unless its configuration says otherwise.
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"

#: Shortest accepted secret for signing paging tokens, in bytes.
MIN_SECRET_BYTES = 32


class ConfigError(NodeError):
    """The node configuration cannot be read or breaks a rule; names the file and the key."""


#: First path segments the node serves itself, so no API root may take them: TAXII
#: discovery, the health check, the case viewer (which also serves ``/``) and the
#: published profile site.
RESERVED_PATHS: tuple[str, ...] = ("taxii2", "healthz", "viewer", "spec")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeSection(_Section):
    """``[node]``: what discovery says about this node, and where its secret lives."""

    title: str = Field(min_length=1)
    description: str = ""
    contact: str = ""
    #: The public URL clients use (scheme, host, port, optional path prefix). When unset,
    #: discovery uses the URL of each request (right only without a reverse proxy).
    base_url: str | None = None
    #: The name of an environment variable holding the paging-token secret.
    secret_env: str | None = None
    #: A file holding the paging-token secret (relative paths: from the config file's folder).
    secret_file: Path | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _one_secret_source(self) -> NodeSection:
        if (self.secret_env is None) == (self.secret_file is None):
            raise ValueError(
                "set exactly one of secret_env (an environment variable) or secret_file"
                " (a file) for the paging-token secret; never write the secret itself here"
            )
        return self


class StorageSection(_Section):
    """``[storage]``: the SQLAlchemy URL of the database."""

    url: str = "sqlite:///infoshare-node.db"

    @field_validator("url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError(
                "must be a sqlite:///path URL or a postgresql+psycopg://user@host/db URL"
            )
        return value


class ServerSection(_Section):
    """``[server]``: how gunicorn listens and how many workers it runs."""

    host: str = "127.0.0.1"
    port: int = Field(default=6100, ge=0, le=65535)
    workers: int = Field(default=2, ge=1, le=64)
    #: Threads per worker (gunicorn's gthread worker): a slow client holds one thread, not
    #: the whole worker.
    threads: int = Field(default=8, ge=1, le=64)
    timeout: int = Field(default=30, ge=1, le=3600)


class LimitsSection(_Section):
    """``[limits]``: sizes, request rates and time limits (docs/operator-guide.md §7)."""

    max_content_length: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_page_size: int = Field(default=100, ge=1, le=10_000)
    #: Requests per second each partner (or, before authentication, each source address)
    #: may make on this node, on average; 0 turns rate limiting off.
    rate_per_partner: float = Field(default=20.0, ge=0, le=100_000)
    #: Requests a partner may make at once above the average rate.
    burst: int = Field(default=40, ge=1, le=1_000_000)
    #: On PostgreSQL, keep the rate-limit buckets in the database, one per partner and
    #: address for every worker of every instance (docs/adr/0019-several-instances.md);
    #: false keeps them in each worker's memory, the rate divided by the workers (one
    #: instance only; saves two short statements per request). SQLite: always in memory.
    shared_buckets: bool = True
    #: Seconds a client has to send a whole request body (408 after that).
    body_timeout: float = Field(default=60.0, gt=0, le=3600)
    #: Seconds one database statement may run before it is cancelled (0: no limit).
    statement_timeout: float = Field(default=20.0, ge=0, le=3600)


class TlsSection(_Section):
    """``[tls]``: serve HTTPS (TLS 1.2 or later) and, with ``client_ca``, mutual TLS."""

    #: PEM certificate chain of the node (relative paths: from the config file's folder).
    certificate: Path
    #: PEM private key of that certificate (readable only by the node's user).
    key: Path
    #: PEM file of the certificate authorities whose client certificates are accepted.
    client_ca: Path | None = None
    #: "required": refuse clients without a certificate from client_ca; "optional": ask
    #: for one and use it when given.
    client_certificates: Literal["optional", "required"] = "optional"
    #: The oldest TLS version accepted.
    minimum_version: Literal["1.2", "1.3"] = "1.2"


class ProxySection(_Section):
    """``[proxy]``: what a reverse proxy in ``access.trusted_proxies`` may tell the node."""

    #: The request header in which the proxy passes the client certificate it verified
    #: (URL-encoded PEM, as nginx's $ssl_client_escaped_cert, or base64 DER). Believed
    #: only on requests from access.trusted_proxies; removed from every other request.
    client_certificate_header: Annotated[
        str | None, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
    ] = None


class CollectionSection(_Section):
    """``[[api_roots.collections]]``: one TAXII collection."""

    id: uuid.UUID
    title: str = Field(min_length=1)
    description: str = ""
    alias: str | None = None
    media_types: list[str] = Field(default_factory=lambda: [STIX_MEDIA_TYPE], min_length=1)
    #: "profile": every object must pass the FIMI profile; "stix": plain STIX 2.1 rules only.
    mode: Literal["profile", "stix"] = "profile"
    can_read: bool = True
    can_write: bool = True


class ApiRootSection(_Section):
    """``[[api_roots]]``: one API root, served under ``/<name>/``."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")]
    title: str = Field(min_length=1)
    description: str = ""
    default: bool = False
    collections: list[CollectionSection] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_collections(self) -> ApiRootSection:
        seen: set[uuid.UUID] = set()
        for collection in self.collections:
            if collection.id in seen:
                raise ValueError(f"collection id {collection.id} appears twice in this API root")
            seen.add(collection.id)
        return self


class UserSection(_Section):
    """``[[users]]``: one account, with a password hash made by ``infoshare node hash-password``."""

    name: str = Field(min_length=1, max_length=200, pattern=r"^[^:\s]+$")
    password_hash: str

    @field_validator("password_hash")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        try:
            check_password_hash(value)
        except PasswordHashError as exc:
            raise ValueError(str(exc)) from None
        return value


class RemoteCollectionSection(_Section):
    """``[[remotes.collections]]``: one remote collection exchanged with one local collection."""

    #: The collection's id on the remote node.
    remote: uuid.UUID
    #: The local collection's id (``api_roots.collections.id``).
    local: uuid.UUID
    #: The local API root holding ``local``; needed only when several roots use that id.
    local_api_root: str | None = None
    #: "pull" (remote to local), "push" (local to remote) or "both".
    direction: Literal["pull", "push", "both"] = "pull"


class RemoteSection(_Section):
    """``[[remotes]]``: a partner node this node pulls from and pushes to (``infoshare sync``).

    Secrets are read from an environment variable or a file, never written here:
    ``password_env``/``password_file`` with ``user`` (HTTP Basic), or
    ``token_env``/``token_file`` (HTTP Bearer).
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    #: The remote's API root URL (``https://node.example/fimi/``) ...
    api_root: str | None = None
    #: ... or its discovery URL (``https://node.example/taxii2/``): its default API root is used.
    discovery: str | None = None
    user: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    token_env: str | None = None
    token_file: Path | None = None
    #: A CA bundle (PEM) to verify the remote's TLS certificate instead of the system's.
    ca_file: Path | None = None
    #: This node's client certificate (PEM) and its key, for a remote that asks for
    #: mutual TLS.
    client_certificate: Path | None = None
    client_key: Path | None = None
    #: The local partner record this remote node acts as: a push sends it only what the
    #: node would show that partner. Required for pushing.
    partner: str | None = None
    #: Objects asked for (pull) or sent (push) per request.
    page_size: int = Field(default=100, ge=1, le=10_000)
    #: Seconds to wait for the remote to answer one request.
    timeout: float = Field(default=60.0, gt=0, le=3600)
    #: How many times a failing request is retried (exponential backoff) before giving up.
    retries: int = Field(default=5, ge=0, le=20)
    #: Seconds before the first retry; each further retry waits twice as long (at most 300).
    retry_delay: float = Field(default=2.0, ge=0, le=300)
    #: The format the remote serves, when it is not the profile: "opencti" converts
    #: each pulled page from OpenCTI's STIX form before ingest (docs/bridges-opencti.md).
    #: Pull only: the node never pushes to such a remote.
    convert_from: Literal["opencti"] | None = None
    collections: list[RemoteCollectionSection] = Field(min_length=1)

    @field_validator("api_root", "discovery")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _consistent(self) -> RemoteSection:
        if (self.api_root is None) == (self.discovery is None):
            raise ValueError("set exactly one of api_root (an API root URL) or discovery")
        password = [self.password_env, self.password_file]
        token = [self.token_env, self.token_file]
        if sum(v is not None for v in password + token) > 1:
            raise ValueError(
                "set at most one of password_env, password_file, token_env, token_file"
            )
        if any(v is not None for v in password) and not self.user:
            raise ValueError("password_env/password_file need user (the HTTP Basic user name)")
        if (self.client_certificate is None) != (self.client_key is None):
            raise ValueError("set both client_certificate and client_key, or neither")
        if self.user and not any(v is not None for v in password):
            raise ValueError(
                "user needs password_env or password_file; never write the password itself here"
            )
        if self.convert_from is not None:
            pushing = [str(c.remote) for c in self.collections if c.direction != "pull"]
            if pushing:
                raise ValueError(
                    f'convert_from = "{self.convert_from}" converts what is pulled; set '
                    f'direction = "pull" for collection {pushing[0]} (the node does not push '
                    f"in {self.convert_from}'s form)"
                )
        return self


class AccessSection(_Section):
    """``[access]``: node-wide partner-access policy (docs/adr/0006-partner-access.md)."""

    #: How an object without a recognised TLP 2.0 marking is shared: like an object of
    #: this level. The default, "red", is the most restrictive.
    unmarked_tlp: Literal["clear", "green", "amber", "amber+strict", "red"] = "red"
    #: Reverse proxies (addresses or networks) whose X-Forwarded-For header is believed
    #: for the audit trail's source address.
    trusted_proxies: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return value


#: A partner id (``infoshare partner add``), as ``access._model.PARTNER_ID``.
_PARTNER_ID = r"^[a-z0-9][a-z0-9._-]{1,62}$"
PartnerId = Annotated[str, Field(pattern=_PARTNER_ID)]


def _no_repeats(values: list[str], what: str) -> list[str]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{what} lists {', '.join(repeated)} more than once")
    return values


class ViewerSection(_Section):
    """``[viewer]``: the case viewer's sign-in sessions (docs/adr/0015-case-viewer.md)."""

    #: A session ends after this many minutes without a request.
    idle_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    #: A session ends this many hours after sign-in, whatever happens.
    lifetime_hours: float = Field(default=8.0, gt=0, le=7 * 24)
    #: Cases per page of the case list.
    page_size: int = Field(default=25, ge=1, le=100)


class AgreementSection(_Section):
    """``[[sharing.agreements]]``: an originator named recipients of its objects.

    The operator records an agreement made with the originating organisation
    (docs/adr/0012-originator-control.md): the named partners may receive
    that originator's AMBER, AMBER+STRICT and RED objects from this node, within
    their clearance and RED recipient grants.
    """

    #: The partner id of the originating organisation (its own POSTs, or the partner
    #: record of its node for objects pulled from it).
    originator: PartnerId
    #: The partner ids it named.
    recipients: list[PartnerId] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> AgreementSection:
        _no_repeats(self.recipients, "recipients")
        if self.originator in self.recipients:
            raise ValueError(
                f"recipients: {self.originator} is the originator itself; it always"
                " receives its own objects"
            )
        return self


class SharingSection(_Section):
    """``[sharing]``: TLP 2.0 by origin (docs/adr/0012-originator-control.md)."""

    #: The STIX identity id of the node's own organisation: objects whose
    #: created_by_ref is this identity are owned by the node's operators.
    organisation: str | None = Field(
        default=None,
        pattern=r"^identity--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    )
    #: The TLP:GREEN community: "all" (every partner with read rights) or a list of
    #: partner ids.
    community: Literal["all"] | list[str] = "all"
    #: Partners that are part of the node's own organisation (e.g. ministries of the
    #: same government): they receive what the node's operators receive.
    local_partners: list[PartnerId] = Field(default_factory=list)
    agreements: list[AgreementSection] = Field(default_factory=list)

    @field_validator("community", mode="before")
    @classmethod
    def _all_or_partner_ids(cls, value: object) -> object:
        if value == "all":
            return value
        if isinstance(value, list) and all(
            isinstance(item, str) and re.match(_PARTNER_ID, item) for item in value
        ):
            return value
        raise ValueError(
            'must be "all" or a list of partner ids (lowercase letters, digits, ".", "_"'
            ' and "-", 2 to 63 characters)'
        )

    @model_validator(mode="after")
    def _consistent(self) -> SharingSection:
        if isinstance(self.community, list):
            _no_repeats(self.community, "community")
        _no_repeats(self.local_partners, "local_partners")
        _no_repeats([a.originator for a in self.agreements], "agreements (originator)")
        local = sorted(set(self.local_partners) & {a.originator for a in self.agreements})
        if local:
            raise ValueError(
                f"agreements: {', '.join(local)} is in local_partners; the node's own"
                " organisation needs no agreement to share its objects"
            )
        return self


class SpecSiteSection(_Section):
    """``[spec_site]``: the built site of the profile, served at ``/spec/``.

    docs/adr/0016-published-profile-site.md: the node serves it only when its
    ``build-info.json`` names the profile version the node enforces.
    """

    #: The folder ``infoshare spec-site build --out`` wrote (relative paths: from the
    #: config file's folder). Without it, ``/spec/`` answers a page saying how to build it.
    folder: Path | None = None


#: First path segments the node uses itself; no API root may take them.
class NodeConfig(_Section):
    """The whole node configuration (one TOML file)."""

    node: NodeSection
    storage: StorageSection = StorageSection()
    server: ServerSection = ServerSection()
    limits: LimitsSection = LimitsSection()
    tls: TlsSection | None = None
    proxy: ProxySection = ProxySection()
    api_roots: list[ApiRootSection] = Field(min_length=1)
    access: AccessSection = AccessSection()
    sharing: SharingSection = SharingSection()
    viewer: ViewerSection = ViewerSection()
    #: The node's operator accounts; partners are managed with ``infoshare partner``.
    users: list[UserSection] = Field(default_factory=list)
    #: Partner nodes for ``infoshare sync`` (docs/adr/0007-sync.md).
    remotes: list[RemoteSection] = Field(default_factory=list)
    spec_site: SpecSiteSection = SpecSiteSection()
    #: The file this configuration was read from (set by :func:`load_config`).
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> NodeConfig:
        names = [root.name for root in self.api_roots]
        if len(set(names)) != len(names):
            raise ValueError("two api_roots have the same name")
        reserved = sorted(set(names) & set(RESERVED_PATHS))
        if reserved:
            raise ValueError(
                f"an api_root cannot be called {', '.join(reserved)} (reserved paths: the node"
                f" serves {', '.join('/' + name + '/' for name in RESERVED_PATHS)} itself)"
            )
        if sum(root.default for root in self.api_roots) > 1:
            raise ValueError("at most one api_root can have default = true")
        users = [user.name for user in self.users]
        if len(set(users)) != len(users):
            raise ValueError("two users have the same name")
        remotes = [remote.name for remote in self.remotes]
        if len(set(remotes)) != len(remotes):
            raise ValueError("two remotes have the same name")
        for remote in self.remotes:
            for pair in remote.collections:
                self.local_collection(pair)
        return self

    def local_collection(self, pair: RemoteCollectionSection) -> tuple[str, uuid.UUID]:
        """The (API root name, collection id) of ``pair``'s local collection."""
        roots = [
            root.name
            for root in self.api_roots
            if any(c.id == pair.local for c in root.collections)
            and pair.local_api_root in (None, root.name)
        ]
        if not roots:
            raise ValueError(f"remotes: local collection {pair.local} is not configured here")
        if len(roots) > 1:
            raise ValueError(
                f"remotes: local collection {pair.local} is in several API roots; set"
                " local_api_root"
            )
        return roots[0], pair.local

    @model_validator(mode="after")
    def _https_base_url(self) -> NodeConfig:
        base_url = self.node.base_url
        if self.tls is not None and base_url is not None and base_url.startswith("http://"):
            raise ValueError(
                "node.base_url starts with http:// but [tls] makes the node serve HTTPS;"
                " write https://"
            )
        return self

    @model_validator(mode="after")
    def _proxy_is_trusted(self) -> NodeConfig:
        if self.proxy.client_certificate_header and not self.access.trusted_proxies:
            raise ValueError(
                "proxy.client_certificate_header needs access.trusted_proxies: the addresses"
                " of the reverse proxies allowed to send it"
            )
        return self

    @model_validator(mode="after")
    def _timeouts_nest(self) -> NodeConfig:
        if self.limits.statement_timeout and self.server.timeout <= self.limits.statement_timeout:
            raise ValueError(
                "server.timeout must be longer than limits.statement_timeout, so a slow"
                " query is cancelled before gunicorn restarts its worker"
            )
        return self

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in this configuration are resolved against."""
        return self.source.parent if self.source is not None else Path.cwd()

    def storage_url(self) -> str:
        """The storage URL, with a relative SQLite path resolved against :attr:`base_dir`."""
        url = self.storage.url
        prefix = "sqlite:///"
        if url.startswith(prefix):
            path = url[len(prefix) :]
            if path and path != ":memory:" and not path.startswith("/"):
                return prefix + str((self.base_dir / path).resolve())
        return url

    def spec_site_folder(self) -> Path | None:
        """``spec_site.folder``, resolved against :attr:`base_dir`."""
        folder = self.spec_site.folder
        if folder is None:
            return None
        return folder if folder.is_absolute() else (self.base_dir / folder).resolve()

    def paging_secret(self) -> bytes:
        """The secret that signs paging tokens, read from its environment variable or file."""
        where = self.source if self.source is not None else "the configuration"
        if self.node.secret_env is not None:
            value = os.environ.get(self.node.secret_env, "")
            if not value:
                raise ConfigError(
                    f"{where}: node.secret_env: environment variable {self.node.secret_env}"
                    " is not set or empty",
                    hint="export it with a random value, e.g. $(python3 -c 'import secrets;"
                    " print(secrets.token_hex(32))')",
                )
            secret = value.encode("utf-8")
            key = "node.secret_env"
        else:
            assert self.node.secret_file is not None
            path = self.node.secret_file
            if not path.is_absolute():
                path = self.base_dir / path
            try:
                secret = path.read_bytes().strip()
            except OSError as exc:
                raise ConfigError(
                    f"{where}: node.secret_file: cannot read {path}: {exc.strerror}"
                ) from None
            key = "node.secret_file"
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"{where}: {key}: the paging-token secret is shorter than {MIN_SECRET_BYTES} bytes",
                hint="use at least 32 random bytes, e.g. 64 hexadecimal characters",
            )
        return secret


def _dotted(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key or "(top level)"


def _describe(error: Any) -> str:
    kind = error.get("type", "")
    loc = tuple(part for part in error.get("loc", ()) if not str(part).startswith("function-"))
    key = _dotted(loc)
    if kind == "extra_forbidden":
        return f"{key}: unknown key (check its spelling against docs/operator-guide.md)"
    if kind == "missing":
        return f"{key}: missing required key"
    message = str(error.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    return f"{key}: {message}"


def parse_config(data: dict[str, Any], source: Path | None = None) -> NodeConfig:
    """Build a :class:`NodeConfig` from parsed TOML; errors name ``source`` and the key."""
    where = str(source) if source is not None else "configuration"
    try:
        config = NodeConfig.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()]
        first, rest = problems[0], problems[1:]
        raise ConfigError(
            f"{where}: {first}",
            hint="\n      ".join(["also: " + p for p in rest]) if rest else None,
        ) from None
    return config.model_copy(update={"source": source})


def load_config(path: str | os.PathLike[str]) -> NodeConfig:
    """Read and check the node configuration in the TOML file at ``path``."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read the configuration: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: the configuration is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: TOML syntax error: {exc}") from None
    return parse_config(data, source.resolve())

"""The node's configuration: one typed model, loaded from one TOML file.

Implements the "Configuration and running" part of the TAXII 2.1 node issue;
the reference for operators is docs/operator-guide.md. Every error names the
file and the dotted key (``api_roots[0].collections[1].id``) and is an
:class:`~infoshare_server.errors.NodeError`, so the CLI prints it without a
traceback.

Secrets are never written in the file: the key that signs paging tokens comes
from an environment variable (``node.secret_env``) or a file
(``node.secret_file``), and users carry only a password hash (see auth.py).
"""

from __future__ import annotations

import os
import tomllib
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from infoshare_server.auth import PasswordHashError, parse_password_hash
from infoshare_server.errors import NodeError

#: The STIX media type a collection holds unless its configuration says otherwise.
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"

#: Shortest accepted secret for signing paging tokens, in bytes.
MIN_SECRET_BYTES = 32


class ConfigError(NodeError):
    """The node configuration cannot be read or breaks a rule; names the file and the key."""


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
    threads: int = Field(default=1, ge=1, le=64)
    timeout: int = Field(default=30, ge=1, le=3600)


class LimitsSection(_Section):
    """``[limits]``: the largest request body and the largest page."""

    max_content_length: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_page_size: int = Field(default=100, ge=1, le=10_000)


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
            parse_password_hash(value)
        except PasswordHashError as exc:
            raise ValueError(str(exc)) from None
        return value


class NodeConfig(_Section):
    """The whole node configuration (one TOML file)."""

    node: NodeSection
    storage: StorageSection = StorageSection()
    server: ServerSection = ServerSection()
    limits: LimitsSection = LimitsSection()
    api_roots: list[ApiRootSection] = Field(min_length=1)
    users: list[UserSection] = Field(min_length=1)
    #: The file this configuration was read from (set by :func:`load_config`).
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> NodeConfig:
        names = [root.name for root in self.api_roots]
        if len(set(names)) != len(names):
            raise ValueError("two api_roots have the same name")
        if "taxii2" in names or "healthz" in names:
            raise ValueError("an api_root cannot be called taxii2 or healthz (reserved paths)")
        if sum(root.default for root in self.api_roots) > 1:
            raise ValueError("at most one api_root can have default = true")
        users = [user.name for user in self.users]
        if len(set(users)) != len(users):
            raise ValueError("two users have the same name")
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

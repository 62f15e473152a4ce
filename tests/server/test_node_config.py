"""The node configuration: a typed model from TOML whose errors name the file and the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from infoshare_server.access import hash_password
from infoshare_server.config import ConfigError, NodeConfig, load_config, parse_config
from infoshare_server.errors import NodeError

from infoshare.errors import InfoshareError

INFOSHARE = Path(sys.executable).parent / "infoshare"
HASH = hash_password("a long enough passphrase")

GOOD = f"""\
[node]
title = "Node of the Office for Lagoon Affairs (fictional)"
secret_file = "secret.txt"

[storage]
url = "sqlite:///data/node.db"

[server]
workers = 4

[[api_roots]]
name = "fimi"
title = "FIMI"

[[api_roots.collections]]
id = "0f4b6d8e-1a2b-4c3d-8e5f-6a7b8c9d0e1f"
title = "Cases"
mode = "stix"

[[users]]
name = "analyst"
password_hash = "{HASH}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "node.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_configuration_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert isinstance(config, NodeConfig)
    assert config.server.workers == 4
    assert config.server.port == 6100
    assert config.node.base_url is None  # discovery then uses the request's own URL
    assert config.limits.max_page_size == 100
    assert config.api_roots[0].collections[0].mode == "stix"
    assert config.api_roots[0].collections[0].media_types == ["application/stix+json;version=2.1"]
    # Relative paths are resolved against the configuration's folder.
    assert config.storage_url() == f"sqlite:///{tmp_path.resolve() / 'data' / 'node.db'}"


def test_secret_from_file_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match=r"node\.secret_file: cannot read"):
        config.paging_secret()
    (tmp_path / "secret.txt").write_text("short\n")
    with pytest.raises(ConfigError, match="shorter than 32 bytes"):
        config.paging_secret()
    (tmp_path / "secret.txt").write_text("k" * 40 + "\n")
    assert config.paging_secret() == b"k" * 40
    env_config = load_config(
        write(tmp_path, GOOD.replace('secret_file = "secret.txt"', 'secret_env = "LAGOON_SECRET"'))
    )
    monkeypatch.delenv("LAGOON_SECRET", raising=False)
    with pytest.raises(ConfigError, match="LAGOON_SECRET is not set"):
        env_config.paging_secret()
    monkeypatch.setenv("LAGOON_SECRET", "s" * 64)
    assert env_config.paging_secret() == b"s" * 64


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        (("workers = 4", 'workers = "four"'), "server.workers", "integer"),
        (("workers = 4", "workers = 0"), "server.workers", "greater than or equal to 1"),
        (("workers = 4", "wokers = 4"), "server.wokers", "unknown key"),
        (('title = "FIMI"', ""), "api_roots[0].title", "missing required key"),
        (
            ("0f4b6d8e-1a2b-4c3d-8e5f-6a7b8c9d0e1f", "not-a-uuid"),
            "api_roots[0].collections[0].id",
            "UUID",
        ),
        (
            ('mode = "stix"', 'mode = "lenient"'),
            "api_roots[0].collections[0].mode",
            "'profile' or 'stix'",
        ),
        (
            (f'"{HASH}"', '"plain-text-password"'),
            "users[0].password_hash",
            "argon2id",
        ),
        (  # a hash made by an older infoshare: the operator is told what to run
            (f'"{HASH}"', '"scrypt$32768$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g"'),
            "users[0].password_hash",
            "scrypt hash made by an older infoshare; the node now checks argon2id hashes only."
            " Run `infoshare node hash-password`",
        ),
        (('secret_file = "secret.txt"', 'secret = "inline"'), "node.secret", "unknown key"),
        (('secret_file = "secret.txt"', ""), "node", "exactly one of secret_env"),
        (('url = "sqlite:///data/node.db"', 'url = "mysql://x"'), "storage.url", "sqlite"),
        (('name = "fimi"', 'name = "taxii2"'), "(top level)", "reserved"),
        (('name = "fimi"', 'name = "bad/name"'), "api_roots[0].name", "pattern"),
    ],
)
def test_errors_name_the_file_and_the_dotted_key(
    tmp_path: Path, edit: tuple[str, str], key: str, message: str
) -> None:
    old, new = edit
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = caught.value.message
    assert text.startswith(f"{path.resolve()}: {key}:") or text.startswith(f"{path}: {key}:"), text
    assert message in text
    assert isinstance(caught.value, NodeError) and isinstance(caught.value, InfoshareError)


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[server]", "[server"))
    with pytest.raises(ConfigError, match=r"TOML syntax error: .*line 8, column 8"):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the configuration"):
        load_config(tmp_path / "absent.toml")


def test_duplicate_collection_ids_and_users() -> None:
    data = {
        "node": {"title": "T", "secret_env": "X"},
        "api_roots": [
            {
                "name": "a",
                "title": "A",
                "collections": [
                    {"id": "0f4b6d8e-1a2b-4c3d-8e5f-6a7b8c9d0e1f", "title": "one"},
                    {"id": "0f4b6d8e-1a2b-4c3d-8e5f-6a7b8c9d0e1f", "title": "two"},
                ],
            }
        ],
        "users": [{"name": "u", "password_hash": HASH}],
    }
    with pytest.raises(ConfigError, match=r"api_roots\[0\]: collection id .* appears twice"):
        parse_config(data)


def test_the_cli_prints_the_error_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("workers = 4", "workers = -3"))
    result = subprocess.run(
        [str(INFOSHARE), "serve", "--config", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert "server.workers" in result.stderr and "node.toml" in result.stderr


SHARING = """
[sharing]
organisation = "identity--0b6c2d7e-1f3a-4b5c-8d9e-0f1a2b3c4d5e"
community = ["ph-node", "th-node"]
local_partners = ["foreign-ministry"]

[[sharing.agreements]]
originator = "jp-node"
recipients = ["th-node"]
"""


def test_the_sharing_section_loads(tmp_path: Path) -> None:
    from infoshare_server.access._origin import sharing_settings

    default = load_config(write(tmp_path, GOOD)).sharing
    assert default.community == "all" and default.organisation is None
    settings = sharing_settings(load_config(write(tmp_path, GOOD + SHARING)).sharing)
    assert settings.community == {"ph-node", "th-node"}
    assert settings.local_partners == {"foreign-ministry"}
    assert settings.agreements == {"jp-node": {"th-node"}}
    assert sharing_settings(default).community is None  # "all": every partner


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        (("identity--0b6c", "indicator--0b6c"), "sharing.organisation", "pattern"),
        (('["ph-node", "th-node"]', '"everyone"'), "sharing.community", 'must be "all" or'),
        (('["ph-node", "th-node"]', '["ph-node", "ph-node"]'), "sharing", "more than once"),
        (('["ph-node", "th-node"]', '["PH node"]'), "sharing.community", "list of partner ids"),
        (('recipients = ["th-node"]', "recipients = []"), "sharing.agreements[0].recipients",
         "at least 1"),
        (('recipients = ["th-node"]', 'recipients = ["jp-node"]'), "sharing.agreements[0]",
         "the originator itself"),
        (('["foreign-ministry"]', '["jp-node"]'), "sharing", "in local_partners"),
        (('originator = "jp-node"', 'originator = "jp-node"\nlevels = ["red"]'),
         "sharing.agreements[0].levels", "unknown key"),
    ],
)  # fmt: skip
def test_sharing_errors_name_the_key(
    tmp_path: Path, edit: tuple[str, str], key: str, message: str
) -> None:
    old, new = edit
    assert old in SHARING
    path = write(tmp_path, GOOD + SHARING.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = caught.value.message
    assert f": {key}:" in text, text
    assert message in text, text

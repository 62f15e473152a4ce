"""Timeouts and serving settings: statement timeouts on both databases, gunicorn options.

The statement timeout is exercised on a real SQLite file and a real
PostgreSQL database (``storage_url`` runs each test on both): a statement
longer than the limit is cancelled, a short one is not. The gunicorn
options and the configuration rules are checked as pure functions; the
behaviour partners see (threads, body timeout, TLS) is tested over HTTP in
test_transport_slow.py and test_transport_tls.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from infoshare_server.config import ConfigError, parse_config
from infoshare_server.db_timeouts import apply_statement_timeout, is_statement_timeout
from infoshare_server.serve import gunicorn_options
from infoshare_server.storage import create_engine
from sqlalchemy.exc import OperationalError

LIMIT = 0.3

#: Several seconds of work on either database.
SLOW = {
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000)"
        " SELECT count(*) FROM n"
    ),
    "postgresql": "SELECT pg_sleep(5)",
}


def test_a_statement_over_the_limit_is_cancelled(storage_url: str, db_kind: str) -> None:
    engine = create_engine(storage_url)
    try:
        apply_statement_timeout(engine, LIMIT)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar() == 1
            started = time.monotonic()
            with pytest.raises(OperationalError) as cancelled:
                connection.execute(sa.text(SLOW[db_kind])).scalar()
            assert is_statement_timeout(cancelled.value)
            assert time.monotonic() - started < LIMIT + 2
        with engine.connect() as connection:  # the next statement has its own clock
            assert connection.execute(sa.text("SELECT 2")).scalar() == 2
    finally:
        engine.dispose()
    unrelated = OperationalError("SELECT 1", {}, ConnectionRefusedError("no database here"))
    assert not is_statement_timeout(unrelated)
    assert not is_statement_timeout(ValueError("interrupted"))


def test_no_limit_means_no_limit(storage_url: str, db_kind: str) -> None:
    engine = create_engine(storage_url)
    try:
        apply_statement_timeout(engine, 0)
        # Long enough that a limit of a few milliseconds (0 misread) would cancel it.
        quick = SLOW[db_kind].replace("50000000", "300000").replace("pg_sleep(5)", "pg_sleep(0.3)")
        with engine.connect() as connection:
            connection.execute(sa.text(quick))
    finally:
        engine.dispose()


def _config(extra: str = "", base: str = "http://127.0.0.1:6100") -> dict[str, object]:
    import tomllib

    return tomllib.loads(
        f"""
[node]
title = "Timeout test node (fictional)"
base_url = "{base}"
secret_env = "UNUSED_SECRET"
{extra}
[[api_roots]]
name = "fimi"
title = "FIMI"
[[users]]
name = "operator"
password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"
"""
    )


def test_gunicorn_runs_threaded_workers_with_the_configured_timeouts() -> None:
    config = parse_config(_config("[server]\nworkers = 3\nthreads = 6\ntimeout = 45\n"))
    options = gunicorn_options(config)
    assert options["worker_class"] == "infoshare_server.gunicorn_worker.TaxiiThreadWorker"
    assert (options["workers"], options["threads"], options["timeout"]) == (3, 6, 45)
    assert options["graceful_timeout"] <= 45
    assert "certfile" not in options


def test_tls_options_point_gunicorn_at_the_files(tmp_path: Path) -> None:
    source = tmp_path / "node.toml"
    extra = '[tls]\ncertificate = "tls/node.crt"\nkey = "tls/node.key"\nclient_ca = "ca.pem"\n'
    config = parse_config(_config(extra, "https://127.0.0.1:6100"), source)
    options = gunicorn_options(config)
    assert options["certfile"] == str(tmp_path / "tls" / "node.crt")
    assert options["keyfile"] == str(tmp_path / "tls" / "node.key")
    assert options["ca_certs"] == str(tmp_path / "ca.pem")
    assert callable(options["ssl_context"])


def test_statement_timeout_must_be_shorter_than_the_worker_timeout() -> None:
    with pytest.raises(ConfigError, match="statement_timeout"):
        parse_config(_config("[server]\ntimeout = 10\n[limits]\nstatement_timeout = 10\n"))
    parse_config(_config("[server]\ntimeout = 10\n[limits]\nstatement_timeout = 0\n"))


def test_tls_needs_an_https_base_url_and_a_proxy_header_needs_trusted_proxies() -> None:
    tls = '[tls]\ncertificate = "a.crt"\nkey = "a.key"\n'
    with pytest.raises(ConfigError, match="https://"):
        parse_config(_config(tls))
    parse_config(_config(tls, "https://127.0.0.1:6100"))
    header = '[proxy]\nclient_certificate_header = "X-Client-Certificate"\n'
    with pytest.raises(ConfigError, match="trusted_proxies"):
        parse_config(_config(header))
    parse_config(_config(header + '[access]\ntrusted_proxies = ["10.0.0.0/8"]\n'))


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("[limits]\nrate_per_partner = -1\n", "limits.rate_per_partner"),
        ("[limits]\nburst = 0\n", "limits.burst"),
        ("[limits]\nbody_timeout = 0\n", "limits.body_timeout"),
        ('[tls]\ncertificate = "a.crt"\n', "tls.key"),
        ('[tls]\ncertificate = "a"\nkey = "b"\nminimum_version = "1.1"\n', "tls.minimum_version"),
        ('[tls]\ncertificate = "a"\nkey = "b"\nclient_certificates = "maybe"\n', "tls.client"),
    ],
)
def test_bad_limits_and_tls_keys_are_named(extra: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config(_config(extra))

"""``infoshare partner …``: manage the partners of a node in its database.

Implements the CLI of docs/adr/0006-partner-access.md. Every subcommand takes
``--config node.toml`` and works on that node's database, so a change takes
effect at once in every running worker. New secrets (passwords, API tokens)
are printed once, on standard output, and only their hashes are stored.

::

    infoshare partner add coastal-agency --name "Coastal Agency" --clearance amber \
        --config node.toml
    infoshare partner grant coastal-agency 2d5c7a10-… --read --write --config node.toml
    infoshare partner rotate-key coastal-agency --config node.toml
    infoshare partner revoke coastal-agency --config node.toml
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from infoshare.errors import UsageError
from infoshare_server.access import (
    CLEARANCES,
    Directory,
    PartnerError,
    Rights,
    fingerprint_lookup,
    hash_password,
    new_password,
    subject_lookup,
)
from infoshare_server.backend import api_root_settings
from infoshare_server.config import NodeConfig, load_config
from infoshare_server.storage import CollectionKey, Store


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``partner`` subcommand and its own subcommands."""
    parser = subcommands.add_parser(
        "partner",
        help="manage a node's partners: credentials, rights, TLP clearance",
        description="Manage the partners of a node (in its database): add, list, grant rights,"
        " set clearance, rotate or revoke credentials. See docs/operator-guide.md.",
    )
    actions = parser.add_subparsers(title="partner commands", metavar="ACTION")

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--config", required=True, metavar="FILE", help="the node's TOML file")
        return sub

    add = action("add", "add a partner; prints its new password and API token once")
    add.add_argument("partner", help="partner id (HTTP Basic user name), e.g. coastal-agency")
    add.add_argument("--name", default="", help="the organisation's name")
    add.add_argument("--identity", help="the organisation's STIX identity id")
    add.add_argument(
        "--admin", action="store_true", help="an administrator (may be granted delete)"
    )
    add.add_argument("--clearance", choices=CLEARANCES, default="green", help="TLP clearance")
    add.add_argument("--no-password", action="store_true", help="do not make a password")
    add.add_argument("--no-token", action="store_true", help="do not make an API token")
    add.set_defaults(run=run_add)

    listing = action("list", "list partners, their clearance, rights and credentials")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=run_list)

    revoke = action("revoke", "revoke a partner (every credential stops working at once)")
    revoke.add_argument("partner")
    revoke.add_argument("--token", metavar="PREFIX", help="revoke only this API token")
    revoke.set_defaults(run=run_revoke)

    rotate = action("rotate-key", "issue a new API token and revoke the partner's other tokens")
    rotate.add_argument("partner")
    rotate.add_argument("--password", action="store_true", help="also replace the password")
    rotate.add_argument("--keep-old", action="store_true", help="keep the other tokens working")
    rotate.set_defaults(run=run_rotate)

    grant = action("grant", "set a partner's rights in one collection (none given: remove)")
    grant.add_argument("partner", help="partner id, or the name of a [[users]] operator account")
    grant.add_argument("collection", help="collection id or alias")
    grant.add_argument("--api-root", help="the API root, when the collection id is in several")
    grant.add_argument("--read", action="store_true")
    grant.add_argument("--write", action="store_true")
    grant.add_argument("--delete", action="store_true", help="administrators only")
    grant.add_argument("--red", action="store_true", help="a named TLP:RED recipient")
    grant.set_defaults(run=run_grant)

    change = action("set", "change a partner's clearance, administrator flag or identity")
    change.add_argument("partner")
    change.add_argument("--clearance", choices=CLEARANCES)
    change.add_argument("--admin", action=argparse.BooleanOptionalAction, default=None)
    change.add_argument("--identity")
    change.set_defaults(run=run_set)

    cert = action("add-certificate", "map a client certificate (mutual TLS) to a partner")
    cert.add_argument("partner")
    which = cert.add_mutually_exclusive_group(required=True)
    which.add_argument("--fingerprint", help="SHA-256 fingerprint (hex, colons allowed)")
    which.add_argument("--subject", help="subject as an RFC 4514 string, e.g. CN=node,O=Agency")
    cert.set_defaults(run=run_add_certificate)

    parser.set_defaults(run=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[tuple[NodeConfig, Store, Directory]]:
    config = load_config(args.config)
    store = Store.open(config.storage_url())
    try:
        yield config, store, Directory(store)
    finally:
        store.close()


def _operators(config: NodeConfig) -> set[str]:
    return {user.name for user in config.users}


def run_add(args: argparse.Namespace) -> int:
    with _opened(args) as (config, _store, directory):
        if args.partner in _operators(config):
            raise PartnerError(f"{args.partner!r} is an operator account in [[users]]")
        directory.add(
            args.partner,
            args.name,
            identity_id=args.identity,
            is_admin=args.admin,
            clearance=args.clearance,
        )
        out = [f"partner {args.partner} added (clearance {args.clearance})"]
        if not args.no_password:
            password = new_password()
            directory.set_password(args.partner, hash_password(password))
            out.append(f"password  {password}")
        if not args.no_token:
            out.append(f"token     {directory.issue_token(args.partner).text}")
    if len(out) > 1:
        out.append("These secrets are shown only now; the node keeps only their hashes.")
    out.append("Grant rights with: infoshare partner grant PARTNER COLLECTION --read …")
    print("\n".join(out))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with _opened(args) as (config, store, directory):
        keys = store.sync_catalogue(api_root_settings(config)).collections
        by_pk = {key.collection_pk: name for name, key in keys.items()}
        rows: list[dict[str, Any]] = []
        for record in directory.all():
            grants = directory.grants_of(record.partner_id)
            credentials = directory.credentials_of(record.partner_id)
            rows.append(
                {
                    "id": record.partner_id,
                    "name": record.name,
                    "identity": record.identity_id,
                    "admin": record.is_admin,
                    "clearance": record.clearance,
                    "revoked_at": record.revoked_at,
                    "rights": {
                        "/".join(by_pk.get(pk, ("?", str(pk)))): _rights_text(rights)
                        for pk, rights in grants.items()
                    },
                    "credentials": [
                        {
                            "kind": kind,
                            "lookup": lookup if kind != "password" else "",
                            "created_at": created,
                        }
                        for kind, lookup, created, revoked in credentials
                        if revoked is None
                    ],
                }
            )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        state = f"REVOKED {row['revoked_at']}" if row["revoked_at"] else "active"
        admin = ", admin" if row["admin"] else ""
        print(f"{row['id']}  {row['name']}  [{row['clearance']}{admin}]  {state}")
        for where, text in row["rights"].items():
            print(f"    {where}: {text}")
        for credential in row["credentials"]:
            print(f"    {credential['kind']} {credential['lookup']}".rstrip())
    if not rows:
        print("no partners yet; add one with: infoshare partner add PARTNER --config …")
    return 0


def _rights_text(rights: Rights) -> str:
    flags = {
        "read": rights.read,
        "write": rights.write,
        "delete": rights.delete,
        "red": rights.red_recipient,
    }
    names = [name for name, on in flags.items() if on]
    return ",".join(names) or "none"


def run_revoke(args: argparse.Namespace) -> int:
    with _opened(args) as (_config, _store, directory):
        if args.token:
            if not directory.revoke_token(args.partner, args.token):
                raise PartnerError(f"partner {args.partner!r} has no active token {args.token!r}")
            print(f"token {args.token} of {args.partner} revoked")
            return 0
        directory.revoke(args.partner)
    print(f"partner {args.partner} revoked: every credential stopped working")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    with _opened(args) as (_config, _store, directory):
        token = directory.issue_token(args.partner, replace=not args.keep_old)
        print(f"token     {token.text}")
        if args.password:
            password = new_password()
            directory.set_password(args.partner, hash_password(password))
            print(f"password  {password}")
    print("These secrets are shown only now; the node keeps only their hashes.")
    return 0


def _collection(config: NodeConfig, store: Store, name: str, api_root: str | None) -> CollectionKey:
    keys = store.sync_catalogue(api_root_settings(config)).collections
    found = [
        key
        for (root, collection_id), key in keys.items()
        if (collection_id == name or key.settings.alias == name) and api_root in (None, root)
    ]
    if not found:
        raise UsageError(f"no collection {name!r} in {config.source}")
    if len(found) > 1:
        raise UsageError(f"collection {name!r} is in several API roots: give --api-root")
    return found[0]


def run_grant(args: argparse.Namespace) -> int:
    with _opened(args) as (config, store, directory):
        key = _collection(config, store, args.collection, args.api_root)
        rights = Rights(args.read, args.write, args.delete, args.red)
        directory.grant(
            args.partner, key.collection_pk, rights, operator=args.partner in _operators(config)
        )
    print(f"{args.partner} in {args.collection}: {_rights_text(rights)}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    with _opened(args) as (_config, _store, directory):
        record = directory.update(
            args.partner, clearance=args.clearance, is_admin=args.admin, identity_id=args.identity
        )
    admin = ", admin" if record.is_admin else ""
    print(f"{record.partner_id}: clearance {record.clearance}{admin}")
    return 0


def run_add_certificate(args: argparse.Namespace) -> int:
    try:
        lookup = (
            fingerprint_lookup(args.fingerprint)
            if args.fingerprint
            else subject_lookup(args.subject)
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    with _opened(args) as (_config, _store, directory):
        directory.add_certificate(args.partner, lookup)
    print(f"client certificate {lookup} now authenticates {args.partner}")
    return 0

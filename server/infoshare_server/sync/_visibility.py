"""The one seam between push and the node's access rules.

Implements onward sharing for push (docs/adr/0007-sync.md): a push sends
a remote node only what the local node would show that node's partner
record if it asked over TAXII. Sync makes no trust decision of its own: this
module asks the access package for that partner record's
:class:`~infoshare_server.access.Policy` (docs/adr/0009-one-policy-object.md)
and takes its visibility clause for the collection, the same clause the
storage layer applies to the partner's own reads (rights, TLP clearance,
named RED recipients, the node's policy for unmarked objects, and TLP 2.0
by origin: what another organisation shared with this node at AMBER,
AMBER+STRICT or RED is never pushed onward unless that originator named the
remote, and GREEN only to the node's community, docs/adr/0012-originator-control.md;
a revoked partner sees nothing).
"""

from __future__ import annotations

from infoshare_server.access import AccessSettings, Directory, policy_for_record
from infoshare_server.access._origin import sharing_settings
from infoshare_server.config import RemoteSection
from infoshare_server.storage import CollectionKey, Visibility
from infoshare_server.sync._errors import SyncError
from infoshare_server.sync._local import LocalNode


def check_partner(local: LocalNode, remote: RemoteSection) -> None:
    """Refuse a ``partner`` that names no partner record of this node (a typo would
    otherwise mark pulled objects with a submitter nobody is)."""
    if remote.partner is not None and Directory(local.store).get(remote.partner) is None:
        raise SyncError(
            f"remotes.{remote.name}.partner: no partner {remote.partner!r} on this node",
            hint="see `infoshare partner list --config …`",
        )


def partner_visibility(local: LocalNode, remote: RemoteSection, key: CollectionKey) -> Visibility:
    """What ``remote``'s partner record may see in ``key``, as a storage clause."""
    if remote.partner is None:
        raise SyncError(
            f"remotes.{remote.name}: pushing needs partner, the local partner record of"
            " this remote node, so that it is sent only what that partner may see",
            hint='add the partner with `infoshare partner add`, then set partner = "<id>"',
        )
    record = Directory(local.store).get(remote.partner)
    if record is None:
        raise SyncError(
            f"remotes.{remote.name}.partner: no partner {remote.partner!r} on this node",
            hint="see `infoshare partner list --config …`",
        )
    settings = AccessSettings(
        unmarked_tlp=local.config.access.unmarked_tlp,
        sharing=sharing_settings(local.config.sharing),
    )
    policy = policy_for_record(local.store, record, settings)
    # No connection: the clause is used by later transactions (each pushed page), so it
    # keeps its per-row tests rather than trust a probe made now (a withdrawal or a
    # private copy may arrive meanwhile).
    return policy.visibility(key)

"""The one seam between push and the node's access rules.

Implements "onward sharing" of issue 5 (docs/adr/0007-sync.md): a push sends
a remote node only what the local node would show that node's partner
record if it asked over TAXII. Sync makes no TLP decision of its own: this
module asks the access package (``infoshare_server.access``,
docs/adr/0006-partner-access.md) for the visibility clause of that partner
in that collection, the same clause the storage layer applies to the
partner's own reads (rights, TLP clearance, named RED recipients, the
node's policy for unmarked objects, and TLP 2.0 by origin: what another
organisation shared with this node at AMBER, AMBER+STRICT or RED is never
pushed onward unless that originator named the remote, and GREEN only to the
node's community; docs/adr/0010-originator-control.md).
"""

from __future__ import annotations

import sqlalchemy as sa

from infoshare_server.access import Directory, visibility_for
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
    directory = Directory(local.store)
    with local.store.reading() as connection:
        record = directory.get(remote.partner)
        if record is None:
            raise SyncError(
                f"remotes.{remote.name}.partner: no partner {remote.partner!r} on this node",
                hint="see `infoshare partner list --config …`",
            )
        if record.revoked_at is not None:
            # A revoked partner is sent nothing, whatever its grants say.
            return lambda _table: sa.false()
        return visibility_for(
            connection,
            record.partner(),
            key,
            local.config.access.unmarked_tlp,
            sharing_settings(local.config.sharing),
        )

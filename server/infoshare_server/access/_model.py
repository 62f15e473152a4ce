"""Who a requester is and what they may do: partners and their rights.

Implements the model of docs/adr/0006-partner-access.md ("Partners", "Rights",
"TLP clearance"). A :class:`Partner` is an organisation (or an operator
account of the node's ``[[users]]``); :class:`Rights` are what it may do in
one collection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from infoshare.stix.tlp import is_cleared
from infoshare_server.storage import LOCAL_ORIGIN

#: Clearances a partner can hold: every partner with read rights sees CLEAR; GREEN,
#: AMBER and AMBER+STRICT need the clearance ("green", the default, for an ordinary
#: community member; "clear" for a partner trusted with public data only); RED needs
#: to be a named recipient of the collection.
Clearance = Literal["clear", "green", "amber", "amber+strict"]
CLEARANCES: Final[tuple[Clearance, ...]] = ("clear", "green", "amber", "amber+strict")

#: A partner id: the HTTP Basic user name and the key in grants and the audit trail.
PARTNER_ID: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


@dataclass(frozen=True, slots=True)
class Partner:
    """An authenticated requester.

    ``id`` is the stable partner key; ``identity_id`` the STIX identity of the
    organisation; ``operator`` is True for the node's own ``[[users]]``
    accounts (administrators of every collection).
    """

    id: str
    name: str
    identity_id: str | None
    is_admin: bool
    clearance: Clearance = "green"
    operator: bool = False

    def cleared_for(self, level: str) -> bool:
        """True if the partner's clearance covers ``level`` (never RED: see recipients)."""
        return is_cleared(self.clearance, level)


@dataclass(frozen=True, slots=True)
class Rights:
    """What a partner may do in one collection."""

    read: bool = False
    write: bool = False
    delete: bool = False
    #: A named TLP:RED recipient of everything in the collection.
    red_recipient: bool = False

    @property
    def any(self) -> bool:
        """True if the collection exists for the partner at all (read or write)."""
        return self.read or self.write


NO_RIGHTS: Final = Rights()


@dataclass(frozen=True, slots=True)
class SharingSettings:
    """``[sharing]`` of the node configuration (docs/operator-guide.md, "Sharing")."""

    #: The STIX identity id of the node's own organisation: objects whose
    #: ``created_by_ref`` is this identity belong to the node's operators.
    organisation: str | None = None
    #: Partner ids of the node's TLP:GREEN community; None: every partner.
    community: frozenset[str] | None = None
    #: Partner ids that are part of the node's own organisation (e.g. ministries of
    #: the same government): they receive what the node's operators receive.
    local_partners: frozenset[str] = frozenset()
    #: originator -> the partners it named as recipients of its objects.
    agreements: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def is_local(self, partner: Partner) -> bool:
        """True for the node's own organisation: operators and local partners."""
        return partner.operator or partner.id in self.local_partners

    def in_community(self, partner: Partner) -> bool:
        return self.community is None or partner.id in self.community

    def originators_naming(self, partner: Partner) -> tuple[str, ...]:
        """The originators that named ``partner`` a recipient of their objects."""
        return tuple(
            sorted(origin for origin, named in self.agreements.items() if partner.id in named)
        )

    def local_origins(self) -> tuple[str, ...]:
        """The origins of the node's own organisation."""
        return (LOCAL_ORIGIN, *sorted(self.local_partners))


@dataclass(frozen=True, slots=True)
class AccessSettings:
    """Node-wide access policy (``[access]`` in the configuration)."""

    #: How objects without a recognised TLP marking are treated.
    unmarked_tlp: str = "red"
    #: Peers whose X-Forwarded-For header is believed (addresses or networks).
    trusted_proxies: tuple[str, ...] = ()
    #: TLP 2.0 by origin: the node's organisation, community and agreements.
    sharing: SharingSettings = field(default_factory=SharingSettings)

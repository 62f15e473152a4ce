"""Standard observables the profile uses: url, domain-name and user-account.

Implements STIX 2.1 sections 6.5, 6.16 and 6.17 and the FIMI account extension
of spec/profile/07-accounts.md (on ``user-account``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from infoshare.models._base import StixCyberObservable, StixModel
from infoshare.models._types import Timestamp, identifier_ref
from infoshare.profile import EXT_FIMI_ACCOUNT

__all__ = [
    "DomainName",
    "FimiAccountExtension",
    "Url",
    "UserAccount",
    "UserAccountExtensions",
]

ResolvesToRef = Annotated[str, identifier_ref("ipv4-addr", "ipv6-addr", "domain-name")]


class Url(StixCyberObservable):
    """A URL (STIX 2.1 section 6.16); id is UUIDv5 of ``value``."""

    stix_type = "url"

    value: str


class DomainName(StixCyberObservable):
    """A domain name (STIX 2.1 section 6.5); id is UUIDv5 of ``value``."""

    stix_type = "domain-name"

    value: str
    resolves_to_refs: list[ResolvesToRef] | None = Field(default=None, min_length=1)


class FimiAccountExtension(StixModel):
    """The FIMI account extension: who or what stands behind a user-account."""

    extension_type: Literal["property-extension"]
    account_class: str
    is_automated: bool | None = None
    platform: str | None = None


class UserAccountExtensions(StixModel):
    """The ``extensions`` of a user-account: the FIMI one typed, others kept as read."""

    fimi_account: FimiAccountExtension | None = Field(default=None, alias=EXT_FIMI_ACCOUNT)


class UserAccount(StixCyberObservable):
    """A user account (STIX 2.1 section 6.17), usually on a social platform."""

    stix_type = "user-account"

    user_id: str | None = None
    credential: str | None = None
    account_login: str | None = None
    account_type: str | None = None
    display_name: str | None = None
    is_service_account: bool | None = None
    is_privileged: bool | None = None
    can_escalate_privs: bool | None = None
    is_disabled: bool | None = None
    account_created: Timestamp | None = None
    account_expires: Timestamp | None = None
    credential_last_changed: Timestamp | None = None
    account_first_login: Timestamp | None = None
    account_last_login: Timestamp | None = None
    extensions: UserAccountExtensions | None = None  # type: ignore[assignment]

    @property
    def fimi_account(self) -> FimiAccountExtension | None:
        """The FIMI account extension, when present."""
        return self.extensions.fimi_account if self.extensions is not None else None

"""The withdrawal object: pulling shared records back from every node.

Implements spec/profile/20-withdrawal.md §20.2. A withdrawal names objects
its creator shared and no longer wants served, with the reason. It is final:
one version, never revoked, so the model refuses a ``modified`` other than
``created`` and ``revoked: true`` (check IS-610).
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from infoshare.models._base import StixDomainObject, StixModel
from infoshare.models._disinformation import NewSdoMarker
from infoshare.models._types import Identifier, identifier_ref
from infoshare.profile import EXT_WITHDRAWAL, TYPE_WITHDRAWAL
from infoshare.stix.timestamps import timestamp_key

__all__ = ["NOT_WITHDRAWABLE_TYPES", "Withdrawal", "WithdrawalExtensions"]

IdentityRef = Annotated[str, identifier_ref("identity")]
#: Types a withdrawal may not name (check IS-224).
NOT_WITHDRAWABLE_TYPES = frozenset({"marking-definition", TYPE_WITHDRAWAL})


class WithdrawalExtensions(StixModel):
    withdrawal: NewSdoMarker = Field(alias=EXT_WITHDRAWAL)


class Withdrawal(StixDomainObject):
    """The originator's final notice that the named objects must no longer be served."""

    stix_type = TYPE_WITHDRAWAL

    created_by_ref: IdentityRef
    withdrawn_refs: list[Identifier] = Field(min_length=1)
    reason: str
    description: str | None = None
    extensions: WithdrawalExtensions  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_final(self) -> Self:
        for ref in self.withdrawn_refs:
            kind = ref.split("--", 1)[0]
            if kind in NOT_WITHDRAWABLE_TYPES:
                raise ValueError(f"withdrawn_refs: a {kind} cannot be withdrawn ({ref})")
        if timestamp_key(self.modified) != timestamp_key(self.created):
            raise ValueError(
                "a withdrawal has one version only: modified must equal created; "
                "send a new withdrawal to withdraw more objects"
            )
        if self.revoked:
            raise ValueError("a withdrawal is final and cannot be revoked")
        return self

"""Partner trust: who a requester is and what they may see and do (the one place that decides).

Implements docs/adr/0006-partner-access.md and docs/adr/0009-one-policy-object.md:
partners and their credentials (``_directory``, ``_secrets``,
``_certificates``), authentication of operators and partners alike
(``_authenticate``), the one :class:`Policy` per request that answers every
question of trust (``_policy``), TLP visibility as a clause inside the
storage query (``_visibility``), the append-only audit trail (``_audit``),
and the Flask glue for the node (``_control``).
"""

from infoshare_server.access._audit import (
    ACTIONS,
    AuditEntry,
    query_entries,
    to_csv,
    to_json,
    write_entry,
)
from infoshare_server.access._authenticate import (
    Authenticator,
    Outcome,
    PasswordChecks,
    parse_authorization,
)
from infoshare_server.access._certificates import (
    ENVIRON_KEY,
    ClientCertificate,
    certificate_lookups,
    fingerprint_lookup,
    subject_lookup,
)
from infoshare_server.access._control import (
    CHALLENGE,
    AccessControl,
    current_partner,
    current_policy,
    unauthorized,
)
from infoshare_server.access._directory import Directory, PartnerError, PartnerRecord
from infoshare_server.access._model import (
    CLEARANCES,
    NO_RIGHTS,
    AccessSettings,
    Clearance,
    Partner,
    Rights,
)
from infoshare_server.access._policy import (
    OPERATOR_CLEARANCE,
    Policy,
    operator_account,
    policy_for_record,
)
from infoshare_server.access._secrets import (
    MIN_PASSWORD_LENGTH,
    NewToken,
    PasswordHashError,
    check_password_hash,
    hash_password,
    new_password,
    new_token,
    verify_password,
)
from infoshare_server.access._visibility import visibility_clause, visible_levels

__all__ = [
    "ACTIONS",
    "CHALLENGE",
    "CLEARANCES",
    "ENVIRON_KEY",
    "MIN_PASSWORD_LENGTH",
    "NO_RIGHTS",
    "OPERATOR_CLEARANCE",
    "AccessControl",
    "AccessSettings",
    "AuditEntry",
    "Authenticator",
    "Clearance",
    "ClientCertificate",
    "Directory",
    "NewToken",
    "Outcome",
    "Partner",
    "PartnerError",
    "PartnerRecord",
    "PasswordChecks",
    "PasswordHashError",
    "Policy",
    "Rights",
    "certificate_lookups",
    "check_password_hash",
    "current_partner",
    "current_policy",
    "fingerprint_lookup",
    "hash_password",
    "new_password",
    "new_token",
    "operator_account",
    "parse_authorization",
    "policy_for_record",
    "query_entries",
    "subject_lookup",
    "to_csv",
    "to_json",
    "unauthorized",
    "verify_password",
    "visibility_clause",
    "visible_levels",
    "write_entry",
]

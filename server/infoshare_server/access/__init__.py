"""Partner trust: who a requester is and what they may see (the one place that decides).

Implements docs/adr/0006-partner-access.md (issue "Partner trust"):
partners and their credentials (``_directory``, ``_secrets``,
``_certificates``), authentication (``_authenticate``), per-collection
rights and TLP 2.0 visibility as a clause inside the storage query
(``_visibility``), the append-only audit trail (``_audit``), and the Flask
glue for the node (``_control``).
"""

from infoshare_server.access._audit import (
    ACTIONS,
    AuditEntry,
    query_entries,
    to_csv,
    to_json,
    write_entry,
)
from infoshare_server.access._authenticate import Authenticator, Outcome, parse_authorization
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
    AccessSettings,
    current_partner,
    unauthorized,
)
from infoshare_server.access._directory import Directory, PartnerError, PartnerRecord
from infoshare_server.access._model import CLEARANCES, NO_RIGHTS, Clearance, Partner, Rights
from infoshare_server.access._secrets import (
    NewToken,
    hash_password,
    new_password,
    new_token,
    verify_password,
)
from infoshare_server.access._visibility import (
    rights_for,
    visibility_clause,
    visibility_for,
    visible_levels,
)

__all__ = [
    "ACTIONS",
    "CHALLENGE",
    "CLEARANCES",
    "ENVIRON_KEY",
    "NO_RIGHTS",
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
    "Rights",
    "certificate_lookups",
    "current_partner",
    "fingerprint_lookup",
    "hash_password",
    "new_password",
    "new_token",
    "parse_authorization",
    "query_entries",
    "rights_for",
    "subject_lookup",
    "to_csv",
    "to_json",
    "unauthorized",
    "verify_password",
    "visibility_clause",
    "visibility_for",
    "visible_levels",
    "write_entry",
]

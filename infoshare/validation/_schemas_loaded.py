"""The profile's JSON Schemas (spec/schemas/), loaded and indexed once per process.

Every check that validates against a schema (STIX 2.1 core, spec/profile/14-conformance.md
§14.3, and the profile schemas of §14.4) takes them from :func:`schema_set`, so each
schema file is read and compiled at most once however many checks use it.
"""

from __future__ import annotations

import functools

from infoshare._spec_files import spec_dir
from infoshare.validation._schema import SchemaSet

#: Base of the ``$id`` of the STIX 2.1 core schemas (spec/schemas/stix/).
STIX_SCHEMA_BASE = "https://schemas.infoshare.dev/stix/2.1/"


@functools.cache
def schema_set() -> SchemaSet:
    """Every schema below spec/schemas/, indexed by ``$id``, each compiled when a
    check first uses it (so start-up does not depend on how many schemas there are)."""
    return SchemaSet(spec_dir() / "schemas", deferred=True)

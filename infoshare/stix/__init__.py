"""STIX 2.1 basics, written once: what the models, the validator, the node and sync share.

Each submodule implements one part of the STIX 2.1 specification (OASIS
Standard, Errata 01, https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html)
and is the only place in infoshare that decides it:

- :mod:`infoshare.stix.identifiers`: the identifier and type-name grammar
  (§2.9, §3.1), UUID versions, and the UUIDv5 id an SCO should have.
- :mod:`infoshare.stix.timestamps`: the timestamp grammar (§2.16), parsing,
  millisecond precision (§3.2) and order.
- :mod:`infoshare.stix.envelope`: the bundle envelope (§8) and the objects
  list of a TAXII 2.1 envelope.
- :mod:`infoshare.stix.references`: every ``*_ref`` / ``*_refs`` value of an
  object, with its path (§3.1).
- :mod:`infoshare.stix.tlp`: which TLP level governs an object (STIX 2.1
  §7.2.1.4 for TLP 1.0, the OASIS TLP 2.0 extension for TLP 2.0).

Nothing here imports the rest of the library apart from
:mod:`infoshare.profile` (stable identifiers) and :mod:`infoshare.errors`, so
every other part may import it without a cycle.
"""

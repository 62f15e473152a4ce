"""STIX 2.1 basics, written once: what the models, the validator, the node and sync share.

Each submodule implements one part of the STIX 2.1 specification (OASIS
Standard, Errata 01) and is the only place in infoshare that decides it:

- :mod:`infoshare.stix.tlp`: which TLP level governs an object (STIX 2.1
  §7.2.1.4 for TLP 1.0, the OASIS TLP 2.0 extension for TLP 2.0).

Nothing here imports the rest of the library apart from
:mod:`infoshare.profile` (stable identifiers), so every other part may import
it without a cycle.
"""

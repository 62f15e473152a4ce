"""OpenCTI ↔ profile: the bridge to the threat-intelligence platform many agencies run.

Two directions, each a function of a parsed document and the user's options:

* :func:`opencti_to_profile` reads an OpenCTI STIX 2.1 export and writes a bundle of
  the profile;
* :func:`profile_to_opencti` writes a profile bundle in the form OpenCTI imports.

docs/bridges-opencti.md says what each maps, keeps aside (and where) and needs; the facts
about OpenCTI's formats are in :mod:`infoshare.convert.opencti._opencti`.
"""

from infoshare.convert.opencti._inbound import opencti_to_profile
from infoshare.convert.opencti._outbound import profile_to_opencti

__all__ = ["opencti_to_profile", "profile_to_opencti"]

"""Conversion on the way in: pages pulled from a remote that does not speak the profile.

Implements docs/adr/0018-sync-converts-opencti-on-the-way-in.md.

A ``[[remotes]]`` entry with ``convert_from = "opencti"`` is an OpenCTI TAXII 2.1
collection. Each page it serves is converted with the library's OpenCTI bridge
(:func:`infoshare.convert.opencti.opencti_to_profile`, docs/bridges-opencti.md) before the
node's ingest sees it, so the converted objects go through the same validation,
provenance, origin and TLP-by-origin as any other pulled object; nothing is
stored that the ingest would not store from a partner node.

The conversion is deterministic (the same OpenCTI object always gives the same
profile object and the same kept-aside note), so pulling a page again only finds
duplicates. An object the converter cannot read (malformed, hostile) is passed on
as it came: the ingest refuses it with its check ids, and the refusal is recorded
in ``sync_rejections`` like any other, instead of stopping the whole pull.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Final

from infoshare.convert.opencti import opencti_to_profile
from infoshare.errors import ConversionError
from infoshare_server.sync._remote import Page

LOG: Final = logging.getLogger(__name__)

#: The formats ``convert_from`` accepts, and the converter of each.
CONVERTERS: Final = {"opencti": opencti_to_profile}


def _bundle(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000000",
        "objects": objects,
    }


def convert_page(page: Page, convert_from: str, label: str) -> Page:
    """The page with its objects converted to the profile (see the module doc)."""
    convert = CONVERTERS[convert_from]
    try:
        return replace(page, objects=list(convert(_bundle(page.objects)).output["objects"]))
    except ConversionError:
        pass
    # Find the objects the converter cannot read, then convert the others together (a
    # page is converted as one bundle: markings, renamed ids and notes stay in context).
    readable: list[dict[str, Any]] = []
    unreadable: list[dict[str, Any]] = []
    for obj in page.objects:
        try:
            convert(_bundle([obj]))
        except ConversionError as exc:
            LOG.warning("%s: %s left unconverted: %s", label, str(obj.get("id"))[:80], exc.message)
            unreadable.append(obj)
        else:
            readable.append(obj)
    try:
        converted = list(convert(_bundle(readable)).output["objects"]) if readable else []
    except ConversionError as exc:  # only together: convert none, let the ingest judge
        LOG.warning("%s: page left unconverted: %s", label, exc.message)
        converted, unreadable = [], page.objects
    return replace(page, objects=converted + unreadable)

"""IS-162 and IS-163: what producers SHOULD say about indicators and analyses.

* IS-162: an indicator SHOULD have a ``name`` and a ``description``, "to help
  products and analysts understand what this Indicator actually does"
  (STIX 2.1 §4.7).
* IS-163: the ``product`` of a malware-analysis SHOULD be all lowercase with
  words separated by hyphens (§4.12).
"""

from __future__ import annotations

import re
from typing import Final

from infoshare.validation._registry import Emit, StixDict, jpath, object_check

_PRODUCT_NAME: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def _has_text(obj: StixDict, name: str) -> bool:
    value = obj.get(name)
    return isinstance(value, str) and bool(value.strip())


@object_check("IS-162", types={"indicator"})
def indicator_descriptions(obj: StixDict, emit: Emit) -> None:
    missing = [name for name in ("name", "description") if not _has_text(obj, name)]
    if missing:
        what = " and ".join(missing)
        emit(
            jpath(missing[0]),
            f"this indicator has no {what}; say what it detects so that analysts and"
            " products can use it (STIX 2.1 §4.7)",
        )


@object_check("IS-163", types={"malware-analysis"})
def analysis_product_name(obj: StixDict, emit: Emit) -> None:
    product = obj.get("product")
    if isinstance(product, str) and not _PRODUCT_NAME.match(product):
        better = "-".join(re.findall(r"[a-z0-9]+", product.lower())) or "anonymized"
        emit(
            jpath("product"),
            f"product '{product}' should be lowercase with hyphens between words, e.g."
            f" '{better}' (STIX 2.1 §4.12)",
        )

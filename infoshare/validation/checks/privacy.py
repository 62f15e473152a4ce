"""IS-701 to IS-712: privacy and attribution safeguards (spec/profile/ §13.1, §13.2).

Accounts (§13.1):

* IS-701: a user-account never carries credentials;
* IS-702: a private person's account carries no display name and is not TLP:CLEAR;
* IS-703: a user-account is classified with the FIMI account extension.

Attribution (§13.2):

* IS-711: an attribution (the FIMI incident extension's ``attribution`` or an
  ``attributed-to`` relationship) states a confidence and a basis, and is never
  made on an incident determined false-positive;
* IS-712: a state attribution below 50 confidence is not shared TLP:CLEAR.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final

from infoshare.profile import EXT_FIMI_ACCOUNT, EXT_FIMI_INCIDENT, TLP_CLEAR
from infoshare.stix.timestamps import is_timestamp, timestamp_key
from infoshare.validation._registry import (
    CrossObjectCheck,
    Emit,
    EmitAt,
    ObjectRef,
    StixDict,
    ValidationOptions,
    cross_object_check,
    jpath,
    object_check,
)
from infoshare.validation._spill import RowBuffer

CREDENTIAL_PROPERTIES: Final = ("credential", "credential_last_changed")
PRIVATE_PERSON: Final = "private-person"
FALSE_POSITIVE: Final = "false-positive"
ATTRIBUTED_TO: Final = "attributed-to"
#: Below this confidence a state attribution should not be shared TLP:CLEAR (IS-712).
LOW_CONFIDENCE: Final = 50

_ATTRIBUTION_PATH: Final = ("extensions", EXT_FIMI_INCIDENT, "attribution")


def property_extension(obj: StixDict, ext_id: str) -> dict[str, Any] | None:
    """The property-extension ``ext_id`` of ``obj``, if it is present and an object."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return None
    ext = extensions.get(ext_id)
    return ext if isinstance(ext, dict) else None


def is_clear(obj: StixDict) -> bool:
    """Whether ``obj`` is marked TLP:CLEAR (§12)."""
    refs = obj.get("object_marking_refs")
    return isinstance(refs, list) and TLP_CLEAR in refs


def _confidence(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_false_positive(incident: StixDict) -> bool:
    fimi = property_extension(incident, EXT_FIMI_INCIDENT)
    return fimi is not None and fimi.get("determination") == FALSE_POSITIVE


# --- accounts (§13.1) -------------------------------------------------------------------


@object_check("IS-701", types={"user-account"})
def no_credentials(obj: StixDict, emit: Emit) -> None:
    for name in CREDENTIAL_PROPERTIES:
        if name in obj:
            emit(
                jpath(name),
                f"{name} must never be shared: remove it from the user-account",
            )


@object_check("IS-702", types={"user-account"})
def private_persons_minimised(obj: StixDict, emit: Emit) -> None:
    account = property_extension(obj, EXT_FIMI_ACCOUNT)
    if account is None or account.get("account_class") != PRIVATE_PERSON:
        return
    if "display_name" in obj:
        emit(
            jpath("display_name"),
            "the account belongs to a private person: remove display_name (keep only the "
            "platform identifiers the case needs)",
        )
    if is_clear(obj):
        refs = obj["object_marking_refs"]
        emit(
            jpath("object_marking_refs", refs.index(TLP_CLEAR)),
            "the account belongs to a private person and must not be TLP:CLEAR: mark it "
            "TLP:GREEN or more restricted",
        )


@object_check("IS-703", types={"user-account"})
def accounts_classified(obj: StixDict, emit: Emit) -> None:
    extensions = obj.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        return  # IS-102 reports the wrong type
    if isinstance(extensions, dict) and EXT_FIMI_ACCOUNT in extensions:
        return  # IS-205 checks the extension's content, account_class included
    emit(
        jpath("extensions") if extensions else "",
        f"classify the account: add extensions[{EXT_FIMI_ACCOUNT!r}] with extension_type "
        "'property-extension' and an account_class (for example 'inauthentic' or "
        "'private-person')",
    )


# --- attribution (§13.2) ------------------------------------------------------------------


def _check_extension_attribution(obj: StixDict, emit: Emit) -> None:
    fimi = property_extension(obj, EXT_FIMI_INCIDENT)
    if fimi is None or "attribution" not in fimi:
        return
    attribution = fimi["attribution"]
    if fimi.get("determination") == FALSE_POSITIVE:
        emit(
            jpath(*_ATTRIBUTION_PATH),
            "the incident is determined false-positive, so it must not carry an attribution: "
            "remove the attribution or revise the determination",
        )
    if not isinstance(attribution, dict):
        return  # IS-201 reports the wrong type
    if _confidence(attribution.get("confidence")) is None:
        emit(
            jpath(*_ATTRIBUTION_PATH),
            "the attribution must state its confidence (an integer 0-100)",
        )
    basis = attribution.get("basis")
    if not isinstance(basis, list) or not basis:
        emit(
            jpath(*_ATTRIBUTION_PATH),
            "the attribution must state its basis: a non-empty list of attribution-basis-ov "
            "values such as 'infrastructure-overlap'",
        )


def _check_relationship_attribution(obj: StixDict, emit: Emit) -> None:
    if obj.get("relationship_type") != ATTRIBUTED_TO:
        return
    if _confidence(obj.get("confidence")) is None:
        emit(
            "",
            "an attributed-to relationship must state its confidence (an integer 0-100)",
        )
    description = obj.get("description")
    references = obj.get("external_references")
    has_description = isinstance(description, str) and description.strip() != ""
    if not has_description and not (isinstance(references, list) and references):
        emit(
            "",
            "an attributed-to relationship must state its basis: explain it in description "
            "or cite the sources in external_references",
        )


@object_check("IS-711", types={"incident", "relationship"})
def attribution_safeguards(obj: StixDict, emit: Emit) -> None:
    if obj["type"] == "incident":
        _check_extension_attribution(obj, emit)
    else:
        _check_relationship_attribution(obj, emit)


@cross_object_check
class NoAttributionOfFalsePositives(CrossObjectCheck):
    """IS-711: no attributed-to relationship from an incident determined false-positive.

    Keeps, per incident id, whether its latest version is false-positive, and
    the attributed-to relationships whose source is an incident. Past
    ``ValidationOptions.spill_threshold`` entries both go to the spill
    database, and the end is one query (docs/adr/0005-bounded-memory.md).
    """

    check_id = "IS-711"
    types = frozenset({"incident", "relationship"})

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._incidents: dict[str, tuple[tuple[str, str], bool]] = {}
        self._attributions: list[tuple[str, ObjectRef]] = []
        self._limit = options.spill_threshold
        #: Once spilled: incident versions, and attributions in input order.
        self._spilled: tuple[RowBuffer, RowBuffer] | None = None

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        if obj["type"] == "incident":
            object_id, modified = obj.get("id"), obj.get("modified")
            if not isinstance(object_id, str):
                return
            version = (
                timestamp_key(modified)
                if isinstance(modified, str) and is_timestamp(modified)
                else ("", "")
            )
            if self._spilled is not None:
                self._spilled[0].append((object_id, *version, _is_false_positive(obj), where.index))
                return
            known = self._incidents.get(object_id)
            if known is None or version >= known[0]:
                self._incidents[object_id] = (version, _is_false_positive(obj))
        elif obj.get("relationship_type") == ATTRIBUTED_TO:
            source = obj.get("source_ref")
            if not (isinstance(source, str) and source.startswith("incident--")):
                return
            if self._spilled is not None:
                self._spilled[1].append(_attribution_row(source, where))
                return
            self._attributions.append((source, where))
        else:
            return
        if self._limit is not None and len(self._incidents) + len(self._attributions) > self._limit:
            self._spill()

    def _spill(self) -> None:
        """From now on, write incident versions and attributions to the spill database."""
        incidents = self.spill.buffer(
            "incidents", ("id TEXT", "version TEXT", "fraction TEXT", "fp INTEGER", "idx INTEGER")
        )
        attributions = self.spill.buffer(
            "attributions",
            ("source TEXT", "file TEXT", "idx INTEGER", "line INTEGER", "object_id TEXT"),
        )
        # Kept versions come before every later one: a tie goes to the later object.
        incidents.extend(
            (object_id, *version, fp, -1) for object_id, (version, fp) in self._incidents.items()
        )
        attributions.extend(_attribution_row(source, where) for source, where in self._attributions)
        self._incidents.clear()
        self._attributions.clear()
        self._spilled = (incidents, attributions)

    def finish(self, emit_at: EmitAt) -> None:
        if self._spilled is None:
            found: Iterable[tuple[str, ObjectRef]] = (
                (source, where)
                for source, where in self._attributions
                if (known := self._incidents.get(source)) is not None and known[1]
            )
        else:
            found = self._spilled_findings(*self._spilled)
        for source, where in found:
            emit_at(
                where,
                jpath("source_ref"),
                f"{source} is determined false-positive, so nothing may be attributed to "
                "it: remove this attributed-to relationship or revise the determination",
            )

    def _spilled_findings(
        self, incidents: RowBuffer, attributions: RowBuffer
    ) -> Iterator[tuple[str, ObjectRef]]:
        incidents.flush()
        attributions.flush()
        self.spill.execute("CREATE INDEX incident ON incidents (id, version, fraction, idx)")
        rows = self.spill.query(
            "SELECT source, file, idx, line, object_id FROM attributions WHERE"
            " (SELECT fp FROM incidents WHERE incidents.id = attributions.source"
            "  ORDER BY version DESC, fraction DESC, idx DESC LIMIT 1)"
            " ORDER BY rowid"
        )
        for source, file, index, line, object_id in rows:
            yield source, ObjectRef(file, index, line, object_id)


def _attribution_row(source: str, where: ObjectRef) -> tuple[Any, ...]:
    return (source, where.file, where.index, where.line, where.object_id)


@object_check("IS-712", types={"incident", "relationship"})
def low_confidence_state_attribution(obj: StixDict, emit: Emit) -> None:
    if not is_clear(obj):
        return
    if obj["type"] == "incident":
        fimi = property_extension(obj, EXT_FIMI_INCIDENT)
        attribution = fimi.get("attribution") if fimi is not None else None
        if not isinstance(attribution, dict) or not attribution.get("attributed_country"):
            return
        confidence = _confidence(attribution.get("confidence"))
        path = jpath(*_ATTRIBUTION_PATH, "confidence")
        what = f"the attribution to a state ({attribution['attributed_country']})"
    else:
        if obj.get("relationship_type") != ATTRIBUTED_TO:
            return
        confidence = _confidence(obj.get("confidence"))
        path = jpath("confidence")
        what = "the attributed-to relationship"
    if confidence is not None and confidence < LOW_CONFIDENCE:
        emit(
            path,
            f"{what} has confidence {confidence} (below {LOW_CONFIDENCE}) and is marked "
            "TLP:CLEAR; share low-confidence attributions TLP:GREEN or more restricted",
        )

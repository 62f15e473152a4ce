"""IS-401 to IS-404: DISARM citations (spec/profile/09-standard-objects.md §9.3).

* IS-401: an attack-pattern cites a technique that exists in DISARM 1.6;
* IS-402: its kill_chain_phases name the tactic DISARM 1.6 assigns;
* IS-403: a course-of-action cites a counter that exists in DISARM 1.6;
* IS-404 (warning): the citation uses the profile's form, source_name
  ``DISARM`` and kill_chain_name ``disarm``.

Which references are DISARM citations (§9.3.1 to §9.3.3):

* an ``external_references`` entry with ``source_name`` ``DISARM`` (in any
  case) and an ``external_id``, on an attack-pattern or a course-of-action;
* an entry in the official bundle's form, ``source_name`` ``mitre-attack``,
  whose ``external_id`` has the DISARM form (``T0000``/``T0000.000`` on an
  attack-pattern, ``C00000`` on a course-of-action) and which shows it means
  DISARM: the id is a DISARM 1.6 id, or the ``url`` is a DISARM page, or the
  object's kill_chain_phases name a DISARM tactic. MITRE ATT&CK ids share the
  ``mitre-attack`` source name and the ``T`` prefix, so without such a sign
  the reference is left alone (§9.3.3: other frameworks are allowed).

Tactic ids (``TA05``) cited next to a technique are not technique citations.
The tables come from :mod:`infoshare.reference`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from infoshare.reference import (
    COUNTER_ID,
    DISARM_VERSION,
    TACTIC_ID,
    TECHNIQUE_ID,
    DisarmFramework,
    Technique,
    disarm_framework,
)
from infoshare.validation._registry import Emit, StixDict, jpath, object_check

#: The profile's citation form (§9.3.1).
SOURCE_NAME: Final = "DISARM"
KILL_CHAIN_NAME: Final = "disarm"
#: The official DISARM bundle's form, accepted on import (§9.3.1).
OFFICIAL_BUNDLE_NAME: Final = "mitre-attack"
#: kill_chain_name values that name DISARM tactics (compared in lower case).
DISARM_KILL_CHAINS: Final = frozenset({KILL_CHAIN_NAME, OFFICIAL_BUNDLE_NAME})

_TECHNIQUES_TABLE: Final = f"spec/reference/disarm-{DISARM_VERSION}-techniques.json"
_COUNTERS_TABLE: Final = f"spec/reference/disarm-{DISARM_VERSION}-counters.json"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _phases(obj: StixDict) -> Iterator[tuple[int, dict[str, Any]]]:
    """The kill_chain_phases entries that name a DISARM kill chain, with their index."""
    phases = obj.get("kill_chain_phases")
    if not isinstance(phases, list):
        return
    for index, phase in enumerate(phases):
        if isinstance(phase, dict):
            name = _str(phase.get("kill_chain_name"))
            if name is not None and name.lower() in DISARM_KILL_CHAINS:
                yield index, phase


def _means_disarm(obj: StixDict, ref: dict[str, Any], external_id: str) -> bool:
    """Whether a ``mitre-attack`` reference shows that it cites DISARM."""
    framework = disarm_framework()
    if external_id in framework.techniques or external_id in framework.counters:
        return True
    url = _str(ref.get("url"))
    if url is not None and "disarm" in url.lower():
        return True
    return any(
        framework.tactic_by_shortname(_str(phase.get("phase_name")) or "") is not None
        for _, phase in _phases(obj)
    )


def _citations(obj: StixDict, id_form: re.Pattern[str]) -> Iterator[tuple[int, str, str]]:
    """The DISARM citations of ``obj``: (index in external_references, source_name, id)."""
    refs = obj.get("external_references")
    if not isinstance(refs, list):
        return
    for index, ref in enumerate(refs):
        if not isinstance(ref, dict):
            continue
        source, external_id = _str(ref.get("source_name")), _str(ref.get("external_id"))
        if source is None or external_id is None or TACTIC_ID.fullmatch(external_id):
            continue
        if source.lower() == SOURCE_NAME.lower() or (
            source == OFFICIAL_BUNDLE_NAME
            and id_form.fullmatch(external_id)
            and _means_disarm(obj, ref, external_id)
        ):
            yield index, source, external_id


def _cited_techniques(obj: StixDict, framework: DisarmFramework) -> list[Technique]:
    found = []
    for _, _, external_id in _citations(obj, TECHNIQUE_ID):
        technique = framework.technique(external_id)
        if technique is not None:
            found.append(technique)
    return found


# --- IS-401 -------------------------------------------------------------------------------


def _unknown_technique(external_id: str, framework: DisarmFramework) -> str:
    if COUNTER_ID.fullmatch(external_id):
        return (
            f"{external_id!r} is a DISARM counter id, not a technique id: cite a counter on a "
            "course-of-action, and cite on this attack-pattern the technique it uses "
            "(T0000 or T0000.000)"
        )
    if not TECHNIQUE_ID.fullmatch(external_id):
        return (
            f"{external_id!r} is not a DISARM technique id: write the id as T0000 or, for a "
            "sub-technique, T0000.000 (for example 'T0049.003')"
        )
    parent = framework.technique(external_id.split(".", 1)[0])
    if parent is not None:
        subs = sorted(t.id for t in framework.techniques.values() if t.parent_id == parent.id)
        known = (
            f"its sub-techniques are {subs[0]} to {subs[-1]}"
            if subs
            else "it has no sub-techniques"
        )
        return (
            f"{external_id} is not a sub-technique in DISARM {DISARM_VERSION}: {parent.id} "
            f"({parent.name}) exists, but {known}; see {_TECHNIQUES_TABLE}"
        )
    return (
        f"{external_id} is not a technique in DISARM {DISARM_VERSION}: cite an id listed in "
        f"{_TECHNIQUES_TABLE}"
    )


@object_check("IS-401", types={"attack-pattern"})
def technique_exists(obj: StixDict, emit: Emit) -> None:
    framework = disarm_framework()
    for index, _, external_id in _citations(obj, TECHNIQUE_ID):
        if framework.technique(external_id) is None:
            emit(
                jpath("external_references", index, "external_id"),
                _unknown_technique(external_id, framework),
            )


# --- IS-402 -------------------------------------------------------------------------------


@object_check("IS-402", types={"attack-pattern"})
def tactic_matches(obj: StixDict, emit: Emit) -> None:
    framework = disarm_framework()
    techniques = _cited_techniques(obj, framework)
    if not techniques:
        return  # no DISARM citation, or IS-401 reports the unknown id
    expected = {
        tactic.shortname: (technique, tactic)
        for technique in techniques
        for tactic in framework.tactics_of(technique.id)
    }
    named: set[str] = set()
    wrong = False
    for index, phase in _phases(obj):
        phase_name = _str(phase.get("phase_name"))
        if phase_name is None:
            continue  # IS-101 and IS-102 report a missing or malformed phase_name
        if phase_name in expected:
            named.add(phase_name)
            continue
        wrong = True
        technique, tactic = next(iter(expected.values()))
        emit(
            jpath("kill_chain_phases", index, "phase_name"),
            f"DISARM {DISARM_VERSION} assigns {technique.id} ({technique.name}) to tactic "
            f"{tactic.id} {tactic.name}: phase_name must be {tactic.shortname!r}, "
            f"not {phase_name!r}",
        )
    if wrong and not named:
        return  # the finding above already says which phase_name to write
    for shortname, (technique, tactic) in expected.items():
        if shortname not in named:
            emit(
                jpath("kill_chain_phases") if "kill_chain_phases" in obj else "",
                f"name the DISARM tactic of {technique.id} ({technique.name}): add "
                f"{{'kill_chain_name': {KILL_CHAIN_NAME!r}, 'phase_name': {shortname!r}}} "
                f"to kill_chain_phases (tactic {tactic.id} {tactic.name})",
            )


# --- IS-403 -------------------------------------------------------------------------------


def _unknown_counter(external_id: str) -> str:
    if TECHNIQUE_ID.fullmatch(external_id):
        return (
            f"{external_id!r} is a DISARM technique id, not a counter id: cite the counter "
            "(C00000) here, and link this course-of-action to the technique's attack-pattern "
            "with a mitigates relationship"
        )
    if not COUNTER_ID.fullmatch(external_id):
        return (
            f"{external_id!r} is not a DISARM counter id: write the id as C00000 "
            "(for example 'C00006')"
        )
    return (
        f"{external_id} is not a counter in DISARM {DISARM_VERSION}: cite an id listed in "
        f"{_COUNTERS_TABLE}"
    )


@object_check("IS-403", types={"course-of-action"})
def counter_exists(obj: StixDict, emit: Emit) -> None:
    framework = disarm_framework()
    for index, _, external_id in _citations(obj, COUNTER_ID):
        if framework.counter(external_id) is None:
            emit(jpath("external_references", index, "external_id"), _unknown_counter(external_id))


# --- IS-404 -------------------------------------------------------------------------------


@object_check("IS-404", types={"attack-pattern", "course-of-action"})
def citation_form(obj: StixDict, emit: Emit) -> None:
    id_form = TECHNIQUE_ID if obj["type"] == "attack-pattern" else COUNTER_ID
    cites_disarm = False
    for index, source, _ in _citations(obj, id_form):
        cites_disarm = True
        if source != SOURCE_NAME:
            emit(
                jpath("external_references", index, "source_name"),
                f"cite DISARM with source_name {SOURCE_NAME!r}, the profile's form, not "
                f"{source!r}; other forms are accepted but partners' tools may not "
                "recognise them",
            )
    if not cites_disarm or obj["type"] != "attack-pattern":
        return
    for index, phase in _phases(obj):
        name = phase["kill_chain_name"]
        if name != KILL_CHAIN_NAME:
            emit(
                jpath("kill_chain_phases", index, "kill_chain_name"),
                f"name DISARM tactics with kill_chain_name {KILL_CHAIN_NAME!r}, the profile's "
                f"form, not {name!r} (the official DISARM bundle's form is accepted on import)",
            )

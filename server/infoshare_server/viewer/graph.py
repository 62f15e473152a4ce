"""The case page's relationship graph and DISARM heat map, computed on the server.

Implements "Graph" and "Heat map" of docs/adr/0015-case-viewer.md. No
JavaScript: the graph is an SVG drawn into the page (nodes on rings by their
distance from the incident, so the layout is the same at every load), with a
table of the same edges beside it for screen readers and keyboard users. The
heat map is a table of DISARM tactics in the framework's order, each with the
techniques the case uses and a shade by count. Only values of the
:class:`~.model.Case` are drawn, so nothing here can show an object the
reader may not see.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from infoshare.reference import disarm_framework
from infoshare_server.viewer.model import GraphEdge, GraphNode, TechniqueUse

#: Nodes drawn at most; the table lists every edge.
MAX_DRAWN: int = 60
WIDTH = 960
HEIGHT = 760
_RING = 110.0
#: Room for one label along a ring; a ring with less leaves its labels to the tooltips.
LABEL_GAP = 120.0

#: Node fill by STIX type family (each passes 4.5:1 against white text in the unit test).
TYPE_COLOURS: dict[str, str] = {
    "incident": "#a3261f",
    "threat-actor": "#6b2c91",
    "intrusion-set": "#6b2c91",
    "campaign": "#6b2c91",
    "attack-pattern": "#8a4b00",
    "narrative": "#1f5f8b",
    "media-content": "#1d6b45",
    "user-account": "#1d6b45",
    "channel": "#1d6b45",
    "url": "#38585f",
    "domain-name": "#38585f",
    "identity": "#4a4a4a",
    "location": "#4a4a4a",
    "task": "#7a3b5c",
}
DEFAULT_COLOUR = "#3c4a5a"


@dataclass(frozen=True, slots=True)
class PlacedNode:
    id: str
    type: str
    label: str
    short: str
    x: float
    y: float
    colour: str


@dataclass(frozen=True, slots=True)
class PlacedEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str


@dataclass(frozen=True, slots=True)
class Drawing:
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    width: int
    height: int
    #: Nodes of the case left out of the drawing (listed in the table).
    left_out: int


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def layout(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge], centre: str) -> Drawing:
    """Nodes on rings by hop distance from ``centre`` (breadth first), ordered by id."""
    known = {node.id: node for node in nodes}
    neighbours: dict[str, set[str]] = {node.id: set() for node in nodes}
    for edge in edges:
        if edge.source in known and edge.target in known:
            neighbours[edge.source].add(edge.target)
            neighbours[edge.target].add(edge.source)
    distance: dict[str, int] = {}
    if centre in known:
        distance[centre] = 0
        queue = deque([centre])
        while queue:
            here = queue.popleft()
            for there in sorted(neighbours[here]):
                if there not in distance:
                    distance[there] = distance[here] + 1
                    queue.append(there)
    far = max(distance.values(), default=0) + 1
    order = sorted(known, key=lambda i: (distance.get(i, far), known[i].type, i))
    drawn = order[:MAX_DRAWN]
    rings: dict[int, list[str]] = {}
    for node_id in drawn:
        rings.setdefault(distance.get(node_id, far), []).append(node_id)
    # Each ring is wide enough for its members (about LABEL_GAP apart), one ring per
    # distance with no gap; the whole drawing is then scaled to fit the canvas.
    cx, cy = WIDTH / 2, HEIGHT / 2
    radii: list[float] = []
    for ring_index, level in enumerate(sorted(rings)):
        previous = radii[-1] if radii else 0.0
        wanted = len(rings[level]) * LABEL_GAP / (2 * math.pi)
        radii.append(
            0.0 if ring_index == 0 and len(rings[level]) == 1 else max(previous + _RING, wanted)
        )
    room = min(cx, cy) - 36
    scale = min(1.0, room / max(radii)) if radii and max(radii) > 0 else 1.0
    placed: dict[str, PlacedNode] = {}
    for ring_index, level in enumerate(sorted(rings)):
        members = rings[level]
        radius = radii[ring_index] * scale
        crowded = len(members) * LABEL_GAP * 0.8 > 2 * math.pi * max(radius, 1.0)
        for k, node_id in enumerate(members):
            angle = 2 * math.pi * k / max(1, len(members)) + ring_index * 0.4
            node = known[node_id]
            placed[node_id] = PlacedNode(
                node_id,
                node.type,
                node.label,
                "" if crowded and node_id != centre else _short(node.label),
                round(cx + radius * math.cos(angle), 1),
                round(cy + radius * math.sin(angle), 1),
                TYPE_COLOURS.get(node.type, DEFAULT_COLOUR),
            )
    lines = tuple(
        PlacedEdge(
            placed[e.source].x, placed[e.source].y, placed[e.target].x, placed[e.target].y, e.label
        )
        for e in edges
        if e.source in placed and e.target in placed
    )
    return Drawing(tuple(placed.values()), lines, WIDTH, HEIGHT, len(known) - len(placed))


@dataclass(frozen=True, slots=True)
class HeatRow:
    """One DISARM tactic of the heat map: the techniques of the case under it."""

    tactic_id: str
    tactic_name: str
    techniques: tuple[TechniqueUse, ...]
    total: int
    #: 0 (none) to 4 (the most used tactic of the case): the CSS shade.
    shade: int


def heat_map(techniques: Sequence[TechniqueUse]) -> tuple[HeatRow, ...]:
    """Every DISARM tactic in framework order, with the techniques used under it."""
    framework = disarm_framework()
    under: dict[str, list[TechniqueUse]] = {tactic_id: [] for tactic_id in framework.tactics}
    for use in techniques:
        for tactic_id in use.tactic_ids or ("",):
            if tactic_id in under:
                under[tactic_id].append(use)
    totals = {tactic: sum(u.count for u in uses) for tactic, uses in under.items()}
    top = max(totals.values(), default=0)
    rows = []
    for tactic_id, tactic in framework.tactics.items():
        total = totals[tactic_id]
        shade = 0 if total == 0 or top == 0 else max(1, math.ceil(4 * total / top))
        rows.append(
            HeatRow(
                tactic_id,
                tactic.name,
                tuple(sorted(under[tactic_id], key=lambda u: u.technique_id)),
                total,
                shade,
            )
        )
    return tuple(rows)

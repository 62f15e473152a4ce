"""The case viewer's colours, and the text/background pairs its style sheet uses.

Implements "Accessibility" of docs/adr/0015-case-viewer.md: every pair
below is a text colour on its background in ``static/viewer.css``, and the
unit test checks each reaches the WCAG 2.1 AA contrast ratio (4.5:1 for
text, 3:1 for focus outlines and graph shapes against their surroundings)
and that the style sheet really uses both colours.
"""

from __future__ import annotations

from typing import Final

#: (text colour, background colour, where): must reach 4.5:1.
TEXT_PAIRS: Final = (
    ("#1b1f24", "#ffffff", "body text on cards"),
    ("#1b1f24", "#f4f6f8", "body text on the page"),
    ("#0b57a4", "#ffffff", "links on cards"),
    ("#0b57a4", "#f4f6f8", "links on the page"),
    ("#4a5563", "#ffffff", "secondary text"),
    ("#ffffff", "#1d2b3a", "header text"),
    ("#ffffff", "#0b57a4", "buttons"),
    ("#8a1c1c", "#fdecec", "alerts"),
    ("#ffffff", "#000000", "TLP:CLEAR badge"),
    ("#33ff00", "#000000", "TLP:GREEN badge"),
    ("#ffc000", "#000000", "TLP:AMBER badge"),
    ("#ff2b2b", "#000000", "TLP:RED badge"),
    ("#1b1f24", "#fdecd2", "heat map shade 1"),
    ("#1b1f24", "#f9c98a", "heat map shade 2"),
    ("#1b1f24", "#eea25a", "heat map shade 3"),
    ("#ffffff", "#8f3b06", "heat map shade 4"),
    ("#1b1f24", "#e8eef5", "withdrawn badge"),
)
#: (colour, background, where): non-text contrast, must reach 3:1 (WCAG 1.4.11).
SHAPE_PAIRS: Final = (
    ("#d1430b", "#ffffff", "keyboard focus outline on cards"),
    ("#d1430b", "#f4f6f8", "keyboard focus outline on the page"),
    ("#6b7785", "#ffffff", "graph edges"),
)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)

"""Rows of single characters placed at given x positions, on one baseline, one Text per row.

Long texts under a heatmap or in a coloured text block need one glyph per cell; building one
``Text`` per character is slow (each is a Pango layout), so a whole row is laid out once and
each glyph is moved to its cell. A leading "M" fixes the baseline whatever the row's letters.
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, RIGHT, Text, VGroup

SHOWN = {" ": "␣", "\n": "↵", "\t": "⇥"}  # characters with no glyph of their own


def shown(c: str, space: bool = True) -> str:
    """A character as printed: a newline or tab gets a visible sign, a space too if ``space``."""
    if c == " " and not space:
        return c
    return SHOWN.get(c, c)


def glyph_row(chars: Sequence[str], xs: Sequence[float], y: float, height: float,
              colors: Sequence, font: str = "Monospace") -> VGroup:
    """Glyphs of ``chars`` centred at ``xs``, their capitals ``height`` tall and centred on
    ``y``; blank characters are left out. ``colors``: one per character."""
    keep = [i for i, c in enumerate(chars) if c.strip()]
    if not keep:
        return VGroup()
    text = "M" + "".join(chars[i] for i in keep)
    row = Text(text, font=font)
    if len(row) != len(text):  # a glyph Pango merged or dropped: one Text each
        row = VGroup(*[Text(c, font=font) for c in text])
        row.arrange(RIGHT, buff=0.05, aligned_edge=DOWN)
    row.scale(height / row[0].height)
    row.shift([0, y - row[0].get_center()[1], 0])
    out = VGroup()
    for glyph, i in zip(row[1:], keep):
        out.add(glyph.set_x(xs[i]).set_color(colors[i]))
    return out

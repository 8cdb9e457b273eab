"""The heat chain's colour scales with their numbers: a small bar under each row's name, left
of step 1, where the chain leaves room for the names (``HeatChain.row_labels``).

Every column of heat cells is painted on the theme's diverging scale from -v to +v, v the
``scale`` it was last shown with (the largest recorded magnitude of what the row shows, or 1
for a bounded value): the bar writes ``±v`` and follows v as the beats move from the forward
values to the errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from manim import Group, Text, VGroup

from scenes.components.heatmap import ScaleBar, scale_tick
from scenes.components.panels import light
from scenes.components.theme import Theme

if TYPE_CHECKING:  # the chain builds its scales
    from scenes.components.heat_chain import HeatChain

BAR_H, NUMBER_H = 0.06, 0.14  # a bar's height and its number's
MAX_BAR_W = 0.55


def scale_words(v: float) -> str:
    """``±2.31``: the scale from -v to +v."""
    return "±" + scale_tick(abs(float(v))).lstrip("+")


class RowScales(Group):
    """One scale bar per row of the chain (outputs, gates, each state), empty until a row is
    first shown; ``shown[row]`` is the half-width its number says."""

    def __init__(self, chain: HeatChain, theme: Theme, **kwargs):
        super().__init__(**kwargs)
        self.theme = theme
        self.bars: dict[str, ScaleBar] = {}
        self.numbers: dict[str, VGroup] = {}  # each holds the one Text that says its scale
        self.shown: dict[str, float] = {}
        self.row_of: dict[int, str] = {id(c): layer for (layer, _), c in chain.state.items()}
        for box in chain.gates.values():
            self.row_of.update({id(c): "gates" for c in box.columns.values()})
        layers = [chain.second, "h"] if chain.second else ["h"]
        rows = ["yhat", "gates", *layers]  # the order of ``row_labels``
        if len(chain.row_labels) != len(rows):
            return  # no room for the names, none for their scales
        room = chain.gates[1].get_left()[0] - chain.row_labels.get_left()[0]
        width = min(MAX_BAR_W, 0.9 * room)
        x = np.linspace(-1.0, 1.0, 64)
        pixels = np.array([[[*(np.array(theme.value_color(v, 1.0).to_rgb()) * 255), 255]
                            for v in x]]).round().astype(np.uint8)  # (1, 64, 4)
        for row, name in zip(rows, chain.row_labels):
            bar = ScaleBar(pixels, -1.0, 1.0, [], [], width, BAR_H, theme.muted)
            bar.next_to(name, direction=np.array([0.0, -1.0, 0.0]), buff=0.06)
            bar.align_to(name, np.array([-1.0, 0.0, 0.0]))
            self.bars[row], self.numbers[row] = bar, VGroup()
            self.add(bar, self.numbers[row])

    def follow(self, units, vmax: float) -> None:
        """``units`` were just shown on the scale ±``vmax``: their row's number says so."""
        row = self.row_of.get(id(units))
        if row not in self.bars or self.shown.get(row) == vmax:
            return
        bar = self.bars[row]
        text = light(Text(scale_words(vmax), font="Sans", color=self.theme.muted))
        text.scale_to_fit_height(NUMBER_H)
        if text.width > bar.width:
            text.scale_to_fit_width(bar.width)
        text.next_to(bar, direction=np.array([0.0, -1.0, 0.0]), buff=0.05)
        self.numbers[row].submobjects = [text]
        self.shown[row] = vmax

"""The folded RNN as neurons: three rows, inputs at the bottom, outputs on top, and the hidden
row feeding itself through the recurrent (yellow) arrows."""

from __future__ import annotations

import numpy as np
from manim import Line, Text, VGroup

from scenes.components.blocks import RecurrentLoops
from scenes.components.layout import LAYERS, check_fits
from scenes.components.neurons import LayerRow, Neuron
from scenes.components.panels import light
from scenes.components.theme import Theme, get_theme

LABEL_HEIGHT = 0.26


class FoldedNetwork(VGroup):
    """One copy of the network with its recurrent connections drawn as loops.

    Parameters
    ----------
    D, H, K
        Input, hidden and output sizes (checked against the drawable limits).
    theme
        A Theme or a theme name.
    values
        Print each neuron's value inside it when it is filled.
    radius
        Neuron radius; rows are spaced from it.
    row_y
        y of the x, h and o rows.
    x
        x of the centre of the rows.

    Notes
    -----
    Submobjects are static first (lines, labels, loops) and neurons last, as in
    ``UnrolledNetwork``. ``column()`` lists the parts in the order of one column of an
    ``UnrolledNetwork``, so one can be transformed into the other.
    """

    def __init__(self, D: int, H: int, K: int, theme: Theme | str = "dark", values: bool = False,
                 radius: float = 0.32, row_y: tuple[float, float, float] = (-2.6, 0.0, 2.3),
                 x: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        check_fits(1, H, D, K)
        self.theme = get_theme(theme)
        self.radius = radius
        self.row_y = dict(zip(LAYERS, row_y))
        sizes = {"x": D, "h": H, "o": K}
        # hidden units further apart: the recurrent arcs need the room
        gaps = {"x": 2.8 * radius, "h": 4.6 * radius, "o": 2.8 * radius}
        self.points = {
            layer: [np.array([x + (i - (n - 1) / 2) * gaps[layer], self.row_y[layer], 0.0])
                    for i in range(n)]
            for layer, n in sizes.items()
        }
        self.rows: dict[str, LayerRow] = {}
        for layer in LAYERS:
            neurons = [Neuron(self.theme, radius, values).move_to(p) for p in self.points[layer]]
            self.rows[layer] = LayerRow(neurons, layer, 0)
        self.lines = {"U": self._lines("x", "h"), "V": self._lines("h", "o")}
        self.labels = {name: VGroup(self._label(name)) for name in ("U", "V", "W")}
        self.loops = RecurrentLoops(self.points["h"], radius, self.theme.recurrent)
        self.add(self.lines["U"], self.lines["V"], self.labels["U"], self.labels["V"],
                 self.labels["W"], self.loops, *self.rows.values())

    def _lines(self, src: str, dst: str) -> VGroup:
        group = VGroup(*[Line(a, b) for a in self.points[src] for b in self.points[dst]])
        return group.set_stroke(self.theme.connection, 1.2, opacity=0.8)

    def _label(self, name: str) -> Text:
        label = light(Text(name, font="Sans", weight="BOLD", color=self.theme.param_color(name)))
        label.scale_to_fit_height(LABEL_HEIGHT)
        if name == "W":  # right of the hidden row, beside its loops
            right = self.points["h"][-1] + np.array([self.radius + 0.45, 0.35, 0])
            return label.move_to(right)
        src, dst = ("x", "h") if name == "U" else ("h", "o")
        y = self.row_y[src] + 0.5 * (self.row_y[dst] - self.row_y[src])
        left = min(self.points[src][0][0], self.points[dst][0][0]) - self.radius - 0.35
        return label.move_to([left, y, 0])

    def neurons(self, layer: str) -> LayerRow:
        """The neurons of ``layer`` ("x", "h" or "o")."""
        return self.rows[layer]

    def column(self) -> VGroup:
        """U and V lines, their labels, then the x, h and o rows: one unrolled column's order."""
        return VGroup(self.lines["U"], self.lines["V"], self.labels["U"], self.labels["V"],
                      *self.rows.values())

"""A plot of log10 norms against a distance in time steps, for vanishing and exploding errors.

The plotted numbers are given already as log10 values (see ``rnn.studies.problems``); this component
only maps them to screen coordinates. Manim's numbered axes need LaTeX, so the tick labels
here are plain Text.
"""

from __future__ import annotations

import math

import numpy as np
from manim import Axes, Line, ManimColor, Text, VGroup, interpolate_color

from scenes.components.theme import Theme

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_label(k: int) -> str:
    """``10⁻³`` for k = -3: a tick of a log10 axis."""
    return "10" + str(k).translate(SUPERSCRIPT)


def log_range(*series: np.ndarray) -> tuple[int, int]:
    """Whole decades covering every finite value of the series (at least one decade)."""
    finite = np.concatenate([s[np.isfinite(s)] for s in series] or [np.zeros(0)])
    if finite.size == 0:
        return -1, 1
    lo, hi = math.floor(float(finite.min())), math.ceil(float(finite.max()))
    return lo, max(hi, lo + 1)


def norm_color(log_norm: float, lo: float, hi: float, theme: Theme) -> ManimColor:
    """Colour of a log10 norm on the plot's range: the theme's negative end low, positive high."""
    if not math.isfinite(log_norm):
        return ManimColor(theme.nan)
    x = 0.5 if hi <= lo else min(1.0, max(0.0, (log_norm - lo) / (hi - lo)))
    return interpolate_color(ManimColor(theme.negative), ManimColor(theme.positive), x)


class LogNormPlot(VGroup):
    """Axes for log10 norms (y, one tick per decade) against a step distance (x).

    Parameters
    ----------
    theme
        Colours.
    x_max
        Largest distance on the x axis.
    y_range
        (lo, hi) decades of the y axis, e.g. from ``log_range``.
    x_label, y_label
        What the axes show, in words.
    width, height
        Size of the axes in scene units.
    """

    def __init__(self, theme: Theme, x_max: int, y_range: tuple[int, int], x_label: str,
                 y_label: str, width: float = 8.0, height: float = 3.0, **kwargs):
        super().__init__(**kwargs)
        self.theme = theme
        lo, hi = y_range
        self.y_range = (lo, hi)
        self.axes = Axes(x_range=[0, max(x_max, 1), 1], y_range=[lo, hi, 1], x_length=width,
                         y_length=height, tips=False,
                         axis_config={"color": theme.muted, "stroke_width": 2})
        # Axes cross at y = 0 when the range holds it; the distance axis belongs at the bottom
        self.axes.x_axis.set_opacity(0.0)
        self.bottom = VGroup(Line(self.axes.c2p(0, lo), self.axes.c2p(max(x_max, 1), lo),
                                  color=theme.muted, stroke_width=2))
        ticks = VGroup()
        for x in range(0, max(x_max, 1) + 1):
            point = self.axes.c2p(x, lo)
            self.bottom.add(Line(point + [0, 0.08, 0], point - [0, 0.08, 0], color=theme.muted,
                                 stroke_width=2))
            label = Text(str(x), font="Sans", color=theme.muted).scale_to_fit_height(0.15)
            ticks.add(label.next_to(point, direction=[0, -1, 0], buff=0.12))
        for k in range(lo, hi + 1):
            label = Text(power_label(k), font="Sans", color=theme.muted).scale_to_fit_height(0.2)
            ticks.add(label.next_to(self.axes.c2p(0, k), direction=[-1, 0, 0], buff=0.12))
        self.x_label = Text(x_label, font="Sans", color=theme.text).scale_to_fit_height(0.2)
        self.x_label.next_to(ticks, direction=[0, -1, 0], buff=0.12)
        self.x_label.set_x(self.axes.get_center()[0])
        self.y_label = Text(y_label, font="Sans", color=theme.text).scale_to_fit_height(0.2)
        self.y_label.next_to(self.axes, direction=[0, 1, 0], buff=0.15)
        self.y_label.align_to(self.axes, direction=[-1, 0, 0])
        self.ticks = ticks
        self.curves: dict[str, VGroup] = {}
        self.add(self.axes, self.bottom, ticks, self.x_label, self.y_label)

    def curve(self, key: str, distance: np.ndarray, log_norm: np.ndarray, color,
              stroke_width: float = 3.0) -> VGroup:
        """A line through the finite points (distance, log_norm), with a dot at each.

        Returns the curve (not added to the plot: the caller animates it in). Non-finite
        values have no point; ``curve.plotted`` lists the (x, y) pairs that have one.
        """
        keep = np.isfinite(log_norm)
        xs, ys = [float(v) for v in distance[keep]], [float(v) for v in log_norm[keep]]
        graph = self.axes.plot_line_graph(
            xs, ys, line_color=color, add_vertex_dots=True, vertex_dot_radius=0.05,
            vertex_dot_style={"fill_color": color, "stroke_width": 0}, stroke_width=stroke_width)
        curve = VGroup(graph["line_graph"], graph["vertex_dots"])
        curve.line, curve.dots = graph["line_graph"], graph["vertex_dots"]
        curve.plotted = list(zip(xs, ys))
        self.curves[key] = curve
        return curve

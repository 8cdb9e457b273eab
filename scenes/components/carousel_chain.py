"""Long chains for the carousel scene: one dot per step, the error's way back coloured by its norm.

A chain of 50 or more steps has no room for numbers at every step: each backward segment is
coloured by the log10 norm it carries (given, from ``rnn.studies.carousel``), on the plots' range.
"""

from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, UP, Axes, Dot, Line, Text, VGroup

from scenes.components.panels import light
from scenes.components.plot import LogNormPlot, norm_color, power_label
from scenes.components.theme import Theme


class NormChain(VGroup):
    """T dots in a row; segment t runs from step t+1 back to step t, coloured by the log10
    norm of the error arriving at step t.

    Parameters
    ----------
    log_norm
        (T,) log10 norms indexed by t - 1 (-inf or nan: drawn in the theme's nan colour).
    lo, hi
        The decades the colour scale spans.
    title
        What the row is, written at its left.
    """

    def __init__(self, log_norm, theme: Theme, y: float, title: str, lo: float, hi: float,
                 left: float = -4.3, right: float = 6.3, line_color=None, **kwargs):
        super().__init__(**kwargs)
        T = len(log_norm)
        self.log_norm = tuple(float(v) for v in log_norm)
        step = (right - left) / max(T - 1, 1)
        self.xs = [left + k * step for k in range(T)]
        self.path = Line([left, y, 0], [right, y, 0], color=line_color or theme.connection,
                         stroke_width=2)
        self.dots = VGroup(*[Dot([x, y, 0], radius=0.035, color=theme.muted) for x in self.xs])
        self.title = light(Text(title, font="Sans", font_size=20, color=theme.text))
        self.title.move_to([-5.7, y, 0]).align_to([-6.8, 0, 0], direction=[-1, 0, 0])
        self.static = VGroup(self.path, self.dots, self.title)
        self.segments: dict[int, Line] = {}  # by the step t the error arrives at
        for t in range(T, 0, -1):
            color = norm_color(self.log_norm[t - 1], lo, hi, theme)
            if t == T:  # the error enters at the last step, from its own loss
                a, b = [self.xs[-1], y + 0.3, 0], [self.xs[-1], y, 0]
            else:
                a, b = [self.xs[t], y, 0], [self.xs[t - 1], y, 0]
            self.segments[t] = Line(a, b, color=color, stroke_width=6)
        self.add(self.static, *self.segments.values())

    def number_at(self, t: int, text: str, theme: Theme, below: bool = True) -> Text:
        """``text`` (a formatted value) next to step ``t``'s dot."""
        mob = light(Text(text, font="Monospace", color=theme.text)).scale_to_fit_height(0.14)
        dot = self.dots[t - 1].get_center()
        return mob.move_to(dot + np.array([0.0, -0.22 if below else 0.22, 0.0]))


class SparseLogPlot(VGroup):
    """``LogNormPlot`` for long distances: tick labels every ``every_x`` steps and every
    ``every_y`` decades, not at each (a Text per step would cost more than the whole chain).

    Same attributes as ``LogNormPlot`` (``axes``, ``y_range``, ``x_label``, ``y_label``,
    ``curves``) and the same ``curve()``.
    """

    curve = LogNormPlot.curve

    def __init__(self, theme: Theme, x_max: int, y_range: tuple[int, int], x_label: str,
                 y_label: str, every_x: int, every_y: int, width: float = 5.0,
                 height: float = 2.3, **kwargs):
        super().__init__(**kwargs)
        lo, hi = y_range
        self.y_range = (lo, hi)
        x_max = max(x_max, 1)
        self.axes = Axes(x_range=[0, x_max, every_x], y_range=[lo, hi, every_y],
                         x_length=width, y_length=height, tips=False,
                         axis_config={"color": theme.muted, "stroke_width": 2})
        # the axes cross at y = 0 when the range holds it; distances belong at the bottom
        self.axes.x_axis.set_opacity(0.0)
        self.bottom = VGroup(Line(self.axes.c2p(0, lo), self.axes.c2p(x_max, lo),
                                  color=theme.muted, stroke_width=2))
        self.ticks = VGroup()
        for x in range(0, x_max + 1, every_x):
            point = self.axes.c2p(x, lo)
            self.bottom.add(Line(point + UP * 0.08, point + DOWN * 0.08, color=theme.muted,
                                 stroke_width=2))
            label = light(Text(str(x), font="Sans", font_size=14, color=theme.muted))
            self.ticks.add(label.next_to(point, direction=DOWN, buff=0.12))
        for k in range(lo, hi + 1):
            if k % every_y == 0:
                label = light(Text(power_label(k), font="Sans", font_size=16,
                                   color=theme.muted))
                self.ticks.add(label.next_to(self.axes.c2p(0, k), direction=LEFT, buff=0.12))
        self.x_label = light(Text(x_label, font="Sans", font_size=16, color=theme.text))
        self.x_label.next_to(self.ticks[0], direction=DOWN, buff=0.1)
        self.x_label.set_x(self.axes.get_center()[0])
        self.y_label = light(Text(y_label, font="Sans", font_size=16, color=theme.text))
        self.y_label.next_to(self.axes, direction=UP, buff=0.15)
        self.y_label.align_to(self.axes, direction=LEFT)
        self.curves: dict[str, VGroup] = {}
        self.add(self.axes, self.bottom, self.ticks, self.x_label, self.y_label)


def decade_step(lo: int, hi: int, labels: int = 6) -> int:
    """A whole number of decades between y labels, so that about ``labels`` of them show."""
    return max(1, math.ceil((hi - lo) / labels))

"""Long chains for the carousel scene: one dot per step, the error's way back coloured by its norm.

A chain of 50 or more steps has no room for numbers at every step: each backward segment is
coloured by the log10 norm it carries (given, from ``rnn.carousel``), on the plots' range.
"""

from __future__ import annotations

import math

import numpy as np
from manim import Dot, Line, Text, VGroup

from scenes.components.panels import light
from scenes.components.plot import LogNormPlot, norm_color
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


def thin_tick_labels(plot: LogNormPlot, x_max: int, every_x: int, every_y: int) -> None:
    """Keep only the x labels at multiples of ``every_x`` and the y labels at multiples of
    ``every_y`` decades (LogNormPlot labels every step and every decade)."""
    labels = list(plot.ticks.submobjects)
    n_x = max(x_max, 1) + 1
    lo, _ = plot.y_range
    keep = [m for k, m in enumerate(labels[:n_x]) if k % every_x == 0]
    keep += [m for k, m in enumerate(labels[n_x:]) if (lo + k) % every_y == 0]
    plot.ticks.submobjects = keep


def decade_step(lo: int, hi: int, labels: int = 6) -> int:
    """A whole number of decades between y labels, so that about ``labels`` of them show."""
    return max(1, math.ceil((hi - lo) / labels))

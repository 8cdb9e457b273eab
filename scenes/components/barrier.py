"""A cut of truncated BPTT: a dashed wall between two time steps that errors cannot cross."""

from __future__ import annotations

from manim import DashedLine, Text, VGroup

from scenes.components.theme import Theme


class Barrier(VGroup):
    """A vertical dashed wall at ``x``, after time step ``after`` (1-based).

    Parameters
    ----------
    x
        Horizontal position in scene units, between the columns of steps ``after`` and
        ``after + 1``.
    after
        The last step before the cut.
    theme
        Colours to use.
    bottom, top
        Vertical extent of the wall.
    """

    def __init__(self, x: float, after: int, theme: Theme, bottom: float = -3.0,
                 top: float = 1.5, **kwargs):
        super().__init__(**kwargs)
        self.x, self.after = float(x), after
        self.wall = DashedLine([x, bottom, 0], [x, top, 0], dash_length=0.12,
                               color=theme.positive, stroke_width=4)
        self.label = Text("cut", font="Sans", color=theme.positive).scale_to_fit_height(0.16)
        self.label.next_to(self.wall, direction=[0, 1, 0], buff=0.08)
        self.add(self.wall, self.label)

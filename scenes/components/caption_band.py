"""Captions burned into the frame: a band at the bottom showing one cue at a time.

For slides and players that ignore side files. The band follows a plan of (offset, duration)
per cue, counted from when it was added, by its own clock (a ``dt`` updater), so it keeps time
through plays and waits alike.
"""

from __future__ import annotations

from manim import DOWN, Rectangle, Text, VGroup, config

from scenes.components.panels import light
from scenes.components.theme import Theme

BAND_HEIGHT = 0.95  # scene units: two lines of caption text with a margin
LINE_HEIGHT = 0.3  # height of one line of text


class CaptionBand(VGroup):
    """A translucent band at the bottom of the frame showing ``cues`` one after another.

    Parameters
    ----------
    cues
        Texts as shown (lines joined by newlines), in order.
    plan
        (offset, duration) in seconds of each cue, from when the band is first updated.
    theme
        Colours of the band and its text.
    """

    def __init__(self, cues: list[str], plan: list[tuple[float, float]], theme: Theme,
                 **kwargs):
        super().__init__(**kwargs)
        self.plan = plan
        self.clock = 0.0
        self.shown = -1
        self.bg = Rectangle(width=config.frame_width, height=BAND_HEIGHT, stroke_width=0,
                            fill_color=theme.background, fill_opacity=0.85)
        self.bg.to_edge(DOWN, buff=0)
        self.texts = [self._text(cue, theme).set_fill(opacity=0.0) for cue in cues]
        # Every cue stays a member for the band's whole life and only the shown one is
        # opaque: manim lists a play's moving mobjects once, family members included, at its
        # start, so a cue swapped out of the family would still be painted until the play ends.
        self.add(self.bg, *self.texts)
        self._show(0)
        self.add_updater(CaptionBand._tick)

    def _text(self, cue: str, theme: Theme) -> Text:
        text = light(Text(cue, font="Sans", color=theme.text, line_spacing=0.8))
        text.scale_to_fit_height(LINE_HEIGHT * (cue.count("\n") + 1))
        if text.width > 0.95 * config.frame_width:
            text.scale_to_fit_width(0.95 * config.frame_width)
        return text.move_to(self.bg)

    def cue_at(self, t: float) -> int:
        """Index of the cue on screen ``t`` seconds after the start (-1: none)."""
        for k, (start, duration) in enumerate(self.plan):
            if start <= t < start + duration:
                return k
        return -1

    def _show(self, k: int) -> None:
        if k == self.shown:
            return
        if self.shown >= 0:
            self.texts[self.shown].set_fill(opacity=0.0)
        if k >= 0:
            self.texts[k].set_fill(opacity=1.0)
        self.shown = k

    def _tick(self, dt: float) -> None:
        self.clock += dt
        self._show(self.cue_at(self.clock))

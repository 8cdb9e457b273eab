"""Columns of heat cells, one per unit, each filled with one Trace value's colour.

An outlined column of up to ``STRIP_UNITS`` units is a stack of rectangles, which can print
each value inside its cell; any other column is one image of one pixel per unit
(``HeatStrip``), so a long chain costs one picture a column instead of thousands of rectangles.
Both keep ``values`` (the Trace values last shown) and ``scale`` (the half-width of their
colour scale), so a picture can be checked against the Trace.
"""

from __future__ import annotations

import numpy as np
from manim import (
    Animation,
    Group,
    ManimColor,
    Mobject,
    Rectangle,
    ReplacementTransform,
    Text,
    Transform,
    VGroup,
)

from scenes.components.heatmap import heatmap_image
from scenes.components.panels import light
from scenes.components.theme import Theme, format_value

STRIP_UNITS = 32  # columns of more units are one image, outlined or not
NUMBER_FILL = (0.8, 0.7)  # share of a cell's width and height a printed number may take
MIN_NUMBER_HEIGHT = 0.06  # scene units: a number smaller than this is not printed


def number_height(width: float, height: float) -> float:
    """Height of a printed value fitted into a cell ``width`` x ``height`` (the widest one,
    ``-0.00``, sets it)."""
    probe = light(Text("-0.00", font="Monospace"))
    scale = min(NUMBER_FILL[0] * width / probe.width, NUMBER_FILL[1] * height / probe.height)
    return probe.height * scale


class FillCells(Animation):
    """Cells of one column blending from their fill colours into ``colors``, as one animation.

    One ``.animate.set_fill`` per cell costs a copy of the cell and a Transform each, hundreds
    a step along a wide heat chain; this blends the fill colours alone and ends on exactly
    what ``set_fill`` gives (the pictures and ``shown_colors`` are those of the per-cell form).
    """

    def __init__(self, column: VGroup, cells: list, colors: list, **kwargs):
        super().__init__(column, **kwargs)
        self.cells, self.colors = cells, colors
        self.start = self.end = None

    def create_starting_mobject(self) -> Mobject:
        return Mobject()  # nothing to copy: the start is the cells' fill colours

    def begin(self) -> None:
        self.start = np.array([sq.fill_rgbas[0] for sq in self.cells])
        self.end = np.array([[*ManimColor(c).to_rgb(), 1.0] for c in self.colors])
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        if a >= 1.0:
            for sq, color in zip(self.cells, self.colors):
                sq.set_fill(color, opacity=1.0)
            return
        mixed = self.start + (self.end - self.start) * a
        for sq, rgba in zip(self.cells, mixed):
            sq.fill_rgbas = rgba[None, :].copy()


class HeatCells(VGroup):
    """A column of rectangular cells, unit 0 on top, each filled with one value's colour.

    Parameters
    ----------
    n
        Units in the column.
    side
        Height of a cell (and its width unless ``width`` is given).
    theme
        Colours of the idle cells, their outlines and the numbers.
    outline
        Whether each cell has an outline.
    width
        Width of the column.
    numbers
        Whether each value shown is also printed inside its cell (``printed`` keeps the text).
    """

    def __init__(self, n: int, side: float, theme: Theme, outline: bool = True,
                 width: float | None = None, numbers: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.theme = theme
        self.values: np.ndarray | None = None
        self.scale: float | None = None
        self.cell_w, self.cell_h = width or side, side
        for i in range(n):  # squares, or rows of a strip ``width`` wide
            sq = Rectangle(width=self.cell_w, height=side, stroke_color=theme.muted,
                           stroke_width=1.0 if outline else 0.0, fill_color=theme.background,
                           fill_opacity=1.0)
            self.add(sq.move_to([0.0, -i * side, 0.0]))
        self.cells = list(self.submobjects)
        self.numbers: list[Text] = []
        if numbers:  # invisible placeholders: showing a number is then a plain replacement
            blank = self._number(self.cells[0], "+0.00", theme.text).set_opacity(0.0)
            self.numbers = [blank.copy().move_to(sq) for sq in self.cells]
            self.add(*self.numbers)

    def _number(self, cell: Rectangle, s: str, color) -> Text:
        text = light(Text(s, font="Monospace", color=color))
        text.scale_to_fit_width(NUMBER_FILL[0] * self.cell_w)
        if text.height > NUMBER_FILL[1] * self.cell_h:
            text.scale_to_fit_height(NUMBER_FILL[1] * self.cell_h)
        return text.move_to(cell)

    def _colors(self, values, vmax: float) -> list:
        self.values = np.array(values, dtype=np.float64)
        self.scale = float(vmax)
        return [self.theme.value_color(v, vmax) for v in self.values]

    def _numbers(self, colors: list) -> list[Text]:
        return [self._number(sq, format_value(v), self.theme.readable_on(color))
                for sq, v, color in zip(self.cells, self.values, colors)]

    def show(self, values, vmax: float) -> HeatCells:
        """Colour the cells with ``values`` at once (and print them)."""
        colors = self._colors(values, vmax)
        for sq, color in zip(self.cells, colors):
            sq.set_fill(color, opacity=1.0)
        if self.numbers:
            for old, new in zip(self.numbers, self._numbers(colors)):
                old.become(new)
                old.text = new.text
        return self

    def show_animations(self, values, vmax: float) -> list:
        """The cells blending into their values' colours (one animation), and their numbers."""
        colors = self._colors(values, vmax)
        anims = [FillCells(self, self.cells, colors)]
        if self.numbers:
            new = self._numbers(colors)
            # Replacement, not Transform: the Text on screen is then the one that says v
            anims += [ReplacementTransform(a, b) for a, b in zip(self.numbers, new)]
            self.numbers = new
        return anims

    @property
    def printed(self) -> list[str] | None:
        """The numbers printed inside the cells (None when the column prints none)."""
        if not self.numbers or self.values is None:
            return None
        return [t.text for t in self.numbers]

    @property
    def shown_colors(self) -> list:
        return [sq.get_fill_color() for sq in self.cells]


def _hex_pixels(colors: list) -> np.ndarray:
    """(n, 1, 4) RGBA of ``colors`` as their hex codes say, unit 0 on top."""
    rgb = [[int(c.to_hex()[i:i + 2], 16) for i in (1, 3, 5)] for c in colors]
    pixels = np.empty((len(colors), 1, 4), dtype=np.uint8)
    pixels[..., :3] = np.array(rgb, dtype=np.uint8).reshape(-1, 1, 3)
    pixels[..., 3] = 255
    return pixels


class HeatStrip(Group):
    """A column of many units as one image, one pixel per unit, unit 0 on top.

    It answers like ``HeatCells`` (``show``, ``show_animations``, ``values``, ``scale``,
    ``shown_colors``), in the same colours (the theme's diverging scale).
    """

    def __init__(self, n: int, side: float, theme: Theme, width: float | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.theme, self.n = theme, n
        self.values: np.ndarray | None = None
        self.scale: float | None = None
        self.printed = None
        idle = _hex_pixels([ManimColor(theme.background)] * n)
        self.image = heatmap_image(idle, width or side, n * side)
        self.add(self.image)

    def _pixels(self, values, vmax: float) -> np.ndarray:
        self.values = np.array(values, dtype=np.float64)
        self.scale = float(vmax)
        return _hex_pixels([self.theme.value_color(v, vmax) for v in self.values])

    def show(self, values, vmax: float) -> HeatStrip:
        """Colour the cells with ``values`` at once."""
        self.image.pixel_array = self._pixels(values, vmax)
        return self

    def show_animations(self, values, vmax: float) -> list:
        """One animation blending the strip into the colours of ``values``."""
        target = self.image.copy()
        target.pixel_array = self._pixels(values, vmax)
        return [Transform(self.image, target)]

    @property
    def shown_colors(self) -> list:
        pixels = np.asarray(self.image.pixel_array)[:, 0, :3]
        return [ManimColor("#{:02X}{:02X}{:02X}".format(*px)) for px in pixels]


def heat_column(n: int, side: float, theme: Theme, outline: bool, width: float | None = None,
                numbers: bool = False) -> HeatCells | HeatStrip:
    """A column of ``n`` units: outlined rectangles (which can print their values) up to
    ``STRIP_UNITS``; otherwise one image.

    A column without outlines or numbers looks the same either way, and as one image it costs
    one picture a frame instead of a rectangle per unit: a 32-step LSTM of 32 units is about
    200 pictures a frame instead of 7000 rectangles.
    """
    if n > STRIP_UNITS or not (outline or numbers):
        return HeatStrip(n, side, theme, width=width)
    return HeatCells(n, side, theme, outline=outline, width=width, numbers=numbers)

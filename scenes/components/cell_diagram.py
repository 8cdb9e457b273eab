"""One step of a gated cell drawn in colah's layout, and columns of Trace values beside it.

The state that runs straight through the cell (a cell state, or h itself) is the line
along the top; the gates are boxes below it (sigma or tanh), fed by h(t-1) and x(t) along the
bottom; multiply and add nodes sit where the gates act on the top line. Nothing here knows a
value or a cell: the scene that draws one cell gives its layout, and places ``ValueColumn`` s
of Trace vectors at the diagram's anchors.
"""

from __future__ import annotations

import numpy as np
from manim import Circle, Line, RoundedRectangle, Text, VGroup, VMobject

from scenes.components.panels import light
from scenes.components.theme import Theme, format_value

TOP_Y, MID_Y, GATE_Y, BUS_Y = 2.0, 0.7, -0.6, -2.3  # rows of the diagram
LEFT_X, RIGHT_X = -4.6, 3.6  # where the lines enter and leave the cell
BOX_W, BOX_H, NODE_R = 0.8, 0.6, 0.22
IN_X, OUT_X, ERR_IN_X, ERR_OUT_X = -5.3, 4.3, -6.25, 5.25  # value columns outside the cell
MAX_UNITS = 6  # columns of more units would not fit between the rows


def _p(x: float, y: float) -> np.ndarray:
    return np.array([x, y, 0.0])


class ValueColumn(VGroup):
    """One vector of the Trace as a column of coloured cells, each with its value printed.

    ``values`` keeps the numbers drawn, ``strings`` the text printed in each cell, and
    ``cells`` / ``texts`` the cells and their printed numbers, in unit order, so a test can
    hold the picture against the Trace.
    """

    def __init__(self, values, vmax: float, theme: Theme, cell_w: float = 0.62,
                 cell_h: float = 0.26, **kwargs):
        super().__init__(**kwargs)
        self.values = tuple(float(v) for v in values)
        self.vmax = float(vmax)
        self.strings = tuple(format_value(v) for v in self.values)
        self.cells, self.texts = VGroup(), VGroup()
        # One Text for the whole column, cut into its numbers: building a Text costs far
        # more than anything else here, and its glyphs come one per visible character.
        glyphs = light(Text(" ".join(self.strings), font="Monospace", color=theme.text))
        glyphs.scale_to_fit_height(0.45 * cell_h)
        start = 0
        for k, (v, string) in enumerate(zip(self.values, self.strings)):
            fill = theme.value_color(v, vmax)
            cell = RoundedRectangle(corner_radius=0.03, width=cell_w, height=cell_h,
                                    stroke_color=theme.muted, stroke_width=1)
            cell.set_fill(fill, opacity=1.0).move_to(_p(0, -k * cell_h))
            number = VGroup(*glyphs.submobjects[start:start + len(string)])
            start += len(string)
            number.set_color(theme.readable_on(fill)).move_to(cell)
            self.cells.add(cell)
            self.texts.add(number)
        self.add(self.cells, self.texts)


class GateBox(VGroup):
    """A gate: a box with its activation (σ or tanh) and its name beside it."""

    def __init__(self, name: str, symbol: str, theme: Theme, **kwargs):
        super().__init__(**kwargs)
        self.name = name
        self.rect = RoundedRectangle(corner_radius=0.08, width=BOX_W, height=BOX_H,
                                     stroke_color=theme.text, stroke_width=2)
        self.rect.set_fill(theme.background, opacity=1.0)
        self.symbol = light(Text(symbol, font="Sans", color=theme.text))
        self.symbol.scale_to_fit_height(0.26 if symbol == "σ" else 0.2)
        self.label = light(Text(name, font="Sans", color=theme.recurrent, slant="ITALIC"))
        self.label.scale_to_fit_height(0.22).next_to(self.rect, direction=[-1, 1, 0], buff=0.0)
        self.label.shift(_p(0.02, -0.05))
        self.add(self.rect, self.symbol, self.label)


class OpNode(VGroup):
    """A pointwise operation on the lines: ×, +, 1− or tanh, in a small circle."""

    def __init__(self, symbol: str, theme: Theme, **kwargs):
        super().__init__(**kwargs)
        radius = NODE_R * (1.3 if symbol == "tanh" else 1.0)
        self.circle = Circle(radius=radius, stroke_color=theme.text, stroke_width=2)
        self.circle.set_fill(theme.background, opacity=1.0)
        self.symbol = light(Text(symbol, font="Sans", color=theme.text))
        self.symbol.scale_to_fit_height(0.13 if symbol == "tanh" else 0.2)
        self.add(self.circle, self.symbol)


class CellDiagram(VGroup):
    """The static drawing of one step of a gated cell, with named boxes, nodes and anchors.

    Parameters
    ----------
    layout
        The cell's drawing, given by the scene that draws that cell: boxes (name: (x,
        activation symbol), all on ``GATE_Y``), nodes, wires, error paths (each from where the
        error is to where it goes), and the x where x(t) enters.
    theme
        Colours.
    units
        H, the length of the value columns the scene will place (sets their cell height).
    """

    def __init__(self, layout: tuple, theme: Theme, units: int, **kwargs):
        super().__init__(**kwargs)
        self.theme = theme
        boxes, nodes, wires, self.back, self.input_x = layout
        self.cell_h = min(0.26, 1.15 / max(units, 1))
        self.wires = VGroup()
        for points in wires:
            wire = VMobject(stroke_color=theme.connection, stroke_width=3)
            wire.set_points_as_corners([_p(x, y) for x, y in points])
            self.wires.add(wire)
        top = self.wires[0].set_stroke(color=theme.recurrent, width=5)  # the carousel line
        self.top_line = top
        self.risers = VGroup(*[
            Line(_p(x - 0.25, BUS_Y), _p(x - 0.25, GATE_Y - BOX_H / 2),
                 stroke_color=theme.connection, stroke_width=2) for x, _ in boxes.values()])
        self.boxes = {name: GateBox(name, symbol, theme).move_to(_p(x, GATE_Y))
                      for name, (x, symbol) in boxes.items()}
        self.nodes = {name: OpNode(symbol, theme).move_to(_p(x, y))
                      for name, (x, y, symbol) in nodes.items()}
        self.add(self.wires, self.risers, *self.boxes.values(), *self.nodes.values())

    # Where the scene puts things ---------------------------------------------------------
    def gate_column_top(self, name: str) -> np.ndarray:
        """Top centre of gate ``name``'s value column: under its box, right of its feed."""
        x = self.boxes[name].rect.get_center()[0]
        return _p(x + 0.2, GATE_Y - BOX_H / 2 - 0.1)

    def place(self, column: ValueColumn, where: str, error: bool = False) -> ValueColumn:
        """Put ``column`` at ``where``: a gate's name, or "prev"/"next" on the top or bottom line
        ("prev_top", "next_top", "prev_bus", "next_bus"); ``error`` puts it further out."""
        if where in self.boxes:
            return column.next_to(self.gate_column_top(where), direction=[0, -1, 0], buff=0.0)
        side, line = where.split("_")
        x = (ERR_IN_X if error else IN_X) if side == "prev" else (ERR_OUT_X if error else OUT_X)
        return column.move_to(_p(x, TOP_Y if line == "top" else BUS_Y))

    def label(self, text: str, column: ValueColumn, color=None) -> Text:
        """A small label over ``column`` (e.g. ``cell(t−1)``)."""
        mob = light(Text(text, font="Sans", color=color or self.theme.text))
        mob.scale_to_fit_height(0.17)
        if mob.width > 1.0:
            mob.scale_to_fit_width(1.0)
        return mob.next_to(column, direction=[0, 1, 0], buff=0.1)

    def input_point(self) -> np.ndarray:
        """Where x(t) enters, at the bottom."""
        return _p(self.input_x, -3.35)

    def back_path(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Start and end of the error path ``name`` (the layout's error paths)."""
        start, end = self.back[name]
        return _p(*start), _p(*end)

"""The unfolded chain drawn as heat columns: per step a box of gate cells, the state columns,
the output column, and the paths between steps (a second state's path above the hidden one),
with a dashed line for each state a gate reads besides x(t) and h(t-1) (a peephole).

The drawing of layers with gates (``beats.stage.build_stage`` chooses it); its rows come from
the states and gates the cell declares, never from its name.

Every unit is one small heat cell coloured on the theme's diverging scale from a value of the
``Trace`` (``heat_cells``); nothing here computes network maths. Error arrows
(``arrows.PathsErrorFlow``) take their widths from the recorded error-by-source norms, one
colour per loss term. Up to ``FRAME_STEPS`` steps share the still frame; a longer chain keeps
their column width (wider when values are printed) and runs off the frame, for a camera to
travel along (``Columns.long``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import Arrow, DashedLine, Group, Indicate, Line, Text, VGroup, config

from rnn.errors import UnrolledError
from scenes.components.arrows import PathsErrorFlow
from scenes.components.row_scales import RowScales
from scenes.components.chain_camera import OVERVIEW_MARGIN, follow_center
from scenes.components.heat_cells import (
    MIN_NUMBER_HEIGHT,
    HeatCells,
    HeatStrip,
    heat_column,
    number_height,
)
from scenes.components.limits import (
    MAX_HEAT_CHAIN_CLASSES,
    MAX_HEAT_CHAIN_STEPS,
    MAX_HEAT_CHAIN_UNITS,
)
from scenes.components.network import shown_char, step_characters
from scenes.components.panels import light
from scenes.components.step_frames import heat_frames
from scenes.components.theme import Theme

MAX_STEPS = MAX_HEAT_CHAIN_STEPS  # a camera follows a chain longer than the frame
MAX_UNITS = MAX_HEAT_CHAIN_UNITS  # hidden units per column; beyond CELL_UNITS a plain strip
CELL_UNITS = 6  # hidden units drawn as outlined cells (which can print their values)
MAX_CLASSES = MAX_HEAT_CHAIN_CLASSES  # output units (vocabulary) stacked in one column
OUTLINED_CLASSES = 16  # up to this many output cells have an outline; more make a plain strip
LEFT, WIDTH = -6.7, 13.4  # the chain's share of the 16:9 frame
FRAME_STEPS = 12  # columns sharing the still frame; a longer chain keeps their width
SQUARE = 0.28  # largest side of a square cell
VALUE_W = 0.5  # width of a column of cells printing their values: a number reads at 1080p

# y of the rows by the number of states; a second state's row (an LSTM's cell state) sits
# above the gates, the hidden row below them
ROWS = {
    2: {"loss": 2.3, "yhat": 1.75, "second": 0.4, "gates": -0.75, "h": -1.9, "x": -3.45},
    1: {"loss": 2.3, "yhat": 1.6, "gates": 0.1, "h": -1.35, "x": -3.45},
}
CELL_LANES = (0.92, 1.08)  # y range of the second state's error lanes, below the outputs
# and below the loss terms' names, which the outputs' bottom (1.4 and lower) leaves room for
TERM_LABEL_H = 0.16  # L(s) under the outputs, where its arrow down starts
H_LANES = (-2.5, -3.1)  # y range of the hidden error lanes, above the inputs


def rows_for(states: tuple[str, ...]) -> dict[str, float]:
    """y of each row for a cell carrying ``states`` (h first, at most one more)."""
    if len(states) not in ROWS:
        raise UnrolledError(f"the heat chain draws one or two states, the cell carries "
                            f"{len(states)}: {', '.join(states)}")
    rows = dict(ROWS[len(states)])
    if len(states) == 2:
        rows[states[1]] = rows.pop("second")
    return rows


def check_heat_chain(T: int, H: int, K: int) -> None:
    """Raise UnrolledError naming the limit when the chain cannot be drawn as heat columns."""
    scenes = "the unfolded scenes draw as heat columns at most"
    if T > MAX_STEPS:
        raise UnrolledError(f"{scenes} {MAX_STEPS} time steps, the trace has {T} "
                            "(a shorter --text)")
    if H > MAX_UNITS:
        raise UnrolledError(f"{scenes} {MAX_UNITS} hidden units, the trace has {H}")
    if K > MAX_CLASSES:
        raise UnrolledError(f"{scenes} {MAX_CLASSES} output units, the trace has {K} "
                            "(a text with fewer distinct characters)")
    if min(T, H, K) < 1:
        raise UnrolledError("the trace is empty: nothing to draw")


@dataclass(frozen=True)
class Columns:
    """The chain's steps along x, as the camera reads them (``chain_camera.follow_center``)."""

    T: int
    col_w: float  # width of one step's column
    left: float = LEFT
    width: float = WIDTH  # the still frame's share

    @property
    def chain_width(self) -> float:
        """Width of all T columns, from the left edge of step 1."""
        return self.col_w * self.T

    @property
    def long(self) -> bool:
        """Whether the chain is longer than the frame (a camera has to follow it)."""
        return self.chain_width > self.width + 1e-9

    def column_x(self, t: int) -> float:
        """x of the middle of step t's column (t = 0: the slot left of step 1)."""
        return self.left + (t - 0.5) * self.col_w


def columns_for(T: int, gates: int, values: bool) -> Columns:
    """The columns of T steps: sharing the frame up to ``FRAME_STEPS`` (or, printing values,
    as many as fit ``VALUE_W`` wide gate columns), a fixed width beyond."""
    least = WIDTH / FRAME_STEPS
    if values:  # the gate box takes half a column
        least = max(least, 2 * gates * VALUE_W)
    return Columns(T, max(WIDTH / T, least))


class GateBox(Group):
    """The gates of one step: one column of heat cells per gate, side by side, named below."""

    def __init__(self, names: tuple[str, ...], H: int, side: float, theme: Theme,
                 letters: bool = True, width: float | None = None, numbers: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        self.names = names
        self.columns: dict[str, HeatCells | HeatStrip] = {}
        for k, name in enumerate(names):
            width = width or side
            col = heat_column(H, side, theme, outline=H <= CELL_UNITS, width=width,
                              numbers=numbers)
            col.shift([k * width, 0.0, 0.0])
            self.columns[name] = col
            self.add(col)
        self.columns_width = len(names) * (width or side)
        self.letters = VGroup()
        if letters:
            for name, col in self.columns.items():
                letter = light(Text(name, font="Sans", color=theme.muted))
                letter.scale_to_fit_height(min(0.12, 0.7 * (width or side)))
                self.letters.add(letter.next_to(col, direction=[0, -1, 0], buff=0.04))
            self.add(self.letters)


class HeatChain(Group):
    """The drawing of a Trace's T steps as heat columns: gates, states, outputs and the paths
    between.

    Parameters
    ----------
    trace
        The ``rnn.trace.Trace`` of a cell (its sizes, states, gates and characters; values
        are shown later).
    theme
        Colours of the idle drawing.
    values
        Whether outlined cells (at most ``CELL_UNITS`` units) print the values they show, and
        the outputs too where a number fits their cells.
    """

    def __init__(self, trace, theme: Theme, values: bool = False, **kwargs):
        super().__init__(**kwargs)
        T, H = trace.h.shape
        K = trace.yhat.shape[1]
        check_heat_chain(T, H, K)
        self.T, self.H, self.K, self.kind = T, H, K, trace.kind
        self.theme = theme
        self.rows = rows_for(trace.spec.states)  # rows by the states the cell carries
        G = max(len(trace.gate_names), 1)  # a layer without gates: a column's width for h
        self.values = values and H <= CELL_UNITS  # numbers only in outlined cells
        self.columns = columns_for(T, G, self.values)
        self.col_w = self.columns.col_w
        self.term_label_height = TERM_LABEL_H
        widest = VALUE_W if self.values else SQUARE
        self.side_w = min(widest, 0.5 * self.col_w / G)  # width of a column of units
        self.side = min(self.side_w, SQUARE, 0.9 / H)  # height of one unit (columns fit 0.9)
        self.out_side = min(self.side, 0.7 / K)
        out_numbers = (self.values and K <= OUTLINED_CLASSES
                       and number_height(self.side_w, self.out_side) >= MIN_NUMBER_HEIGHT)
        self.gates: dict[int, GateBox] = {}
        # (state | "yhat", t) -> its column
        self.state: dict[tuple[str, int], HeatCells | HeatStrip] = {}
        layers = tuple(reversed(trace.spec.states))  # a second state's row above h's
        self.second = trace.spec.states[1] if len(trace.spec.states) > 1 else None
        chars = step_characters(trace)
        self.x_labels: dict[int, Text] = {}
        self.paths = VGroup()  # forward paths and connectors, drawn once
        # (gate, state read, t) -> the line from that state into the gate (``Cell.gate_reads``)
        self.reads: dict[tuple[str, str, int], DashedLine] = {}
        for t in range(1, T + 1):
            if trace.gate_names:
                box = GateBox(trace.gate_names, H, self.side, theme, letters=self.col_w > 0.9,
                              width=self.side_w, numbers=self.values)
                self.gates[t] = box.move_to(self._box_center(t, "gates"))
            for layer in layers:
                cells = heat_column(H, self.side, theme, outline=H <= CELL_UNITS,
                                    width=self.side_w, numbers=self.values)
                self.state[layer, t] = cells.move_to(self._box_center(t, layer))
            out = heat_column(K, self.out_side, theme, outline=K <= OUTLINED_CLASSES,
                              width=self.side_w, numbers=out_numbers)
            out.move_to(self._box_center(t, "yhat"))
            self.state["yhat", t] = out
            text = f"x={shown_char(chars[0][t - 1])}" if chars else f"x({t})"
            label = light(Text(text, font="Monospace", font_size=20, color=theme.text))
            if label.width > 0.8 * self.col_w:
                label.scale_to_fit_width(0.8 * self.col_w)
            self.x_labels[t] = label.move_to([self.center_x(t), self.rows["x"], 0.0])
            self._connect(t, layers)
            self._connect_reads(t, trace.spec.gate_reads)
        self.row_labels = self._row_labels(layers)
        self.scales = RowScales(self, theme)  # each row's colour scale, under its name
        self.add(self.paths, *self.gates.values(), *self.state.values(),
                 *self.x_labels.values(), self.row_labels, self.scales)

    def _row_labels(self, layers: tuple[str, ...]) -> VGroup:
        """Names of the rows left of step 1, where a short chain leaves room for them."""
        labels = VGroup()
        room = self._feed(1).get_left()[0] - LEFT
        if room < 0.45:
            return labels
        names = {"yhat": "ŷ(t)", **({"gates": "gates"} if self.gates else {}),
                 **{layer: f"{layer}(t)" for layer in layers}}
        for row, name in names.items():
            label = light(Text(name, font="Sans", font_size=16, color=self.theme.muted))
            if label.width > room - 0.1:
                label.scale_to_fit_width(room - 0.1)
            # under the path that enters from the left (the line into the gates rises above
            # it), or beside the box
            y = self.rows[row] - (0.17 if row in layers else 0.0)
            labels.add(label.move_to([LEFT + room / 2 - 0.05, y, 0.0]))
        return labels

    # Geometry -------------------------------------------------------------------------------
    @property
    def long(self) -> bool:
        """Whether the chain is longer than the frame (a camera has to follow it)."""
        return self.columns.long

    def column_x(self, t: int) -> float:
        """x of the middle of step t's column (t = 0: the slot left of step 1)."""
        return self.columns.column_x(t)

    def center_x(self, t: int) -> float:
        """x of the gate box, state and output columns: left of the middle, so the right part
        of the column is free for the vertical connectors and arrows."""
        return self.column_x(t) - 0.15 * self.col_w

    def _box_center(self, t: int, row: str) -> list[float]:
        return [self.center_x(t), self.rows[row], 0.0]

    def side_x(self, t: int, k: int) -> float:
        """x of the k-th vertical line right of step t's boxes (0 nearest)."""
        gap = min(0.09 * self.col_w, 0.14)
        width = self.gates[t].columns_width if self.gates else self.side_w
        return self.center_x(t) + width / 2 + 0.08 + k * gap

    def _feed(self, t: int) -> Group:
        """What x(t) and h(t-1) feed at step t: its gates, or h(t) in a layer without."""
        return self.gates[t] if self.gates else self.state["h", t]

    def cells(self, layer: str, t: int) -> HeatCells | HeatStrip:
        """The heat cells of ``layer`` (a state, or "yhat"; "o" names it too) at step t."""
        layer = "yhat" if layer == "o" else layer
        return self.state[layer, t]

    def gate_cells(self, name: str, t: int) -> HeatCells | HeatStrip:
        return self.gates[t].columns[name]

    # What the beats ask of a drawing of the chain (``network.UnrolledNetwork`` answers too) --
    def overview(self) -> tuple[np.ndarray, float]:
        """Centre and width of the frame showing the whole chain.

        The frame stays centred on y = 0, so every row keeps its side of the top band: shrunk
        towards the middle of the screen, the chain never reaches the text above it.
        """
        cols = self.columns
        width = max(config.frame_width, cols.chain_width + 2 * OVERVIEW_MARGIN)
        return np.array([cols.left + cols.chain_width / 2, 0.0, 0.0]), width

    def step_center(self, t: int) -> np.ndarray:
        """Centre of the frame showing step t."""
        return follow_center(self.columns, t)

    def world(self) -> list:
        """What of the drawing a travelling camera carries (the beats add the arrows)."""
        return [self]

    def input_animations(self, values: np.ndarray, t: int, flash: bool = True) -> list:
        """x(t) entering: its label flashes (the input is a character, not a column), unless
        the steps run together (not ``flash``)."""
        return [Indicate(self.x_labels[t])] if flash else []

    def show_input(self, values: np.ndarray, t: int) -> None:
        """Nothing to fill: the input is a label."""

    def link_animations(self, src: str, dst: str, on: bool, t: int | None = None) -> list:
        """Nothing: the heat chain draws paths, not one connection per parameter."""
        return []

    def loss_place(self, t: int) -> tuple[list[float], float]:
        """Where L(t)'s label goes, and its height."""
        return [self.center_x(t), self.rows["loss"], 0], 0.18

    def contribution_frames(self, t: int) -> VGroup:
        """Frames around what step t's gradient contributions are made of."""
        return heat_frames(self, t)

    def error_flow(self, norms: dict[str, np.ndarray], colors) -> PathsErrorFlow:
        """The arrows of the errors by source, one path per state."""
        return PathsErrorFlow(self, norms, colors)

    def lane_y(self, path: str, s: int) -> float:
        """y of loss term L(s)'s error lane along ``path`` (h or the second state)."""
        near, far = H_LANES if path == "h" else CELL_LANES
        step = (far - near) / max(self.T - 1, 1)
        return near + (s - 1) * step

    # Forward paths ----------------------------------------------------------------------------
    def _connect(self, t: int, layers: tuple[str, ...]) -> None:
        th = self.theme
        box = self._feed(t)
        for layer in layers:  # the path from step t-1 (or the initial state) to step t
            cells = self.state[layer, t]
            start = [max(self.center_x(t) - self.col_w + self.side_w, LEFT - 0.2),
                     self.rows[layer], 0.0]
            width = 1.8 if layer == "h" else 3.0
            self.paths.add(Arrow(start, cells.get_left(), buff=0.03, color=th.recurrent,
                                 stroke_width=width, tip_length=0.1,
                                 max_tip_length_to_length_ratio=0.3))
        label = self.x_labels[t]
        x_in = self.center_x(t) - 0.3 * box.width
        # x(t) and h(t-1) into the gates
        self.paths.add(Line([x_in, label.get_top()[1] + 0.05, 0], [x_in, box.get_bottom()[1], 0],
                            color=th.connection, stroke_width=1.2))
        h = self.state["h", t]
        if box is not h:  # h(t-1) into the gates (without, its arrow goes into h(t))
            h_prev = [max(self.center_x(t) - 0.55 * self.col_w, LEFT), self.rows["h"], 0.0]
            self.paths.add(Line(h_prev, [x_in, box.get_bottom()[1], 0], color=th.connection,
                                stroke_width=1.2))
        if self.second is not None:  # gates into the second state, out of it to h(t)
            cell = self.state[self.second, t]
            self.paths.add(Line(box.get_top(), cell.get_bottom(), color=th.connection,
                                stroke_width=1.2))
            x_out = self.side_x(t, 2)
            self.paths.add(Line(cell.get_right(), [x_out, self.rows[self.second], 0],
                                color=th.connection, stroke_width=1.2),
                           Line([x_out, self.rows[self.second], 0], [x_out, self.rows["h"], 0],
                                color=th.connection, stroke_width=1.2),
                           Line([x_out, self.rows["h"], 0], h.get_right(),
                                color=th.connection, stroke_width=1.2))
        elif box is not h:  # the gates give h(t) directly
            self.paths.add(Line(box.get_bottom() + [0.3 * box.width, 0, 0], h.get_top(),
                                color=th.connection, stroke_width=1.2))
        out = self.state["yhat", t]
        x_up = self.side_x(t, 0)
        self.paths.add(Line(h.get_right(), [x_up, self.rows["h"], 0], color=th.connection,
                            stroke_width=1.2),
                       Line([x_up, self.rows["h"], 0], [x_up, self.rows["yhat"], 0],
                            color=th.connection, stroke_width=1.2),
                       Line([x_up, self.rows["yhat"], 0], out.get_right(), color=th.connection,
                            stroke_width=1.2))

    def _connect_reads(self, t: int, reads) -> None:
        """The states each gate reads beside x(t) and h(t-1) (a peephole), dashed: a state of
        step t-1 is tapped on its path into step t, left of its column, one of step t on the
        path out of it, right of the column; the line ends on the gate's column."""
        for gate, seen in reads.items():
            column = self.gate_cells(gate, t)
            for ref in seen:
                state, before = ref.removesuffix("@p"), ref.endswith("@p")
                cells, y = self.state[state, t], self.rows[state]
                x, left, right = (column.get_x(), cells.get_left()[0] - 0.04,
                                  cells.get_right()[0] + 0.04)
                x = min(x, left) if before else max(x, right)
                end = column.get_top() if y > column.get_center()[1] else column.get_bottom()
                line = DashedLine([x, y, 0.0], end, dash_length=0.05, color=self.theme.recurrent,
                                  stroke_width=1.2)
                self.reads[gate, ref, t] = line
                self.paths.add(line)

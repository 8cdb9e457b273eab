"""The unfolded chain of a network of any shape: one row of heat columns per (layer, direction).

Stacked layers are rows, the bottom layer lowest; a bidirectional layer is two rows, the
forward direction above the backward one, whose recurrent arrows point the other way: the
backward direction's own step t sits at the sequence's position T+1-t. The output row reads
the top layer (both directions); one label per sequence is one output column at the end,
reading the forward direction's last step and the backward direction's (at position 1).

Each row answers the beats as a ``HeatChain`` does (``RowView.cells``, ``gate_cells`` by its
own step), so the same unit helpers of ``beats.stage`` fill it from that row's ``Trace``;
the chain answers the camera (``overview``, ``step_center``, ``long``). Nothing here computes
network maths: values are filled later, error arrows take their widths from the recorded
error-by-source norms (``NetworkTrace.error_by_source_norms``).
"""

from __future__ import annotations

import math

import numpy as np
from manim import ArcBetweenPoints, Arrow, DashedVMobject, Group, Line, Text, VGroup, VMobject

from rnn.network import DIRECTION_NAMES
from scenes.components.arrows import ErrorArrow, norm_scale
from scenes.components.heat_cells import HeatCells, HeatStrip, heat_column
from scenes.components.heat_chain import (
    CELL_UNITS,
    OUTLINED_CLASSES,
    HeatChain,
    SQUARE,
    VALUE_W,
    check_heat_chain,
    columns_for,
)
from scenes.components.network import shown_char
from scenes.components.panels import light
from scenes.components.theme import Theme

ROWS_TOP, ROWS_BOTTOM = 1.25, -3.0  # y range shared by the rows of (layer, direction)
YHAT_Y, LOSS_Y, X_Y = 1.8, 2.3, -3.45
FILL = 0.62  # share of a row's height its units fill; the rest is room for the arrows


def network_chars(trace) -> list[str] | None:
    """The input character of every position (sequence order), when the trace knows them."""
    if trace.vocabulary is None:
        return None
    first = trace.layer(0, 0)  # reads the inputs in sequence order
    return [trace.vocabulary.chars[int(i)] for i in first.input_ids()]


def slot_name(l: int, d: int, bidirectional: bool) -> str:
    """A row's name as the captions say it: "layer 2", "layer 1 backward"."""
    return f"layer {l + 1}" + (f" {DIRECTION_NAMES[d]}" if bidirectional else "")


class RowView:
    """One (layer, direction) row, answering by that direction's own step t."""

    def __init__(self, chain: NetworkChain, slot: tuple[int, int]):
        self.chain, self.slot = chain, slot

    def column(self, t: int) -> int:
        """The sequence position (column) of this direction's own step t."""
        return t if self.slot[1] == 0 else self.chain.T + 1 - t

    def cells(self, state: str, t: int) -> HeatCells | HeatStrip:
        return self.chain.units[self.slot, state, self.column(t)]

    def gate_cells(self, name: str, t: int) -> HeatCells | HeatStrip:
        return self.chain.units[self.slot, f"gate {name}", self.column(t)]


class NetworkChain(Group):
    """The drawing of a ``NetworkTrace``: a row per (layer, direction), the output row above.

    Parameters
    ----------
    trace
        The ``rnn.network.NetworkTrace`` (its shape, sizes and characters; values are shown
        later).
    theme
        Colours of the idle drawing.
    values
        Whether outlined cells print the values they show.
    """

    def __init__(self, trace, theme: Theme, values: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.trace, self.theme = trace, theme
        shape = trace.shape
        T, H, K = trace.T, trace.params.hidden_size, trace.yhat.shape[1]
        check_heat_chain(T, H, K)
        self.T, self.H, self.K = T, H, K
        self.task, self.bidirectional = shape.task, shape.bidirectional
        # top layer first, forward above backward: the order rows are drawn from the top
        self.slots = sorted(shape.slots, key=lambda s: (-s[0], s[1]))
        self.row_h = (ROWS_TOP - ROWS_BOTTOM) / len(self.slots)
        gates, states = trace.spec.gates, trace.spec.states
        self.items = [f"gate {g}" for g in gates] + list(states)  # left to right in a row
        self.values = values and H <= CELL_UNITS
        self.columns = columns_for(T, len(gates), self.values)
        self.col_w = self.columns.col_w
        widest = VALUE_W if self.values else SQUARE
        self.side_w = min(widest, 0.6 * self.col_w / (len(self.items) + 0.5))
        self.side = min(SQUARE, FILL * self.row_h / H)
        self.units: dict[tuple, HeatCells | HeatStrip] = {}
        self.head: dict[int, HeatCells | HeatStrip] = {}  # head row i -> its output column
        self.paths = VGroup()  # recurrent and upward connections, drawn once
        self.recurrent: dict[tuple, list[Arrow]] = {}  # a row's time arrows, by own step
        for slot in self.slots:
            for c in range(1, T + 1):
                self._row_units(slot, c)
            self._recurrent(slot)
        # (slot, gate, state read, position) -> the dashed line from that state into the gate
        self.peepholes: dict[tuple, VMobject] = {}
        for slot in self.slots:
            self._peepholes(slot, trace.spec.gate_reads)
        self._upward()
        self._outputs()
        chars = network_chars(trace)
        self.x_labels: dict[int, Text] = {}
        for c in range(1, T + 1):
            text = f"x={shown_char(chars[c - 1])}" if chars else f"x({c})"
            label = light(Text(text, font="Monospace", font_size=20, color=theme.text))
            if label.width > 0.8 * self.col_w:
                label.scale_to_fit_width(0.8 * self.col_w)
            self.x_labels[c] = label.move_to([self.center_x(c), X_Y, 0.0])
        self.row_labels = self._row_labels()
        self.add(self.paths, *self.units.values(), *self.head.values(),
                 *self.x_labels.values(), self.row_labels)

    # Geometry -----------------------------------------------------------------------------
    @property
    def long(self) -> bool:
        return self.columns.long

    def row(self, slot: tuple[int, int]) -> RowView:
        return RowView(self, slot)

    def row_y(self, slot: tuple[int, int]) -> float:
        return ROWS_TOP - (self.slots.index(slot) + 0.5) * self.row_h

    @property
    def units_half(self) -> float:
        """Half the height of a row's units."""
        return self.H * self.side / 2

    def recurrent_y(self, slot) -> float:
        """y of a row's time arrows: in the upper part of the units, above the error lanes."""
        return self.row_y(slot) + 0.35 * self.units_half

    def lane_y(self, slot, s: int, S: int) -> float:
        """y of loss term L(s)'s error lane in a row, below its time arrows."""
        low, high = self.row_y(slot) - self.units_half, self.row_y(slot) + 0.15 * self.units_half
        return low + (high - low) * s / (S + 1)

    def center_x(self, c: int) -> float:
        """x of the middle of position c's units (left of the column's middle: the right part
        is room for the connections going up)."""
        return self.columns.column_x(c) - 0.1 * self.col_w

    def side_x(self, c: int) -> float:
        """x of the upward connections of position c, right of its units."""
        return self.center_x(c) + 0.5 * len(self.items) * self.side_w + 0.08

    def head_column(self, i: int) -> int:
        """The position whose column holds head row i (1-based): the last one for one label."""
        return self.T if self.task == "last" else i

    def _row_units(self, slot, c: int) -> None:
        n, y = len(self.items), self.row_y(slot)
        for k, item in enumerate(self.items):
            col = heat_column(self.H, self.side, self.theme, outline=self.H <= CELL_UNITS,
                              width=self.side_w, numbers=self.values)
            x = self.center_x(c) + (k - (n - 1) / 2) * self.side_w
            self.units[slot, item, c] = col.move_to([x, y, 0.0])

    def _row_edge(self, slot, c: int, right: bool) -> list[float]:
        units = [self.units[slot, item, c] for item in self.items]
        x = units[-1].get_right()[0] if right else units[0].get_left()[0]
        return [x, self.recurrent_y(slot), 0.0]

    def _recurrent(self, slot) -> None:
        """The direction's own time arrows: rightwards for forward, leftwards for backward."""
        d, th = slot[1], self.theme
        for t in range(1, self.T + 1):
            c = t if d == 0 else self.T + 1 - t
            end = self._row_edge(slot, c, right=d == 1)
            if t == 1:  # from the initial state, outside the chain
                start = [end[0] + (-1 if d == 0 else 1) * 0.35 * self.col_w, end[1], 0.0]
            else:
                start = self._row_edge(slot, c - 1 if d == 0 else c + 1, right=d == 0)
            arrow = Arrow(start, end, buff=0.03, color=th.recurrent, stroke_width=2.5,
                          tip_length=0.1, max_tip_length_to_length_ratio=0.3)
            self.recurrent.setdefault(slot, []).append(arrow)
            self.paths.add(arrow)

    def _peepholes(self, slot, reads) -> None:
        """The states each gate reads beside x(t) and h(t-1) (``Cell.gate_reads``), as the
        one-layer chain draws them: dashed, arcing over the row into the gate's column, from
        where the time arrow brings the previous step's state in (``@p``) or from the state's
        own column."""
        d = slot[1]
        for c in range(1, self.T + 1):
            for gate, seen in reads.items():
                end = self.units[slot, f"gate {gate}", c].get_top() + [0, 0.02, 0]
                for ref in seen:
                    state, before = ref.removesuffix("@p"), ref.endswith("@p")
                    if before:  # tapped where the time arrow brings step t-1's state in
                        edge = self._row_edge(slot, c, right=d == 1)[0]
                        start = np.array([edge + (0.05 if d else -0.05), end[1], 0.0])
                    else:
                        start = self.units[slot, state, c].get_top() + [0, 0.02, 0]
                    chord = abs(end[0] - start[0])
                    rise = min(0.2, 0.35 * chord)  # low over the row, under the row above
                    over = -1 if start[0] < end[0] else 1  # the arc bulges upwards
                    arc = ArcBetweenPoints(start, end, angle=over * 4 * math.atan(2 * rise / chord))
                    line = DashedVMobject(arc.set_stroke(self.theme.recurrent, width=1.2),
                                          num_dashes=6)
                    self.peepholes[slot, gate, ref, c] = line
                    self.paths.add(line)

    def _up(self, c: int, y0: float, y1: float) -> Arrow:
        x = self.side_x(c)
        return Arrow([x, y0, 0.0], [x, y1, 0.0], buff=0.0, color=self.theme.connection,
                     stroke_width=2.0, tip_length=0.08, max_tip_length_to_length_ratio=0.25)

    def _upward(self) -> None:
        """x(t) into layer 1, each layer's output into the layer above (both its rows)."""
        half = self.units_half + 0.03
        layers = sorted({l for l, _ in self.slots})
        for c in range(1, self.T + 1):
            lowest = self.row_y(self.slots[-1])
            self.paths.add(self._up(c, X_Y + 0.15, lowest - half))
            for l in layers[1:]:
                below = min(self.row_y(s) for s in self.slots if s[0] == l - 1)
                above = min(self.row_y(s) for s in self.slots if s[0] == l)
                self.paths.add(self._up(c, below, above - half))

    def _outputs(self) -> None:
        """The output columns and what they read: the top row(s) at every position, or, for
        one label, the forward row's last position and the backward row's first."""
        th, K = self.theme, self.K
        out_side = min(self.side, 0.7 / K)
        numbers = self.values and K <= OUTLINED_CLASSES
        rows = len(self.trace.losses)
        top = [s for s in self.slots if s[0] == self.slots[0][0]]
        # from the lowest of the top layer's rows, past the other: each output reads both
        top_y = min(self.row_y(s) for s in top)
        self.reads: dict[int, list] = {}  # head row -> what it reads: (slot, position, path)
        for i in range(1, rows + 1):
            c = self.head_column(i)
            out = heat_column(K, out_side, th, outline=K <= OUTLINED_CLASSES, width=self.side_w,
                              numbers=numbers)
            self.head[i] = out.move_to([self.head_x(i), YHAT_Y, 0.0])
            if self.task == "every":
                arrow = self._up(c, top_y, out.get_bottom()[1])
                self.reads[i] = [(slot, c, arrow) for slot in top]
                self.paths.add(arrow)
        if self.task == "last":  # h_n: each direction's state after its own last step
            bottom = self.head[1].get_bottom()[1]
            self.reads[1] = []
            for slot in top:
                c = self.T if slot[1] == 0 else 1
                x0, y0 = self.side_x(c), self.row_y(slot)
                x1 = self.head_x(1) + (-0.06 if slot[1] else 0.06)
                path = VGroup()
                if c != self.T:  # up, then along to the output at the end
                    turn = bottom - 0.2
                    path.add(Line([x0, y0, 0.0], [x0, turn, 0.0], color=th.connection,
                                  stroke_width=2.0),
                             Line([x0, turn, 0.0], [x1, turn, 0.0], color=th.connection,
                                  stroke_width=2.0))
                    y0 = turn
                path.add(Arrow([x1, y0, 0.0], [x1, bottom, 0.0], buff=0.0, color=th.connection,
                               stroke_width=2.0, tip_length=0.08,
                               max_tip_length_to_length_ratio=0.25))
                self.reads[1].append((slot, c, path))
                self.paths.add(path)

    def head_x(self, i: int) -> float:
        """x of head row i's output: over its position, or, for one label, right of the last
        position's units, where the last states reach it."""
        if self.task == "last":
            return self.side_x(self.T) + 0.1
        return self.center_x(i)

    def _row_labels(self) -> VGroup:
        """Each row's name above its first position, its units' names (gates, then states)
        under it, and ŷ beside the first output."""
        labels, th = VGroup(), self.theme
        height = min(0.13, 0.3 * self.row_h)
        for slot in self.slots:
            name = light(Text(slot_name(*slot, self.bidirectional), font="Sans", font_size=16,
                              color=th.muted)).scale_to_fit_height(height)
            left = self.units[slot, self.items[0], 1].get_left()[0]
            y = self.row_y(slot) + self.units_half + 0.05 + height / 2
            labels.add(name.move_to([left + name.width / 2, y, 0.0]))
            for item in self.items:
                col = self.units[slot, item, 1]
                letter = light(Text(item.removeprefix("gate "), font="Sans", color=th.muted))
                letter.scale_to_fit_height(min(0.09, 0.25 * self.row_h))
                if letter.width > 1.2 * self.side_w:
                    letter.scale_to_fit_width(1.2 * self.side_w)
                labels.add(letter.next_to(col, direction=[0, -1, 0], buff=0.03))
        hat = light(Text("ŷ", font="Sans", font_size=18, color=th.muted))
        labels.add(hat.next_to(self.head[1], direction=[-1, 0, 0], buff=0.12))
        return labels

    # What the beats ask of a drawing of the chain (as ``HeatChain`` answers) ---------------
    def cells(self, layer: str, i: int) -> HeatCells | HeatStrip:
        """The output column of head row i (``"yhat"`` or ``"o"``: the only row by name)."""
        return self.head[i]

    # the camera's and the inputs' questions, answered as the one-layer chain answers them
    overview = HeatChain.overview
    step_center = HeatChain.step_center
    world = HeatChain.world
    input_animations = HeatChain.input_animations
    show_input = HeatChain.show_input
    link_animations = HeatChain.link_animations

    def loss_place(self, i: int) -> tuple[list[float], float]:
        """Where head row i's loss label goes, and its height."""
        return [self.head_x(i), LOSS_Y, 0.0], 0.18

    def row_box(self, slot) -> tuple[list[float], float, float]:
        """Centre, width and height of a row, for framing it."""
        left = self._row_edge(slot, 1, right=False)[0]
        right = self._row_edge(slot, self.T, right=True)[0]
        return [(left + right) / 2, self.row_y(slot), 0.0], right - left + 0.2, self.row_h * 0.9


MAX_TERM_LANES = 8  # loss terms drawn lane by lane in a row; more would be hairlines


class NetworkErrorFlow(VGroup):
    """Every error arrow of a network, reachable by (layer, direction) and own step.

    Per row, loss term L(s)'s error reaching h(t) (``error_by_source_norms(l, d)``) travels
    in lane s from the direction's next step (beyond ``MAX_TERM_LANES`` terms, one arrow a
    step carries them all: the recorded ``dL_dh_from_next``, whose size it has); what reaches
    h(t) from outside the recurrence (from the output at the top, from the layer above below
    it: ``dL_dh_from_output``) comes down into the row, in its loss term's colour where it has
    one.
    """

    def __init__(self, chain: NetworkChain, trace, colors, **kwargs):
        super().__init__(**kwargs)
        self.by_slot: dict[tuple, dict[int, list[ErrorArrow]]] = {}
        own, whole = {}, {}
        for l, d in chain.slots:
            norms = trace.error_by_source_norms(l, d)  # (S, T) sequence order
            own[l, d] = norms if d == 0 else norms[:, ::-1]
            # every term's error at once: what step t+1 sends back (the direction's own order)
            whole[l, d] = np.linalg.norm(trace.layer(l, d).dL_dh_from_next, axis=1)
        S, T = len(trace.losses), chain.T
        self.merged = S > MAX_TERM_LANES  # too many lanes to read: one arrow a step
        top = norm_scale(*(whole.values() if self.merged else own.values()))
        top_layer = chain.slots[0][0]
        for slot, norms in own.items():
            view, y = chain.row(slot), chain.row_y(slot)
            arriving = self.by_slot[slot] = {t: [] for t in range(1, T + 1)}
            outside = np.linalg.norm(trace.layer(*slot).dL_dh_from_output, axis=1)
            for t in range(1, T + 1):
                c = view.column(t)
                if outside[t - 1] > 0:  # from above: the output, or the layer above
                    s = (c if trace.shape.task == "every" else 1) if slot[0] == top_layer else None
                    color = colors[s - 1] if s is not None else chain.theme.text
                    x, y1 = chain.side_x(c) + 0.07, y + chain.units_half
                    arrow = ErrorArrow([x, y1 + min(0.4, 0.45 * chain.row_h), 0.0], [x, y1, 0.0],
                                       s or 0, t, outside[t - 1], top, color)
                    arriving[t].append(arrow)
                    self.add(arrow)
                if t == T:
                    continue
                sender = view.column(t + 1)
                sx, cx = chain.center_x(sender), chain.center_x(c)
                gap = np.sign(sx - cx) * (0.5 * len(chain.items) * chain.side_w + 0.05)
                if self.merged:
                    total = whole[slot][t - 1]
                    if total > 0 or not np.isfinite(total):
                        ly = chain.lane_y(slot, 1, 1)
                        arrow = ErrorArrow([sx - gap, ly, 0.0], [cx + gap, ly, 0.0], 0, t,
                                           total, top, chain.theme.text)
                        arriving[t].append(arrow)
                        self.add(arrow)
                    continue
                for s in range(1, S + 1):
                    mag, sent = norms[s - 1, t - 1], norms[s - 1, t]
                    if not (sent > 0 or not np.isfinite(sent)):  # nothing travels back
                        continue
                    ly = chain.lane_y(slot, s, S)
                    start, end = [sx - gap, ly, 0.0], [cx + gap, ly, 0.0]
                    arrow = ErrorArrow(start, end, s, t, mag, top, colors[s - 1])
                    arriving[t].append(arrow)
                    self.add(arrow)

    def arriving_at(self, slot, t: int) -> list[ErrorArrow]:
        """Arrows bringing an error to row ``slot``'s h at its own step t."""
        return self.by_slot[slot][t]

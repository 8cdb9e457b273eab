"""Pictures of truncated BPTT: a long sequence in compact columns, window errors, updates.

A long sequence does not fit the full unrolled network, so each step is one narrow column:
its input character, its hidden units stacked vertically (an LSTM's cell state as squares
above them), its loss above. Nothing here computes network maths: values are read from the
window Traces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import Arrow, Circle, Group, Square, Text, VGroup

from rnn.errors import UnrolledError
from rnn.trace import Trace
from scenes.components import ErrorArrow, matrix_text
from scenes.components.arrows import dash_counts
from scenes.components.heatmap import heatmap_image
from scenes.components.network import shown_char, step_characters
from scenes.components.strips import magnitude, strip_pixels_2d
from scenes.components.theme import Theme, format_value

MAX_COMPACT_STEPS = 16
MAX_COMPACT_HIDDEN = 8  # hidden units per state (an LSTM stacks h and its cell state: 16)
OUTLINED_UNITS = 6  # up to this many units in a column, each outlined; more make a plain strip
# Panels print their H x H numbers up to this H; beyond, in a window's width, a number would be
# under 10 pixels high at 1080p (unreadable at 480p), so the block is a heatmap and its scale.
PRINTED_UNITS = 4
TERM_NAME_H = 0.15  # L(s) on its arrow down from the loss: 20 px high at 1080p


class StepColumns:
    """Where T narrow step columns stand along x, from ``left`` over ``width`` (the layouts
    below are dataclasses with these fields)."""

    T: int
    left: float
    width: float

    def check_steps(self) -> None:
        if not 1 <= self.T <= MAX_COMPACT_STEPS:
            raise UnrolledError(
                f"the compact layout fits 1 to {MAX_COMPACT_STEPS} time steps, got {self.T}")

    @property
    def col_w(self) -> float:
        return self.width / self.T

    def column_x(self, t: float) -> float:
        """x of the centre of step t (1-based)."""
        return self.left + (t - 0.5) * self.col_w

    def cut_x(self, after: int) -> float:
        """x of a cut between steps ``after`` and ``after + 1``."""
        return self.left + after * self.col_w


@dataclass(frozen=True)
class CompactLayout(StepColumns):
    """Geometry of T narrow step columns with H hidden units stacked in each."""

    T: int
    H: int
    rows: int = 1  # states stacked per column: h, or the cell state above h (LSTM)
    lanes: int = 1  # error lanes under the stack: one per loss term of the longest window
    left: float = -6.6
    width: float = 13.2
    hidden_y: float = -0.2  # centre of the hidden stack
    loss_y: float = 1.3
    char_y: float = -2.2
    step_y: float = -2.6
    window_y: float = -3.3
    panel_y: float = 2.6  # update displays
    title_y: float = 3.6

    def __post_init__(self) -> None:
        self.check_steps()
        if not 1 <= self.H <= MAX_COMPACT_HIDDEN:
            raise UnrolledError(f"the compact layout fits 1 to {MAX_COMPACT_HIDDEN} hidden "
                                f"units, got {self.H}")

    @property
    def outlined(self) -> bool:
        """Each unit outlined (few units), or the column a plain strip of squares."""
        return self.H * self.rows <= OUTLINED_UNITS

    @property
    def radius(self) -> float:
        return min(0.15, 1.2 / (2.4 * self.H * self.rows), 0.22 * self.col_w)

    def unit_y(self, i: int, row: int = 0) -> float:
        """y of unit i (0 at the top) of state row ``row`` (0: h, at the bottom; 1: the cell
        state above it)."""
        n = self.H * self.rows
        j = (self.rows - 1 - row) * self.H + i
        return self.hidden_y - (j - (n - 1) / 2) * 2.4 * self.radius

    def row_y(self, row: int = 0) -> float:
        """y of the centre of state row ``row``: where its recurrent arrows run."""
        return (self.unit_y(0, row) + self.unit_y(self.H - 1, row)) / 2

    @property
    def stack_top(self) -> float:
        return self.unit_y(0, self.rows - 1) + self.radius

    @property
    def stack_bottom(self) -> float:
        return self.unit_y(self.H - 1) - self.radius

    def lane_y(self, k: int) -> float:
        """y of error lane k (0-based), below the hidden stack; the lanes of a long window
        closer together, so the last stays above the characters."""
        room = (self.stack_bottom - 0.2) - (self.char_y + 0.2)
        return self.stack_bottom - 0.2 - k * min(0.13, room / max(self.lanes - 1, 1))


def unit_shape(r: float, theme: Theme, outlined: bool, circle: bool):
    """One unit: an outlined circle (h) or square (an LSTM's cell state); in a column of many
    units, a plain square touching its neighbours (the column reads as a strip)."""
    if not outlined:
        unit = Square(side_length=2.4 * r, stroke_width=0.0)
    elif circle:
        unit = Circle(radius=r, stroke_color=theme.muted, stroke_width=1.5)
    else:
        unit = Square(side_length=1.8 * r, stroke_color=theme.muted, stroke_width=1.5)
    return unit.set_fill(theme.background, opacity=1.0)


class CompactSequence(VGroup):
    """The T steps of a sequence as compact columns, with the recurrent arrows between them.

    Parameters
    ----------
    trace
        Any trace of the sequence (only sizes and characters are read).
    theme
        Colours.
    lanes
        Loss terms of the longest window: the error lanes to make room for.
    """

    def __init__(self, trace: Trace, theme: Theme, lanes: int = 1, **kwargs):
        super().__init__(**kwargs)
        T, H = trace.h.shape
        self.carried = trace.spec.states  # ("h",) or ("h", "cell"): what crosses a cut
        self.layout = lay = CompactLayout(T=T, H=H, rows=len(self.carried), lanes=lanes)
        self.theme = theme
        r = lay.radius
        self.units: dict[int, VGroup] = {}  # h(t)
        self.cell_units: dict[int, VGroup] = {}  # the LSTM's cell(t), squares above h(t)
        self.recurrent: dict[int, Arrow] = {}  # into step t, from step t-1
        self.cell_recurrent: dict[int, Arrow] = {}  # the same along the cell state
        labels = VGroup()
        chars = step_characters(trace)
        for t in range(1, T + 1):
            x = lay.column_x(t)
            stack = VGroup(*[
                unit_shape(r, theme, lay.outlined, circle=True).move_to([x, lay.unit_y(i), 0])
                for i in range(H)])
            stack.values = [None] * H  # the Trace values last shown, for tests and checks
            self.units[t] = stack
            if "cell" in self.carried:
                cells = VGroup(*[
                    unit_shape(r, theme, lay.outlined, circle=False).move_to(
                        [x, lay.unit_y(i, 1), 0]) for i in range(H)])
                cells.values = [None] * H
                self.cell_units[t] = cells
                if t > 1:
                    self.cell_recurrent[t] = Arrow(
                        [lay.column_x(t - 1) + r + 0.04, lay.row_y(1), 0],
                        [x - r - 0.04, lay.row_y(1), 0], buff=0, color=theme.recurrent,
                        stroke_width=2.5, tip_length=0.1, max_tip_length_to_length_ratio=0.4)
            step = Text(f"t={t}", font="Sans", color=theme.muted).scale_to_fit_height(0.16)
            labels.add(step.move_to([x, lay.step_y, 0]))
            if chars is not None:
                c = Text(f"'{shown_char(chars[0][t - 1])}'", font="Monospace", color=theme.text)
                labels.add(c.scale_to_fit_height(0.2).move_to([x, lay.char_y, 0]))
            if t > 1:
                self.recurrent[t] = Arrow(
                    [lay.column_x(t - 1) + r + 0.04, lay.row_y(0), 0],
                    [x - r - 0.04, lay.row_y(0), 0], buff=0, color=theme.recurrent,
                    stroke_width=2.5, tip_length=0.1, max_tip_length_to_length_ratio=0.4)
        self.labels = labels
        self.arrows = VGroup(*self.recurrent.values(), *self.cell_recurrent.values())
        self.all_units = VGroup(*self.units.values(), *self.cell_units.values())
        self.add(self.arrows, self.labels, self.all_units)  # units last: they change

    def stacks(self, t: int) -> list[VGroup]:
        """The state stacks of step t: h(t), and the LSTM's cell(t)."""
        return [self.units[t], *([self.cell_units[t]] if t in self.cell_units else [])]

    def show_hidden(self, t: int, values, vmax: float = 1.0) -> VGroup:
        """The stack of step t filled with ``values`` (a copy, to animate towards)."""
        return self._fill(self.units[t], values, vmax)

    def show_cell(self, t: int, values, vmax: float) -> VGroup:
        """The LSTM's cell-state squares of step t filled with ``values`` (a copy)."""
        return self._fill(self.cell_units[t], values, vmax)

    def _fill(self, stack: VGroup, values, vmax: float) -> VGroup:
        return filled(stack, values, vmax, self.theme, self.layout.outlined)

    def window_fills(self, trace: Trace, start: int, scales: dict) -> list[tuple[VGroup, VGroup]]:
        """(stack, filled copy) of every state of every step of a window (``trace``, its first
        step the global ``start``); ``scales``: the cell state's colour scale (h's is 1)."""
        out = []
        for i in range(trace.T):
            t = start + i
            out.append((self.units[t], self.show_hidden(t, trace.h[i])))
            if t in self.cell_units:  # one colour scale for the cell state of all steps
                out.append((self.cell_units[t], self.show_cell(t, trace.cell[i], scales["cell"])))
        return out

    def carried_arrows(self, start: int) -> list[Arrow]:
        """The arrows whose states cross the cut before step ``start``."""
        return [arrows[start] for arrows in (self.recurrent, self.cell_recurrent)
                if start in arrows]

    def loss_labels(self, trace: Trace, start: int) -> list[Text]:
        """``L`` of every step of a window."""
        return [compact_loss_label(self.layout, self.theme, start + i, loss)
                for i, loss in enumerate(trace.losses)]

    def window_errors(self, trace: Trace, start: int) -> WindowErrors:
        return WindowErrors(self, trace, start)


def filled(stack: VGroup, values, vmax: float, theme: Theme, outlined: bool) -> VGroup:
    """A copy of ``stack`` filled with ``values`` on the scale ``vmax`` (to animate towards);
    the stack keeps the Trace values it now shows, for tests and checks."""
    target = stack.copy()
    for shape, v in zip(target, values, strict=True):
        shape.set_fill(theme.value_color(v, vmax), opacity=1.0)
        if outlined:
            shape.set_stroke(theme.text)
    stack.values = [float(v) for v in values]
    stack.vmax = float(vmax)
    return target


def compact_loss_label(lay: StepColumns, theme: Theme, t: int, loss: float) -> Text:
    """``L=...`` of step t above its column, formatted from a Trace's loss."""
    label = Text(format_value(loss), font="Monospace", color=theme.text)
    label.scale_to_fit_height(0.17)
    if label.width > 0.85 * lay.col_w:
        label.scale_to_fit_width(0.85 * lay.col_w)
    label.value = float(loss)
    return label.move_to([lay.column_x(t), lay.loss_y, 0])


class WindowErrors(VGroup):
    """The error arrows of one window: each stays inside the window, none crosses a cut.

    Parameters
    ----------
    sequence
        The drawn sequence.
    trace
        The window's Trace; its steps are global steps ``start .. start + T - 1``.
    start
        The global step of the window's first step.
    """

    def __init__(self, sequence: CompactSequence, trace: Trace, start: int, **kwargs):
        super().__init__(**kwargs)
        lay, th = sequence.layout, sequence.theme
        norms = trace.error_by_source_norms()  # [s-1, t-1], local steps
        finite = norms[np.isfinite(norms)]
        top = float(finite.max()) if finite.size else 1.0  # scale for widths, not maths
        palette = th.palette
        r = lay.radius
        self.start, self.stop = start, start + trace.T - 1
        self.by_pair: dict[tuple[int, int], ErrorArrow] = {}  # global (s, t)
        colors = [palette[(s - 1) % len(palette)] for s in range(1, trace.T + 1)]
        dashes = dash_counts(colors)  # a window longer than the palette: repeats are dashed
        for s in range(1, trace.T + 1):
            color = colors[s - 1]
            for t in range(s, 0, -1):
                gs, gt = start + s - 1, start + t - 1
                if t == s:  # down from the loss of step s to its hidden units
                    x = lay.column_x(gs) + r + 0.1
                    a, b = [x, lay.loss_y - 0.15, 0], [x, lay.stack_top + 0.02, 0]
                else:  # backwards from step t+1 to step t, in the lane of source s
                    y = lay.lane_y(s - 1)
                    a, b = [lay.column_x(gt + 1) - 0.06, y, 0], [lay.column_x(gt) + 0.06, y, 0]
                arrow = ErrorArrow(a, b, gs, gt, norms[s - 1, t - 1], top, color, dashes[s - 1])
                if t == s:  # the term's name where its errors start: a cue beside colour
                    arrow.put_label(TERM_NAME_H, ending=True)
                self.by_pair[gs, gt] = arrow
                self.add(arrow)


def recurrent_block(spec, values: np.ndarray) -> np.ndarray:
    """The part of the recurrent weights (or of their gradient) a panel prints: the simple
    RNN's W whole; of a gated cell, the H x H block of W_hh of its keep gate (the LSTM's f, the
    GRU's z), which scales what a state keeps from one step to the next."""
    if not spec.keep_gate:
        return values
    H = values.shape[1]
    k = spec.gates.index(spec.keep_gate)
    return values[k * H:(k + 1) * H]


def recurrent_name(spec, key: str | None = None) -> str:
    """How a panel names what ``recurrent_block`` of parameter ``key`` (the cell's recurrent
    weights by default) prints: W, or W_hh (f block), or W_hh_l0 (f block)."""
    return (key or spec.recurrent) + (f" ({spec.keep_gate} block)" if spec.keep_gate else "")


def printed_weights(trace) -> tuple[str, str]:
    """The parameter the panels print a block of, and its name on screen: the recurrent
    weights; of a network, its first layer's (forward direction)."""
    spec = trace.spec
    key = spec.recurrent + ("_l0" if getattr(trace, "shape", None) is not None else "")
    return key, recurrent_name(spec, key)


class UpdatePanel(Group):
    """The recurrent weights after the update that ends one window, above that window.

    Up to ``PRINTED_UNITS`` units the block is printed (``shown``); beyond, it is a heatmap on
    the diverging scale of ``vmax``, its largest magnitude, written beside the title.

    Parameters
    ----------
    trace
        The window's Trace; ``recurrent_block`` of ``trace.update.params_after`` is shown.
    window
        1-based index of the window.
    theme
        Colours.
    width
        Width available (the window's width on screen).
    """

    def __init__(self, trace: Trace, window: int, theme: Theme, width: float, **kwargs):
        super().__init__(**kwargs)
        if trace.update is None:
            raise UnrolledError(f"window {window} has no parameter update to show")
        spec, (key, shown) = trace.spec, printed_weights(trace)
        W = recurrent_block(spec, trace.update.params_after.as_dict()[key])
        self.window, self.values = window, np.asarray(W, dtype=np.float64)
        name = f"{shown} after window {window}"
        if W.shape[0] <= PRINTED_UNITS:
            self.shown, self.vmax = [format_value(v) for v in np.ravel(W)], None
            body = matrix_text(W, theme)
            body.scale_to_fit_height(min(body.height, 1.0))
        else:
            self.shown, self.vmax = [], magnitude(self.values)
            name += f"  ±{self.vmax:.2g}"
            rows, cols = W.shape
            side = min(1.0 / rows, 0.8 * width / cols)
            body = heatmap_image(strip_pixels_2d(self.values, self.vmax), side * cols,
                                 side * rows)
        title = Text(name, font="Sans", color=theme.param_color("W"))
        title.scale_to_fit_height(0.2)
        self.add(title, body.next_to(title, direction=[0, -1, 0], buff=0.12))
        if self.width > 0.92 * width:
            self.scale_to_fit_width(0.92 * width)

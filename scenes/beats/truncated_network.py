"""Truncated BPTT of a network: a row of compact columns per layer direction.

The rows are stacked as the network chain stacks them (scenes/components/layer_rows.py): the
top layer highest, a layer's forward direction above its backward one. A forward row's
recurrent arrows point right and its errors travel left; a backward row's the other way. At a
cut, a forward row's state crosses (its arrow stays); a backward row starts again at each
window's end, since the steps past the cut have not been read yet: no arrow crosses there.

Values are read from the window NetworkTraces; nothing here computes network maths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import Arrow, Rectangle, Text, VGroup

from rnn.errors import UnrolledError
from scenes.beats.truncated import (
    OUTLINED_UNITS,
    StepColumns,
    filled,
    compact_loss_label,
    unit_shape,
)
from scenes.components import ErrorArrow
from scenes.components.layer_rows import network_chars, slot_name
from scenes.components.network import shown_char
from scenes.components.theme import Theme

MAX_COLUMN_UNITS = 48  # units a column stacks: layer directions x states x hidden; ~7 px each


def bottom_up(shape) -> list[tuple[int, int]]:
    """The rows from the bottom: layer 1 (backward, then forward), layer 2, ..."""
    return [(l, d) for l in range(shape.layers) for d in reversed(shape.directions)]


@dataclass(frozen=True)
class NetworkLayout(StepColumns):
    """Geometry of T narrow columns crossing one band per layer direction."""

    T: int
    H: int
    bands: int  # layer directions, one band each
    states: int = 1  # state rows per band: h, or the LSTM's cell state above h
    left: float = -5.5  # room on the left for the rows' names
    width: float = 12.1
    top_y: float = 0.95  # the bands fill top_y .. bottom_y
    bottom_y: float = -1.9
    loss_y: float = 1.3
    char_y: float = -2.2
    step_y: float = -2.6
    window_y: float = -3.3
    panel_y: float = 2.6
    title_y: float = 3.6

    def __post_init__(self) -> None:
        self.check_steps()
        units = self.bands * self.states * self.H
        if units > MAX_COLUMN_UNITS:
            raise UnrolledError(
                f"the truncated scene stacks at most {MAX_COLUMN_UNITS} units a step (layer "
                f"directions x states x hidden units), got {self.bands} x {self.states} x "
                f"{self.H} = {units}: use fewer hidden units")

    @property
    def band(self) -> float:
        return (self.top_y - self.bottom_y) / self.bands

    @property
    def lane_h(self) -> float:
        """Height of the error lane at the bottom of each band."""
        return min(0.18, 0.28 * self.band)

    @property
    def pitch(self) -> float:
        """Vertical distance between two units of a band."""
        return (self.band - self.lane_h - 0.04) / (self.states * self.H)

    @property
    def outlined(self) -> bool:
        return self.bands * self.states * self.H <= OUTLINED_UNITS

    @property
    def radius(self) -> float:
        return min(0.15, self.pitch / 2.4, 0.2 * self.col_w)

    def band_bottom(self, i: int) -> float:
        return self.bottom_y + i * self.band

    def lane_y(self, i: int) -> float:
        """y of band i's error arrows back in time."""
        return self.band_bottom(i) + 0.5 * self.lane_h

    def unit_y(self, i: int, k: int, row: int = 0) -> float:
        """y of unit k (0 at the top) of state row ``row`` (0: h; 1: the cell state above)
        in band i."""
        top = self.band_bottom(i) + self.band - 0.04
        j = (self.states - 1 - row) * self.H + k
        return top - (j + 0.5) * self.pitch

    def row_y(self, i: int, row: int = 0) -> float:
        return (self.unit_y(i, 0, row) + self.unit_y(i, self.H - 1, row)) / 2

    def stack_top(self, i: int) -> float:
        return self.unit_y(i, 0, self.states - 1) + self.radius

    def stack_bottom(self, i: int) -> float:
        return self.unit_y(i, self.H - 1) - self.radius


class CompactNetwork(VGroup):
    """The T steps of a network's sequence as compact columns, a band per layer direction.

    Parameters
    ----------
    trace
        Any NetworkTrace of the sequence (sizes, shape and characters are read).
    theme
        Colours.
    restarts
        Steps after which a cut stands: there, a backward row starts again (no arrow crosses).
    """

    def __init__(self, trace, theme: Theme, restarts=(), **kwargs):
        super().__init__(**kwargs)
        shape, H = trace.shape, trace.params.hidden_size
        self.shape, self.theme, self.T = shape, theme, trace.T
        self.carried = trace.spec.states
        self.slots = bottom_up(shape)
        self.band_of = {slot: i for i, slot in enumerate(self.slots)}
        self.layout = lay = NetworkLayout(T=trace.T, H=H, bands=len(self.slots),
                                          states=len(self.carried))
        r = lay.radius
        self.units: dict[tuple, dict[int, VGroup]] = {}  # (l, d, state) -> {t: stack}
        self.recurrent: dict[tuple, dict[int, Arrow]] = {}  # (l, d, state) -> {t: arrow in}
        names, labels = VGroup(), VGroup()
        for slot, i in self.band_of.items():
            l, d = slot
            for row, state in enumerate(self.carried):
                key = (l, d, state)
                self.units[key], self.recurrent[key] = {}, {}
                for t in range(1, self.T + 1):
                    stack = VGroup(*[
                        unit_shape(r, theme, lay.outlined, circle=row == 0).move_to(
                            [lay.column_x(t), lay.unit_y(i, k, row), 0]) for k in range(H)])
                    stack.values = [None] * H
                    self.units[key][t] = stack
                    sender = t - 1 if d == 0 else t + 1  # the step this one reads its state from
                    if not 1 <= sender <= self.T or (d == 1 and t in restarts):
                        continue
                    y, side = lay.row_y(i, row), 1 if sender < t else -1
                    gap = (r if lay.outlined else 1.2 * r) + 0.03  # clear of the unit
                    self.recurrent[key][t] = Arrow(
                        [lay.column_x(sender) + side * gap, y, 0],
                        [lay.column_x(t) - side * gap, y, 0], buff=0,
                        color=theme.recurrent, stroke_width=2.0, tip_length=0.08,
                        max_tip_length_to_length_ratio=0.4)
            name = Text(slot_name(l, d, shape.bidirectional), font="Sans", color=theme.muted)
            name.scale_to_fit_height(min(0.15, 0.45 * lay.band))
            if name.width > 0.95 * (lay.left + 7.0):
                name.scale_to_fit_width(0.95 * (lay.left + 7.0))
            names.add(name.move_to([lay.left - 0.08 - name.width / 2, lay.row_y(i), 0]))
        # Units too small to outline are plain squares, invisible until filled: a thin frame
        # around each band's column shows where the values will come
        frames = VGroup()
        if not lay.outlined:
            for i in range(len(self.slots)):
                for t in range(1, self.T + 1):
                    top, bottom = lay.stack_top(i), lay.stack_bottom(i)
                    frames.add(Rectangle(width=2.4 * r + 0.02, height=top - bottom + 0.02,
                                         stroke_color=theme.muted, stroke_width=1.0).move_to(
                        [lay.column_x(t), (top + bottom) / 2, 0]))
        chars = network_chars(trace)
        for t in range(1, self.T + 1):
            x = lay.column_x(t)
            step = Text(f"t={t}", font="Sans", color=theme.muted).scale_to_fit_height(0.16)
            labels.add(step.move_to([x, lay.step_y, 0]))
            if chars is not None:
                c = Text(f"'{shown_char(chars[t - 1])}'", font="Monospace", color=theme.text)
                labels.add(c.scale_to_fit_height(0.2).move_to([x, lay.char_y, 0]))
        self.names, self.labels = names, VGroup(names, *labels)
        self.arrows = VGroup(*[a for arrows in self.recurrent.values() for a in arrows.values()],
                             frames)
        self.add(self.arrows, self.labels, *self.all_stacks())

    def all_stacks(self) -> list[VGroup]:
        return [s for t in range(1, self.T + 1) for s in self.stacks(t)]

    def stacks(self, t: int) -> list[VGroup]:
        """Every state stack of step t, every layer direction."""
        return [by_t[t] for by_t in self.units.values()]

    def window_fills(self, trace, start: int, scales: dict) -> list[tuple[VGroup, VGroup]]:
        """(stack, filled copy) of every state of every step of a window (``trace``, its first
        step the global ``start``); ``scales``: each state's colour scale."""
        out = []
        for (l, d, state), by_t in self.units.items():
            values = trace.seq(l, d, state)
            for i in range(trace.T):
                stack = by_t[start + i]
                out.append((stack, filled(stack, values[i], scales[state], self.theme,
                                           self.layout.outlined)))
        return out

    def carried_arrows(self, start: int) -> list[Arrow]:
        """The arrows whose state crosses the cut before step ``start``: the forward rows'."""
        return [arrows[start] for (l, d, _), arrows in self.recurrent.items()
                if d == 0 and start in arrows]

    def loss_labels(self, trace, start: int) -> list[Text]:
        """``L`` of every loss term of a window: at each step, or one after its last step."""
        if self.shape.task == "every":
            steps = range(start, start + trace.T)
        else:
            steps = [start + trace.T - 1] if trace.losses.size else []
        return [compact_loss_label(self.layout, self.theme, t, loss)
                for t, loss in zip(steps, trace.losses, strict=True)]

    def window_errors(self, trace, start: int) -> NetworkWindowErrors:
        return NetworkWindowErrors(self, trace, start)


class NetworkWindowErrors(VGroup):
    """A window's errors in every row: each step's error from its next step (every loss term's
    at once, ``dL_dh_from_next``) along the row's lane, and what comes down into the row from
    the output or from the layer above (``dL_dh_from_output``). None crosses a cut.

    ``by_slot[(l, d)]`` maps a global step t to the arrows bringing an error to that row's h(t).
    """

    def __init__(self, seq: CompactNetwork, trace, start: int, **kwargs):
        super().__init__(**kwargs)
        lay, th, r = seq.layout, seq.theme, seq.layout.radius
        sizes = {}
        for slot in seq.slots:  # arrow widths: the sizes of the recorded errors
            sizes[slot, "next"] = trace.step_norms(*slot, "dL_dh_from_next")
            sizes[slot, "above"] = trace.step_norms(*slot, "dL_dh_from_output")
        finite = [v for a in sizes.values() for v in a if np.isfinite(v)]
        top = max(finite) if finite and max(finite) > 0 else 1.0
        self.by_slot: dict[tuple, dict[int, list[ErrorArrow]]] = {}
        self.start, self.stop = start, start + trace.T - 1
        top_layer = seq.shape.layers - 1
        for slot in seq.slots:
            (l, d), i = slot, seq.band_of[slot]
            arriving = self.by_slot[slot] = {t: [] for t in range(start, self.stop + 1)}
            for k in range(trace.T):
                t = start + k
                above = sizes[slot, "above"][k]
                if above > 0 or not np.isfinite(above):
                    x = lay.column_x(t) + r + 0.05 + 0.08 * d
                    if l == top_layer:  # from the loss; one label's is after the last step
                        last = seq.shape.task == "last"
                        x0 = lay.column_x(self.stop) + r + 0.05 if last else x
                        y0 = lay.loss_y - 0.15
                    else:  # from the units of the layer above's lowest row
                        x0 = x
                        y0 = lay.stack_bottom(
                            seq.band_of[(l + 1, seq.shape.directions[-1])]) - 0.02
                    arrow = ErrorArrow([x0, y0, 0], [x, lay.stack_top(i) + 0.02, 0], 0, t,
                                       above, top, th.text)
                    arriving[t].append(arrow)
                    self.add(arrow)
                sender = t + 1 if d == 0 else t - 1  # the step whose error comes back to t
                if not start <= sender <= self.stop:
                    continue
                size = sizes[slot, "next"][k]
                if size > 0 or not np.isfinite(size):
                    y, side = lay.lane_y(i), 1 if sender > t else -1
                    arrow = ErrorArrow([lay.column_x(sender) - side * 0.08, y, 0],
                                       [lay.column_x(t) + side * 0.08, y, 0], 0, t, size, top,
                                       th.text)
                    arriving[t].append(arrow)
                    self.add(arrow)

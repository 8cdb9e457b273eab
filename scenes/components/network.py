"""The unrolled network: one column of three layers per time step, with shared parameters.

The same parameter is drawn once per step (its copies) and labelled identically at every step;
``connections(name)`` returns every copy so that highlighting a parameter highlights all of
them, which is the picture of parameter sharing.
"""

from __future__ import annotations

import numpy as np
from manim import ArcBetweenPoints, Line, Text, VGroup

from rnn.trace import Trace
from scenes.components.layout import LAYERS, Layout
from scenes.components.neurons import LayerRow, Neuron
from scenes.components.panels import light
from scenes.theme import Theme, get_theme

CONNECTED = {"U": ("x", "h"), "W": ("h", "h"), "V": ("h", "o")}  # parameter -> (from, to) layer
BASE_WIDTH = {"U": 1.0, "W": 1.3, "V": 1.0}
HIGHLIGHT_WIDTH = 3.5
LABEL_HEIGHT = 0.22


def step_characters(trace: Trace) -> tuple[list[str], list[str]] | None:
    """Input and target characters per step, when the trace knows its text and vocabulary."""
    vocab = trace.vocabulary
    if vocab is None:
        return None
    inputs = [vocab.chars[int(i)] for i in np.argmax(trace.X, axis=1)]  # one-hot rows -> index
    targets = [vocab.chars[int(i)] for i in trace.targets]
    return inputs, targets


def shown_char(c: str) -> str:
    return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(c, c)


class UnrolledNetwork(VGroup):
    """An RNN unfolded over the T steps of a Trace.

    Parameters
    ----------
    trace
        The pass to draw; only its sizes and characters are read here, scenes fill values in.
    theme
        A Theme or a theme name.
    values
        Print each neuron's value inside it.
    layout
        Geometry; by default one computed from the trace's sizes (raises UnrolledError when
        the network does not fit).

    Notes
    -----
    Submobjects are ordered static first (connections, labels) and neurons last, so that
    animating neurons leaves the connections in manim's static background.
    """

    def __init__(self, trace: Trace, theme: Theme | str = "dark", values: bool = False,
                 layout: Layout | None = None, **kwargs):
        super().__init__(**kwargs)
        self.trace = trace
        self.theme = get_theme(theme)
        self.values = values
        T, H = trace.h.shape
        self.layout = layout or Layout(T=T, D=trace.X.shape[1], H=H, K=trace.o.shape[1])
        self.T = T
        self._rows: dict[tuple[str, int], LayerRow] = {}
        for t in range(1, T + 1):
            for layer in LAYERS:
                neurons = [Neuron(self.theme, self.layout.radius, values)
                           for _ in range(self.layout.size(layer))]
                for i, n in enumerate(neurons):
                    n.move_to(self.layout.neuron_point(layer, t, i))
                self._rows[layer, t] = LayerRow(neurons, layer, t)
        self._conn = {name: VGroup(*[self._make_connections(name, t) for t in range(1, T + 1)])
                      for name in CONNECTED}
        self._labels = {name: VGroup(*[self._make_label(name, t) for t in range(1, T + 1)])
                        for name in CONNECTED}
        self.step_labels = self._make_step_labels()
        self.all_neurons = VGroup(*self._rows.values())
        self.add(*self._conn.values(), *self._labels.values(), self.step_labels,
                 self.all_neurons)

    # Building --------------------------------------------------------------------------
    def _make_connections(self, name: str, t: int) -> VGroup:
        src, dst = CONNECTED[name]
        group = VGroup()
        if name == "W" and t == 1:
            return group  # h(0) is not drawn: the first copy of W has nothing to connect
        t_src = t - 1 if name == "W" else t
        for j in range(self.layout.size(src)):
            for i in range(self.layout.size(dst)):
                a = self.layout.neuron_point(src, t_src, j)
                b = self.layout.neuron_point(dst, t, i)
                # W arcs bulge upwards so copies between the same two rows stay apart
                line = ArcBetweenPoints(a, b, angle=-0.9) if name == "W" else Line(a, b)
                group.add(line)
        self._style(group, name, highlighted=False)
        return group

    def _make_label(self, name: str, t: int) -> VGroup:
        lay = self.layout
        if name == "W":
            if t == 1:
                return VGroup()
            x = (lay.column_x(t - 1) + lay.column_x(t)) / 2
            y = lay.y("h") + 0.3 * lay.col_w * 0.5 + 0.15
        else:
            src, dst = CONNECTED[name]
            half = max(lay.row_half_width(src), lay.row_half_width(dst))
            x = lay.column_x(t) - half - 0.05
            # U low and V high: clear of the error lanes and of the W labels near the h row
            y = lay.y(src) + (0.25 if name == "U" else 0.75) * (lay.y(dst) - lay.y(src))
        label = light(Text(name, font="Sans", weight="BOLD", color=self.theme.param_color(name)))
        label.scale_to_fit_height(LABEL_HEIGHT).move_to([x, y, 0])
        return VGroup(label)

    def _make_step_labels(self) -> VGroup:
        lay = self.layout
        group = VGroup()
        chars = step_characters(self.trace)
        y_t = lay.y("x") - lay.radius - 0.55
        for t in range(1, self.T + 1):
            label = light(Text(f"t={t}", font="Sans", color=self.theme.muted))
            label.scale_to_fit_height(0.2).move_to([lay.column_x(t), y_t, 0])
            group.add(label)
            if chars is not None:
                c = light(Text(f"'{shown_char(chars[0][t - 1])}'", font="Monospace",
                               color=self.theme.text))
                c.scale_to_fit_height(0.22).move_to([lay.column_x(t), y_t + 0.3, 0])
                group.add(c)
        return group

    def _style(self, group: VGroup, name: str, highlighted: bool) -> VGroup:
        if highlighted:
            return group.set_stroke(self.theme.param_color(name), HIGHLIGHT_WIDTH, opacity=1.0)
        color = self.theme.recurrent if name == "W" else self.theme.connection
        return group.set_stroke(color, BASE_WIDTH[name], opacity=0.8)

    # Access ----------------------------------------------------------------------------
    def neurons(self, layer: str, t: int) -> LayerRow:
        """The neurons of ``layer`` ("x", "h" or "o") at step ``t`` (1-based)."""
        if layer not in LAYERS or not 1 <= t <= self.T:
            raise KeyError(f"no layer {layer!r} at step {t}; layers {LAYERS}, steps 1..{self.T}")
        return self._rows[layer, t]

    def connections(self, name: str, t: int | None = None) -> VGroup:
        """Every copy of parameter ``name`` ("U", "W" or "V"), or only the one of step ``t``."""
        if name not in self._conn:
            raise KeyError(f"parameter {name!r} has no connections; drawn: {tuple(CONNECTED)}")
        return self._conn[name] if t is None else self._conn[name][t - 1]

    def param_labels(self, name: str) -> VGroup:
        """The labels of every copy of ``name``."""
        return self._labels[name]

    # Highlighting ----------------------------------------------------------------------
    def highlight(self, name: str, on: bool = True) -> UnrolledNetwork:
        """Highlight (or restore) every copy of a shared parameter, at once."""
        self._style(self.connections(name), name, on)
        return self

    def highlight_animations(self, name: str, on: bool = True, t: int | None = None) -> list:
        """Animations highlighting every copy of ``name`` (or the copy at step ``t``)."""
        group = self.connections(name, t)
        target = self._style(group.copy(), name, on)
        labels = self.param_labels(name) if t is None else [self.param_labels(name)[t - 1]]
        scale = 1.4 if on else 1 / 1.4
        # each label grows about its own centre, so the copies stay where they are
        return [group.animate.become(target)] + [lab.animate.scale(scale) for lab in labels
                                                 if len(lab)]

    def is_highlighted(self, name: str) -> list[bool]:
        """Per copy line: whether it carries the highlight style (for tests and checks)."""
        return [abs(line.get_stroke_width() - HIGHLIGHT_WIDTH) < 1e-6
                for line in self.connections(name).family_members_with_points()]

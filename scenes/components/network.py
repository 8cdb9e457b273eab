"""The unrolled network: one column of three layers per time step, with shared parameters.

The same parameter is drawn once per step (its copies) and labelled identically at every step;
``connections(name)`` returns every copy so that highlighting a parameter highlights all of
them, which is the picture of parameter sharing.
"""

from __future__ import annotations

import numpy as np
from manim import ArcBetweenPoints, FadeIn, FadeOut, Group, Line, Text, VGroup

from rnn.trace import Trace
from scenes.components.arrows import ErrorFlow
from scenes.components.chain_camera import follow_center, overview
from scenes.components.layout import LAYERS, STRIP_H, STRIP_W, Layout
from scenes.components.neurons import LayerRow, Neuron
from scenes.components.panels import light
from scenes.components.step_frames import neuron_frames
from scenes.components.strips import LayerStrip
from scenes.components.theme import Theme, get_theme

BASE_WIDTH, RECURRENT_WIDTH = 1.0, 1.3  # connections at rest; the recurrent ones wider
HIGHLIGHT_WIDTH = 3.5
LABEL_HEIGHT = 0.22


def step_characters(trace: Trace) -> tuple[list[str], list[str]] | None:
    """Input and target characters per step, when the trace knows its text and vocabulary."""
    vocab = trace.vocabulary
    if vocab is None:
        return None
    inputs = [vocab.chars[int(i)] for i in trace.input_ids()]  # one-hot rows (or ids) -> index
    targets = [vocab.chars[int(i)] for i in trace.targets]
    return inputs, targets


def shown_char(c: str) -> str:
    return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(c, c)


class UnrolledNetwork(Group):
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
    animating neurons leaves the connections in manim's static background. A layer of more
    units than circles can show is a ``LayerStrip`` (an image), hence a ``Group``.
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
        self._rows: dict[tuple[str, int], LayerRow | LayerStrip] = {}
        for t in range(1, T + 1):
            for layer in LAYERS:
                if self.layout.strip(layer):
                    strip = LayerStrip(self.layout.size(layer), self.theme, layer, t,
                                       STRIP_W, STRIP_H)
                    self._rows[layer, t] = strip.move_to(self.layout.neuron_point(layer, t, 0))
                    continue
                neurons = [Neuron(self.theme, self.layout.radius, values)
                           for _ in range(self.layout.size(layer))]
                for i, n in enumerate(neurons):
                    n.move_to(self.layout.neuron_point(layer, t, i))
                self._rows[layer, t] = LayerRow(neurons, layer, t)
        self._label_glyphs: dict[str, Text] = {}
        # parameter -> (from, to) layer, as the cell declares them (U, W, V: the simple RNN's)
        self.links = dict(trace.spec.links)
        self._conn = {name: VGroup(*[self._make_connections(name, t) for t in range(1, T + 1)])
                      for name in self.links}
        self._labels = {name: VGroup(*[self._make_label(name, t) for t in range(1, T + 1)])
                        for name in self.links}
        self.step_labels = self._make_step_labels()
        self.all_neurons = Group(*self._rows.values())
        self.overlays: dict[tuple[str, int], VGroup] = {}  # (parameter, step) -> highlight
        self.faded: list[VGroup] = []  # overlays faded out: still part of the chain's picture
        self.add(*self._conn.values(), *self._labels.values(), self.step_labels,
                 self.all_neurons)

    # Building --------------------------------------------------------------------------
    def recurrent(self, name: str) -> bool:
        """Whether ``name``'s connections join a layer to itself one step later."""
        src, dst = self.links[name]
        return src == dst

    def _make_connections(self, name: str, t: int) -> VGroup:
        src, dst = self.links[name]
        group = VGroup()
        recurrent = self.recurrent(name)
        if recurrent and t == 1:
            return group  # h(0) is not drawn: the first copy of W has nothing to connect
        t_src = t - 1 if recurrent else t
        for j in range(self.layout.anchors(src)):  # a strip is joined once, at its centre
            for i in range(self.layout.anchors(dst)):
                a = self.layout.neuron_point(src, t_src, j)
                b = self.layout.neuron_point(dst, t, i)
                # W arcs bulge upwards so copies between the same two rows stay apart
                line = ArcBetweenPoints(a, b, angle=-0.9) if recurrent else Line(a, b)
                group.add(line)
        self._style(group, name, highlighted=False)
        return group

    def _make_label(self, name: str, t: int) -> VGroup:
        lay = self.layout
        if self.recurrent(name):
            if t == 1:
                return VGroup()
            x = (lay.column_x(t - 1) + lay.column_x(t)) / 2
            y = lay.y("h") + 0.3 * lay.col_w * 0.5 + 0.15
        else:
            src, dst = self.links[name]
            half = max(lay.row_half_width(src), lay.row_half_width(dst))
            x = lay.column_x(t) - half - 0.05
            # U low and V high: clear of the error lanes and of the W labels near the h row
            y = lay.y(src) + (0.25 if src == "x" else 0.75) * (lay.y(dst) - lay.y(src))
        if name not in self._label_glyphs:  # one Text per parameter, copied at every step
            self._label_glyphs[name] = light(Text(name, font="Sans", weight="BOLD",
                                                  color=self.theme.param_color(name)))
        label = self._label_glyphs[name].copy()
        label.scale_to_fit_height(LABEL_HEIGHT).move_to([x, y, 0])
        return VGroup(label)

    def _make_step_labels(self) -> VGroup:
        lay = self.layout
        group = VGroup()
        chars = step_characters(self.trace)
        y_t = lay.y("x") - lay.half_height("x") - 0.55
        glyphs: dict[str, Text] = {}
        for t in range(1, self.T + 1):
            label = light(Text(f"t={t}", font="Sans", color=self.theme.muted))
            label.scale_to_fit_height(0.2).move_to([lay.column_x(t), y_t, 0])
            group.add(label)
            if chars is not None:
                shown = f"'{shown_char(chars[0][t - 1])}'"
                if shown not in glyphs:  # a character seen before is copied, not set again
                    glyphs[shown] = light(Text(shown, font="Monospace", color=self.theme.text))
                c = glyphs[shown].copy()
                c.scale_to_fit_height(0.22).move_to([lay.column_x(t), y_t + 0.3, 0])
                group.add(c)
        return group

    def _style(self, group: VGroup, name: str, highlighted: bool) -> VGroup:
        """Stroke of connections at rest, or of their highlighted overlay."""
        if highlighted:
            return group.set_stroke(self.theme.param_color(name), HIGHLIGHT_WIDTH, opacity=1.0)
        if self.recurrent(name):
            return group.set_stroke(self.theme.recurrent, RECURRENT_WIDTH, opacity=0.8)
        return group.set_stroke(self.theme.connection, BASE_WIDTH, opacity=0.8)

    # Access ----------------------------------------------------------------------------
    def neurons(self, layer: str, t: int) -> LayerRow | LayerStrip:
        """The neurons of ``layer`` ("x", "h" or "o") at step ``t`` (1-based)."""
        if layer not in LAYERS or not 1 <= t <= self.T:
            raise KeyError(f"no layer {layer!r} at step {t}; layers {LAYERS}, steps 1..{self.T}")
        return self._rows[layer, t]

    def connections(self, name: str, t: int | None = None) -> VGroup:
        """Every copy of parameter ``name`` ("U", "W" or "V"), or only the one of step ``t``."""
        if name not in self._conn:
            raise KeyError(f"parameter {name!r} has no connections; drawn: {tuple(self.links)}")
        return self._conn[name] if t is None else self._conn[name][t - 1]

    def param_labels(self, name: str) -> VGroup:
        """The labels of every copy of ``name``."""
        return self._labels[name]

    # What the beats ask of a drawing of the chain (``heat_chain.HeatChain`` answers too) --
    @property
    def long(self) -> bool:
        """Whether the chain is longer than the frame (a camera has to follow it)."""
        return self.layout.long

    def overview(self) -> tuple[np.ndarray, float]:
        """Centre and width of the frame showing the whole chain."""
        return overview(self.layout)

    def step_center(self, t: int) -> np.ndarray:
        """Centre of the frame showing step t."""
        return follow_center(self.layout, t)

    def world(self) -> list:
        """What of the drawing a travelling camera carries (the beats add the arrows)."""
        return [self, *self.overlays.values(), *self.faded]

    def cells(self, layer: str, t: int) -> LayerRow | LayerStrip:
        """The units of a state ("h") or of the output ("yhat" or "o") at step t."""
        return self.neurons("o" if layer == "yhat" else layer, t)

    @property
    def col_w(self) -> float:
        return self.layout.col_w

    def input_animations(self, values: np.ndarray, t: int, flash: bool = True) -> list:
        """x(t) entering: its units take their values."""
        return self.neurons("x", t).show_animations(values, 1.0)

    def show_input(self, values: np.ndarray, t: int) -> None:
        """x(t) shown at once."""
        self.neurons("x", t).show(values, 1.0)

    def gate_cells(self, name: str, t: int):
        raise KeyError(f"neurons draw no gates, the drawing of {name!r} is a heat column")

    def link_animations(self, src: str, dst: str, on: bool, t: int | None = None) -> list:
        """Highlighting (``on``) or restoring the connections from layer ``src`` to ``dst``
        (the parameter they carry) at step t, or at every step."""
        name = self.link(src, dst)
        return [] if name is None else self.highlight_animations(name, on, t)

    def link(self, src: str, dst: str) -> str | None:
        """The parameter whose connections join layer ``src`` to ``dst``, if one does."""
        return next((n for n, ends in self.links.items() if ends == (src, dst)), None)

    def loss_place(self, t: int) -> tuple[list[float], float]:
        """Where L(t)'s label goes, and its height."""
        return [self.layout.column_x(t), self.layout.loss_y, 0], 0.2

    def contribution_frames(self, t: int) -> VGroup:
        """Frames around what step t's gradient contributions are made of."""
        return neuron_frames(self, t)

    def error_flow(self, norms: dict[str, np.ndarray], colors) -> ErrorFlow:
        """The arrows of the errors by source along h, the only state drawn as neurons."""
        return ErrorFlow(self, norms["h"], colors)

    # Highlighting ----------------------------------------------------------------------
    def _overlay(self, name: str, t: int) -> VGroup:
        """A highlighted copy of step t's ``name`` connections and label, drawn on top.

        Highlighting adds this overlay instead of restyling the connections, so that the
        connections (hundreds of lines, drawn first) stay in manim's static background.
        Lines run edge to edge, since an overlay is drawn above the neurons.
        """
        lines = VGroup()
        lay = self.layout
        src, dst = self.links[name]
        recurrent = self.recurrent(name)
        # trimmed to the circles' edges, or out of the strips they join
        r = max(lay.row_half_width(src) if recurrent else lay.half_height(src),
                lay.row_half_width(dst) if recurrent else lay.half_height(dst))
        r = r if lay.any_strip else lay.radius
        for original in self.connections(name, t):
            # trim the copy to the circles' edges, whatever its shape
            cut = min(0.45, r / max(original.get_arc_length(), 1e-6))
            line = original.copy()
            line.pointwise_become_partial(original, cut, 1 - cut)
            lines.add(line)
        self._style(lines, name, highlighted=True)
        label = self.param_labels(name)[t - 1].copy()
        for lab in label:
            lab.scale(1.4).set_color(self.theme.param_color(name))
        return VGroup(lines, label)

    def steps_of(self, name: str) -> list[int]:
        """Steps that hold a drawn copy of ``name`` (W has none at step 1: h(0) is not drawn)."""
        return [t for t in range(1, self.T + 1) if len(self.connections(name, t))]

    def highlight_animations(self, name: str, on: bool = True, t: int | None = None) -> list:
        """Animations highlighting (``on``) or restoring every copy of ``name``, or step t's.

        Every copy is highlighted alike: the parameter is one and the same at every step.
        """
        steps = self.steps_of(name) if t is None else [s for s in [t] if s in self.steps_of(name)]
        anims = []
        for step in steps:
            key = (name, step)
            if on and key not in self.overlays:
                self.overlays[key] = self._overlay(name, step)
                anims.append(FadeIn(self.overlays[key]))
            elif not on and key in self.overlays:
                self.faded.append(self.overlays.pop(key))
                anims.append(FadeOut(self.faded[-1]))
        return anims

    def highlighted_steps(self, name: str) -> list[int]:
        """Steps whose copy of ``name`` is highlighted now."""
        return sorted(t for (n, t) in self.overlays if n == name)

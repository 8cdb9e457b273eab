"""The dense (DCL) network the article reviews before RNNs: forward pass, backprop, gradients.

Inputs at the bottom, outputs on top. In the backward pass the errors of all output neurons
converge, as red arrows, on each hidden neuron in turn: the article's section 1 figure. Every
number comes from a ``DenseTrace``; the scene only formats and places it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from manim import *

from rnn.errors import UnrolledError
from rnn.limits import RANGES, Range
from rnn.model import text_model
from rnn.studies.dense import ACTIVATIONS, DenseConfig, DenseTrace, dense_trace
from scenes.beats.contract import Option, SceneContract
from scenes.beats.inputs import SceneInput, get_scene_input
from scenes.beats.stage import beat, scale_of
from scenes.components import MAX_IO, ErrorArrow, LayerRow, Neuron, check_fits, matrix_text
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import Theme, format_value, get_theme

LAYERS = ("x", "h", "o")  # bottom to top
ROW_Y = {"x": -2.7, "h": -0.4, "o": 1.9}
CENTER_X = -2.4  # the network's column; the right side holds equations and matrices
PANEL_X = 4.4
PANEL_W = 4.4
RADIUS = 0.34
SPACING = 1.05
EQ, NOTE, LABEL = 30, 20, 36  # font sizes: equations, side notes, row names
LINK = {"W1": ("x", "h"), "W2": ("h", "o")}  # weight -> (layer below, layer above)
TARGET = 0  # the class of the example input
STAGES = ("gradients", "errors")  # where the scene ends


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0) -> SceneInput:
    """The DenseTrace of a network built from ``options`` (see ``DenseScene.contract``; hidden
    size and seed come from the model), in ``extra["dense"]``.

    ``text`` is not used: a dense network reads one input vector, drawn from ``seed``.
    ``values`` is accepted for uniformity; this scene always prints its numbers.
    """
    opts = DenseScene.contract.with_defaults("dense", options)
    config = DenseConfig(
        input_size=opts["inputs"], hidden=DenseConfig.hidden if hidden is None else hidden,
        output_size=opts["outputs"], activation=opts["activation"], seed=seed,
        init_scale=opts["init_scale"],
    )
    check_fits(1, config.hidden, config.input_size, config.output_size)
    trace = dense_trace(config, target=TARGET)
    # SceneInput carries an RNN trace for every scene; this one only reads extra["dense"]
    return SceneInput(trace=text_model().trace(), theme=theme, values=values,
                      extra={"scene": "dense", "dense": trace})


def scene_input() -> SceneInput:
    """The input set for this render, or the default one when it was made for another scene."""
    inp = get_scene_input()
    if isinstance(inp.extra.get("dense"), DenseTrace):
        return inp
    return prepare_input({}, theme=inp.theme, values=inp.values)


class DenseScene(PaintsStillOnce, Scene):
    """Forward pass, backprop with converging red error arrows, then the weight gradients."""

    contract = SceneContract(
        options=(Option("inputs", int, 4, "input units", Range(int, 1, MAX_IO)),
                 Option("outputs", int, 3, "output units (classes)", Range(int, 1, MAX_IO)),
                 Option("activation", str, "sigmoid", "the hidden layer's activation",
                        choices=ACTIVATIONS),
                 Option("init_scale", float, 1.0, "weights ~ N(0, init_scale^2)",
                        RANGES["init_scale"])),
        prepare=prepare_input,
    )

    def setup(self):
        inp = scene_input()
        self.trace: DenseTrace = inp.extra["dense"]
        # "errors" ends on the red arrows of the backward pass (the article's figure)
        self.until = inp.extra.get("stage", "gradients")
        if self.until not in STAGES:
            raise UnrolledError(f"dense: unknown stage {self.until!r}; "
                                f"expected one of {', '.join(STAGES)}")
        self.theme: Theme = get_theme(inp.theme)
        self.camera.background_color = self.theme.background
        D, H, K = self.trace.sizes
        check_fits(1, H, D, K)
        self.rows = {layer: self._row(layer, n) for layer, n in zip(LAYERS, (D, H, K), strict=True)}
        self.links = {name: self._links(*layers) for name, layers in LINK.items()}
        self.panel = VGroup()
        self.shown: dict[str, dict] = {}  # beat -> what its neurons and texts showed, for tests

    def construct(self):
        self.show_network()
        self.show_forward()
        self.show_output_errors()
        self.show_backward()
        if self.until == "errors":
            return
        self.show_hidden_errors()
        self.show_gradients()

    # Beats --------------------------------------------------------------------------------
    def show_network(self):
        tr = self.trace
        D, H, K = tr.sizes
        self.labels = {layer: self._label(layer, name)
                       for layer, name in zip(LAYERS, ("x", "h", "ŷ"), strict=True)}
        labels = VGroup(*self.labels.values())
        target = self._text(f"target y = {tr.target}", NOTE, self.theme.muted)
        target.next_to(self.rows["o"][tr.target], UP, buff=0.15)
        act = "σ" if tr.activation == "sigmoid" else "tanh"
        with self._beat("network", f"A dense network: {D} inputs, {H} hidden neurons with "
                                   f"{act}, and {K} softmax outputs; every neuron of a layer "
                                   "connects to every neuron of the next."):
            self.play(*[Create(g) for g in self.links.values()], run_time=1.0)
            self.play(*[FadeIn(r) for r in self.rows.values()], FadeIn(labels), FadeIn(target))
        self._record("network", texts=[])

    def show_forward(self):
        tr = self.trace
        act = "σ" if tr.activation == "sigmoid" else "tanh"
        lines = [
            self._text(f"h = {act}(W₁x + b₁)", EQ),
            self._text("ŷ = softmax(W₂h + b₂)", EQ),
            self._text(f"L = −log ŷ[{tr.target}] = {format_value(tr.loss).lstrip('+')}", EQ),
        ]
        with self._beat("forward", "Forward: the input flows up, each layer a weighted sum "
                                   "of the one below, then an activation; the loss reads "
                                   "the target's probability."):
            self._set_panel(*lines)
            self.play(*self.rows["x"].show_animations(tr.x, scale_of(tr.x)))
            self.play(*self.rows["h"].show_animations(tr.h1, scale_of(tr.h1)))
            self.play(*self.rows["o"].show_animations(tr.yhat, 1.0))
        self._record("forward", texts=lines)

    def show_output_errors(self):
        tr = self.trace
        lines = [self._text("δ₂ = ∂L/∂z₂ = ŷ − onehot(y)", EQ)]
        with self._beat("output_errors", "The error of each output neuron is its probability "
                                         "minus the target: negative only at the target."):
            self._set_panel(*lines)
            self.play(*self.rows["o"].show_animations(tr.dL_dz2, scale_of(tr.dL_dz2)),
                      self._relabel("o", "δ₂"))
        self._record("output_errors", texts=lines)

    def show_backward(self):
        tr = self.trace
        _, H, K = tr.sizes
        terms = tr.error_contributions()  # (K, H) W2[k, j] dL/dz2[k], from the engine
        top = scale_of(terms)
        self.arrows = VGroup()
        lines = [self._text("∂L/∂h = W₂ᵀ δ₂", EQ),
                 self._text("(the errors of all outputs meet at each h)", NOTE, self.theme.muted)]
        with self._beat("backward", "Backward: the errors of all the output neurons converge "
                                    "on each hidden neuron, weighted by the connections."):
            self._set_panel(*lines)
            # Dimmed until its errors arrive: a hidden neuron still shows its activation
            self.play(self._relabel("h", "∂L/∂h"), self.rows["h"].animate.set_opacity(0.25),
                      run_time=0.4)
            dL_dh = scale_of(tr.dL_dh1)
            for j in range(H):
                fan = VGroup(*[self._error_arrow(k, j, terms[k, j], top) for k in range(K)])
                self.arrows.add(fan)
                self.play(LaggedStart(*[GrowArrow(a) for a in fan], lag_ratio=0.15),
                          run_time=0.8)
                self.play(*self.rows["h"][j].show_animation(tr.dL_dh1[j], dL_dh),
                          fan.animate.set_opacity(0.35), run_time=0.5)
            # Every combination at once, as the whole backward pass really uses them
            self.play(self.arrows.animate.set_opacity(1.0),
                      self.rows["h"].animate.set_opacity(1.0), run_time=0.6)
        self._record("backward", texts=lines)

    def show_hidden_errors(self):
        tr = self.trace
        name = "σ" if tr.activation == "sigmoid" else "tanh"
        slope = "σ'(z₁) = h(1 − h)" if tr.activation == "sigmoid" else "tanh'(z₁) = 1 − h²"
        lines = [self._text(f"δ₁ = ∂L/∂z₁ = {name}'(z₁) ⊙ ∂L/∂h", EQ),
                 self._text(slope, NOTE, self.theme.muted)]
        with self._beat("hidden_errors", "Through the activation's slope, these become the "
                                         "errors of the hidden neurons."):
            self._set_panel(*lines)
            self.play(FadeOut(self.arrows), self._relabel("h", "δ₁"),
                      *self.rows["h"].show_animations(tr.dL_dz1, scale_of(tr.dL_dz1)))
        self._record("hidden_errors", texts=lines)

    def show_gradients(self):
        tr = self.trace
        panels, blocks = {}, []
        caption = ("Each weight's gradient is the error of the neuron above "
                   "times the activation of the neuron below.")
        with self._beat("gradients", caption):
            for name, title in (("W2", "∂L/∂W₂ = δ₂ hᵀ"), ("W1", "∂L/∂W₁ = δ₁ xᵀ")):
                grads = tr.grads[name]
                vmax = scale_of(grads)
                anims = []
                for line in self.links[name]:
                    g = grads[line.above, line.below]
                    line.value = float(g)  # what this line now shows, read by tests
                    anims.append(line.animate.set_stroke(
                        self.theme.value_color(g, vmax), 1.0 + 5.0 * min(1.0, abs(g) / vmax),
                        opacity=1.0))
                # Each block is built anew: the panel fades out as a whole when replaced
                blocks.append((name, title))
                panel = []
                for shown_name, shown_title in blocks:
                    panels[shown_name] = matrix_text(tr.grads[shown_name], self.theme)
                    panel += [self._text(shown_title, EQ), panels[shown_name]]
                self._set_panel(*panel)
                self.play(*anims, run_time=0.8)
                self.wait(0.5)
        self._record("gradients", texts=[])
        self.shown["gradients"]["panels"] = {k: v.original_text for k, v in panels.items()}

    # Building -----------------------------------------------------------------------------
    def _row(self, layer: str, n: int) -> LayerRow:
        neurons = [Neuron(self.theme, RADIUS, values=True) for _ in range(n)]
        for i, neuron in enumerate(neurons):
            neuron.move_to([CENTER_X + (i - (n - 1) / 2) * SPACING, ROW_Y[layer], 0])
        return LayerRow(neurons, layer, 1)

    def _links(self, below: str, above: str) -> VGroup:
        group = VGroup()
        for i, upper in enumerate(self.rows[above]):
            for j, lower in enumerate(self.rows[below]):
                line = Line(lower.get_center(), upper.get_center(), buff=RADIUS)
                line.set_stroke(self.theme.connection, 1.0, opacity=0.8)
                line.above, line.below, line.value = i, j, None
                group.add(line)
        return group

    def _error_arrow(self, k: int, j: int, term: float, top: float) -> ErrorArrow:
        # Parallel to the k -> j connection, a little to its side so both stay visible
        a = self.rows["o"][k].get_center()
        b = self.rows["h"][j].get_center()
        u = (b - a) / np.linalg.norm(b - a)
        side = np.array([-u[1], u[0], 0.0]) * 0.06
        arrow = ErrorArrow(a + u * RADIUS + side, b - u * RADIUS * 1.1 + side, k + 1, j + 1,
                           abs(term), top, self.theme.positive)
        arrow.term = float(term)  # the signed W2[k, j] dL/dz2[k] this arrow carries
        return arrow

    def _label(self, layer: str, name: str) -> Text:
        return self._text(name, LABEL).next_to(self.rows[layer], LEFT, buff=0.35)

    def _relabel(self, layer: str, name: str) -> Animation:
        """Rename a row (activations become errors) in place."""
        old = self.labels[layer]
        new = self._label(layer, name)
        self.labels[layer] = new
        return ReplacementTransform(old, new)

    def _text(self, s: str, size: float, color=None) -> Text:
        return Text(s, font="Sans", font_size=size, color=color or self.theme.text)

    def _set_panel(self, *items: Mobject) -> None:
        new = VGroup(*items).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        if new.width > PANEL_W:
            new.scale_to_fit_width(PANEL_W)
        new.move_to([PANEL_X, 0.9, 0])
        old, self.panel = self.panel, new
        self.play(FadeIn(new), *([FadeOut(old)] if len(old) else []), run_time=0.5)

    def _beat(self, name: str, caption: str, spoken: str | None = None):
        """One named, narrated beat of this scene's own board (``scenes.beats.stage.beat``)."""
        return beat(SimpleNamespace(scene=self), name, caption, spoken)

    def _record(self, beat: str, texts: list[Text]) -> None:
        self.shown[beat] = {
            "values": {layer: row.shown_values for layer, row in self.rows.items()},
            "numbers": {layer: [n.text for n in row] for layer, row in self.rows.items()},
            "texts": [t.original_text for t in texts],
            "labels": {layer: t.original_text for layer, t in self.labels.items()},
            "arrows": [[a.term for a in fan] for fan in getattr(self, "arrows", [])],
        }
